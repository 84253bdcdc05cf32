"""Pytest configuration shared by every process of a distributed test run."""

from __future__ import annotations

import hypothesis

# every rank must draw the same examples, or the ranks' collectives would not match
hypothesis.settings.register_profile(
    "hpa", derandomize=True, deadline=None, max_examples=25, database=None
)
hypothesis.settings.load_profile("hpa")
