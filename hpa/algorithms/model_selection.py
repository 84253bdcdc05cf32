"""Splitting data into training and test sets, with scikit-learn's ``train_test_split``
interface."""

from __future__ import annotations

import math
import numbers
from typing import Any

import hpa
from hpa.algorithms.base import random_state_scope

__all__ = ["train_test_split"]


def _sizes(n: int, test_size: Any, train_size: Any) -> tuple[int, int]:
    """scikit-learn's ``_validate_shuffle_split``: (n_train, n_test) for ``n`` samples."""
    if test_size is None and train_size is None:
        test_size = 0.25
    kinds: list[str | None] = []
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is None:
            kinds.append(None)
            continue
        if isinstance(size, bool) or not isinstance(size, numbers.Real):
            raise ValueError(f"Invalid value for {name}: {size}")  # noqa: TRY004 (sklearn's)
        kind = "i" if isinstance(size, numbers.Integral) else "f"
        if not 0 < size < (n if kind == "i" else 1):  # type: ignore[operator]
            raise ValueError(
                f"{name}={size} should be either positive and smaller than the number of "
                f"samples {n} or a float in the (0, 1) range"
            )
        kinds.append(kind)
    test_kind, train_kind = kinds
    if test_kind == "f" and train_kind == "f" and train_size + test_size > 1:
        raise ValueError(
            f"The sum of test_size and train_size = {train_size + test_size}, should be in "
            "the (0, 1) range. Reduce test_size and/or train_size."
        )
    n_test = math.ceil(test_size * n) if test_kind == "f" else test_size
    n_train = math.floor(train_size * n) if train_kind == "f" else train_size
    if train_size is None:
        n_train = n - n_test
    elif test_size is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(
            f"The sum of train_size and test_size = {int(n_train + n_test)}, should be "
            f"smaller than the number of samples {n}. Reduce test_size and/or train_size."
        )
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n}, test_size={test_size} and train_size={train_size}, the "
            "resulting train set will be empty. Adjust any of the aforementioned parameters."
        )
    return int(n_train), int(n_test)


def _as_array(a: Any) -> hpa.Array:
    if isinstance(a, hpa.Array):
        if a.ndim == 0:
            raise TypeError("Singleton array cannot be considered a valid collection.")
        return a
    return hpa.array(a, split=0)


def train_test_split(
    *arrays: Any,
    test_size: float | None = None,
    train_size: float | None = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list[hpa.Array]:
    """Split arrays into random training and test subsets, as scikit-learn's function.

    Parameters
    ----------
    *arrays : array_like or hpa.Array
        Arrays with the same length along axis 0 (rows are samples). hpa arrays keep their
        split; anything else (NumPy, lists) becomes an hpa array split along axis 0.
    test_size, train_size : float, int or None
        A fraction in (0, 1) or a number of samples, with scikit-learn's rules (the test set
        is a quarter of the samples when neither is given; a fractional test size rounds up,
        a fractional train size down).
    random_state : None, int, RandomState or Generator
        Seeds the permutation (:mod:`hpa.random`: the same permutation at every process
        count; it differs from scikit-learn's NumPy permutation).
    shuffle : bool
        Permute the samples first; otherwise the first ``n_train`` rows are the training
        set and the next ``n_test`` the test set.
    stratify : None
        Stratified splits are not supported.

    Returns
    -------
    list of hpa.Array
        ``[a_train, a_test]`` for every array in turn. With ``shuffle`` the rows of all arrays
        are taken at the same permuted positions (the test set is the permutation's first
        ``n_test`` rows, the training set the next ``n_train``), and the outputs are balanced
        along the split axis (one ``alltoallv`` per output of a row-split array; replicated
        arrays stay replicated, no communication). Without ``shuffle`` the outputs are row
        slices: no communication, and the rows stay where they are (ragged extents).

    Raises
    ------
    ValueError
        No arrays, arrays of different lengths, or invalid sizes.
    NotImplementedError
        If ``stratify`` is given.
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    if stratify is not None:
        raise NotImplementedError(
            "train_test_split(stratify=...) is not supported by hpa; split without stratify"
        )
    if shuffle not in (True, False):
        raise ValueError(f"The 'shuffle' parameter must be a bool, got {shuffle!r}")
    data = [_as_array(a) for a in arrays]
    lengths = [a.shape[0] for a in data]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    n_train, n_test = _sizes(lengths[0], test_size, train_size)
    train: Any
    test: Any
    if not shuffle:
        train, test = slice(0, n_train), slice(n_train, n_train + n_test)
    else:
        with random_state_scope(random_state):
            perm = hpa.random.permutation(lengths[0], device=data[0].device)
        test, train = perm[:n_test], perm[n_test : n_test + n_train]
    out = []
    for a in data:
        if shuffle:  # the positions on each array's own device
            out += [a[train.to(a.device)], a[test.to(a.device)]]
        else:
            out += [a[train], a[test]]
    return out
