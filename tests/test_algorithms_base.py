"""The estimator conventions (hpa.algorithms.base), input validation and the scores in
hpa.algorithms.metrics, against scikit-learn: parameters, clone, fitted-state checks, the
random-state scope, scikit-learn's input messages, and the same errors on every rank.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
import sklearn.metrics
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere
from sklearn.base import clone

import hpa
from hpa.algorithms import metrics
from hpa.algorithms.base import (
    BaseEstimator,
    NotFittedError,
    check_is_fitted,
    random_state_scope,
    report,
)
from hpa.algorithms.validation import (
    DataConversionWarning,
    as_data,
    as_labels,
    as_targets,
    as_weights,
    check_in,
    check_number,
    check_verbose,
)


class Toy(BaseEstimator):
    def __init__(self, alpha: float = 1.0, inner: object = None, mode: str = "a") -> None:
        self.alpha = alpha
        self.inner = inner
        self.mode = mode

    def fit(self, X: object) -> Toy:
        self.coef_ = as_data(X).sum(axis=0)
        return self


def test_get_set_params_and_clone() -> None:
    est = Toy(alpha=2.5, inner=Toy(mode="b"))
    assert est.get_params(deep=False) == {"alpha": 2.5, "inner": est.inner, "mode": "a"}
    deep = est.get_params()
    assert deep["inner__mode"] == "b" and deep["alpha"] == 2.5
    est.set_params(alpha=3.0, inner__alpha=7.0)
    assert est.alpha == 3.0 and est.inner.alpha == 7.0
    copy = clone(est)
    assert copy is not est and copy.inner is not est.inner
    assert copy.get_params(deep=False)["alpha"] == 3.0 and copy.inner.alpha == 7.0
    assert repr(est) == "Toy(alpha=3.0, inner=Toy(alpha=7.0, mode='b'))"
    with pytest.raises(ValueError, match="Invalid parameter 'beta'"):
        est.set_params(beta=1)


def test_clone_drops_fitted_state() -> None:
    est = Toy().fit(np.ones((4, 2)))
    check_is_fitted(est)
    check_is_fitted(est, "coef_")
    fresh = clone(est)
    assert not hasattr(fresh, "coef_")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        check_is_fitted(fresh)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_varargs_constructor_rejected() -> None:
    class Bad(BaseEstimator):
        def __init__(self, *args: object) -> None:
            pass

    with pytest.raises(TypeError, match="must not take"):
        Bad().get_params()


@pytest.mark.parametrize(
    "make_state",
    [lambda: 5, lambda: np.random.RandomState(3), lambda: np.random.default_rng(3)],
    ids=["int", "RandomState", "Generator"],
)
def test_random_state_scope_reproducible_and_restores(make_state: object) -> None:
    hpa.random.seed(11)
    before = hpa.random.get_state()
    with random_state_scope(make_state()):
        first = hpa.random.random(17, split=0).numpy()
    assert hpa.random.get_state() == before
    with random_state_scope(make_state()):
        second = hpa.random.random(17, split=0).numpy()
    np.testing.assert_array_equal(first, second)


def test_random_state_scope_none_advances_global() -> None:
    hpa.random.seed(4)
    with random_state_scope(None):
        hpa.random.random(3)
    assert hpa.random.get_state()[2] == 1


@pytest.mark.parametrize("bad", [-1, 2**64, 1.5, "x", True])
def test_random_state_scope_rejects(bad: object) -> None:
    exc = ValueError if isinstance(bad, int) and not isinstance(bad, bool) else TypeError

    def enter() -> None:
        with random_state_scope(bad):
            pass

    raised_everywhere(exc, enter)


def test_report_prints_once(capsys: pytest.CaptureFixture[str]) -> None:
    report(0, "silent")
    report(1, "iteration 3, inertia 1.5")
    out = capsys.readouterr().out
    assert "silent" not in out
    assert out.count("iteration 3") == (1 if hpa.get_comm().rank == 0 else 0)


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_as_data_layouts(layout: tuple[int | None, bool]) -> None:
    values = np.arange(21, dtype=np.int32).reshape(7, 3)
    X = as_data(make(values, layout[0], ragged=layout[1]))
    assert X.dtype == hpa.float64 and X.split in (None, 0)
    assert (X.split is None) == (layout[0] is None)
    np.testing.assert_array_equal(X.numpy(), values)
    y = as_targets(np.arange(7), X)
    assert y.split == X.split and y.counts == X.counts
    np.testing.assert_array_equal(y.numpy(), np.arange(7))
    y_other = as_targets(hpa.arange(7, split=None if X.split is not None else 0), X)
    assert y_other.split == X.split and y_other.counts == X.counts


def test_as_data_keeps_float32_and_numpy_rows_split() -> None:
    X = as_data(np.ones((5, 2), dtype=np.float32))
    assert X.dtype == hpa.float32 and X.split == 0


@pytest.mark.parametrize(
    ("fn", "exc"),
    [
        (lambda: as_data(np.ones(4)), ValueError),
        (lambda: as_data(np.ones((0, 3))), ValueError),
        (lambda: as_data(np.ones((3, 0))), ValueError),
        (lambda: as_data(np.array([[1.0, np.nan], [0.0, 1.0]])), ValueError),
        (lambda: as_data(hpa.array([[1.0, 2.0], [np.inf, 1.0], [0, 0]], split=0)), ValueError),
        (lambda: as_targets(np.ones(3), as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_targets(np.ones((4, 1, 1)), as_data(np.ones((4, 2)))), ValueError),
        (lambda: check_number("alpha", -1.0, low=0.0), ValueError),
        (lambda: check_number("alpha", 0.0, low=0.0, low_open=True), ValueError),
        (lambda: check_number("n", 2.0, kind=int), TypeError),
        (lambda: check_number("n", True, kind=int), TypeError),
        (lambda: check_in("init", "kmeans", ["random", "k-means++"]), ValueError),
    ],
)
def test_validation_errors_everywhere(fn: object, exc: type[Exception]) -> None:
    raised_everywhere(exc, fn)


def test_nonfinite_in_one_block_raises_everywhere() -> None:
    values = np.ones((max(2 * P, 4), 2))
    values[-1, 1] = np.nan  # only the last rank's block holds the NaN
    X = hpa.array(values, split=0)
    raised_everywhere(ValueError, lambda: as_data(X))
    assert as_data(X, allow_nonfinite=True).shape == values.shape


@pytest.mark.parametrize("layout", DATA_LAYOUTS[:3], ids=layout_id)
@pytest.mark.parametrize("weighted", [False, True])
def test_scores_match_sklearn(layout: tuple[int | None, bool], weighted: bool) -> None:
    rng = np.random.default_rng(0)
    y = rng.standard_normal((11, 2))
    pred = y + 0.3 * rng.standard_normal((11, 2))
    w = rng.uniform(0.5, 2.0, 11) if weighted else None
    labels = rng.integers(0, 3, 11)
    guess = np.where(rng.uniform(size=11) < 0.7, labels, (labels + 1) % 3)
    split, ragged = layout
    hw = None if w is None else make(w, split, ragged=ragged)
    for yt, yp in [(y, pred), (y[:, 0], pred[:, 0])]:
        got = metrics.r2_score(make(yt, split, ragged=ragged), yp, sample_weight=hw)
        assert got == pytest.approx(sklearn.metrics.r2_score(yt, yp, sample_weight=w), rel=1e-12)
        got = metrics.mean_squared_error(make(yt, split, ragged=ragged), yp, sample_weight=hw)
        want = sklearn.metrics.mean_squared_error(yt, yp, sample_weight=w)
        assert got == pytest.approx(want, rel=1e-12)
    got = metrics.accuracy_score(make(labels, split, ragged=ragged), guess, sample_weight=hw)
    assert got == pytest.approx(sklearn.metrics.accuracy_score(labels, guess, sample_weight=w))


def test_r2_constant_target() -> None:
    assert metrics.r2_score(np.ones(4), np.ones(4)) == 1.0
    assert metrics.r2_score(np.ones(4), np.array([1.0, 1.0, 1.0, 2.0])) == 0.0


@pytest.mark.parametrize(
    ("fn", "exc"),
    [
        (lambda: as_data(scipy.sparse.csr_matrix(np.ones((4, 2)))), TypeError),
        (lambda: as_data(hpa.sparse.sparse_csr_matrix(np.ones((4, 2)))), TypeError),
        (lambda: as_data(np.ones((4, 2)) + 1j), ValueError),
        (lambda: as_data(np.array([[1.0, {}], [2.0, 3.0]], dtype=object)), TypeError),
        (lambda: as_targets(None, as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_labels(np.ones((4, 2)), as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_weights(np.zeros(4), as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_weights(-np.ones(4), as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_weights([1.0, np.nan, 1, 1], as_data(np.ones((4, 2)))), ValueError),
        (lambda: as_weights(np.ones((4, 1)), as_data(np.ones((4, 2)))), ValueError),
        (lambda: check_verbose(-1), ValueError),
        (lambda: check_verbose(1.5), TypeError),
    ],
)
def test_sklearn_style_input_errors_everywhere(fn: object, exc: type[Exception]) -> None:
    raised_everywhere(exc, fn)


def test_sklearn_style_messages() -> None:
    with pytest.raises(ValueError, match="Reshape your data"):
        as_data(np.ones(3))
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(3, 0\)\) while a minimum"):
        as_data(np.ones((3, 0)))
    with pytest.raises(ValueError, match="Complex data not supported"):
        as_data(np.ones((3, 2), dtype=complex))
    with pytest.raises(TypeError, match="Sparse data"):
        as_data(scipy.sparse.csr_array(np.ones((3, 2))))
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        as_targets(None, as_data(np.ones((3, 2))))
    with pytest.raises(ValueError, match="at least one non-zero"):
        as_weights([0, 0, 0], as_data(np.ones((3, 2))))


@pytest.mark.parametrize("layout", DATA_LAYOUTS[:3], ids=layout_id)
def test_object_numbers_labels_and_weights(layout: tuple[int | None, bool]) -> None:
    values = np.arange(14.0).reshape(7, 2)
    X = as_data(make(values, layout[0], ragged=layout[1]))
    assert as_data(values.astype(object)).dtype == hpa.float64
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        y = as_labels(np.arange(7)[:, None], X)
    assert y.ndim == 1 and y.split == X.split and y.counts == X.counts
    np.testing.assert_array_equal(y.numpy(), np.arange(7))
    w = as_weights(2.5, X)
    assert w is not None and w.split == X.split and w.counts == X.counts
    np.testing.assert_array_equal(w.numpy(), np.full(7, 2.5))
    assert as_weights(None, X) is None
    signed = as_weights(np.array([-1.0, 2, 0, 0, 0, 0, 0]), X, non_negative=False)
    assert signed is not None
    np.testing.assert_array_equal(signed.numpy(), [-1.0, 2, 0, 0, 0, 0, 0])
    check_verbose(True)
    check_verbose(3)
