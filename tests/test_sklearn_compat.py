"""scikit-learn's tools on hpa's estimators: tags, clone, pickling, ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``check_estimator`` and ``verbose`` output.

Every rank runs the same scikit-learn code on the same data (the estimators communicate
inside), so every result is gathered from all ranks: it must agree across them and, where the
algorithm is deterministic, match scikit-learn's own estimator on the same data. The estimator
checks run in full at one process and for a subset of the estimators at several (see
``CHECKED_AT_SEVERAL``).
"""

from __future__ import annotations

import copy
import inspect
import pickle
import subprocess
import sys
import unittest
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import sklearn.base
import sklearn.cluster
import sklearn.decomposition
import sklearn.exceptions
import sklearn.linear_model
import sklearn.naive_bayes
import sklearn.preprocessing
import sklearn.utils.validation
from helpers import DATA_LAYOUTS, P, RANK, layout_id, make
from sklearn import datasets
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.estimator_checks import estimator_checks_generator

import hpa
from hpa.algorithms import (
    BaseEstimator,
    ClassificationMixin,
    ClassifierMixin,
    ClusteringMixin,
    ClusterMixin,
    NotFittedError,
    RegressionMixin,
    RegressorMixin,
    TransformerMixin,
    TransformMixin,
    classification,
    cluster,
    decomposition,
    is_classifier,
    is_clusterer,
    is_estimator,
    is_regressor,
    is_transformer,
    preprocessing,
    regression,
)
from hpa.algorithms.classification import GaussianNB
from hpa.algorithms.cluster import DBSCAN, KMeans, KMedians, KMedoids
from hpa.algorithms.decomposition import PCA, IncrementalPCA, TruncatedSVD
from hpa.algorithms.preprocessing import StandardScaler
from hpa.algorithms.regression import Lasso, LinearRegression, LogisticRegression, Ridge

COMM = hpa.get_comm()
IRIS_X, IRIS_Y = datasets.load_iris(return_X_y=True)
DIABETES_X, DIABETES_Y = datasets.load_diabetes(return_X_y=True)
# rows of the standardised iris projected on its first two principal components
IRIS_PLANE = sklearn.decomposition.PCA(2).fit_transform(
    sklearn.preprocessing.StandardScaler().fit_transform(IRIS_X)
)
PLANE_CENTRES = IRIS_PLANE[[0, 50, 100]]
IRIS_CENTRES = IRIS_X[[0, 50, 100]]


@pytest.fixture(autouse=True)
def same_numpy_draws() -> Iterator[None]:
    """NumPy's global generator seeded alike on every rank (scikit-learn's checks draw from it,
    ``np.random.permutation``, and every rank must see the same data), restored afterwards."""
    saved = np.random.get_state()
    np.random.seed(0)
    yield
    np.random.set_state(saved)


def gathered(value: Any) -> list[Any]:
    """``value`` from every rank, in rank order."""
    return COMM.allgather_object(value)


def agree_close(got: Any, want: Any, what: str, rtol: float = 1e-10, atol: float = 0.0) -> None:
    """``got`` (on every rank) is close to ``want``; the verdicts are gathered, so all ranks
    fail together."""
    got_np = np.asarray(got, dtype=np.float64)
    want_np = np.asarray(want, dtype=np.float64)
    ok = got_np.shape == want_np.shape and bool(np.allclose(got_np, want_np, rtol=rtol, atol=atol))
    verdicts = gathered(ok)
    assert all(verdicts), f"{what}: {got_np!r} != {want_np!r} (verdicts by rank {verdicts})"


def agree_equal(got: Any, want: Any, what: str) -> None:
    """``got`` equals ``want`` on every rank (gathered verdicts)."""
    ok = bool(np.array_equal(np.asarray(got), np.asarray(want)))
    verdicts = gathered(ok)
    assert all(verdicts), f"{what}: {got!r} != {want!r} (verdicts by rank {verdicts})"


def same_on_ranks(value: Any, what: str, rtol: float = 1e-12) -> None:
    """``value`` (a number or array of numbers) agrees across the ranks."""
    values = [np.asarray(v, dtype=np.float64) for v in gathered(np.asarray(value).tolist())]
    assert all(np.allclose(v, values[0], rtol=rtol, atol=0.0) for v in values), (
        f"{what} differs between ranks: {values}"
    )


def as_input(values: np.ndarray, kind: str) -> Any:
    """The data as scikit-learn's tools receive it: NumPy, or an hpa array split by rows."""
    return values if kind == "numpy" else make(values, 0)


INPUTS = ["numpy", "hpa"]


# ------------------------------------------------------------------- tags and kinds
KINDS = [
    (KMeans(), "clusterer"),
    (KMedians(), "clusterer"),
    (KMedoids(), "clusterer"),
    (DBSCAN(), "clusterer"),
    (PCA(), None),
    (IncrementalPCA(), None),
    (TruncatedSVD(), None),
    (StandardScaler(), None),
    (LinearRegression(), "regressor"),
    (Ridge(), "regressor"),
    (Lasso(), "regressor"),
    (LogisticRegression(), "classifier"),
    (GaussianNB(), "classifier"),
]


@pytest.mark.parametrize(("est", "kind"), KINDS, ids=[type(e).__name__ for e, _ in KINDS])
def test_tags_and_kinds(est: Any, kind: str | None) -> None:
    tags = get_tags(est)
    assert tags.estimator_type == kind and est._estimator_type == kind
    assert sklearn.base.is_classifier(est) == is_classifier(est) == (kind == "classifier")
    assert sklearn.base.is_regressor(est) == is_regressor(est) == (kind == "regressor")
    assert sklearn.base.is_clusterer(est) == is_clusterer(est) == (kind == "clusterer")
    assert is_estimator(est) and is_transformer(est) == hasattr(est, "transform")
    assert tags.target_tags.required == (kind in ("classifier", "regressor"))
    assert tags.input_tags.two_d_array and not tags.input_tags.sparse
    assert not tags.input_tags.allow_nan and not tags.input_tags.string
    assert (tags.transformer_tags is not None) == hasattr(est, "transform")
    if tags.transformer_tags is not None:
        assert set(tags.transformer_tags.preserves_dtype) == {"float32", "float64"}
    assert tags.target_tags.multi_output == isinstance(est, (LinearRegression, Ridge, Lasso))
    assert tags is not get_tags(est)  # a fresh object on every call


def test_heat_names_and_predicates() -> None:
    assert ClassificationMixin is ClassifierMixin and ClusteringMixin is ClusterMixin
    assert RegressionMixin is RegressorMixin and TransformMixin is TransformerMixin
    for obj in (object(), KMeans, "KMeans", sklearn.cluster.KMeans()):
        assert not is_estimator(obj) and not is_clusterer(obj) and not is_transformer(obj)
    assert not is_classifier(Ridge()) and not is_regressor(GaussianNB())


def test_transformers_keep_float32() -> None:
    X = IRIS_X.astype(np.float32)
    for est in (StandardScaler(), PCA(2), KMeans(3, init=IRIS_CENTRES, n_init=1)):
        out = est.fit(X).transform(X)
        agree_equal(out.dtype == hpa.float32, True, f"{type(est).__name__}.transform dtype")


WITHOUT_SKLEARN = """
import sys
sys.modules["sklearn"] = None  # any import of scikit-learn now fails
import numpy as np
import hpa
from hpa.algorithms import NotFittedError
from hpa.algorithms.cluster import KMeans
from hpa.algorithms.regression import Ridge
X = np.arange(40.0).reshape(20, 2) % 7
assert Ridge().fit(X, X[:, 0]).score(X, X[:, 0]) > 0.99
assert KMeans(2, random_state=0).fit(X).predict(X).shape == (20,)
try:
    Ridge().predict(X)
    raise SystemExit("predict before fit did not raise")
except NotFittedError:
    pass
try:
    Ridge().__sklearn_tags__()
    raise SystemExit("__sklearn_tags__ worked without scikit-learn")
except ImportError as error:
    assert "scikit-learn >= 1.6" in str(error)
assert "sklearn.utils" not in sys.modules
print("ok")
"""


def test_estimators_work_without_sklearn() -> None:
    if P > 1:
        pytest.skip("runs a one-process interpreter, whatever the launcher: checked at one process")

    def run() -> tuple[int, str]:
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "HPA_COMM": "loopback"}
        out = subprocess.run(
            [sys.executable, "-c", WITHOUT_SKLEARN],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        return out.returncode, out.stdout + out.stderr

    code, output = run()
    assert code == 0 and output.strip() == "ok", output


def test_tags_need_sklearn_utils(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.utils", None)
    with pytest.raises(ImportError, match=r"scikit-learn >= 1\.6"):
        Ridge().__sklearn_tags__()


# ------------------------------------------------------- errors and warnings as sklearn's
def test_not_fitted_is_sklearns_error() -> None:
    for est, method in [(Ridge(), "predict"), (KMeans(), "predict"), (PCA(), "transform"),
                        (GaussianNB(), "predict_proba")]:  # fmt: skip
        with pytest.raises(sklearn.exceptions.NotFittedError) as caught:
            getattr(est, method)(IRIS_X)
        assert isinstance(caught.value, NotFittedError) and not est.__sklearn_is_fitted__()
        with pytest.raises(sklearn.exceptions.NotFittedError):
            sklearn.utils.validation.check_is_fitted(est)
    fitted = Ridge().fit(DIABETES_X, DIABETES_Y)
    sklearn.utils.validation.check_is_fitted(fitted)
    assert fitted.__sklearn_is_fitted__()


def test_warnings_are_sklearns() -> None:
    with pytest.warns(ConvergenceWarning):
        Lasso(alpha=1e-6, max_iter=1, tol=0.0).fit(DIABETES_X, DIABETES_Y)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        column = GaussianNB().fit(IRIS_X, IRIS_Y[:, None])
    flat = GaussianNB().fit(IRIS_X, IRIS_Y)
    agree_equal(column.predict(IRIS_X).numpy(), flat.predict(IRIS_X).numpy(), "column-vector y")


# ----------------------------------------------------------------- clone and pickling
def test_clone_of_fitted_and_of_array_parameters() -> None:
    fitted = KMeans(3, init=hpa.array(IRIS_CENTRES), n_init=1).fit(make(IRIS_X, 0))
    fresh = clone(fitted)
    assert not fresh.__sklearn_is_fitted__() and not hasattr(fresh, "labels_")
    assert fresh.init is not fitted.init  # the hpa array parameter is deep-copied
    refit = fresh.fit(make(IRIS_X, 0))  # the copy lives on a copy of the communicator
    agree_equal(refit.labels_.numpy(), fitted.labels_.numpy(), "labels after clone")
    agree_close(refit.inertia_, fitted.inertia_, "inertia after clone")


def _fitted_models() -> list[tuple[Any, Callable[[Any], Any]]]:
    """Fitted estimators on row-split data, with the method whose output must survive."""
    X, Xd = make(IRIS_X, 0, ragged=True), make(DIABETES_X, 0)
    return [
        (Ridge().fit(Xd, DIABETES_Y), lambda m: m.predict(Xd)),
        (LogisticRegression(max_iter=300).fit(X, IRIS_Y), lambda m: m.predict_proba(X)),
        (GaussianNB().fit(X, IRIS_Y), lambda m: m.predict_log_proba(X)),
        (KMeans(3, init=IRIS_CENTRES, n_init=1).fit(X), lambda m: m.transform(X)),
        (PCA(2).fit(X), lambda m: m.transform(X)),
        (StandardScaler().fit(X), lambda m: m.inverse_transform(m.transform(X))),
    ]


@pytest.mark.parametrize("restore", ["pickle", "deepcopy"])
def test_pickled_estimators_predict_the_same(restore: str) -> None:
    for model, method in _fitted_models():
        if restore == "pickle":
            again = pickle.loads(pickle.dumps(model))
        else:
            again = copy.deepcopy(model)
        name = type(model).__name__
        arrays = [v for v in vars(again).values() if isinstance(v, hpa.Array)]
        assert arrays and all(a.comm is COMM for a in arrays), f"{name}: arrays left off COMM"
        agree_close(method(again).numpy(), method(model).numpy(), f"{name} after {restore}")
    labels = KMeans(3, init=IRIS_CENTRES, n_init=1).fit(make(IRIS_X, 0, ragged=True)).labels_
    restored = pickle.loads(pickle.dumps(labels))  # a split attribute keeps its blocks
    assert restored.counts == labels.counts and restored.split == 0


# -------------------------------------------------------------------- hpa arrays in CV
@pytest.mark.parametrize("layout", DATA_LAYOUTS[:3], ids=layout_id)
def test_safe_indexing_keeps_hpa_arrays(layout: tuple[int | None, bool]) -> None:
    index = np.array([5, 0, 149, 77, 77, 3])
    for values in (IRIS_X, IRIS_Y):
        picked = _safe_indexing(make(values, layout[0], ragged=layout[1]), index)
        assert isinstance(picked, hpa.Array)
        agree_equal(picked.numpy(), values[index], "_safe_indexing rows")


@pytest.mark.parametrize("kind", INPUTS)
def test_cross_val_score_matches_sklearn(kind: str) -> None:
    X, y = as_input(DIABETES_X, kind), as_input(DIABETES_Y, kind)
    for ours, theirs, scoring in [
        (Ridge(0.5), sklearn.linear_model.Ridge(0.5), None),
        (Ridge(0.5), sklearn.linear_model.Ridge(0.5), "neg_mean_squared_error"),
        (Lasso(0.1, tol=1e-10), sklearn.linear_model.Lasso(0.1, tol=1e-10), None),
    ]:
        got = cross_val_score(ours, X, y, cv=KFold(5), scoring=scoring)
        want = cross_val_score(theirs, DIABETES_X, DIABETES_Y, cv=KFold(5), scoring=scoring)
        agree_close(got, want, f"cross_val_score {ours!r} {scoring}", rtol=1e-8)
        same_on_ranks(got, f"cross_val_score {ours!r}")


@pytest.mark.parametrize("kind", INPUTS)
def test_cross_val_score_classifier_and_clusterer(kind: str) -> None:
    X, y = as_input(IRIS_X, kind), as_input(IRIS_Y, kind)
    cv = StratifiedKFold(5)
    got = cross_val_score(GaussianNB(), X, y, cv=cv)
    agree_close(got, cross_val_score(sklearn.naive_bayes.GaussianNB(), IRIS_X, IRIS_Y, cv=cv),
                "GaussianNB accuracies")  # fmt: skip
    cv = StratifiedKFold(3)
    got = cross_val_score(LogisticRegression(tol=1e-8, max_iter=500), X, y, cv=cv)
    want = cross_val_score(
        sklearn.linear_model.LogisticRegression(tol=1e-8, max_iter=500), IRIS_X, IRIS_Y, cv=cv
    )
    agree_close(got, want, "LogisticRegression accuracies")
    # a clusterer's score is minus the inertia of the held-out samples
    got = cross_val_score(KMeans(3, init=IRIS_CENTRES, n_init=1), X, cv=KFold(3))
    want = cross_val_score(
        sklearn.cluster.KMeans(3, init=IRIS_CENTRES, n_init=1), IRIS_X, cv=KFold(3)
    )
    agree_close(got, want, "KMeans scores", rtol=1e-8)
    same_on_ranks(got, "KMeans scores")


def test_score_is_a_python_float() -> None:
    X, y = make(IRIS_X, 0), make(IRIS_Y, 0)
    scored = [
        (Ridge(), DIABETES_X, DIABETES_Y),
        (LinearRegression(), DIABETES_X, DIABETES_Y),
        (Lasso(0.1), DIABETES_X, DIABETES_Y),
        (LogisticRegression(max_iter=300), X, y),
        (GaussianNB(), X, y),
        (KMeans(3, random_state=0), X, None),
        (KMedians(3, random_state=0), X, None),
        (KMedoids(3), X, None),
        (PCA(2), X, None),
        (IncrementalPCA(2), X, None),
    ]
    for est, Xs, ys in scored:
        value = est.fit(Xs, ys).score(Xs, ys)
        assert type(value) is float, f"{type(est).__name__}.score gave {type(value).__name__}"
        same_on_ranks(value, f"{type(est).__name__}.score")
        if is_clusterer(est):  # minus the inertia of the training data
            agree_close(value, -est.inertia_, f"{type(est).__name__}.score", rtol=1e-9)


# ------------------------------------------------------------ Pipeline and GridSearchCV
@pytest.mark.parametrize("kind", INPUTS)
def test_pipeline_scaler_pca_kmeans(kind: str) -> None:
    X = as_input(IRIS_X, kind)
    ours = make_pipeline(StandardScaler(), PCA(2), KMeans(3, init=PLANE_CENTRES, n_init=1))
    theirs = make_pipeline(
        sklearn.preprocessing.StandardScaler(),
        sklearn.decomposition.PCA(2),
        sklearn.cluster.KMeans(3, init=PLANE_CENTRES, n_init=1),
    ).fit(IRIS_X)
    ours.fit(X)
    agree_equal(np.asarray(ours.predict(X)), theirs.predict(IRIS_X), "pipeline labels")
    agree_close(np.asarray(ours.transform(X)), theirs.transform(IRIS_X), "pipeline transform",
                rtol=1e-8, atol=1e-10)  # fmt: skip
    agree_close(ours.score(X), theirs.score(IRIS_X), "pipeline score", rtol=1e-9)
    agree_close(ours[-1].cluster_centers_.numpy(), theirs[-1].cluster_centers_, "centres",
                rtol=1e-8, atol=1e-10)  # fmt: skip
    again = clone(ours).fit(X)
    agree_equal(np.asarray(again.predict(X)), theirs.predict(IRIS_X), "cloned pipeline labels")


@pytest.mark.parametrize("kind", INPUTS)
def test_pipeline_regression(kind: str) -> None:
    X, y = as_input(DIABETES_X, kind), as_input(DIABETES_Y, kind)
    ours = make_pipeline(StandardScaler(), Ridge(3.0)).fit(X, y)
    theirs = make_pipeline(
        sklearn.preprocessing.StandardScaler(), sklearn.linear_model.Ridge(3.0)
    ).fit(DIABETES_X, DIABETES_Y)
    agree_close(np.asarray(ours.predict(X)), theirs.predict(DIABETES_X), "predictions",
                rtol=1e-9)  # fmt: skip
    score = ours.score(X, y)
    assert type(score) is float
    agree_close(score, theirs.score(DIABETES_X, DIABETES_Y), "pipeline R^2", rtol=1e-10)


@pytest.mark.parametrize("kind", INPUTS)
def test_grid_search_ridge(kind: str) -> None:
    X, y = as_input(DIABETES_X, kind), as_input(DIABETES_Y, kind)
    grid = {"alpha": [0.001, 0.1, 1.0, 10.0], "fit_intercept": [True, False]}
    ours = GridSearchCV(Ridge(), grid, cv=KFold(4)).fit(X, y)
    theirs = GridSearchCV(sklearn.linear_model.Ridge(), grid, cv=KFold(4))
    theirs.fit(DIABETES_X, DIABETES_Y)
    assert gathered(ours.best_params_) == [theirs.best_params_] * P
    agree_close(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                "mean test scores", rtol=1e-9)  # fmt: skip
    agree_close(ours.best_estimator_.coef_.numpy(), theirs.best_estimator_.coef_,
                "refitted coefficients", rtol=1e-8)  # fmt: skip
    agree_close(ours.score(X, y), theirs.score(DIABETES_X, DIABETES_Y), "best score", rtol=1e-10)


@pytest.mark.parametrize("kind", INPUTS)
def test_grid_search_classifiers(kind: str) -> None:
    X, y = as_input(IRIS_X, kind), as_input(IRIS_Y, kind)
    grid = {"var_smoothing": [1e-9, 1e-2, 0.3, 1.0]}
    ours = GridSearchCV(GaussianNB(), grid).fit(X, y)  # StratifiedKFold(5) on hpa labels
    theirs = GridSearchCV(sklearn.naive_bayes.GaussianNB(), grid).fit(IRIS_X, IRIS_Y)
    assert gathered(ours.best_params_) == [theirs.best_params_] * P
    agree_close(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                "GaussianNB mean accuracies")  # fmt: skip
    # a pipeline's nested parameters, and the scorer of scikit-learn on hpa predictions
    grid = {"logisticregression__C": [0.05, 1.0]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(tol=1e-10)), grid,
                        scoring="balanced_accuracy").fit(X, y)  # fmt: skip
    reference = make_pipeline(
        sklearn.preprocessing.StandardScaler(), sklearn.linear_model.LogisticRegression(tol=1e-10)
    )
    theirs = GridSearchCV(
        reference,
        grid,
        scoring="balanced_accuracy",
    ).fit(IRIS_X, IRIS_Y)
    assert gathered(ours.best_params_) == [theirs.best_params_] * P
    agree_close(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                "LogisticRegression balanced accuracies")  # fmt: skip


# ---------------------------------------------------------------------------- verbose
def _lines(out: str, start: str) -> int:
    return sum(line.startswith(start) for line in out.splitlines())


def test_verbose_prints_every_iteration_on_rank0(capsys: pytest.CaptureFixture[str]) -> None:
    X = make(IRIS_X, 0)
    runs = [
        (KMeans(3, init=IRIS_CENTRES, n_init=1, verbose=1), None, "Iteration "),
        (KMedians(3, init=IRIS_CENTRES, verbose=True), None, "Iteration "),
        (LogisticRegression(max_iter=500, verbose=1), IRIS_Y, "L-BFGS iteration "),
        (LogisticRegression(max_iter=5, verbose=2), IRIS_Y, "L-BFGS iteration "),
    ]
    for est, y, start in runs:
        capsys.readouterr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=5 stops early
            est.fit(X, y)
        out = capsys.readouterr().out
        n_iter = int(np.asarray(est.n_iter_).max())
        want = n_iter if RANK == 0 else 0
        agree_equal(_lines(out, start), want, f"{type(est).__name__} lines printed")
        if RANK == 0:
            numbers = [int(line[len(start):].split(",")[0].split(":")[0])
                       for line in out.splitlines() if line.startswith(start)]  # fmt: skip
            first = 0 if isinstance(est, (KMeans, KMedians)) else 1
            assert numbers == list(range(first, first + n_iter)), out
        else:
            assert out == ""
    KMeans(3, init=IRIS_CENTRES, n_init=1).fit(X)
    KMedians(3, init=IRIS_CENTRES).fit(X)
    LogisticRegression(max_iter=500).fit(X, IRIS_Y)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------- scikit-learn's checks
CLASSIFIER = {
    "check_classifiers_classes": "hpa's classifiers take numeric class labels only, not strings",
}
NO_SAMPLE_WEIGHT = {
    name: "sample_weight is not supported by this hpa estimator (NotImplementedError)"
    for name in (
        "check_sample_weights_not_an_array",
        "check_sample_weights_list",
        "check_all_zero_sample_weights_error",
        "check_sample_weights_shape",
        "check_sample_weights_not_overwritten",
        "check_sample_weight_equivalence_on_dense_data",
    )
}
EXPECTED_FAILURES: dict[str, dict[str, str]] = {
    "KMeans": NO_SAMPLE_WEIGHT,
    "StandardScaler": NO_SAMPLE_WEIGHT,
    "Ridge": {
        "check_non_transformer_estimators_n_iter": "the direct (Cholesky) solver takes no "
        "iterations, n_iter_ is None (scikit-learn's Ridge lists the same exception)",
    },
}
# at several processes: all checks of one or two estimators of every family
CHECKED_AT_SEVERAL = ("KMeans", "PCA", "StandardScaler", "Ridge", "LogisticRegression",
                      "GaussianNB")  # fmt: skip


def expected_failures(est: Any) -> dict[str, str]:
    """The checks that ``est`` is known to fail, with the reason."""
    failures: dict[str, str] = {}
    if is_classifier(est):
        failures.update(CLASSIFIER)
    failures.update(EXPECTED_FAILURES.get(type(est).__name__, {}))
    return failures


# the estimators under scikit-learn's checks (an estimator added to a family joins this list
# once it passes them, or its failures are listed above with their reasons)
CHECKED = (
    "DBSCAN", "ElasticNet", "GaussianNB", "IncrementalPCA", "KMeans", "KMedians", "KMedoids",
    "KNeighborsClassifier", "Lasso", "LinearRegression", "LogisticRegression", "MinMaxScaler",
    "Normalizer", "PCA", "RobustScaler", "Ridge", "SpectralClustering", "StandardScaler",
    "TruncatedSVD",
)  # fmt: skip


def all_estimators() -> list[type]:
    """The estimator classes of ``CHECKED``, found in the families' exports, by name."""
    found = {
        obj
        for module in (classification, cluster, decomposition, preprocessing, regression)
        for obj in (getattr(module, name) for name in module.__all__)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and obj.__name__ in CHECKED
    }
    return sorted(found, key=lambda c: c.__name__)


def test_checked_estimators_exist() -> None:
    assert [c.__name__ for c in all_estimators()] == sorted(CHECKED)
    assert set(CHECKED_AT_SEVERAL) <= set(CHECKED) and set(EXPECTED_FAILURES) <= set(CHECKED)


def _check_name(check: Any) -> str:
    func = getattr(check, "func", check)
    return str(getattr(func, "__name__", func))


def estimator_checks() -> Iterator[Any]:
    """One pytest parameter per (estimator, check): all at one process, the estimators of
    ``CHECKED_AT_SEVERAL`` at several."""
    for cls in all_estimators():
        if P > 1 and cls.__name__ not in CHECKED_AT_SEVERAL:
            continue
        seen: dict[str, int] = {}
        with warnings.catch_warnings():  # hpa's estimators do not derive from scikit-learn's
            warnings.filterwarnings("ignore", "Estimator .* does not inherit from", UserWarning)
            generated = list(estimator_checks_generator(cls(), legacy=True))
        for est, check in generated:
            name = _check_name(check)
            seen[name] = seen.get(name, 0) + 1
            suffix = "" if seen[name] == 1 else f"-{seen[name]}"
            yield pytest.param(est, check, name, id=f"{cls.__name__}-{name}{suffix}")


def _outcome(est: Any, check: Callable[[Any], None]) -> str:
    try:
        check(est)
    except unittest.SkipTest as skip:
        return f"skipped: {skip}"
    except Exception as error:  # noqa: BLE001 (every failure is an outcome to compare)
        return f"failed: {type(error).__name__}: {error}"
    return "passed"


@pytest.mark.parametrize(("est", "check", "name"), list(estimator_checks()))
def test_sklearn_estimator_check(est: Any, check: Callable[[Any], None], name: str) -> None:
    outcomes = gathered(_outcome(est, check))
    if outcomes[0].startswith("skipped"):
        assert outcomes == [outcomes[0]] * P, f"skipped on some ranks only: {outcomes}"
        pytest.skip(f"scikit-learn skipped {name}: {outcomes[0]}")
    reason = expected_failures(est).get(name)
    if reason is None:
        assert outcomes == ["passed"] * P, f"{name} failed: {outcomes}"
    else:
        assert all(o.startswith("failed") for o in outcomes), (
            f"{name} is listed as failing ({reason}) but gave {outcomes}: update the list"
        )
