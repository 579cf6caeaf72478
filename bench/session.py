"""Benchmark what a long photo chat holds in session state and what its 30th request sends.

Run ``python bench/session.py`` (``--turns N`` for a shorter run). It builds, in code, N
different 12 MP phone photos (4032×3024 JPEGs, gradients plus noise, each with its own mark),
prepares each as the chat page does (``prepare_image``, detail ``auto``) and records a
conversation of N questions, one photo each, with an answer of a few hundred characters and its
meta record. Then it prints:

- **session memory**: the deep size of the ``Conversation`` (everything reachable from it:
  entries, texts, prepared bytes, facts), against the baseline of keeping what was uploaded
  (the originals' bytes, as a naive app holding its uploads would). Target: ≤ 30 MB.
- **request of turn N**: for each context policy, the pictures, their estimated image tokens and
  the JSON body bytes of ``/chat/completions`` (as ``build_payload`` makes it), against ``all``
  (sending every earlier photo again); both when turn N brings a new photo and when it is a
  text follow-up.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from components.conversation.context_choice import ContextPolicy
from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.devtools.image_factory import photo
from components.images.prepare import prepare_image
from components.providers.payload import ChatOptions, build_payload
from components.providers.settings import resolve_settings
from components.usage import Usage

MODEL = "gpt-4o"
PHONE = (4032, 3024)
TARGET_MB = 30.0
POLICIES = {
    "all": ContextPolicy("all"),
    "last_turns n=3": ContextPolicy("last_turns", n=3),
    "newest (default)": ContextPolicy("newest"),
    "older_low": ContextPolicy("older_low"),
}
ANSWER = "这是一张照片：渐变的颜色，左上角偏红，右下角偏蓝，中间有一块标记。" * 6
_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


def deep_size(root: object) -> int:
    """Return the bytes of every object reachable from ``root`` (classes and modules excluded)."""
    seen: set[int] = set()
    todo = [root]
    total = 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, _SHARED):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return total


def phone_photos(count: int) -> list[bytes]:
    """Return ``count`` different 12 MP JPEGs, each marked with a block in its own place.

    Grain a few pixels wide survives the shrink to the sent size, so the prepared JPEGs weigh
    what real photos do (~180 KB at 1008×756, where a smooth gradient would weigh ~30 KB).
    """
    grain = [
        Image.effect_noise((PHONE[0] // 3, PHONE[1] // 3), 60).resize(
            PHONE, Image.Resampling.BILINEAR
        )
        for _ in range(3)
    ]
    base = Image.blend(photo(*PHONE), Image.merge("RGB", grain), 0.35)
    photos = []
    for n in range(count):
        image = base.copy()
        x = 200 + (n * 331) % (PHONE[0] - 800)
        ImageDraw.Draw(image).rectangle((x, 600, x + 600, 1200), fill=(n * 8 % 256, 200, 40))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        photos.append(out.getvalue())
    return photos


def build_chat(photos: list[bytes]) -> tuple[Conversation, float]:
    """Return the conversation of one question per photo (the last unanswered) and prep time."""
    conv = Conversation()
    started = time.perf_counter()
    for n, data in enumerate(photos, start=1):
        image = prepare_image(data, name=f"IMG_{n:04d}.jpg", detail="auto", model=MODEL)
        conv.add_user(f"第 {n} 张：这是什么？", [image])
        if n < len(photos):
            usage = Usage(900 + n * 1000, 120, 1020 + n * 1000)
            meta = AnswerMeta("ok", MODEL, f"{MODEL}-2024-08-06", "stop", usage, 765, False, 0.6, 3)
            conv.add_answer(ANSWER, meta=meta)
    return conv, time.perf_counter() - started


def request_rows(conv: Conversation) -> list[tuple[str, int, int, int]]:
    """Return (policy, pictures, image tokens, body bytes) for the conversation's next request."""
    settings = resolve_settings(preset_id="openai", api_key="sk-bench-0123456789", model=MODEL)
    rows = []
    for label, policy in POLICIES.items():
        turns = conv.request_turns(policy, "zh", model=MODEL)
        images = [image for turn in turns for image in turn.images]
        body = json.dumps(build_payload(settings, turns, ChatOptions())).encode()
        rows.append((label, len(images), sum(image.tokens for image in images), len(body)))
    return rows


def print_table(title: str, rows: list[tuple[str, int, int, int]]) -> None:
    """Print one request table, each policy against ``all``."""
    everything = rows[0][3]
    print(f"\n{title}")
    header = ("policy", "pictures", "image tokens", "body bytes", "vs all")
    table = [header] + [
        (label, str(n), f"{tokens:,}", f"{size:,}", f"{size / everything:.1%}")
        for label, n, tokens, size in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    """Build the chat, print memory and the turn-N request per policy; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30)
    args = parser.parse_args(argv)
    photos = phone_photos(args.turns)
    conv, prep_s = build_chat(photos)
    uploaded = sum(len(data) for data in photos)
    size = deep_size(conv)
    prepared = sum(len(image.data) for image in conv.images.values())
    print(f"{args.turns} turns, {args.turns} photos of {PHONE[0]}×{PHONE[1]} ({MODEL}, auto)")
    print(f"prepared in {prep_s:.1f} s ({prep_s / args.turns:.2f} s a photo)")
    print("\nsession memory")
    print(f"  Conversation deep size            {size / 2**20:7.2f} MB")
    print(f"    of which prepared picture bytes {prepared / 2**20:7.2f} MB")
    print(f"  baseline: the uploads kept        {uploaded / 2**20:7.2f} MB")
    print_table(f"request of turn {args.turns} (a new photo)", request_rows(conv))
    conv.add_answer(ANSWER)
    conv.add_user("左上角是什么颜色？")
    print_table(f"request of turn {args.turns + 1} (a text follow-up)", request_rows(conv))
    with_low = deep_size(conv)
    print(f"\nConversation deep size with the low-detail copies: {with_low / 2**20:.2f} MB")
    met = "met" if with_low / 2**20 <= TARGET_MB else "NOT met"
    print(f"target: session memory ≤ {TARGET_MB:.0f} MB: {with_low / 2**20:.2f} MB  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
