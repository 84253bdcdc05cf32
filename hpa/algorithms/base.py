"""scikit-learn's estimator interface for hpa: parameters, mixins, tags, fitted-state checks.

An estimator stores its constructor arguments unchanged as attributes of the same name, so
``get_params``/``set_params`` and ``sklearn.base.clone`` work. Fitted attributes end in
``_``. Inputs and outputs are hpa arrays: attributes as long as the data (``labels_``) keep
the data's row layout, every other fitted attribute is replicated on every process.

scikit-learn is not a dependency of hpa and is never imported at module level. Its tools
(``Pipeline``, ``GridSearchCV``, ``cross_val_score``, ``clone``, ``check_estimator``) find
what they look for: ``__sklearn_tags__`` (built from ``sklearn.utils.Tags`` when called, so
only where scikit-learn >= 1.6 is installed), ``_estimator_type`` for older versions and
``__sklearn_is_fitted__``. :class:`NotFittedError` (and the estimators' warnings) are raised
as subclasses of scikit-learn's classes of the same name whenever scikit-learn has been
imported (:func:`sklearn_twin`).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

import hpa

__all__ = [
    "BaseEstimator",
    "ClassificationMixin",
    "ClassifierMixin",
    "ClusterMixin",
    "ClusteringMixin",
    "NotFittedError",
    "RegressionMixin",
    "RegressorMixin",
    "TransformMixin",
    "TransformerMixin",
    "check_is_fitted",
    "is_classifier",
    "is_clusterer",
    "is_estimator",
    "is_regressor",
    "is_transformer",
    "random_state_scope",
    "report",
    "sklearn_twin",
]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` (scikit-learn's exception of the same name).

    :func:`check_is_fitted` raises a subclass that is also
    ``sklearn.exceptions.NotFittedError`` once scikit-learn has been imported (see
    :func:`sklearn_twin`), so either ``except`` clause catches it.
    """


T = TypeVar("T", bound=type)


def sklearn_twin(cls: T) -> T:
    """``cls``, or once scikit-learn has been imported, a subclass of it that is also
    scikit-learn's class of the same name in ``sklearn.exceptions``.

    hpa raises and warns with the result, so that code written for scikit-learn
    (``except sklearn.exceptions.NotFittedError``, a filter for its ``ConvergenceWarning``)
    sees hpa's errors and warnings, while hpa never imports scikit-learn itself.

    Parameters
    ----------
    cls : type
        An exception or warning class named like one of ``sklearn.exceptions``.

    Returns
    -------
    type
        ``cls`` or its twin (the same class on every call).
    """
    return _twin(cls, sys.modules.get("sklearn") is not None)


@functools.cache
def _twin(cls: T, with_sklearn: bool) -> T:
    if not with_sklearn:
        return cls
    theirs = getattr(importlib.import_module("sklearn.exceptions"), cls.__name__)

    def reduce(self: BaseException) -> tuple[type, tuple[Any, ...]]:
        return cls, self.args  # pickled as hpa's class: the twin has no importable name

    namespace = {"__module__": cls.__module__, "__reduce__": reduce}
    twin: Any = type(cls.__name__, (cls, theirs), namespace)
    return twin


def _sklearn_tags() -> ModuleType:
    """The module that defines scikit-learn's tag classes (``sklearn.utils``).

    Raises
    ------
    ImportError
        If scikit-learn, version 1.6 or later, is not installed.
    """
    message = (
        "__sklearn_tags__ describes an hpa estimator to scikit-learn's tools and needs "
        "scikit-learn >= 1.6 (pip install scikit-learn); hpa's estimators work without it"
    )
    try:
        utils = importlib.import_module("sklearn.utils")
    except ImportError as error:
        raise ImportError(message) from error
    if not hasattr(utils, "Tags"):  # the tag classes came with scikit-learn 1.6
        raise ImportError(message)
    return utils


class BaseEstimator:
    """Parameters from the constructor's signature, ``get_params``/``set_params`` and a repr.

    Subclasses list every parameter as an explicit keyword of ``__init__`` and store it
    unchanged under the same name; validation happens in ``fit``, as in scikit-learn.
    """

    _estimator_type: str | None = None  # scikit-learn before 1.6 reads the kind from here

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        names = []
        for p in signature.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must not take *args or **kwargs")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The estimator's parameters by name.

        Parameters
        ----------
        deep : bool
            Also list the parameters of estimators held as parameters, as ``name__param``.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        params: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters by name (``name__param`` for a nested estimator's); returns self.

        Raises
        ------
        ValueError
            If a name is not a parameter of this estimator.
        """
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = []
        for name in self._param_names():
            value = getattr(self, name)
            default = defaults[name].default
            if value is default or (_is_plain(value) and value == default):
                continue
            changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        """The estimator's tags for scikit-learn's tools (``sklearn.utils.Tags``).

        Every hpa estimator takes 2-d numeric data without NaN, infinity, strings or sparse
        matrices; the mixins add the kind of estimator and what it does with targets.

        Returns
        -------
        sklearn.utils.Tags
            A fresh tags object.

        Raises
        ------
        ImportError
            If scikit-learn >= 1.6 is not installed.
        """
        utils = _sklearn_tags()
        return utils.Tags(
            estimator_type=None,
            target_tags=utils.TargetTags(required=False),
            input_tags=utils.InputTags(two_d_array=True, allow_nan=False, sparse=False),
        )

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run: some attribute ends in ``_`` (scikit-learn's rule)."""
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled (or deep-copied) estimator onto this process's communicator.

        Unpickling an hpa array recreates its communicator as a new object that no other
        array shares; the estimator's arrays are put back on ``hpa.get_comm()`` so that they
        combine with new data. A split array (``labels_``) holds the block of the process that
        pickled it: unpickle on the same rank of a job of the same size.
        """
        self.__dict__.update({name: _on_current_comm(v) for name, v in state.items()})


def _on_current_comm(value: Any) -> Any:
    """An hpa array unpickled with a copy of its communicator, back on ``hpa.get_comm()``
    (a split one only if the process count and this rank's block shape match)."""
    if not isinstance(value, hpa.Array):
        return value
    comm = hpa.get_comm()
    if value.comm is comm or (value.split is not None and value.comm.size != comm.size):
        return value
    layout = hpa.Layout(value.shape, value.split, comm, value.counts)
    if tuple(value.larray.shape) != layout.lshape:
        return value
    return hpa.Array(value.larray, layout)


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), tuple))


class ClusterMixin:
    """``fit_predict``: fit, then return ``labels_``."""

    _estimator_type: str | None = "clusterer"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags of a clusterer (see :meth:`BaseEstimator.__sklearn_tags__`)."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "clusterer"
        return tags

    def fit_predict(self, X: Any, y: Any = None) -> hpa.Array:
        """Fit to ``X`` and return the cluster label of every sample (split like ``X``)."""
        return self.fit(X).labels_  # type: ignore[attr-defined]


class TransformerMixin:
    """``fit_transform``: fit, then transform the same data."""

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags of a transformer: float32 and float64 data keep their dtype."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.transformer_tags = _sklearn_tags().TransformerTags(
            preserves_dtype=["float64", "float32"]
        )
        return tags

    def fit_transform(self, X: Any, y: Any = None) -> hpa.Array:
        """Fit to ``X`` and return ``transform(X)``."""
        return self.fit(X, y).transform(X)  # type: ignore[attr-defined]


class RegressorMixin:
    """``score``: the coefficient of determination R^2 of ``predict(X)``."""

    _estimator_type: str | None = "regressor"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags of a regressor: ``y`` is required."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "regressor"
        tags.regressor_tags = _sklearn_tags().RegressorTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R^2 of the predictions for ``X`` against ``y`` (the same on every rank)."""
        from hpa.algorithms.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


class ClassifierMixin:
    """``score``: the fraction of samples whose predicted class is ``y``."""

    _estimator_type: str | None = "classifier"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags of a classifier: ``y`` is required, more than two classes are
        handled."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "classifier"
        tags.classifier_tags = _sklearn_tags().ClassifierTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (the same on every rank)."""
        from hpa.algorithms.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


# HeAT's names of the mixins
ClassificationMixin = ClassifierMixin
ClusteringMixin = ClusterMixin
RegressionMixin = RegressorMixin
TransformMixin = TransformerMixin


def is_estimator(estimator: object) -> bool:
    """Whether ``estimator`` is an hpa estimator (an instance of :class:`BaseEstimator`)."""
    return isinstance(estimator, BaseEstimator)


def is_classifier(estimator: object) -> bool:
    """Whether ``estimator`` is an hpa classifier (it has :class:`ClassifierMixin`)."""
    return isinstance(estimator, ClassifierMixin)


def is_regressor(estimator: object) -> bool:
    """Whether ``estimator`` is an hpa regressor (it has :class:`RegressorMixin`)."""
    return isinstance(estimator, RegressorMixin)


def is_clusterer(estimator: object) -> bool:
    """Whether ``estimator`` is an hpa clusterer (it has :class:`ClusterMixin`)."""
    return isinstance(estimator, ClusterMixin)


def is_transformer(estimator: object) -> bool:
    """Whether ``estimator`` is an hpa transformer (it has :class:`TransformerMixin`)."""
    return isinstance(estimator, TransformerMixin)


def check_is_fitted(estimator: Any, attributes: str | list[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator to check.
    attributes : str or list of str, optional
        Fitted attributes that must exist; by default its ``__sklearn_is_fitted__()``.

    Raises
    ------
    NotFittedError
        If it is not fitted; also ``sklearn.exceptions.NotFittedError`` when scikit-learn
        has been imported.
    """
    if attributes is None:
        fitted = bool(estimator.__sklearn_is_fitted__())
    else:
        names = [attributes] if isinstance(attributes, str) else attributes
        fitted = all(hasattr(estimator, name) for name in names)
    if not fitted:
        raise sklearn_twin(NotFittedError)(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )


@contextmanager
def random_state_scope(random_state: Any) -> Iterator[None]:
    """Draw hpa's random numbers inside the block from ``random_state``.

    ``None`` uses hpa's global generator as it stands (and advances it). An integer seeds it
    for the block and restores the previous state afterwards, so a fit with ``random_state=0``
    is reproducible and independent of the process count. A NumPy ``RandomState`` or
    ``Generator`` (seeded identically on every rank) gives the seed.

    Raises
    ------
    ValueError
        If ``random_state`` is none of these.
    """
    if random_state is None:
        yield
        return
    if isinstance(random_state, np.random.RandomState):
        seed = int(random_state.randint(0, 2**31 - 1))
    elif isinstance(random_state, np.random.Generator):
        seed = int(random_state.integers(0, 2**63 - 1))
    elif isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if not 0 <= random_state < 2**64:
            raise ValueError(f"random_state must be between 0 and 2**64 - 1, got {random_state}")
        seed = int(random_state)
    else:
        raise TypeError(
            "random_state must be None, an integer, a numpy RandomState or Generator, "
            f"got {random_state!r}"
        )
    saved = hpa.random.get_state()
    hpa.random.seed(seed)
    try:
        yield
    finally:
        hpa.random.set_state(saved)


def report(verbose: int | bool, message: str) -> None:
    """Print ``message`` once (rank 0) when ``verbose`` is set."""
    if verbose:
        hpa.print0(message, flush=True)
