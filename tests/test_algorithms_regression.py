"""hpa.algorithms.regression (LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression)
against scikit-learn: the shipped data sets (diabetes; iris, breast_cancer and wine for the
classifier) and make_regression, every data layout, float32 and float64, 1-d and 2-d targets
given as NumPy or as hpa arrays laid out differently from X, sample weights, fewer samples
than processes, the communication contract, clone/get_params and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data; the
results must not depend on the process count (every configuration compares with the same
scikit-learn reference).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk
import torch
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_iris,
    load_wine,
    make_regression,
)
from sklearn.preprocessing import StandardScaler

import hpa
from hpa.algorithms import NotFittedError
from hpa.algorithms.regression import (
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
)
from hpa.algorithms.regression.logistic import _objective

DTYPES = [hpa.float64, hpa.float32]
RTOL = {hpa.float64: 1e-4, hpa.float32: 2e-3}


def diabetes() -> tuple[np.ndarray, np.ndarray]:
    return load_diabetes(return_X_y=True)


def regression(n_targets: int = 1, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_regression(n_samples=n, n_features=6, n_informative=4, n_targets=n_targets,
                           noise=5.0, bias=3.0, random_state=0)  # fmt: skip
    return X, y


def standardised(loader) -> tuple[np.ndarray, np.ndarray]:
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def close(got: hpa.Array | float, want: np.ndarray | float, rtol: float) -> None:
    """``got`` (gathered) within ``rtol`` of ``want`` relative to ``want``'s largest entry."""
    got = got.numpy() if isinstance(got, hpa.Array) else np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    scale = max(float(np.abs(want).max()) if want.size else 0.0, 1e-12)
    err = float(np.abs(got.astype(np.float64) - want).max()) if want.size else 0.0
    assert err <= rtol * scale, f"max error {err:.3e} > {rtol:.0e} * {scale:.3e}"


def place(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    """``values`` in one of the DATA_LAYOUTS."""
    return make(values, layout[0], ragged=layout[1])


def targets(y: np.ndarray, X: hpa.Array, kind: str) -> np.ndarray | hpa.Array:
    """``y`` as NumPy, or as an hpa array laid out differently from ``X``."""
    if kind == "numpy":
        return y
    return make(y, None) if X.split is not None else make(y, 0, ragged=True)


def check_rows(pred: hpa.Array, X: hpa.Array) -> None:
    """Predictions keep the rows' layout of ``X``."""
    assert pred.split == (None if X.split is None else 0)
    if X.split == 0:
        assert pred.counts == X.counts


def compare(ours, theirs, Xn, yn, X, y, rtol: float) -> None:
    """Coefficients, intercept, predictions (split like X) and score against scikit-learn."""
    close(ours.coef_, theirs.coef_, rtol)
    close(ours.intercept_, theirs.intercept_, rtol)
    pred = ours.predict(X)
    check_rows(pred, X)
    close(pred, theirs.predict(Xn), rtol)
    assert abs(ours.score(X, y) - theirs.score(Xn, yn)) <= 10 * rtol
    assert ours.n_features_in_ == Xn.shape[1]
    assert ours.coef_.split is None and ours.intercept_.split is None


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("y_kind", ["numpy", "hpa"])
def test_linear_regression(layout, dtype, y_kind) -> None:
    for Xn, yn in [diabetes(), regression(2)]:
        Xn, yn = Xn.astype(dtype.numpy), yn.astype(dtype.numpy)
        X = place(Xn, layout)
        y = targets(yn, X, y_kind)
        ours = LinearRegression().fit(X, y)
        theirs = sk.LinearRegression().fit(Xn, yn)
        compare(ours, theirs, Xn, yn, X, y, RTOL[dtype])
        assert ours.rank_ == Xn.shape[1]
        close(ours.singular_, np.linalg.svd(Xn - Xn.mean(0), compute_uv=False), RTOL[dtype])


def test_linear_regression_options() -> None:
    Xn, yn = regression(1)
    w = np.linspace(0.5, 2.0, Xn.shape[0])
    for layout in DATA_LAYOUTS:
        X = place(Xn, layout)
        ours = LinearRegression(fit_intercept=False).fit(X, yn, sample_weight=w)
        theirs = sk.LinearRegression(fit_intercept=False).fit(Xn, yn, sample_weight=w)
        compare(ours, theirs, Xn, yn, X, yn, 1e-8)
        ours = LinearRegression().fit(X, yn, sample_weight=make(w, 0, ragged=True))
        compare(ours, sk.LinearRegression().fit(Xn, yn, sample_weight=w), Xn, yn, X, yn, 1e-8)
    # rank deficient: a repeated column gets the minimum-norm solution
    Xd = np.hstack([Xn, Xn[:, :1]])
    ours = LinearRegression().fit(make(Xd, 0), yn)
    close(ours.coef_, sk.LinearRegression().fit(Xd, yn).coef_, 1e-6)
    assert ours.rank_ == Xn.shape[1]


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_ridge(layout, dtype) -> None:
    for (Xn, yn), alpha in [(diabetes(), 0.1), (regression(2), 3.0), (regression(2), [1.0, 50.0])]:
        Xn, yn = Xn.astype(dtype.numpy), yn.astype(dtype.numpy)
        X = place(Xn, layout)
        for y_kind in ["numpy", "hpa"]:
            y = targets(yn, X, y_kind)
            ours = Ridge(alpha=alpha).fit(X, y)
            theirs = sk.Ridge(alpha=alpha).fit(Xn, yn)
            compare(ours, theirs, Xn, yn, X, y, RTOL[dtype])
    assert ours.solver_ == "cholesky" and ours.n_iter_ is None


def test_ridge_weights_and_no_intercept() -> None:
    Xn, yn = diabetes()
    w = np.linspace(0.1, 3.0, Xn.shape[0])
    for layout in DATA_LAYOUTS:
        X = place(Xn, layout)
        for kw in [{"fit_intercept": False}, {"alpha": 0.01}]:
            ours = Ridge(**kw).fit(X, yn, sample_weight=w)
            theirs = sk.Ridge(**kw).fit(Xn, yn, sample_weight=w)
            compare(ours, theirs, Xn, yn, X, yn, 1e-8)


ENET_CASES = [
    (Lasso, {"alpha": 0.1}),
    (Lasso, {"alpha": 0.5, "positive": True}),
    (ElasticNet, {"alpha": 0.01, "l1_ratio": 0.7}),
    (ElasticNet, {"alpha": 0.05, "l1_ratio": 0.0}),
    (ElasticNet, {"alpha": 1.0, "l1_ratio": 1.0, "fit_intercept": False}),
]


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_coordinate_descent_diabetes(layout, dtype) -> None:
    Xn, yn = (a.astype(dtype.numpy) for a in diabetes())
    X = place(Xn, layout)
    y = targets(yn, X, "hpa")
    tol = 1e-8 if dtype is hpa.float64 else 1e-5  # scikit-learn's float32 stalls above 1e-8
    for cls, kw in ENET_CASES:
        ours = cls(tol=tol, max_iter=10_000, **kw).fit(X, y)
        theirs = getattr(sk, cls.__name__)(tol=tol, max_iter=10_000, **kw).fit(Xn, yn)
        compare(ours, theirs, Xn, yn, X, y, RTOL[dtype])
        assert isinstance(ours.n_iter_, int) and isinstance(ours.dual_gap_, float)
        if dtype is hpa.float64:  # the same iterations as scikit-learn's
            assert abs(ours.n_iter_ - theirs.n_iter_) <= 1
        if kw.get("positive"):
            assert ours.coef_.numpy().min() >= 0


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_coordinate_descent_multi_target_and_weights(layout) -> None:
    Xn, yn = regression(3)
    X = place(Xn, layout)
    w = np.linspace(0.2, 2.0, Xn.shape[0])
    for cls, kw in ENET_CASES[:3]:
        ours = cls(tol=1e-10, **kw).fit(X, targets(yn, X, "hpa"))
        theirs = getattr(sk, cls.__name__)(tol=1e-10, **kw).fit(Xn, yn)
        compare(ours, theirs, Xn, yn, X, yn, 1e-4)
        assert ours.coef_.shape == (3, Xn.shape[1]) and len(ours.n_iter_) == 3
        assert ours.dual_gap_.shape == (3,)
        ours = cls(tol=1e-10, **kw).fit(X, yn[:, 0], sample_weight=w)
        theirs = getattr(sk, cls.__name__)(tol=1e-10, **kw).fit(Xn, yn[:, 0], sample_weight=w)
        compare(ours, theirs, Xn, yn[:, 0], X, yn[:, 0], 1e-4)


def test_coordinate_descent_random_selection_and_warm_start() -> None:
    Xn, yn = diabetes()
    X = make(Xn, 0, ragged=True)
    theirs = sk.Lasso(alpha=0.05, tol=1e-10, max_iter=10_000).fit(Xn, yn)
    first = Lasso(alpha=0.05, tol=1e-10, max_iter=10_000, selection="random", random_state=3)
    first.fit(X, yn)
    close(first.coef_, theirs.coef_, 1e-4)
    again = clone(first).fit(X, yn)  # reproducible, at every process count
    np.testing.assert_array_equal(again.coef_.numpy(), first.coef_.numpy())
    assert again.n_iter_ == first.n_iter_
    warm = Lasso(alpha=0.05, tol=1e-10, max_iter=10_000, warm_start=True).fit(X, yn)
    n_cold = warm.n_iter_
    warm.fit(X, yn)
    assert warm.n_iter_ < n_cold
    close(warm.coef_, theirs.coef_, 1e-4)


def test_coordinate_descent_collectives() -> None:
    """The sweeps communicate nothing: a fit costs the same few collectives however many
    iterations it takes."""
    Xn, yn = diabetes()
    X, y = make(Xn, 0), make(yn, 0)
    counts = []
    for tol in (1e-2, 1e-10):
        with hpa.count_collectives() as stats:
            model = Lasso(alpha=0.01, tol=tol, max_iter=10_000).fit(X, y)
        counts.append(str(stats))
        assert model.n_iter_ >= 1
    assert counts[0] == counts[1]
    if P > 1:
        with hpa.count_collectives() as stats:
            Lasso(alpha=0.01).fit(X, y)
        assert stats["allreduce"] <= 4


@pytest.mark.parametrize("cls", [LinearRegression, Ridge, Lasso, ElasticNet])
def test_fewer_samples_than_processes(cls) -> None:
    Xn = np.array([[1.0, 2.0], [3.0, -1.0]])
    yn = np.array([1.0, 4.0])
    kw = {"alpha": 0.1} if cls in (Ridge, Lasso, ElasticNet) else {}
    theirs = getattr(sk, cls.__name__)(**kw).fit(Xn, yn)
    for layout in DATA_LAYOUTS:
        X = place(Xn, layout)
        ours = cls(**kw).fit(X, yn)
        compare(ours, theirs, Xn, yn, X, yn, 1e-6)


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_logistic_regression(layout, dtype) -> None:
    rtol = RTOL[dtype]
    for loader in (load_iris, load_breast_cancer, load_wine):
        Xn, yn = standardised(loader)
        Xn = Xn.astype(dtype.numpy)
        X = place(Xn, layout)
        y = targets(yn, X, "hpa")
        ours = LogisticRegression(tol=1e-10, max_iter=1000).fit(X, y)
        theirs = sk.LogisticRegression(tol=1e-10, max_iter=1000).fit(Xn, yn)
        np.testing.assert_array_equal(ours.classes_.numpy(), theirs.classes_)
        assert ours.classes_.split is None and ours.coef_.shape == theirs.coef_.shape
        close(ours.coef_, theirs.coef_, rtol)
        close(ours.intercept_, theirs.intercept_, rtol)
        assert ours.n_iter_.shape == (1,)
        pred = ours.predict(X)
        check_rows(pred, X)
        np.testing.assert_array_equal(pred.numpy(), theirs.predict(Xn))
        close(ours.predict_proba(X), theirs.predict_proba(Xn), 10 * rtol)
        if dtype is hpa.float64:  # scikit-learn's float32 log-probabilities reach -inf
            close(ours.predict_log_proba(X), theirs.predict_log_proba(Xn), 1e-2)
        close(ours.decision_function(X), theirs.decision_function(Xn), 10 * rtol)
        assert abs(ours.score(X, y) - theirs.score(Xn, yn)) < 1e-12


def test_logistic_regression_options() -> None:
    Xn, yn = load_iris(return_X_y=True)  # unscaled features
    labels = np.array([-3, 5, 11])[yn]  # labels other than 0..k-1
    w = np.linspace(0.5, 1.5, Xn.shape[0])
    binary = yn != 0
    for layout in DATA_LAYOUTS:
        X = place(Xn, layout)
        for kw, fit_kw, rows in [
            ({"C": 0.3}, {"sample_weight": w}, slice(None)),
            ({"fit_intercept": False}, {}, slice(None)),
            ({"C": 10.0}, {}, binary),
        ]:
            ours = LogisticRegression(tol=1e-10, max_iter=2000, **kw)
            theirs = sk.LogisticRegression(tol=1e-10, max_iter=2000, **kw)
            theirs.fit(Xn[rows], labels[rows], **{k: v[rows] for k, v in fit_kw.items()})
            ours.fit(place(Xn[rows], layout), labels[rows],
                     **{k: v[rows] for k, v in fit_kw.items()})  # fmt: skip
            close(ours.coef_, theirs.coef_, 1e-4)
            close(ours.intercept_, theirs.intercept_, 1e-4)
            np.testing.assert_array_equal(ours.predict(X).numpy(), theirs.predict(Xn))


def test_logistic_fewer_samples_than_processes_and_one_reduction() -> None:
    Xn, yn = np.array([[1.0, 0.5], [-1.0, 0.2]]), np.array([0, 1])
    theirs = sk.LogisticRegression(tol=1e-10).fit(Xn, yn)
    for layout in DATA_LAYOUTS:
        ours = LogisticRegression(tol=1e-10).fit(place(Xn, layout), yn)
        close(ours.coef_, theirs.coef_, 1e-4)
    Xa = make(np.hstack([Xn, np.ones((2, 1))]), 0)
    fun = _objective(Xa, make(np.array([[0.0], [1.0]]), 0), None, 1.0, True)
    with hpa.count_collectives() as stats:
        value, grad = fun(torch.zeros(3, dtype=torch.float64))
    assert abs(value - np.log(2)) < 1e-12 and grad.shape == (3,)
    if P > 1:
        assert stats["allreduce"] == 1 and str(stats).count("=") == 1


ESTIMATORS = [
    LinearRegression(fit_intercept=False),
    Ridge(alpha=2.0, solver="cholesky"),
    Lasso(alpha=0.3, selection="random", random_state=1),
    ElasticNet(alpha=0.3, l1_ratio=0.2),
    LogisticRegression(C=0.5, max_iter=50),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_clone_and_params(est) -> None:
    copy = clone(est)
    assert type(copy) is type(est) and copy.get_params() == est.get_params()
    assert "l1_ratio" not in Lasso().get_params()
    assert repr(est).startswith(type(est).__name__)


def test_errors_everywhere() -> None:
    Xn, yn = diabetes()
    X = make(Xn, 0, ragged=True)
    bad = Xn.copy()
    bad[-1, 2] = np.nan
    for est in [Ridge(alpha=-1.0), Lasso(alpha=-0.1), ElasticNet(l1_ratio=1.5),
                Ridge(alpha=[1.0, -2.0]), Lasso(selection="best"), Ridge(solver="qr"),
                LogisticRegression(C=0.0), LogisticRegression(penalty="l3"),
                Lasso(max_iter=0)]:  # fmt: skip
        raised_everywhere(ValueError, lambda est=est: est.fit(X, yn))
    raised_everywhere(TypeError, lambda: Lasso(alpha="big").fit(X, yn))
    for est in [Ridge(solver="sag"), LogisticRegression(penalty="l1"),
                LogisticRegression(solver="saga"), Lasso(precompute=np.eye(10))]:  # fmt: skip
        raised_everywhere(NotImplementedError, lambda est=est: est.fit(X, yn))
    for cls in (LinearRegression, Ridge, Lasso, ElasticNet):
        est = cls()
        raised_everywhere(NotFittedError, lambda est=est: est.predict(X))
        raised_everywhere(ValueError, lambda est=est: est.fit(X, yn[:-1]))
        raised_everywhere(ValueError, lambda est=est: est.fit(make(bad, 0, ragged=True), yn))
        raised_everywhere(ValueError, lambda est=est: est.fit(make(bad, 1), yn))
        raised_everywhere(ValueError, lambda est=est: est.fit(X, np.where(yn > 300, np.inf, yn)))
        est.fit(X, yn)
        raised_everywhere(ValueError, lambda est=est: est.predict(make(Xn[:, :3], 0)))
    ys = (yn > 150).astype(int)
    est = LogisticRegression()
    raised_everywhere(NotFittedError, lambda: est.predict_proba(X))
    raised_everywhere(ValueError, lambda: est.fit(X, np.ones(Xn.shape[0])))
    raised_everywhere(ValueError, lambda: est.fit(make(bad, 0), ys))
    raised_everywhere(ValueError, lambda: est.fit(X, ys[:-2]))
    est.fit(X, ys)
    raised_everywhere(ValueError, lambda: est.decision_function(make(Xn[:, :4], 0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Lasso(alpha=1e-6, max_iter=1, tol=0.0).fit(X, yn)  # stops at max_iter with a warning
