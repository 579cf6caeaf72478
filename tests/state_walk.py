"""Walk everything reachable from a value, for tests that check what state must never hold.

Follows containers, dataclass fields (``repr=False`` ones included), objects' ``__dict__`` and
``__slots__``, an exception's args, cause, context and traceback (down to its frames' locals),
generators' frames, and bound methods' and closures' targets. Modules and classes are not
entered: they are shared code, not anyone's state.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterator

_LEAVES = (str, bytes, bytearray, int, float, complex, bool, type(None))
_OPAQUE = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)


def walk(root: object, path: str = "", limit: int = 500_000) -> Iterator[tuple[str, object]]:
    """Yield ``(path, value)`` for ``root`` and every value reachable from it, each once.

    Raises AssertionError past ``limit`` values, so a test never walks the whole interpreter.
    """
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [(path or "<root>", root)]
    while stack:
        where, value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        assert len(seen) <= limit, f"more than {limit} values under {path!r}"
        yield where, value
        if isinstance(value, _LEAVES):
            continue
        stack.extend(_children(where, value))


def _children(where: str, value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, types.FunctionType):  # a closure: what its cells hold
        for i, cell in enumerate(value.__closure__ or ()):
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield f"{where}.<cell {i}>", contents
        return
    if isinstance(value, _OPAQUE):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}[{key!r}]", key
            yield f"{where}[{key!r}]", item
        return
    if isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            yield f"{where}[{i}]", item
        return
    if isinstance(value, types.MethodType):
        yield f"{where}.__self__", value.__self__
        yield f"{where}.__func__", value.__func__
        return
    if isinstance(value, types.TracebackType):
        yield f"{where}.tb_frame", value.tb_frame
        yield f"{where}.tb_next", value.tb_next
        return
    if isinstance(value, types.FrameType):
        yield f"{where}.f_locals", dict(value.f_locals)
        return
    if isinstance(value, (types.GeneratorType, types.CoroutineType)):
        frame = getattr(value, "gi_frame", None) or getattr(value, "cr_frame", None)
        yield f"{where}.<frame>", frame
        return
    if isinstance(value, BaseException):
        yield f"{where}.args", value.args
        yield f"{where}.__cause__", value.__cause__
        yield f"{where}.__context__", value.__context__
        yield f"{where}.__traceback__", value.__traceback__
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield f"{where}.{f.name}", getattr(value, f.name, None)
    for name, item in getattr(value, "__dict__", {}).items():
        yield f"{where}.{name}", item
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            slot = vars(cls).get(name)
            if name in ("__dict__", "__weakref__") or not hasattr(slot, "__get__"):
                continue
            try:  # the slot itself: no __getattr__ fallback (SQLAlchemy's builds objects there)
                item = slot.__get__(value, cls)
            except AttributeError:  # an empty slot
                continue
            yield f"{where}.{name}", item


def find_text(root: object, needle: str, path: str = "") -> list[str]:
    """Return the paths of every str or bytes reachable from ``root`` that contains ``needle``."""
    raw = needle.encode()
    return [
        where
        for where, value in walk(root, path)
        if (isinstance(value, str) and needle in value)
        or (isinstance(value, (bytes, bytearray)) and raw in value)
    ]
