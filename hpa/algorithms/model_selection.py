"""Splitting data into training and test sets."""

from __future__ import annotations

__all__: list[str] = []
