"""Class labels of a classifier: the sorted classes and every target's index among them.

The classes are found with :func:`hpa.unique` (a sample sort when the targets are split) and
replicated; encoding a target is then a :func:`hpa.searchsorted` into the replicated classes,
which communicates nothing. Every check below looks at the replicated classes, so it raises
the same exception on every rank without further communication.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import hpa

__all__ = ["check_known", "check_targets", "decode", "encode", "one_hot", "unique_labels"]


def check_targets(y: hpa.Array) -> None:
    """Raise unless ``y`` holds one class label per sample (1-d)."""
    if y.ndim != 1:
        raise NotImplementedError(
            f"Only 1-d targets (one output) are supported, got y of shape {y.shape}"
        )
    if y.dtype.kind not in "biuf":
        raise ValueError(f"Unknown label type: class labels must be numbers, got {y.dtype}")


def unique_labels(y: hpa.Array) -> hpa.Array:
    """The sorted distinct labels of ``y``, replicated.

    Raises
    ------
    ValueError
        If a label is NaN or infinite, or the labels are floats that are not all integral
        (scikit-learn's "continuous" target type).
    """
    classes = hpa.unique_values(y)
    if classes.split is not None:
        classes = classes.resplit(None)
    values = classes.numpy()
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError("Input y contains NaN or infinity.")
        if not (values == np.round(values)).all():
            raise ValueError(
                "Unknown label type: continuous. Maybe you are trying to fit a classifier, "
                "which expects discrete classes on a regression target with continuous values."
            )
    return classes


def check_known(labels: hpa.Array, classes: hpa.Array) -> None:
    """Raise ``ValueError`` unless every one of the replicated ``labels`` is in ``classes``."""
    unknown = ~np.isin(labels.numpy(), classes.numpy())
    if unknown.any():
        raise ValueError(
            f"The target label(s) {labels.numpy()[unknown]} in y do not exist in the initial "
            f"classes {classes.numpy()}"
        )


def encode(y: hpa.Array, classes: hpa.Array) -> hpa.Array:
    """The index of every label of ``y`` among the sorted replicated ``classes`` (int64)."""
    return hpa.searchsorted(classes, y)


def decode(codes: hpa.Array, classes: hpa.Array) -> hpa.Array:
    """The labels of the class indices ``codes``, laid out like ``codes``."""
    return classes[codes]


def one_hot(codes: hpa.Array, n_classes: int, dtype: Any) -> hpa.Array:
    """Indicator of the class indices ``codes`` along a new last axis of ``n_classes``,
    laid out like ``codes``."""
    columns = hpa.arange(n_classes, dtype=hpa.int64, device=codes.device)
    return (hpa.expand_dims(codes, codes.ndim) == columns).astype(dtype)
