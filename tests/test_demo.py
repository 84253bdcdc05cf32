"""The demo job runs and checks itself against NumPy at every process count."""

import sys

import pytest

from hpa import demo


def test_demo_checks_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["hpa.demo", "--rows", "1001", "--cols", "3"])
    assert demo.main() == 0
    out = capsys.readouterr().out
    assert "WRONG" not in out
