"""No module reaches into another's ``_private`` names, tests included.

The layering and the absence of cycles are import-linter's contracts (``pyproject.toml``, run by
``.ci/run``); what they cannot see is an import of a private name, checked here on the source
(read with ``ast``, nothing imported): ``from m import _name``, or ``m._name`` on a module ``m``
bound by an import. Dunder names are not private.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT


def _sources() -> list[Path]:
    """Return every Python file of the project: components, pages, app.py, tests and bench."""
    found = [ROOT / "app.py"]
    for folder in ("components", "pages", "tests", "bench"):
        found += sorted((ROOT / folder).rglob("*.py"))
    return [path for path in found if path.exists()]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path) for path in _sources()}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imported_from(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """Return the absolute name of the module ``node`` imports from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def private_uses(
    source: str, module: str, *, where: str, is_package: bool = False
) -> Iterator[str]:
    """Yield ``where:line module._name`` for each private name of another module ``source`` uses;
    ``module`` is the name ``source`` is imported as."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # a local name bound to a project module -> that module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            origin = _imported_from(module, node, is_package)
            for alias in node.names:
                full = f"{origin}.{alias.name}"
                if full in MODULES:
                    aliases[alias.asname or alias.name] = full
                elif origin in MODULES and origin != module and _is_private(alias.name):
                    yield f"{where}:{node.lineno} {origin}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            named = ast.unparse(node.value)
            owner = aliases.get(named) or (named if named in MODULES else None)
            if owner is not None and owner != module:
                yield f"{where}:{node.lineno} {owner}.{node.attr}"


def test_no_module_uses_another_modules_private_names():
    found = [
        hit
        for path in _sources()
        for hit in private_uses(
            path.read_text(encoding="utf-8"),
            _module_name(path),
            where=str(path.relative_to(ROOT)),
            is_package=path.name == "__init__.py",
        )
    ]
    assert not found, "\n".join(found)


def test_the_check_sees_a_private_import_and_a_private_attribute():
    source = (
        "from components.ui.sidebar import _nothing, render_settings\n"
        "from components.ui import sidebar\n"
        "import components.ui.chat as chat\n"
        "from .helpers import _mine\n"
        "sidebar._hidden(); chat._inner; sidebar.__name__; components.ui.costs._x\n"
    )
    found = sorted(hit.split(" ", 1)[1] for hit in private_uses(source, "tests.probe", where="p"))
    assert found == [
        "components.ui.chat._inner",
        "components.ui.costs._x",
        "components.ui.sidebar._hidden",
        "components.ui.sidebar._nothing",
        "tests.helpers._mine",
    ]
