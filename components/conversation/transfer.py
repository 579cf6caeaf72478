"""Take a conversation away and bring it back: JSON (to continue) and Markdown (to read).

**JSON** (``export_json`` / ``import_json``) is versioned: ``{"kantu": "conversation",
"version": 1, "entries": [...], "pictures": {sha256: {...}}}``. Entries keep their role, text,
status, error (kind, message key, the provider's words, facts), the answer's meta record and the
sha256 of their pictures. Pictures keep the exact prepared bytes (base64), the parts they are sent
as, and the facts about their source. Nothing else from the session goes in: no key, no base
URL, no settings.

An imported file is untrusted. ``import_json`` refuses, with a ``TransferError`` and nothing
changed, a file over ``MAX_FILE_BYTES``; one whose JSON would cost far more memory than its
size (structure counted on the bytes before parsing); a wrong or newer version; more than
``MAX_ENTRIES`` entries or ``MAX_PICTURES`` pictures; any field of the wrong type. Each picture's
bytes are checked without being decoded: the header through the image budget's guards (parts
counted, pixels capped), the format sniffed from the bytes must be the declared one, the size
read from the header must be the declared one, and the sha256 is recomputed. The bytes are then
kept exactly as they are, so export → import → export gives the same pictures, byte for byte.

**Markdown** (``export_markdown``) is a .zip holding ``conversation.md`` and ``images/``, linked
by relative paths. GitHub's renderer strips ``data:`` URLs from images (its sanitizer allows only
http(s) and relative sources; github/markup#270, tatey/img2base64#1), so a single .md with
embedded pictures would show broken images there; a folder with relative links shows them on
GitHub, in editors and in file browsers alike. A picture sent in parts (slices, a zoom) is shown
by its overview.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, get_args

from PIL import Image

from components.conversation.exchange import AnswerMeta, Outcome
from components.conversation.history import Conversation, Entry, ErrorInfo, Status
from components.errors import ImageError, TransferError
from components.i18n import TEXTS, Lang, t
from components.images.budget import refuse_too_many_pixels, scan
from components.images.legibility import Legibility
from components.images.prepared import DETAILS, ImagePart, PreparedImage, SourceFacts
from components.text.markdown_safety import escape_markdown, safe_markdown
from components.usage import Usage

SCHEMA = "conversation"
VERSION = 1
MAX_FILE_BYTES = 64 * 2**20
MAX_ENTRIES = 2000
MAX_PICTURES = 300
MAX_VERSION_DEPTH = 32  # an edit inside an earlier version inside an earlier version…
MAX_PARTS = 32  # slices are capped at 10 by default; a user may allow more
MAX_SIDE = 4096  # prepared pictures fit 2048 px; anything far larger was not made by Kantu
# Counted on the bytes before parsing, so a small file cannot unfold into a huge object tree.
MAX_CONTAINERS = 200_000  # { and [
MAX_STRINGS = 2_000_000  # quote characters
MAX_ITEMS = 2_000_000  # commas
_MIMES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_STATUSES = frozenset(get_args(Status))
_LABEL_DROPS = re.compile(r"[^\w .\-]")
_OUTCOMES = frozenset(get_args(Outcome))


def export_json(conv: Conversation) -> bytes:
    """Return ``conv`` as a versioned JSON document (UTF-8), pictures included."""
    doc = {
        "kantu": SCHEMA,
        "version": VERSION,
        "entries": [entry_to_json(entry) for entry in conv.entries],
        "pictures": pictures_to_json(conv),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def import_json(data: bytes) -> Conversation:
    """Return the conversation in ``data`` (made by ``export_json``), checked from end to end.

    Raises ``TransferError`` (too_big, not_json, not_kantu, newer_version, malformed, too_many,
    bad_picture) for anything that is not a sound Kantu conversation; nothing is changed then.
    """
    doc = _parse(data)
    if not isinstance(doc, dict) or doc.get("kantu") != SCHEMA:
        raise TransferError("not_kantu")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TransferError("not_kantu", f"version {version!r}")
    if version > VERSION:
        raise TransferError("newer_version", f"version {version}", version=version)
    return conversation_from_json(doc.get("entries"), doc.get("pictures"))


def conversation_from_json(entries: Any, pictures: Any) -> Conversation:
    """Return the conversation made of ``entries`` (a list of entry objects) and ``pictures``
    (sha256 → picture object), both untrusted, checked as an imported file is.

    Raises ``TransferError`` (malformed, too_many, bad_picture); nothing is changed then.
    """
    if not isinstance(entries, list) or not isinstance(pictures, dict):
        raise TransferError("malformed", "entries or pictures missing")
    if len(entries) > MAX_ENTRIES or len(pictures) > MAX_PICTURES:
        raise TransferError(
            "too_many",
            f"{len(entries)} entries, {len(pictures)} pictures",
            entries=MAX_ENTRIES,
            pictures=MAX_PICTURES,
        )
    try:
        images = {}
        for number, (sha, raw) in enumerate(pictures.items(), start=1):
            images[sha] = picture_from_json(sha, raw, number)
        conv = Conversation(images=images)
        budget = [MAX_ENTRIES]  # every entry counts, those of earlier versions too
        conv.entries.extend(entry_from_json(raw, images, budget) for raw in entries)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TransferError("malformed", f"{type(exc).__name__}: {exc}") from exc
    return conv


def export_markdown(conv: Conversation, lang: Lang = "en") -> bytes:
    """Return a .zip of ``conversation.md`` and ``images/``, readable on GitHub (see module doc)."""
    names: dict[str, str] = {}
    lines = [f"# {t('transfer.md.title', lang)}", ""]
    for entry in conv.entries:
        who = t(f"transfer.md.{entry.role}", lang)
        lines += [f"## {who}", ""]
        if entry.text:
            lines += [safe_markdown(entry.text), ""]
        for sha in entry.image_ids:
            image = conv.images.get(sha)
            if image is None:
                continue
            if sha not in names:
                names[sha] = picture_path(len(names) + 1, sha, image.mime)
            alt = escape_markdown(image.name or t("transfer.md.picture", lang))
            lines += [f"![{alt}]({names[sha]})", ""]
        if entry.status != "ok":
            lines += [f"*{t(f'transfer.md.status.{entry.status}', lang)}*", ""]
        if entry.error is not None:
            message = safe_markdown(entry.error.message(lang))
            lines += [*(f"> {line}" for line in message.splitlines()), ""]
    pictures = {name: conv.images[sha].data for sha, name in names.items()}
    return markdown_zip("conversation.md", "\n".join(lines), pictures)


def picture_path(number: int, sha: str, mime: str) -> str:
    """Return where picture ``number`` (from 1) goes in a Markdown .zip: ``images/NN-<sha>.ext``.

    Raises KeyError for a type other than JPEG, PNG, GIF or WebP."""
    return f"images/{number:02d}-{sha[:12]}.{_EXTENSIONS[mime]}"


def markdown_zip(name: str, markdown: str, pictures: Mapping[str, bytes]) -> bytes:
    """Return a .zip of the Markdown file ``name`` and ``pictures`` (path → bytes, the paths it
    links to), the same bytes for the same input (see the module doc for why a .zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, name, markdown.encode("utf-8"), zipfile.ZIP_DEFLATED)
        for path, data in pictures.items():
            _add(archive, path, data, zipfile.ZIP_STORED)
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    # A fixed date: the same conversation always gives the same archive.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    archive.writestr(info, data)


# --- writing -------------------------------------------------------------------------------


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """Return ``entry`` as the JSON object an export writes (pictures named by sha256); a
    question with other versions carries them (``versions``: lists of entry objects) and its
    place among them (``version``)."""
    out: dict[str, Any] = {
        "role": entry.role,
        "text": entry.text,
        "status": entry.status,
        "image_ids": list(entry.image_ids),
        "error": _error_out(entry.error),
        "refusals": [_error_out(info) for info in entry.refusals],
        "meta": _meta_out(entry.meta),
    }
    if entry.versions:
        out["versions"] = [[entry_to_json(e) for e in tail] for tail in entry.versions]
        out["version"] = entry.version
    return out


def pictures_to_json(conv: Conversation) -> dict[str, Any]:
    """Return the picture objects of every picture ``conv`` names (its versions' too)."""
    return {
        sha: picture_to_json(conv.images[sha]) for sha in conv.image_ids() if sha in conv.images
    }


def as_shown(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return an entry object as the chat shows it: its earlier versions left out."""
    return {key: value for key, value in raw.items() if key not in ("versions", "version")}


def pictures_named(raw: Any) -> list[str]:
    """Return the sha256 an entry object (untrusted) names, its versions' included, each once.

    Raises TypeError or ValueError for a malformed entry (callers turn them into their own
    error)."""
    found: dict[str, None] = {}
    pending, seen = [raw], 0
    while pending:
        entry = pending.pop()
        seen += 1
        if not isinstance(entry, dict) or seen > MAX_ENTRIES:
            raise ValueError("not an entry, or too many")
        ids = entry.get("image_ids", [])
        if not isinstance(ids, list) or not all(isinstance(sha, str) for sha in ids):
            raise TypeError("image_ids is not a list of strings")
        found.update(dict.fromkeys(ids))
        versions = entry.get("versions", [])
        if not isinstance(versions, list) or not all(isinstance(v, list) for v in versions):
            raise TypeError("versions is not a list of lists")
        pending.extend(e for tail in versions for e in tail)
    return list(found)


def _error_out(info: ErrorInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "kind": info.kind,
        "key": info.key,
        "detail": info.detail,
        "facts": [list(pair) for pair in info.facts],
        "vendor_code": info.vendor_code,
    }


def _meta_out(meta: AnswerMeta | None) -> dict[str, Any] | None:
    if meta is None:
        return None
    return dataclasses.asdict(meta)


def picture_to_json(image: PreparedImage) -> dict[str, Any]:
    """Return ``image`` as the JSON object an export writes: its exact bytes in base64."""
    return {
        "name": image.name,
        "mime": image.mime,
        "width": image.width,
        "height": image.height,
        "detail": image.detail,
        "tokens": image.tokens,
        "tokens_approximate": image.tokens_approximate,
        "token_rule": image.token_rule,
        "data": base64.b64encode(image.data).decode("ascii"),
        "source": dataclasses.asdict(image.source),
        "parts": [
            {
                "data": base64.b64encode(part.data).decode("ascii"),
                "mime": part.mime,
                "width": part.width,
                "height": part.height,
                "tokens": part.tokens,
                "box": list(part.box),
                "detail": part.detail,
            }
            for part in image.parts
        ],
        "region": None if image.region is None else list(image.region),
        "legibility": None if image.legibility is None else dataclasses.asdict(image.legibility),
    }


# --- reading -------------------------------------------------------------------------------


def _parse(data: bytes) -> Any:
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise TransferError("not_json", "empty")
    if len(data) > MAX_FILE_BYTES:
        raise TransferError(
            "too_big",
            f"{len(data)} bytes",
            size_mb=f"{len(data) / 2**20:.0f}",
            limit_mb=f"{MAX_FILE_BYTES / 2**20:.0f}",
        )
    counts = (data.count(b"{") + data.count(b"["), data.count(b'"'), data.count(b","))
    if any(
        n > cap for n, cap in zip(counts, (MAX_CONTAINERS, MAX_STRINGS, MAX_ITEMS), strict=True)
    ):
        raise TransferError(
            "too_many", f"structure {counts}", entries=MAX_ENTRIES, pictures=MAX_PICTURES
        )
    try:
        return json.loads(bytes(data).decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise TransferError("not_json", f"{type(exc).__name__}: {str(exc)[:100]}") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _string(raw: Any, limit: int | None = None) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected text, got {type(raw).__name__}")
    if limit is not None and len(raw) > limit:
        raise ValueError(f"text over {limit} characters")
    return raw


def _integer(raw: Any, low: int = 0, high: int = 2**40) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise ValueError(f"expected a whole number in [{low}, {high}], got {raw!r}")
    return raw


def _flag(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise TypeError(f"expected true or false, got {type(raw).__name__}")
    return raw


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw < 1e9:
        raise ValueError(f"expected a time or ratio, got {raw!r}")
    return raw  # as it was written (1 stays 1), so a second export writes the same


def _optional(raw: Any, read: Callable[[Any], Any]) -> Any:
    return None if raw is None else read(raw)


def _choice(raw: Any, allowed: frozenset[str] | tuple[str, ...]) -> Any:
    if raw not in allowed:
        raise ValueError(f"{raw!r} is not one of {sorted(allowed)}")
    return raw


def entry_from_json(
    raw: Any, images: Mapping[str, PreparedImage], budget: list[int] | None = None, depth: int = 0
) -> Entry:
    """Return the entry in ``raw`` (untrusted), whose pictures must be in ``images``; its
    versions' entries are read too, each taken from ``budget[0]`` (the entries still allowed,
    shared by the caller's entries), versions within versions at most ``MAX_VERSION_DEPTH``
    deep.

    Raises KeyError, TypeError or ValueError for a malformed entry (callers turn them into
    their own error)."""
    if not isinstance(raw, dict):
        raise TypeError("an entry is not an object")
    budget = budget if budget is not None else [MAX_ENTRIES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("too many entries, with their versions")
    ids = raw["image_ids"]
    if not isinstance(ids, list) or len(ids) > MAX_PICTURES:
        raise ValueError("image_ids is not a short list")
    for sha in ids:
        if sha not in images:
            raise ValueError(f"entry names a picture not in the file: {str(sha)[:16]}")
    refusals = raw.get("refusals") or []
    if not isinstance(refusals, list) or len(refusals) > MAX_PICTURES:
        raise ValueError("refusals is not a short list")
    return Entry(
        role=_choice(raw["role"], ("user", "assistant")),
        text=_string(raw["text"]),
        image_ids=tuple(dict.fromkeys(ids)),
        status=_choice(raw["status"], _STATUSES),
        error=_optional(raw.get("error"), _error_in),
        refusals=tuple(_error_in(info) for info in refusals),
        meta=_optional(raw.get("meta"), _meta_in),
        **_versions_in(raw, images, budget, depth),
    )


def _versions_in(
    raw: dict[str, Any], images: Mapping[str, PreparedImage], budget: list[int], depth: int
) -> dict[str, Any]:
    """Read a question's other versions and its place among them (none: an empty dict)."""
    versions = raw.get("versions")
    if versions is None:
        return {}
    if raw.get("role") != "user" or not isinstance(versions, list) or not versions:
        raise ValueError("versions belong to a question, as a non-empty list")
    if depth >= MAX_VERSION_DEPTH:
        raise ValueError("versions within versions, too deep")
    tails = []
    for tail in versions:
        if not isinstance(tail, list) or not tail:
            raise ValueError("a version is not a non-empty list of entries")
        entries = tuple(entry_from_json(e, images, budget, depth + 1) for e in tail)
        if entries[0].role != "user" or entries[0].versions:
            raise ValueError("a version starts with its own question, with no versions")
        tails.append(entries)
    return {"versions": tuple(tails), "version": _integer(raw.get("version"), 0, len(tails))}


def _error_in(raw: Any) -> ErrorInfo:
    if not isinstance(raw, dict):
        raise TypeError("an error is not an object")
    key = _string(raw["key"], 100)
    facts = raw.get("facts") or []
    if not isinstance(facts, list) or len(facts) > 50:
        raise ValueError("facts is not a short list")
    pairs = []
    for pair in facts:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError("a fact is not a pair")
        pairs.append((_string(pair[0], 100), _string(pair[1], 1000)))
    return ErrorInfo(
        kind=_string(raw["kind"], 100),
        # A key the table does not know (a file from another version) would raise: say "something
        # went wrong".
        key=key if key in TEXTS else "error.unknown",
        detail=_string(raw.get("detail", ""), 1000),
        facts=tuple(pairs),
        vendor_code=_string(raw.get("vendor_code", ""), 100),
    )


def _meta_in(raw: Any) -> AnswerMeta:
    if not isinstance(raw, dict):
        raise TypeError("meta is not an object")
    usage = raw.get("usage")
    if usage is not None:
        if not isinstance(usage, dict):
            raise TypeError("usage is not an object")
        usage = Usage(
            prompt_tokens=_integer(usage["prompt_tokens"]),
            completion_tokens=_integer(usage["completion_tokens"]),
            total_tokens=_integer(usage["total_tokens"]),
        )
    return AnswerMeta(
        outcome=_choice(raw["outcome"], _OUTCOMES),
        requested_model=_string(raw["requested_model"], 300),
        model=_optional(raw.get("model"), lambda v: _string(v, 300)),
        finish_reason=_optional(raw.get("finish_reason"), lambda v: _string(v, 100)),
        usage=usage,
        image_tokens=_integer(raw.get("image_tokens", 0)),
        image_tokens_approximate=_flag(raw.get("image_tokens_approximate", False)),
        ttft_s=_optional(raw.get("ttft_s"), _number),
        total_s=_optional(raw.get("total_s"), _number),
        pictures_as_text=_flag(raw.get("pictures_as_text", False)),
    )


def picture_from_json(sha: str, raw: Any, number: int) -> PreparedImage:
    """Return the picture in ``raw`` (untrusted) if its bytes are what it says and hash to
    ``sha``; ``number`` labels it in messages when it has no usable name.

    Raises TransferError("bad_picture") for bytes that are not that picture, and KeyError,
    TypeError or ValueError for a malformed object."""
    if not isinstance(raw, dict):
        raise TypeError("a picture is not an object")
    name = _string(raw.get("name", ""), 300)
    # The label goes into a message shown as Markdown: letters, digits and a few marks only.
    label = _LABEL_DROPS.sub("", name)[:60] or f"#{number}"
    mime = _choice(raw["mime"], tuple(_MIMES))
    width, height = _integer(raw["width"], 1, MAX_SIDE), _integer(raw["height"], 1, MAX_SIDE)
    data = _checked_bytes(raw["data"], mime, (width, height), label)
    parts_raw = raw.get("parts") or []
    if not isinstance(parts_raw, list) or len(parts_raw) > MAX_PARTS:
        raise ValueError("parts is not a short list")
    parts = tuple(_part_in(part, label) for part in parts_raw)
    region = _optional(raw.get("region"), _box)
    detail = _choice(raw["detail"], DETAILS)
    if parts:
        digest = hashlib.sha256(f"{detail}:{region}".encode())
        for part in parts:
            digest.update(hashlib.sha256(part.data).digest())
        actual = digest.hexdigest()
    else:
        actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise TransferError("bad_picture", f"{label}: sha256 differs", name=label)
    return PreparedImage(
        data=data,
        mime=mime,
        width=width,
        height=height,
        detail=detail,
        tokens=_integer(raw["tokens"]),
        tokens_approximate=_flag(raw["tokens_approximate"]),
        sha256=sha,
        source=_source_in(raw["source"]),
        name=name,
        parts=parts,
        region=region,
        legibility=_optional(raw.get("legibility"), _legibility_in),
        token_rule=_string(raw.get("token_rule", ""), 100),
    )


def _part_in(raw: Any, label: str) -> ImagePart:
    if not isinstance(raw, dict):
        raise TypeError("a part is not an object")
    mime = _choice(raw["mime"], tuple(_MIMES))
    width, height = _integer(raw["width"], 1, MAX_SIDE), _integer(raw["height"], 1, MAX_SIDE)
    return ImagePart(
        data=_checked_bytes(raw["data"], mime, (width, height), label),
        mime=mime,
        width=width,
        height=height,
        tokens=_integer(raw["tokens"]),
        box=_box(raw["box"]),
        detail=_choice(raw["detail"], ("low", "high", "auto")),
    )


def _box(raw: Any) -> tuple[int, int, int, int]:
    if not isinstance(raw, list) or len(raw) != 4:
        raise ValueError("a box is not four numbers")
    left, top, right, bottom = (_integer(v, 0, 10**6) for v in raw)
    return left, top, right, bottom


def _source_in(raw: Any) -> SourceFacts:
    if not isinstance(raw, dict):
        raise TypeError("source is not an object")
    return SourceFacts(
        format=_string(raw["format"], 20),
        width=_integer(raw["width"]),
        height=_integer(raw["height"]),
        bytes=_integer(raw["bytes"]),
        frames=_integer(raw.get("frames", 1)),
        orientation_applied=_flag(raw.get("orientation_applied", False)),
        metadata_stripped=_flag(raw.get("metadata_stripped", False)),
        truncated=_flag(raw.get("truncated", False)),
    )


def _legibility_in(raw: Any) -> Legibility:
    if not isinstance(raw, dict):
        raise TypeError("legibility is not an object")
    return Legibility(
        text_height=_optional(raw.get("text_height"), _number),
        shrink=_number(raw["shrink"]),
        long=_flag(raw["long"]),
    )


def _checked_bytes(raw: Any, mime: str, size: tuple[int, int], label: str) -> bytes:
    """Return the picture's bytes if they are the picture the file says they are."""
    try:
        data = base64.b64decode(_string(raw), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransferError("bad_picture", f"{label}: base64", name=label) from exc
    if not data.startswith(_MIMES[mime]) or (mime == "image/webp" and data[8:12] != b"WEBP"):
        raise TransferError("bad_picture", f"{label}: not {mime}", name=label)
    try:
        scan(data, label)  # counts the parts Pillow would walk, so opening below stays cheap
        with Image.open(io.BytesIO(data)) as im:  # reads the header only
            fmt, found = im.format or "", im.size
        refuse_too_many_pixels(label, fmt, *found)
    except ImageError as exc:
        raise TransferError("bad_picture", f"{label}: {exc.detail}", name=label) from exc
    except Exception as exc:  # Pillow raises many types on a bad header; none may escape
        raise TransferError("bad_picture", f"{label}: {type(exc).__name__}", name=label) from exc
    if found != size:
        raise TransferError("bad_picture", f"{label}: {found} is not {size}", name=label)
    return data
