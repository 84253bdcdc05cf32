"""Input and parameter checks shared by the estimators.

Every check raises the same exception on every rank: shape and parameter checks look only at
replicated metadata; the check for NaN and infinity is a reduction whose result every rank
holds.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import sklearn_twin

__all__ = [
    "CDIST_METRICS",
    "DataConversionWarning",
    "as_data",
    "as_labels",
    "as_targets",
    "as_weights",
    "check_features",
    "check_in",
    "check_number",
    "check_verbose",
]


class DataConversionWarning(UserWarning):
    """Input was converted to the form an estimator needs (scikit-learn's warning of the same
    name, issued as its twin: :func:`~hpa.algorithms.base.sklearn_twin`): a column vector of
    labels became 1-d."""


# scikit-learn's names of distance metrics -> those of hpa.spatial.cdist
CDIST_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "sqeuclidean": "sqeuclidean",
    "manhattan": "cityblock",
    "cityblock": "cityblock",
    "l1": "cityblock",
    "chebyshev": "chebyshev",
    "infinity": "chebyshev",
    "minkowski": "minkowski",
    "cosine": "cosine",
}


def _float_dtype(dtype: hpa.DType) -> hpa.DType:
    """float32 and float64 are kept; everything else computes in float64."""
    return dtype if dtype in (hpa.float32, hpa.float64) else hpa.float64


def _from_host(values: Any, name: str) -> hpa.Array:
    """Data that is not an hpa array, as one split along its rows.

    Raises
    ------
    TypeError
        For a sparse matrix (SciPy's or hpa's), or an object array whose entries are not
        numbers.
    """
    module = type(values).__module__
    if module.startswith("scipy.sparse") or hpa.sparse.issparse(values):
        raise TypeError(
            f"Sparse data was passed for {name}, but dense data is required: hpa's estimators "
            "take dense arrays (convert with .toarray(), or .todense() for hpa's)."
        )
    if isinstance(values, np.ndarray) and values.dtype == object:
        values = values.astype(np.float64)  # a non-number raises NumPy's TypeError
    return hpa.array(values, split=0)


def as_data(
    X: Any,
    name: str = "X",
    ndim: int | tuple[int, ...] = 2,
    min_samples: int = 1,
    allow_nonfinite: bool = False,
    dtype: Any = "float",
) -> hpa.Array:
    """``X`` as an hpa array of samples in rows, ready for an estimator.

    Parameters
    ----------
    X : array_like or hpa.Array
        Samples in rows. A NumPy array, torch tensor or nested list (the same on every rank) is
        split along its rows. An hpa array split along the features is moved to a split along
        the rows (one all-to-all); a replicated one stays replicated.
    name : str
        The argument's name in error messages.
    ndim : int or tuple of int
        The number of dimensions required (2 for a data matrix), or those accepted.
    min_samples : int
        The fewest samples accepted.
    allow_nonfinite : bool
        Accept NaN and infinity (otherwise checked with one reduction).
    dtype : "float", None or dtype
        ``"float"``: float32 stays float32, every other dtype becomes float64; ``None``: keep.

    Returns
    -------
    hpa.Array
        The samples, split along axis 0 or replicated.

    Raises
    ------
    ValueError
        If ``X`` has the wrong number of dimensions, too few samples, no features, complex
        values (with ``dtype="float"``), or NaN or infinity.
    TypeError
        If ``X`` is a sparse matrix, or an object array of something other than numbers.
    """
    if not isinstance(X, hpa.Array):
        X = _from_host(X, name)
    accepted = (ndim,) if isinstance(ndim, int) else ndim
    if X.ndim not in accepted:
        kind = " or ".join(
            "2D array (samples, features)" if d == 2 else f"{d}D array" for d in accepted
        )
        hint = ""
        if X.ndim == 1 and 2 in accepted:
            hint = (
                " Reshape your data either using X.reshape(-1, 1) if your data has a single "
                "feature or X.reshape(1, -1) if it contains a single sample."
            )
        raise ValueError(f"Expected a {kind} for {name}, got an array of shape {X.shape}.{hint}")
    if X.shape[0] < min_samples:
        raise ValueError(
            f"Found array with {X.shape[0]} sample(s) (shape={X.shape}) while a minimum of "
            f"{min_samples} is required."
        )
    if X.ndim == 2 and X.shape[1] == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )
    if dtype == "float" and X.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}.")
    if dtype == "float":
        X = X.astype(_float_dtype(X.dtype), copy=False)
    elif dtype is not None:
        X = X.astype(dtype, copy=False)
    if X.split is not None and X.split != 0:
        X = X.resplit(0)
    if not allow_nonfinite and X.dtype.kind in "fc" and not bool(hpa.isfinite(X).all()):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return X


def as_targets(y: Any, X: hpa.Array, name: str = "y", dtype: Any = None) -> hpa.Array:
    """``y`` laid out like the rows of ``X``: same split, per-rank extents and device.

    Parameters
    ----------
    y : array_like or hpa.Array
        One target per sample (1-d), or several (2-d, samples in rows); moved to ``X``'s
        device.
    X : hpa.Array
        The samples, as returned by :func:`as_data`.
    name : str
        The argument's name in error messages.
    dtype : "float", None or dtype
        As in :func:`as_data`.

    Raises
    ------
    ValueError
        If ``y`` is None, does not have one row per sample of ``X``, or is not 1-d or 2-d.
    """
    if y is None:
        raise ValueError(
            f"This estimator requires {name} to be passed, but the target {name} is None."
        )
    if not isinstance(y, hpa.Array):
        if isinstance(y, np.ndarray) and y.dtype == object:
            y = y.astype(np.float64)
        y = hpa.array(y, split=None if X.split is None else 0, device=X.device)
    elif y.device != X.device:
        y = y.to(X.device)
    if y.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-d or 2-d, got shape {y.shape}")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {y.shape[0]}]"
        )
    if dtype == "float":
        y = y.astype(_float_dtype(y.dtype), copy=False)
    elif dtype is not None:
        y = y.astype(dtype, copy=False)
    if X.split is None:
        return y.resplit(None)
    if y.split != 0:
        y = y.resplit(0)
    if y.counts != X.counts:
        y = y.copy().redistribute_(X.counts)
    return y


def as_labels(y: Any, X: hpa.Array, name: str = "y") -> hpa.Array:
    """Class labels laid out like the rows of ``X`` (:func:`as_targets`), 1-d.

    A column vector ``(n_samples, 1)`` is raveled with a :class:`DataConversionWarning`, as
    scikit-learn's classifiers do.

    Raises
    ------
    ValueError
        As :func:`as_targets`, or if ``y`` has more than one column.
    """
    y = as_targets(y, X, name)
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn(
            f"A column-vector {name} was passed when a 1d array was expected. Please change "
            f"the shape of {name} to (n_samples,), for example using ravel().",
            sklearn_twin(DataConversionWarning),
            stacklevel=3,
        )
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{name} should be a 1d array, got an array of shape {y.shape} instead.")
    return y


def as_weights(sample_weight: Any, X: hpa.Array, non_negative: bool = True) -> hpa.Array | None:
    """``sample_weight`` laid out like the rows of ``X`` (float64), or ``None`` for unit
    weights.

    The checks cost one reduction.

    Parameters
    ----------
    sample_weight : None, number, array_like or hpa.Array
        One weight per sample, or one number for all of them.
    X : hpa.Array
        The samples, as returned by :func:`as_data`.
    non_negative : bool
        Reject negative weights.

    Raises
    ------
    ValueError
        If the weights are not 1-d with one per sample, are not finite (or negative, with
        ``non_negative``), or are all zero.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sw = hpa.full_like(X[:, 0], sample_weight, dtype=hpa.float64)
    else:
        sw = as_targets(sample_weight, X, "sample_weight", dtype=hpa.float64)
    if sw.ndim != 1:
        raise ValueError(f"sample_weight must be 1-d, got shape {sw.shape}")
    valid = hpa.isfinite(sw) & (sw >= 0) if non_negative else hpa.isfinite(sw)
    # one reduction: NaN marks an invalid weight, a zero sum all-zero weights
    summary = float(hpa.where(valid, hpa.abs(sw), hpa.nan).sum())
    if math.isnan(summary):
        kind = "finite and non-negative" if non_negative else "finite"
        raise ValueError(f"sample_weight must be {kind}.")
    if summary == 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sw


def check_features(X: hpa.Array, n_features: int, estimator: Any) -> None:
    """Raise ``ValueError`` unless ``X`` has the number of features seen in ``fit``."""
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{n_features} features as input."
        )


def check_number(
    name: str,
    value: Any,
    kind: type = numbers.Real,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> None:
    """Raise a clear error unless ``value`` is a number of ``kind`` within the bounds.

    Parameters
    ----------
    name : str
        The parameter's name.
    value : object
        Its value.
    kind : numbers.Integral or numbers.Real
        The kind of number required (a bool is neither).
    low, high : float, optional
        Bounds; closed unless ``low_open``/``high_open``.
    allow_none : bool
        Accept ``None``.

    Raises
    ------
    TypeError
        If ``value`` is not a number of ``kind``.
    ValueError
        If it lies outside the bounds.
    """
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an int" if kind is numbers.Integral else "a float"
        raise TypeError(f"The '{name}' parameter must be {what}, got {value!r}")
    number: Any = value  # a number of ``kind`` (the checker sees only ``object``)
    bad_low = low is not None and (number <= low if low_open else number < low)
    bad_high = high is not None and (number >= high if high_open else number > high)
    if bad_low or bad_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(
            f"The '{name}' parameter must be in the range {left}{lo}, {hi}{right}, got {value!r}"
        )


def check_in(name: str, value: Any, options: Iterable[Any]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``options``."""
    options = list(options)
    if not any(value is o or (isinstance(value, str) and value == o) for o in options):
        raise ValueError(f"The '{name}' parameter must be one of {options}, got {value!r}")


def check_verbose(value: Any) -> None:
    """Raise a clear error unless ``value`` is a valid ``verbose``: a bool or an int >= 0."""
    if not isinstance(value, bool):
        check_number("verbose", value, numbers.Integral, low=0)
