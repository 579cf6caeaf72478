"""One person's conversation: turns that refer to images by hash, and the images stored once.

A ``Conversation`` lives in that person's ``st.session_state`` and nowhere else. It holds no
base64 and no upload objects: prepared bytes are kept once per image, keyed by sha256, and the
data URL is built only when a request is assembled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from components.conversation.context_choice import DEFAULT_POLICY, ContextPolicy
from components.conversation.context_policy import Travel, apply_policy, low_detail, travels
from components.conversation.exchange import Answer, AnswerMeta
from components.conversation.planner import PlannedRequest, plan_request
from components.costs.calibration import Calibration, CalibrationFlag
from components.costs.prices import Price
from components.errors import KantuError
from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.providers.payload import ChatOptions
from components.turns import ChatTurn

# Error kinds that say the question itself cannot be sent as it is (see next_request): refused
# for what it says, or for pictures too many or too big. The page's error actions use them too.
REFUSED_FOR_WORDS = frozenset({"content_filter", "invalid_input"})
REFUSED_FOR_PICTURES = frozenset(
    {
        "too_large",
        "too_many_images",
        "image_too_big_to_send",
        "request_too_big_to_send",
        "context_too_long",
    }
)
REFUSED_FOR_CONTENT = REFUSED_FOR_WORDS | REFUSED_FOR_PICTURES

NO_OPTIONS = ChatOptions()
Status = Literal["ok", "interrupted", "stopped", "error", "not_sent"]


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong, kept as data so it can be shown again in either language."""

    kind: str
    key: str  # translation key of the actionable message
    detail: str = ""  # the provider's (or decoder's) own words, already key-masked
    facts: tuple[tuple[str, str], ...] = ()
    vendor_code: str = ""  # e.g. "900" for 冰橙's "key wrong or expired" body

    @classmethod
    def from_error(cls, err: KantuError) -> ErrorInfo:
        """Capture ``err`` (any Kantu error) for the history."""
        facts = tuple((k, str(v)) for k, v in err.facts.items())
        vendor = getattr(err, "vendor_code", None)
        return cls(
            kind=err.kind,
            key=err.message_key,
            detail=err.detail,
            facts=facts,
            vendor_code="" if vendor is None else str(vendor),
        )

    def message(self, lang: Lang) -> str:
        """Return the actionable message in ``lang``."""
        return t(self.key, lang, **dict(self.facts))


@dataclass(frozen=True)
class Entry:
    """A message in the history. User entries name their images by sha256."""

    role: Literal["user", "assistant"]
    text: str
    image_ids: tuple[str, ...] = ()
    status: Status = "ok"
    error: ErrorInfo | None = None
    refusals: tuple[ErrorInfo, ...] = ()
    meta: AnswerMeta | None = None
    # What this session learned about an answer (never exported, not part of its content):
    # whose key its request sent, and whether its bill was set against the estimate (the flag:
    # the bill differed by over 5 %).
    key_source: str | None = field(default=None, compare=False)
    calibrated: bool = field(default=False, compare=False)
    calibration_flag: CalibrationFlag | None = field(default=None, compare=False)
    # On a question that was edited or whose answer was asked again: the conversation's other
    # versions from this question on (each starts with its own question, which holds no versions
    # itself), and this version's place among all ``len(versions) + 1`` of them.
    versions: tuple[tuple[Entry, ...], ...] = ()
    version: int = 0

    @property
    def version_count(self) -> int:
        """How many versions of the conversation there are from this question on (1: one)."""
        return len(self.versions) + 1

    def all_image_ids(self) -> tuple[str, ...]:
        """Return the pictures this entry names, then those its other versions name (each once):
        what must be kept for it."""
        ids = dict.fromkeys(self.image_ids)
        for tail in self.versions:
            for entry in tail:
                ids.update(dict.fromkeys(entry.all_image_ids()))
        return tuple(ids)


@dataclass
class Conversation:
    """The ordered entries of one conversation and the images they refer to."""

    entries: list[Entry] = field(default_factory=list)
    images: dict[str, PreparedImage] = field(default_factory=dict)
    # Low-detail copies for the ``older_low`` context policy, made once per picture (sha256).
    low_copies: dict[str, PreparedImage] = field(default_factory=dict, repr=False, compare=False)

    def add_user(
        self,
        text: str,
        images: Sequence[PreparedImage] = (),
        refusals: Iterable[KantuError] = (),
        *,
        sent: bool = True,
    ) -> Entry:
        """Record a user message; each image's bytes are stored once, however often it is sent."""
        entry = self._question(text, images, refusals, sent=sent)
        self.entries.append(entry)
        return entry

    def _question(
        self,
        text: str,
        images: Sequence[PreparedImage],
        refusals: Iterable[KantuError],
        *,
        sent: bool,
    ) -> Entry:
        """Return a question's entry (not yet in the history), its images stored."""
        for image in images:
            self.images.setdefault(image.sha256, image)
        return Entry(
            role="user",
            text=text,
            image_ids=tuple(dict.fromkeys(image.sha256 for image in images)),
            status="ok" if sent else "not_sent",
            refusals=tuple(ErrorInfo.from_error(err) for err in refusals),
        )

    def add_answer(
        self,
        text: str,
        *,
        status: Status = "ok",
        meta: AnswerMeta | None = None,
        error: KantuError | None = None,
        key_source: str | None = None,
    ) -> Entry:
        """Record an answer: complete, partial (interrupted/stopped) or failed, never dropped;
        ``key_source`` says whose key its request sent."""
        entry = Entry(
            role="assistant",
            text=text,
            status=status,
            meta=meta,
            error=ErrorInfo.from_error(error) if error is not None else None,
            key_source=key_source,
        )
        self.entries.append(entry)
        return entry

    def record(self, answer: Answer) -> Entry:
        """Record a finished exchange's answer, marked with how it ended."""
        return self.add_answer(
            answer.text,
            status=answer.meta.outcome,
            meta=answer.meta,
            error=answer.error,
            key_source=answer.key_source,
        )

    def calibrate(self, calibration: Calibration) -> None:
        """Set each answer's bill against the estimate made before it was sent, once per answer:
        mark it with the flag (a difference over 5 %), then let ``calibration`` learn from it."""
        for i, entry in enumerate(self.entries):
            meta = entry.meta
            if entry.role != "assistant" or meta is None or entry.calibrated:
                continue
            # The recorded estimate is the one shown before sending, already calibrated.
            flag = calibration.flag(meta.prompt_estimate, meta.usage)
            self.entries[i] = replace(entry, calibrated=True, calibration_flag=flag)
            calibration.learn(meta.prompt_estimate, meta.usage)

    def images_of(self, entry: Entry) -> list[PreparedImage]:
        """Return the stored images an entry refers to, in order."""
        return [self.images[sha] for sha in entry.image_ids if sha in self.images]

    def next_request(
        self,
        question: ChatTurn | None = None,
        *,
        options: ChatOptions = NO_OPTIONS,
        policy: ContextPolicy = DEFAULT_POLICY,
        lang: Lang = "en",
        model: str = "",
        pictures_as_text: bool = False,
        calibration: Calibration | None = None,
        price: Price | None = None,
    ) -> PlannedRequest:
        """Plan the next request: the history as it is sent, then ``question`` (a message not
        yet recorded; None: the history's own last question is the one asked).

        Roles alternate: a question left without an answer's text (it failed, or was stopped
        before the first word) is folded into the next question, pictures included (each
        sha256 once), rather than sent as a second user turn in a row. A question refused for
        what it contained (a content check, an invalid request, too many or too big pictures)
        is left out: sending it again would only earn the same refusal. ``policy`` then decides
        which pictures travel; those it leaves out become notes in ``lang`` (see
        ``components.conversation.context_policy``); ``model`` prices the pictures, low-detail
        copies included. The estimate is ``components.conversation.planner``'s, corrected by
        ``calibration`` and priced at ``price`` when given. Raises nothing.
        """
        turns = self._sent_turns()
        if question is not None:
            _add(turns, ChatTurn("user", question.text, _unique(question.images)))
        travel: dict[str, Travel] = {
            sha: "dropped"
            for entry in self.entries
            for sha in entry.image_ids
            if sha in self.images
        }
        travel.update(travels(turns, policy))
        if policy.kind != "all":
            turns = apply_policy(
                turns, policy, lang=lang, low=lambda image: self._low(image, model)
            )
        return plan_request(
            turns,
            options=options,
            model=model,
            pictures_as_text=pictures_as_text,
            travel=travel,
            calibration=calibration,
            price=price,
        )

    def request_turns(
        self, policy: ContextPolicy = DEFAULT_POLICY, lang: Lang = "en", *, model: str = ""
    ) -> list[ChatTurn]:
        """Return the turns ``next_request`` sends for the history's own last question."""
        return list(self.next_request(policy=policy, lang=lang, model=model).turns)

    def _sent_turns(self) -> list[ChatTurn]:
        """Return every question still to be sent and every answer's text, folded to alternate."""
        turns: list[ChatTurn] = []
        for i, entry in enumerate(self.entries):
            if entry.role == "user" and entry.status != "not_sent":
                if not self._refused(i):
                    _add(turns, ChatTurn("user", entry.text, tuple(self.images_of(entry))))
            elif entry.role == "assistant" and entry.text.strip():
                turns.append(ChatTurn("assistant", entry.text))
        return turns

    def _low(self, image: PreparedImage, model: str) -> PreparedImage:
        for sha in self.low_copies.keys() - self.images.keys():  # forgotten pictures
            del self.low_copies[sha]
        copy = self.low_copies.get(image.sha256)
        if copy is None:
            copy = self.low_copies[image.sha256] = low_detail(image, model=model)
        return low_detail(copy, model=model)  # already small: only priced for ``model``

    def _refused(self, index: int) -> bool:
        answer = self.entries[index + 1] if index + 1 < len(self.entries) else None
        return (
            answer is not None
            and answer.role == "assistant"
            and not answer.text.strip()
            and answer.error is not None
            and answer.error.kind in REFUSED_FOR_CONTENT
        )

    def can_retry(self) -> bool:
        """Whether the last answer failed, was cut or was stopped, so it can be asked again."""
        last = self.entries[-1] if self.entries else None
        return last is not None and last.role == "assistant" and last.status != "ok"

    def drop_failed_answer(self) -> bool:
        """Remove the last answer if it failed or was cut, so the question can be asked again;
        return whether there was one."""
        if not self.can_retry():
            return False
        self.entries.pop()
        return True

    def can_regenerate(self) -> bool:
        """Whether the last entry is an answer (of any outcome) that can be asked for again."""
        last = self.entries[-1] if self.entries else None
        return last is not None and last.role == "assistant"

    def regenerate(self) -> bool:
        """Ask for the last answer again (``regenerate_at`` the last entry)."""
        return self.can_regenerate() and self.regenerate_at(len(self.entries) - 1)

    def regenerate_at(self, index: int) -> bool:
        """Ask again for the answer at ``index``: its question becomes the last entry, and the
        conversation from that question on is kept as an earlier version (an answer with no
        text, a failure, is only dropped). Return whether there is a sent question to ask
        (nothing changes when ``index`` is not an answer after a question)."""
        entry = self.entries[index] if 0 <= index < len(self.entries) else None
        question = self.entries[index - 1] if entry is not None and index > 0 else None
        if entry is None or entry.role != "assistant" or question is None:
            return False
        if question.role != "user" or question.status == "not_sent":
            return False
        if not entry.text.strip() and index == len(self.entries) - 1:
            self.entries.pop()
            return True
        self._new_version(index - 1, question)
        return True

    def edit_question(
        self,
        index: int,
        text: str,
        images: Sequence[PreparedImage] = (),
        refusals: Iterable[KantuError] = (),
    ) -> Entry:
        """Replace the question at ``index``, and everything after it, with ``text``; what it
        replaces is kept as an earlier version (``switch_version`` goes back to it).

        The old question's pictures go again with the new text, followed by ``images``. Like a
        new message, it is marked not sent when it has no picture left and some were refused.
        Raises ``ValueError`` when there is no question at ``index``.
        """
        old = self.entries[index] if 0 <= index < len(self.entries) else None
        if old is None or old.role != "user":
            raise ValueError("no question to replace")
        pictures = [*self.images_of(old), *images]
        refused = tuple(refusals)
        question = self._question(text, pictures, refused, sent=bool(pictures) or not refused)
        return self._new_version(index, question)

    def switch_version(self, index: int, to: int) -> None:
        """Show version ``to`` (0-based) of the conversation from the question at ``index`` on;
        the one shown until now is kept in its place. Raises ``ValueError`` for a version or a
        question that is not there."""
        head = self.entries[index] if 0 <= index < len(self.entries) else None
        if head is None or not 0 <= to < head.version_count:
            raise ValueError("no such version")
        if to == head.version:
            return
        every = _versions_of(head, self.entries[index:])
        chosen, others = every[to], every[:to] + every[to + 1 :]
        self.entries[index:] = [replace(chosen[0], versions=others, version=to), *chosen[1:]]

    def _new_version(self, index: int, question: Entry) -> Entry:
        """Put ``question`` at ``index`` as the newest version, ending the history there; the
        conversation it replaces is kept among the versions. Return the entry put there."""
        every = _versions_of(self.entries[index], self.entries[index:])
        head = replace(question, versions=every, version=len(every))
        self.entries[index:] = [head]
        self._drop_unreferenced()
        return head

    def image_ids(self) -> tuple[str, ...]:
        """Return every picture the conversation names, its other versions' included, in order
        (each once): the pictures it keeps."""
        ids: dict[str, None] = {}
        for entry in self.entries:
            ids.update(dict.fromkeys(entry.all_image_ids()))
        return tuple(ids)

    def delete(self, index: int) -> None:
        """Delete the entry at ``index``: a question goes with the answer that follows it, an
        answer alone (its question then counts as unanswered). Pictures no one refers to any
        more are forgotten. Raises ``IndexError`` for an index outside the history."""
        entry = self.entries[index]
        end = index + 1
        if entry.role == "user" and end < len(self.entries):
            end += self.entries[end].role == "assistant"
        del self.entries[index:end]
        self._drop_unreferenced()

    def _drop_unreferenced(self) -> None:
        used = set(self.image_ids())
        for sha in [sha for sha in self.images if sha not in used]:
            del self.images[sha]

    def clear(self) -> None:
        """Start over: forget every entry and image."""
        self.entries.clear()
        self.images.clear()


def _versions_of(head: Entry, tail: Sequence[Entry]) -> tuple[tuple[Entry, ...], ...]:
    """Return every version from ``head`` on, in order: its other versions with ``tail`` (the
    one shown, starting with ``head``) in its place, each without the versions list."""
    shown = (replace(head, versions=(), version=0), *tail[1:])
    return (*head.versions[: head.version], shown, *head.versions[head.version :])


def _add(turns: list[ChatTurn], turn: ChatTurn) -> None:
    """Append ``turn``; a question after an unanswered one is folded into it."""
    if turn.role == "user" and turns and turns[-1].role == "user":
        unanswered = turns.pop()
        images = _unique((*unanswered.images, *turn.images))
        turn = ChatTurn("user", f"{unanswered.text}\n\n{turn.text}", images)
    turns.append(turn)


def _unique(images: Iterable[PreparedImage]) -> tuple[PreparedImage, ...]:
    """Return ``images`` with each sha256 once, in first-seen order."""
    return tuple({image.sha256: image for image in images}.values())
