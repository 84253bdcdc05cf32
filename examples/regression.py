"""Fit and compare linear models on the diabetes data set, on any number of processes.

The data (442 patients, 10 features) is standardised, split into training and test sets,
and fitted with ordinary least squares, ridge regression, the lasso and the elastic net;
rank 0 prints each model's R^2 on the test set and its number of non-zero coefficients.

    python examples/regression.py
    mpiexec -n 3 python -m mpi4py examples/regression.py
    torchrun --nproc_per_node 2 examples/regression.py

The data set ships with scikit-learn (``pip install scikit-learn``), which is used only to
load it.
"""

from __future__ import annotations

from typing import Any

from sklearn.datasets import load_diabetes

import hpa
from hpa.algorithms.model_selection import train_test_split
from hpa.algorithms.preprocessing import StandardScaler
from hpa.algorithms.regression import ElasticNet, Lasso, LinearRegression, Ridge


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Fit the four models; returns each model's test R^2 and estimator, and the data split."""
    data = load_diabetes()
    X = hpa.array(data.data, split=0)  # every process keeps its rows
    y = hpa.array(data.target, split=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    models = {
        "least squares": LinearRegression(),
        "ridge (alpha=10)": Ridge(alpha=10.0),
        "lasso (alpha=1)": Lasso(alpha=1.0),
        "elastic net (alpha=0.1)": ElasticNet(alpha=0.1, l1_ratio=0.5),
    }
    results: dict[str, Any] = {"data": (X_train, X_test, y_train, y_test)}
    hpa.print0(f"{X.shape[0]} samples x {X.shape[1]} features on {X.comm.size} process(es)")
    for name, model in models.items():
        model.fit(X_train, y_train)
        r2 = model.score(X_test, y_test)
        nonzero = int(hpa.count_nonzero(model.coef_))
        hpa.print0(f"{name:>24}: test R^2 {r2:.4f}, {nonzero} non-zero coefficients")
        results[name] = {"r2": r2, "model": model}
    return results


if __name__ == "__main__":
    main()
