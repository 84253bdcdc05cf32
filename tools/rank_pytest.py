"""Run pytest in one process of a distributed job (started by mpiexec or torchrun).

Rank 0 prints as usual; the other ranks write to ``.test-logs/<label>-rank<r>.log`` so that
one readable report reaches the terminal. Every rank writes its pass/fail counts to
``.test-logs/<label>-rank<r>.counts`` for the matrix runner.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

RANK_VARS = ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK", "RANK")


class _Counter:
    def __init__(self) -> None:
        self.passed = self.failed = self.skipped = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                self.passed += 1
            elif report.skipped:
                self.skipped += 1
            else:
                self.failed += 1


def main() -> int:
    rank = next((int(os.environ[v]) for v in RANK_VARS if v in os.environ), 0)
    label = os.environ.get("HPA_TEST_LABEL", "run")
    logs = Path(os.environ.get("HPA_TEST_LOGS", ".test-logs"))
    logs.mkdir(exist_ok=True)
    if rank:
        log = open(logs / f"{label}-rank{rank}.log", "w")  # noqa: SIM115 (open for the life of the process)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    counter = _Counter()
    code = pytest.main(sys.argv[1:], plugins=[counter])
    (logs / f"{label}-rank{rank}.counts").write_text(
        f"{counter.passed} {counter.failed} {counter.skipped}\n"
    )
    sys.stdout.flush()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
