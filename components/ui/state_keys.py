"""Every ``st.session_state`` key and widget key, and their defaults, in one place.

Kept free of streamlit so tests and pages share the names; ``init_state`` takes the
session-state mapping.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from components.images.slicing import DEFAULT_MAX_SLICES

# Per-session objects
CONVERSATION = "kantu_conversation"  # history.Conversation
HTTP_SESSION = "kantu_http_session"  # requests.Session, one per browser session
CAMERA_ROUND = "kantu_camera_round"  # bumps to reset the camera after its photo was sent
RETRY = "kantu_retry"  # set by the Retry button, consumed by the page
NEW_CHAT_REQUESTED = "kantu_new_chat_requested"  # set by the New chat button
EXCHANGE = "kantu_exchange"  # exchange.Exchange: the answer being fetched, until recorded
CAMERA_PHOTO = (
    "kantu_camera_photo"  # the camera's photo, prepared once: (signature, PreparedUploads)
)
DISPLAY_COPIES = (
    "kantu_display_copies"  # {sha256: (bytes, mime)}: pictures too wide to show as sent
)
SEND_CAMERA = "kantu_send_camera"  # set by the "send photo" button
TEXT_ONLY_MODELS = "kantu_text_only_models"  # {"<preset>/<model>"}: models that cannot see
SIDEBAR_CHOICE = "kantu_sidebar_choice"  # sidebar.SidebarChoice: this run's choices (no key)
PENDING = "kantu_pending"  # pending.PendingMessage: a message held for a look before sending
PENDING_ACTION = "kantu_pending_action"  # set by the held message's buttons, consumed by the page
KEY_SOURCES = "kantu_key_sources"  # {id(question): (question Entry, key_source)}: whose key went
FOCUS_FIELD = "kantu_focus_field"  # a sidebar widget key an error's action asked to focus, once
RESTORE_INPUT = "kantu_restore_input"  # text to put back in the chat input on the next run

# Choices whose labels follow the language: the value lives here, the widget key is
# "<key>.<lang>" (see sidebar._remembered)
LANG = "kantu_lang"
PROVIDER = "kantu_provider"
DETAIL = "kantu_detail"

# Widgets
MODEL = "kantu_model"
API_KEY = "kantu_api_key"
BASE_URL = "kantu_base_url"
MAX_TOKENS = "kantu_max_tokens"
TEMPERATURE = "kantu_temperature"
READ_TIMEOUT = "kantu_read_timeout"
SYSTEM_PROMPT = "kantu_system_prompt"
CAMERA_ON = "kantu_camera_on"
NEW_CHAT = "kantu_new_chat"
STOP = "kantu_stop"
CHAT_INPUT = "kantu_chat_input"
MAX_SLICES = "kantu_max_slices"
REVIEW = "kantu_review"  # hold every message with pictures for a look (slices, zoom) first

# -- batch (pages/batch.py, components/ui/batch.py) --------------------------------------------
BATCH_FILES = "kantu_batch_files"  # the uploader: pictures and .zip archives
BATCH_PRESET = "kantu_batch_preset"  # prompts.PRESETS id; its widget follows the language
BATCH_LABELS = "kantu_batch_labels"  # the labels the classify preset lists
BATCH_PROMPT = "kantu_batch_prompt"  # the visitor's own prompt
BATCH_COLUMNS = "kantu_batch_columns"  # "a, b, c": structured output columns
BATCH_CONCURRENCY = "kantu_batch_concurrency"  # slider, 1..16
BATCH_PREPARED = "kantu_batch_prepared"  # ui.batch.Prepared: items prepared once per upload set
BATCH_JOB = "kantu_batch_job"  # batch.job.BatchJob: the running or finished job (holds no key)
BATCH_RUN = "kantu_batch_run"
BATCH_CANCEL = "kantu_batch_cancel"
BATCH_RETRY = "kantu_batch_retry"
BATCH_NEW = "kantu_batch_new"
BATCH_SEEN_RUNNING = "kantu_batch_seen_running"  # the page was drawn while the job ran
BATCH_VIA = "kantu_batch_via"  # "direct" or "batch_api" (the provider's batch engine)
BATCH_POLL_S = "kantu_batch_poll_s"  # seconds between polls of a provider batch (tests: less)


def choice_key(state_key: str, lang: str) -> str:
    """Return the widget key of a language-following choice (``LANG``, ``PROVIDER``, ``DETAIL``)."""
    return f"{state_key}.{lang}"


def text_only_key(preset_id: str, model: str) -> str:
    """Return the widget key of one model's "cannot see pictures" toggle."""
    return f"kantu_text_only.{preset_id}/{model}"


def camera_key(round_: int) -> str:
    """Return the camera widget's key for this round (a new key gives an empty camera)."""
    return f"kantu_camera_{round_}"


DEFAULTS: dict[str, Any] = {
    CAMERA_ROUND: 0,
    RETRY: False,
    NEW_CHAT_REQUESTED: False,
    SEND_CAMERA: False,
    DETAIL: "auto",
    MAX_TOKENS: 1024,
    TEMPERATURE: 0.7,
    READ_TIMEOUT: 60,
    SYSTEM_PROMPT: "",
    API_KEY: "",
    CAMERA_ON: False,
    MAX_SLICES: DEFAULT_MAX_SLICES,
    REVIEW: False,
}


def init_state(state: MutableMapping[str, Any], **first_values: Any) -> None:
    """Set every default (and ``first_values``) that the session does not have yet."""
    for key, value in {**DEFAULTS, **first_values}.items():
        if key not in state:
            state[key] = value
