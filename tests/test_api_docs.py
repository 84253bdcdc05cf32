"""docs/api.md is generated from the code: it must match what tools/gen_api_docs.py gives now.

The generator only imports hpa and reads docs/api.md (no collective), so every rank runs this
test identically. When it fails, run ``python tools/gen_api_docs.py`` and commit docs/api.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "gen_api_docs.py"


def test_api_docs_up_to_date():
    spec = importlib.util.spec_from_file_location("gen_api_docs", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "docs/api.md is stale: run python tools/gen_api_docs.py"
