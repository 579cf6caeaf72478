"""Core modules stay free of streamlit, so the CLI and tests can use them alone."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CORE = sorted(
    p.stem
    for p in (ROOT / "components").glob("*.py")
    if not p.stem.startswith("ui_") and p.stem != "__main__"
)


def test_core_modules_import_without_streamlit():
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module('components.' + name if name != '__init__' else 'components')\n"
        "assert 'streamlit' not in sys.modules, sorted(m for m in sys.modules if 'streamlit' in m)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(CORE) >= 4
