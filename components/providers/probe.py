"""Ask a provider what it offers and whether a model can really see: no Streamlit here.

- ``make_probe_picture`` draws a few random digits (light noise, a large clear font) as a PNG.
- ``probe_vision`` sends that picture through ``ChatClient`` asking for the digits only; the model
  sees when its answer holds them (spaces and punctuation between digits ignored). A reseller's
  "vision" model that only reads the text answers without them.
- ``list_models`` GETs ``{base}/models`` through the same guarded transport as chat requests
  (the key goes only where the parsed base URL says), reading OpenAI's ``{"data": [{"id"}]}``
  and Ollama's ``{"models": [{"name"}]}``; ``test_connection`` times it. Where a preset's listing
  also publishes prices and context lengths (OpenRouter's ``pricing`` and ``context_length``),
  they are kept for the catalogue (``components.catalogue.published``).

None of them raises for a provider's failure: the result carries the typed ``KantuError``.
"""

from __future__ import annotations

import io
import math
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import requests
from PIL import Image, ImageDraw, ImageFont

from components.catalogue.published import remember_published
from components.catalogue.rows import ListPrice, Offer, Window
from components.errors import KantuError, ProtocolError, ProviderError
from components.i18n import Lang, t
from components.images.prepare import prepare_image
from components.providers.client import ChatClient, ChatOptions
from components.providers.error_mapping import error_from_response, parse_json
from components.providers.presets import CUSTOM_PRESET_ID
from components.providers.settings import ClientSettings
from components.providers.transport import Transport
from components.turns import ChatTurn
from components.usage import Usage

PROBE_DIGITS = 6
PROBE_SIZE = (560, 180)
PROBE_FONT_SIZE = 96
PROBE_MAX_TOKENS = 50  # the digits and a few words of politeness at most
MODELS_MAX_BYTES = 16 * 1024 * 1024  # OpenRouter's list is a few MB; more is not a model list
_NON_DIGITS = re.compile(r"\D+")
_LOOSE_DIGITS = re.compile(r"\d(?:[\s,.\-_·、，。]*\d)*")


@dataclass(frozen=True)
class ProbePicture:
    """A generated picture and the digits drawn in it."""

    digits: str
    data: bytes = field(repr=False)
    mime: str = "image/png"

    def __repr__(self) -> str:
        return f"ProbePicture(digits={self.digits!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class ProbeResult:
    """What one "can this model see?" check found.

    ``sees`` is True only when the answer holds the digits; ``error`` is set (and ``sees`` is
    False) when the request itself failed. ``seconds`` is the whole exchange's wall time.
    """

    model: str
    sees: bool
    digits: str
    answer_text: str
    seconds: float
    usage: Usage | None = None
    error: KantuError | None = None


@dataclass(frozen=True)
class ConnectionResult:
    """Whether ``GET /models`` answered, with how many models, in how long."""

    ok: bool
    models_count: int
    seconds: float
    error: KantuError | None = None
    models: tuple[str, ...] = ()


def make_probe_picture(rng: random.Random | None = None) -> ProbePicture:
    """Return a PNG of ``PROBE_DIGITS`` random digits (the first never 0) on light noise.

    A fresh ``random.Random()`` seeds itself from the OS, so two probes do not repeat.
    """
    rng = rng or random.Random()
    digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(5))
    image = Image.new("L", PROBE_SIZE, 250)
    draw = ImageDraw.Draw(image)
    width, height = PROBE_SIZE
    for _ in range(width * height // 40):  # light speckle: not a blank, trivially cropped card
        draw.point((rng.randrange(width), rng.randrange(height)), fill=rng.randint(190, 235))
    for _ in range(3):
        y0, y1 = rng.randrange(height), rng.randrange(height)
        draw.line((0, y0, width, y1), fill=rng.randint(205, 230), width=2)
    font = ImageFont.load_default(size=PROBE_FONT_SIZE)
    spaced = " ".join(digits)
    left, top, right, bottom = draw.textbbox((0, 0), spaced, font=font)
    x = (width - (right - left)) // 2 - left
    y = (height - (bottom - top)) // 2 - top
    draw.text((x, y), spaced, font=font, fill=20)
    out = io.BytesIO()
    image.save(out, "PNG")
    return ProbePicture(digits, out.getvalue())


def answer_has_digits(answer: str, digits: str) -> bool:
    """Return whether ``answer`` holds ``digits`` as one run (spaces, commas, dots between ok).

    Full-width digits (Chinese answers) count as their ASCII twins.
    """
    plain = unicodedata.normalize("NFKC", answer)
    runs = _LOOSE_DIGITS.finditer(plain)
    return any(digits in _NON_DIGITS.sub("", run.group()) for run in runs)


def probe_vision(
    settings: ClientSettings,
    *,
    session: requests.Session | None = None,
    lang: Lang = "en",
    rng: random.Random | None = None,
) -> ProbeResult:
    """Send a fresh probe picture to ``settings.model`` and report whether it read the digits.

    Never raises for the provider: a refused key, a missing model, a network failure… are in
    ``error`` (a ``ProviderError``, or the ``ConfigError`` of a missing key).
    """
    picture = make_probe_picture(rng)
    model = settings.model
    started = time.perf_counter()
    missing = settings.missing_key_error(lang)
    if missing is not None:
        return ProbeResult(model, False, picture.digits, "", 0.0, error=missing)
    prepared = prepare_image(picture.data, name="probe.png", detail="auto", model=model)
    turn = ChatTurn("user", t("probe.prompt", lang), (prepared,))
    stream = None
    try:
        with ChatClient(settings, session) as client:
            stream = client.stream_chat([turn], ChatOptions(max_tokens=PROBE_MAX_TOKENS))
            text = "".join(stream)
    except ProviderError as err:
        partial = stream.text if stream is not None else ""
        seconds = time.perf_counter() - started
        return ProbeResult(model, False, picture.digits, partial, seconds, error=err)
    seconds = time.perf_counter() - started
    usage = stream.result.usage if stream.result is not None else None
    sees = answer_has_digits(text, picture.digits)
    return ProbeResult(model, sees, picture.digits, text, seconds, usage)


def list_models(settings: ClientSettings, *, session: requests.Session | None = None) -> list[str]:
    """Return the model ids ``GET {base}/models`` lists, sorted, without duplicates.

    Raises ``ConfigError`` (a key is needed and missing) and the ``ProviderError`` subclasses of
    a chat request: AuthError (401/403), ProtocolError (404, an HTML page, not a model list
    or a body over ``MODELS_MAX_BYTES``), NetworkError, RequestTimeoutError,
    BlockedAddressError, RedirectError…
    """
    missing = settings.missing_key_error()
    if missing is not None:
        raise missing
    transport = Transport(settings, session)
    try:
        opened = transport.get("/models")
        try:
            body = bytearray()
            for chunk in opened.chunks():
                body += chunk
                if len(body) > MODELS_MAX_BYTES:
                    raise ProtocolError(f"the model list is over {MODELS_MAX_BYTES} bytes")
        finally:
            opened.close()
    finally:
        transport.close()
    trusted = settings.preset.id != CUSTOM_PRESET_ID
    if not 200 <= opened.status < 300:
        raise error_from_response(
            opened.status,
            bytes(body),
            content_type=opened.content_type,
            model=settings.model,
            trusted=trusted,
            scrub=transport.scrub,
        )
    listing = parse_json(bytes(body))
    ids = _model_ids(listing)
    if ids is None:
        raise ProtocolError(
            "the answer to GET /models is not a model list", status=opened.status, model="?"
        )
    if trusted:  # a preset's public listing, the same for everyone; never a custom URL's
        offers = published_offers(settings.preset.id, listing)
        if offers:
            remember_published(settings.preset.id, str(settings.base_url), offers)
    return sorted(set(ids))


def published_offers(preset: str, listing: Any) -> tuple[Offer, ...]:
    """Return the offers a ``GET /models`` answer publishes with a price and a context length
    (OpenRouter: ``pricing.prompt`` / ``pricing.completion`` in $ per token as text, and
    ``context_length``); rows without them, or with negative prices (its routers), are left out.
    """
    rows = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(rows, list):
        return ()
    month = time.strftime("%Y-%m", time.gmtime())
    source = f"{preset} GET /models, fetched {time.strftime('%Y-%m-%d', time.gmtime())}"
    offers = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            continue
        pricing = row.get("pricing")
        given = _per_million(pricing.get("prompt")) if isinstance(pricing, dict) else None
        taken = _per_million(pricing.get("completion")) if isinstance(pricing, dict) else None
        context = row.get("context_length")
        if given is None or taken is None:
            continue
        window = None
        if isinstance(context, int) and not isinstance(context, bool) and context > 0:
            window = Window(context, month, source)
        price = ListPrice(given, taken, "USD", month, source)
        offers.append(Offer(preset, row["id"].strip(), price, window, listed=False))
    return tuple(offers)


def _per_million(value: Any) -> float | None:
    """Return a published $-per-token figure (``"0.00000015"``) per million tokens, or None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        amount = float(value)
    except ValueError:
        return None
    # round off the float noise of "0.00000015" × 10⁶
    return round(amount * 1_000_000, 9) if math.isfinite(amount) and amount >= 0 else None


def _model_ids(obj: Any) -> list[str] | None:
    """Return the ids in an OpenAI (``data[].id``) or Ollama (``models[].name``) list, or None."""
    if not isinstance(obj, dict):
        return None
    for key, name in (("data", "id"), ("models", "name"), ("models", "model")):
        rows = obj.get(key)
        if isinstance(rows, list):
            ids = [
                row[name]
                for row in rows
                if isinstance(row, dict) and isinstance(row.get(name), str)
            ]
            if ids or not rows:
                return [i.strip() for i in ids if i.strip()]
    return None


def test_connection(
    settings: ClientSettings, *, session: requests.Session | None = None
) -> ConnectionResult:
    """Time ``list_models``; never raises for the provider (the error is in the result)."""
    started = time.perf_counter()
    try:
        models = list_models(settings, session=session)
    except KantuError as err:
        return ConnectionResult(False, 0, time.perf_counter() - started, err)
    return ConnectionResult(True, len(models), time.perf_counter() - started, models=tuple(models))


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported
