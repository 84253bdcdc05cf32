"""scikit-learn's estimator interface for hpa: parameters, mixins, fitted-state checks.

An estimator stores its constructor arguments unchanged as attributes of the same name, so
``get_params``/``set_params`` and ``sklearn.base.clone`` work without scikit-learn being
imported here. Fitted attributes end in ``_``. Inputs and outputs are hpa arrays: attributes
as long as the data (``labels_``) keep the data's row layout, every other fitted attribute is
replicated on every process.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import hpa

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "ClusterMixin",
    "NotFittedError",
    "RegressorMixin",
    "TransformerMixin",
    "check_is_fitted",
    "random_state_scope",
    "report",
]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` (scikit-learn's exception of the same name)."""


class BaseEstimator:
    """Parameters from the constructor's signature, ``get_params``/``set_params`` and a repr.

    Subclasses list every parameter as an explicit keyword of ``__init__`` and store it
    unchanged under the same name; validation happens in ``fit``, as in scikit-learn.
    """

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


def _is_plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), tuple))


class ClusterMixin:
    """``fit_predict``: fit, then return ``labels_``."""

    def fit_predict(self, X: Any, y: Any = None) -> hpa.Array:
        """Fit to ``X`` and return the cluster label of every sample (split like ``X``)."""
        return self.fit(X).labels_  # type: ignore[attr-defined]


class TransformerMixin:
    """``fit_transform``: fit, then transform the same data."""

    def fit_transform(self, X: Any, y: Any = None) -> hpa.Array:
        """Fit to ``X`` and return ``transform(X)``."""
        return self.fit(X, y).transform(X)  # type: ignore[attr-defined]


class RegressorMixin:
    """``score``: the coefficient of determination R^2 of ``predict(X)``."""

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R^2 of the predictions for ``X`` against ``y`` (the same on every rank)."""
        from hpa.algorithms.metrics import r2_score

        return r2_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


class ClassifierMixin:
    """``score``: the fraction of samples whose predicted class is ``y``."""

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (the same on every rank)."""
        from hpa.algorithms.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)  # type: ignore[attr-defined]


def check_is_fitted(estimator: Any, attributes: str | list[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator to check.
    attributes : str or list of str, optional
        Fitted attributes that must exist; by default any attribute ending in ``_``.
    """
    if attributes is None:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    else:
        names = [attributes] if isinstance(attributes, str) else attributes
        fitted = all(hasattr(estimator, name) for name in names)
    if not fitted:
        raise NotFittedError(
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
