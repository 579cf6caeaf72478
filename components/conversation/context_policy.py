"""Which earlier pictures travel with the next question: the context policy for follow-ups.

Every picture in a chat request is billed again on every request it is in. Left alone, a
conversation re-buys all of its photos on each follow-up, and turn 30 of a photo-a-turn chat
costs thirty pictures. A ``ContextPolicy`` decides, per earlier picture, what goes:

============  ==================================================================================
all           every picture, every time (the behaviour before policies existed)
last_turns    the pictures of the last ``n`` questions
newest        the pictures of the most recent question that had any
older_low     the newest as they are; every older one re-encoded at low detail (≤ 512 px)
============  ==================================================================================

A picture left out is replaced, in its question's text, by a short note ("[photo 1 from earlier,
not re-sent]"), numbered in the order the pictures first appear in the request, so the model
knows something was there and the answers that discussed it still make sense.

**Default: ``newest``.** Most follow-ups are about the picture just sent ("and the colour?",
"translate the second line"); under ``newest`` that picture keeps travelling however many text
follow-ups come after it, so they keep working. The re-sent cost is capped at one question's
pictures, whatever the length of the conversation, instead of growing with every photo. When
a new photo arrives, the older ones become notes: the model still has its own earlier answers
about them. ``last_turns`` would re-send a whole window of photos on every text follow-up (the
cost the user is trying to avoid) and ``older_low`` still grows with the conversation (85 tokens
a photo on gpt-4o, ~300 on patch-priced models) and gives the model blurred copies it may misread;
both are there for comparisons across photos, as is ``all``.

A picture sent in two questions travels once, with the later one: the earlier place gets a note
that it is sent again below. Only under ``all`` is the request exactly as it always was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Literal

from components.conversation.context_choice import (
    ContextPolicy,
)
from components.errors import ImageError
from components.i18n import Lang, t
from components.images.policy import POLICIES, target_size
from components.images.prepare import prepare_image
from components.images.prepared import PreparedImage
from components.images.tokens import estimate_image_tokens, rule_for
from components.turns import ChatTurn

Travel = Literal["full", "low", "dropped"]
# Where one picture goes in one question: "again" = it travels with a later question instead.
Placement = Literal["full", "low", "dropped", "again"]
LowDetail = Callable[[PreparedImage], PreparedImage]


def placements(turns: Sequence[ChatTurn], policy: ContextPolicy) -> list[tuple[Placement, ...]]:
    """Return, for each turn, where each of its pictures goes under ``policy`` (turn order)."""
    users = [i for i, turn in enumerate(turns) if turn.role == "user"]
    with_pictures = [i for i in users if turns[i].images]
    newest = with_pictures[-1] if with_pictures else -1
    recent = set(users[-policy.n :])
    latest: dict[str, int] = {}
    for i, turn in enumerate(turns):
        for image in turn.images:
            latest[image.sha256] = i

    def travel(i: int) -> Travel:
        if policy.kind == "all" or (policy.kind == "last_turns" and i in recent):
            return "full"
        if policy.kind in ("newest", "older_low") and i == newest:
            return "full"
        return "low" if policy.kind == "older_low" else "dropped"

    result: list[tuple[Placement, ...]] = []
    for i, turn in enumerate(turns):
        here: list[Placement] = []
        for image in turn.images:
            last = latest[image.sha256]
            if policy.kind != "all" and last != i:
                here.append("again" if travel(last) != "dropped" else "dropped")
            else:
                here.append(travel(i))
        result.append(tuple(here))
    return result


def apply_policy(
    turns: Sequence[ChatTurn],
    policy: ContextPolicy,
    *,
    lang: Lang = "en",
    low: LowDetail | None = None,
) -> list[ChatTurn]:
    """Return ``turns`` with the pictures ``policy`` leaves out replaced by numbered notes.

    ``low`` makes the low-detail copy of a picture (``older_low``); without it, older pictures
    are dropped instead. Under ``all`` the turns are returned as they are.
    """
    if policy.kind == "all":
        return list(turns)
    numbers: dict[str, int] = {}
    for turn in turns:
        for image in turn.images:
            numbers.setdefault(image.sha256, len(numbers) + 1)
    result = []
    for turn, where in zip(turns, placements(turns, policy), strict=True):
        if not turn.images:
            result.append(turn)
            continue
        sent: list[PreparedImage] = []
        notes: list[str] = []
        for image, place in zip(turn.images, where, strict=True):
            n = numbers[image.sha256]
            if place == "full":
                sent.append(image)
            elif place == "low" and low is not None:
                sent.append(low(image))
                notes.append(t("context.note.low", lang, n=n))
            elif place == "again":
                notes.append(t("context.note.again", lang, n=n))
            else:
                notes.append(t("context.note.dropped", lang, n=n))
        text = "\n\n".join(part for part in (turn.text, *notes) if part)
        result.append(ChatTurn(turn.role, text, tuple(sent)))
    return result


def travels(turns: Sequence[ChatTurn], policy: ContextPolicy) -> dict[str, Travel]:
    """Return, per picture in ``turns`` (by sha256, before ``policy`` is applied), how it goes
    with the request those turns make."""
    plan: dict[str, Travel] = {}
    for turn, where in zip(turns, placements(turns, policy), strict=True):
        for image, place in zip(turn.images, where, strict=True):
            if place != "again":
                plan[image.sha256] = place
    return plan


def low_detail(image: PreparedImage, *, model: str) -> PreparedImage:
    """Return ``image`` as it is sent at ``detail: low`` (fit 512 px), priced for ``model``.

    A picture sent in parts (slices, a zoom) keeps only its overview, which is already that
    small. The copy is re-encoded from the prepared bytes and keeps the picture's sha256 (it is
    the same picture); if re-encoding fails the picture is returned as it is (sending more is
    better than losing it).
    """
    row = POLICIES[(rule_for(model)[0].kind, "low")]
    if target_size(image.width, image.height, row) == (image.width, image.height):
        estimate = estimate_image_tokens(image.width, image.height, model=model, detail="low")
        return dataclasses.replace(
            image,
            detail="low",
            parts=(),
            region=None,
            tokens=estimate.tokens,
            tokens_approximate=estimate.approximate,
        )
    try:
        small = prepare_image(image.data, name=image.name, detail="low", model=model)
    except ImageError:
        return image
    return dataclasses.replace(small, sha256=image.sha256, source=image.source)
