"""Pytest configuration shared by every process of a distributed test run."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest

import hpa

# every rank must draw the same examples, or the ranks' collectives would not match
hypothesis.settings.register_profile(
    "hpa", derandomize=True, deadline=None, max_examples=25, database=None
)
hypothesis.settings.load_profile("hpa")


def pytest_report_header() -> str:
    comm = hpa.get_comm()
    return f"hpa: device {hpa.get_device()} (HPA_DEVICE), communicator {comm.name} x {comm.size}"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A fresh directory that every rank sees under the same name (rank 0 makes it)."""
    comm = hpa.get_comm()
    path = Path(comm.bcast_object(tempfile.mkdtemp(prefix="hpa-test-") if comm.rank == 0 else None))
    yield path
    comm.barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)
