"""`pip install .` gives the `kantu` command, with only `components` installed.

Installed into a throwaway venv that sees this interpreter's packages (``--system-site-packages``),
with ``--no-deps --no-build-isolation`` so nothing is downloaded, and with no pip or setuptools of
its own (``--without-pip``): the build uses this interpreter's pinned ones, not the older copies
``ensurepip`` would put in the venv (setuptools 65 cannot build a wheel without ``wheel``); built from a copy of the checkout
so the build leaves nothing behind in the working tree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import components

ROOT = Path(__file__).resolve().parent.parent
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")
PINNED = re.compile(r"^([A-Za-z0-9_.-]+)==\S+", re.MULTILINE)


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the checkout installed in it (``pip install .``); returns its bin directory."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    # what the build reads: the project table and the one package
    shutil.copytree(ROOT / "components", source / "components", ignore=CACHES)
    shutil.copy2(ROOT / "pyproject.toml", source / "pyproject.toml")
    env_dir = base / "venv"
    made = _run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env_dir)]
    )
    assert made.returncode == 0, made.stderr
    bin_dir = env_dir / "bin"
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    installed = _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "."],
        cwd=source,
        env=env,
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    return bin_dir


def test_kantu_command_runs_the_cli(venv: Path, tmp_path: Path) -> None:
    done = _run([str(venv / "kantu"), "--help"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for command in ("prepare", "ask", "read", "probe", "batch"):
        assert command in done.stdout


def test_only_components_is_installed_with_the_package_version(venv: Path, tmp_path: Path) -> None:
    script = (
        "import components, importlib.metadata as md, importlib.util as u;"
        "print(components.__file__); print(md.version('kantu'));"
        "print(u.find_spec('pages'), u.find_spec('app'))"
    )
    done = _run([str(venv / "python"), "-c", script], cwd=tmp_path)  # not the checkout's folder
    assert done.returncode == 0, done.stderr
    where, version, others = done.stdout.splitlines()
    assert "site-packages" in where
    assert version == components.__version__
    assert others == "None None"
    files = _run([str(venv / "python"), "-m", "pip", "show", "-f", "kantu"], cwd=tmp_path).stdout
    assert "components/ui/camera_assets/camera.js" in files


def test_the_locks_pin_every_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_name(d) for d in project["dependencies"]}
    dev = {_name(d) for d in project["optional-dependencies"]["dev"]}
    locked = {_norm(n) for n in PINNED.findall((ROOT / "requirements.txt").read_text())}
    locked_dev = {_norm(n) for n in PINNED.findall((ROOT / "requirements-dev.txt").read_text())}
    assert runtime <= locked
    assert runtime | dev <= locked_dev
    assert locked <= locked_dev  # the dev lock adds to the runtime one, never replaces it
    assert not {"pytest", "playwright", "ruff", "mypy"} & locked  # Cloud gets no test tools


def _name(requirement: str) -> str:
    return _norm(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
