"""Linear regression estimators with scikit-learn's interface: :class:`LinearRegression`
(TSQR least squares), :class:`Ridge` (normal equations), :class:`Lasso` and
:class:`ElasticNet` (coordinate descent on the Gram matrix) and :class:`LogisticRegression`
(L-BFGS)."""

from __future__ import annotations

from hpa.algorithms.regression.coordinate_descent import ElasticNet, Lasso
from hpa.algorithms.regression.linear import LinearRegression, Ridge
from hpa.algorithms.regression.logistic import LogisticRegression

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "Ridge"]
