"""Everything outside the UI package stays free of streamlit, so the CLI and tests use it alone."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

UI_PACKAGE = "components.ui"
CORE = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "components").rglob("*.py")
    if "ui" not in p.relative_to(ROOT / "components").parts[:1]
    and p.name != "__main__.py"
    and "devtools" not in p.parts  # test tools: playwright and pytest, not streamlit, but dev-only
)


def test_core_modules_import_without_streamlit():
    code = (
        "import sys, importlib\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, sorted(m for m in sys.modules if 'streamlit' in m)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert {"components.images.prepare", "components.providers.client"} <= set(CORE)
    assert not any(name.startswith(UI_PACKAGE) for name in CORE)


def test_the_command_line_runs_without_streamlit():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['components', '--help']\n"
        "try:\n"
        "    runpy.run_module('components', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'streamlit' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "prepare" in result.stdout and "ask" in result.stdout
