"""The local reader's quota (issue 19 item 10): one message at a time per tab, so many pictures
a visitor an hour, a translated refusal, and a closed tab's reading dropped between slices.
Clocks are given; the reader is a stand-in that counts slices and waits on events."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from components.devtools import image_factory as make
from components.errors import ReaderRefusedError
from components.i18n import t
from components.images.prepare import prepare_image
from components.images.prepared import ImagePart, PreparedImage
from components.ocr.engine import ReadResult, reader_status
from components.ocr.local_client import LocalClient, LocalSettings
from components.ocr.quota import HOUR_S, ReaderQuota, slices_of
from components.turns import ChatTurn
from components.ui.reader_quota import GRACE_S, cancel_gone, hourly_budget
from components.ui.session_watch import GoneSessions

JOIN_S = 30.0  # a bound on waiting for a thread, never an expectation about time


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _picture(slices: int) -> PreparedImage:
    """A small prepared picture sent as ``slices`` parts (0: not sliced)."""
    image = prepare_image(make.photo_jpeg(64, 48), name="slice.jpg")
    part = ImagePart(image.data, image.mime, image.width, image.height, 85, (0, 0, 64, 48))
    return replace(image, parts=(part,) * slices)


# -- admission -------------------------------------------------------------------------------


def test_a_second_message_while_the_first_is_read_is_refused_as_busy():
    quota = ReaderQuota(200)
    assert quota.admit("visitor", "tab-1", 10) is None
    refusal = quota.admit("visitor", "tab-1", 10)
    assert isinstance(refusal, ReaderRefusedError) and refusal.reason == "busy"
    quota.finish("tab-1")
    assert quota.admit("visitor", "tab-1", 10) is None


def test_the_visitors_tabs_share_one_hourly_budget():
    quota = ReaderQuota(200)
    assert quota.admit("visitor", "tab-1", 150) is None
    refusal = quota.admit("visitor", "tab-2", 150)  # another tab: its own job, the same budget
    assert isinstance(refusal, ReaderRefusedError) and refusal.reason == "hourly"
    assert quota.admit("visitor", "tab-2", 50) is None
    assert quota.admit("someone-else", "tab-3", 150) is None


def test_pictures_over_the_hourly_budget_are_refused_until_the_hour_has_passed():
    clock = Clock()
    quota = ReaderQuota(200, clock=clock)
    for slices in (150, 40):
        assert quota.admit("visitor", "tab", slices) is None
        quota.finish("tab")
    clock.now += 600
    refusal = quota.admit("visitor", "tab", 150)
    assert isinstance(refusal, ReaderRefusedError) and refusal.reason == "hourly"
    assert refusal.facts == {"limit": 200, "minutes": 50}  # when the first 150 leave the hour
    assert quota.admit("visitor", "tab", 10) is None  # a small one still fits
    quota.finish("tab")
    clock.now += HOUR_S - 600
    assert quota.admit("visitor", "tab", 150) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_message_bigger_than_the_hour_says_to_send_fewer_not_to_wait(lang):
    refusal = ReaderQuota(100).admit("visitor", "tab", 150)
    assert refusal.reason == "too_many" and refusal.facts == {"slices": 150, "limit": 100}
    assert "150" in refusal.message(lang) and "100" in refusal.message(lang)


def test_a_refused_message_is_not_charged():
    quota = ReaderQuota(100)
    assert quota.admit("visitor", "tab", 90) is None
    assert quota.admit("visitor", "tab", 5).reason == "busy"
    quota.finish("tab")
    assert quota.admit("visitor", "tab", 50).reason == "hourly"
    assert quota.admit("visitor", "tab", 10) is None  # 90 + 10: the refusals cost nothing


def test_an_hour_later_nothing_is_kept_about_a_visitor():
    clock = Clock()
    quota = ReaderQuota(10, clock=clock)
    assert quota.admit("visitor", "tab", 10) is None
    quota.finish("tab")
    clock.now += HOUR_S
    quota.sessions()  # the watcher's poll
    assert repr(vars(quota)).count("visitor") == 0


def test_the_command_line_is_not_limited():
    quota = ReaderQuota(1)
    assert quota.admit("", "", 500) is None and quota.admit("", "", 500) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refusals_say_what_to_do_in_both_languages(lang):
    quota = ReaderQuota(10)
    busy = (quota.admit("v", "s", 5), quota.admit("v", "s", 5))[1]
    quota.finish("s")
    hourly = quota.admit("v", "s", 8)
    assert busy.message(lang) == t("error.ocr_refused.busy", lang)
    assert "10" in hourly.message(lang) and "60" in hourly.message(lang)
    assert "{" not in busy.message(lang) + hourly.message(lang)


def test_a_sliced_picture_costs_each_slice():
    assert slices_of([_picture(1), _picture(12), _picture(0)]) == 1 + 12 + 1


@pytest.mark.parametrize(
    ("environ", "expected"), [({}, 200), ({"KANTU_READER_SLICES_PER_HOUR": "40"}, 40)]
)
def test_the_hourly_budget_is_configurable(environ, expected):
    assert hourly_budget({}, environ) == expected
    assert hourly_budget({}, {"KANTU_READER_SLICES_PER_HOUR": "none"}) == 200


# -- a closed tab's work is dropped ----------------------------------------------------------


class PausingReader:
    """Counts the slices it reads; at ``pause_at`` it waits for ``resume`` (a slow slice)."""

    def __init__(self, pause_at: int) -> None:
        self.pause_at = pause_at
        self.slices_read = 0
        self.paused = threading.Event()
        self.resume = threading.Event()

    def read(self, picture: PreparedImage, *, cancelled) -> ReadResult:
        for _ in picture.parts or (None,):
            if cancelled():
                break
            self.slices_read += 1
            if self.slices_read == self.pause_at:
                self.paused.set()
                self.resume.wait(JOIN_S)
        return ReadResult((), picture.width, picture.height, 0.0)


@pytest.mark.skipif(not reader_status().available, reason="the OCR packages are not installed")
def test_a_closed_tabs_reading_stops_at_the_next_slice_and_frees_its_slot():
    quota = ReaderQuota(1000)
    reader = PausingReader(pause_at=3)
    settings = LocalSettings(visitor_id="visitor", session_id="tab-1")
    pictures = (_picture(50), _picture(50), _picture(50))  # the red team's 150-slice message
    stream = LocalClient(settings, reader=reader, quota=quota).stream_chat(
        [ChatTurn("user", "read these", pictures)]
    )
    reading = threading.Thread(target=lambda: list(stream), daemon=True)
    reading.start()
    assert reader.paused.wait(JOIN_S)
    connected = {"tab-1"}
    gone = GoneSessions(lambda session_id: session_id in connected, GRACE_S)
    assert cancel_gone(quota, gone, now=0.0) == []  # connected: nothing happens
    connected.clear()  # the tab closes
    assert cancel_gone(quota, gone, now=1.0) == []  # a reload would come back within the grace
    assert cancel_gone(quota, gone, now=1.0 + GRACE_S) == ["tab-1"]
    reader.resume.set()
    reading.join(JOIN_S)
    assert not reading.is_alive()
    assert reader.slices_read == 3  # of 150: nothing after the slice being read
    assert stream.result is None  # not recorded as a finished answer
    assert quota.sessions() == []
    assert quota.admit("visitor", "tab-1", 10) is None  # the tab's slot is free again


def test_a_session_that_comes_back_within_the_grace_keeps_its_reading():
    quota = ReaderQuota(1000)
    assert quota.admit("visitor", "tab-1", 10) is None
    connected: set[str] = set()
    gone = GoneSessions(lambda session_id: session_id in connected, GRACE_S)
    cancel_gone(quota, gone, now=0.0)
    connected.add("tab-1")  # a network blip
    cancel_gone(quota, gone, now=GRACE_S)
    assert not quota.cancelled("tab-1")


@pytest.mark.skipif(not reader_status().available, reason="the OCR packages are not installed")
def test_a_refused_message_ends_the_stream_with_the_refusal():
    quota = ReaderQuota(1000)
    assert quota.admit("visitor", "tab-1", 1) is None
    settings = LocalSettings(visitor_id="visitor", session_id="tab-1")
    stream = LocalClient(settings, reader=PausingReader(0), quota=quota).stream_chat(
        [ChatTurn("user", "read", (_picture(1),))]
    )
    with pytest.raises(ReaderRefusedError) as refused:
        list(stream)
    assert refused.value.reason == "busy"
    assert quota.sessions() == ["tab-1"]  # the refused stream took nothing
