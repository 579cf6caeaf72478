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
TEXT_ONLY_UNMARKED = "kantu_text_only_unmarked"  # {"<preset>/<model>"}: unticked by the person
SIDEBAR_CHOICE = "kantu_sidebar_choice"  # sidebar.SidebarChoice: this run's choices (no key)
PENDING = "kantu_pending"  # pending.PendingMessage: a message held for a look before sending
PENDING_ACTION = "kantu_pending_action"  # set by the held message's buttons, consumed by the page
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

# Camera (components/ui/camera.py); CAMERA_ROUND gives the camera component a fresh key
CAMERA_OPEN = "kantu_camera_open"  # the camera is shown above the input
CAMERA_BUTTON = "kantu_camera_button"  # opens / closes it
CAMERA_SHOT = "kantu_camera_shot"  # camera.CameraShot: the photo waiting by the input
CAMERA_CHIP = "kantu_camera_chip"  # the waiting photo's chip (a keyed container, for CSS/tests)


# Money and conversation tools (components/ui/costs.py, conversation_tools.py)
VISITOR_PRICES = "kantu_visitor_prices"  # {model: Price}: this visitor's own price edits
CALIBRATION = "kantu_calibration"  # costs.calibration.Calibration learned from this session
CONFIRM_ABOVE = "kantu_confirm_above"  # {currency: amount}: hold a message estimated above this
CONFIRM_TOKENS = "kantu_confirm_tokens"  # the same in prompt tokens, when no price is known
CONTEXT_POLICY = "kantu_context_policy"  # the kind of ContextPolicy chosen (widget)
CONTEXT_TURNS = "kantu_context_turns"  # its n for "last_turns" (widget)
VISION_CHECKS = "kantu_vision_checks"  # {"preset/model": ProbeResult}
CONNECTION_RESULT = "kantu_connection_result"  # ("preset/model", ConnectionResult)
MODEL_LISTS = "kantu_model_lists"  # {preset_id: [model ids]} from GET /models
IMPORT_ROUND = "kantu_import_round"  # bumps to empty the import field after a file was read
IMPORT_OUTCOME = "kantu_import_outcome"  # ("ok"|"error", message) shown once
IMPORT_REQUESTED = "kantu_import_requested"  # an imported Conversation, applied by the page
SIDEBAR_SLOTS = "kantu_sidebar_slots"  # (model tools, sections): this run's sidebar containers
# actions: what a person can do with an entry (copy, regenerate, edit, delete)
ENTRY_ACTION = "kantu_entry_action"  # (verb, Entry) set by an entry's buttons, consumed by the page
EDITING = "kantu_editing"  # the question Entry being edited in the chat input, until sent
CANCEL_EDIT = "kantu_cancel_edit"  # the "cancel editing" button
ACTION_PREFIX = "kantu_act"  # entry buttons: "<prefix>_<verb>_<index>" (see action_key)


def action_key(verb: str, index: int) -> str:
    """Return the widget key of one entry's action button (one per verb and entry index)."""
    return f"{ACTION_PREFIX}_{verb}_{index}"


# gallery: the thumbnails' container (a class for their style) and each picture's view button
GALLERY = "kantu_gallery"  # + "-<message>": keyed container of one message's thumbnails
GALLERY_VIEW = "kantu_gallery_view"  # + "-<message>-<picture>": the 🔍 button
# -- layout: the sidebar's slots, drawn before the page runs and filled or redrawn after ------
NEW_CHAT_SLOT = "kantu_new_chat_slot"  # this run's st.empty at the sidebar's top, for New chat
KEY_STATUS = "kantu_key_status"  # this run's (st.empty, sidebar.KeyStatus) beside the key field
EXAMPLE = "kantu_example"  # welcome example buttons: "<EXAMPLE>_<n>"


# -- compare: the Compare page (components/ui/compare.py) ---------------------------------------
COMPARE_RUN = "kantu_compare_run"  # compare.CompareRun: the comparison shown (its exchanges run)
COMPARE_TALLY = "kantu_compare_tally"  # compare.CompareTally: this session's blind votes
COMPARE_START = "kantu_compare_start"  # set by the Run button, consumed by the page
COMPARE_VOTE = "kantu_compare_vote"  # a column's label, set by its "best" button
COMPARE_REVEAL = "kantu_compare_reveal"  # set by "reveal without voting"
COMPARE_FILES = "kantu_compare_files"  # widget: the pictures
COMPARE_CAMERA_ON = "kantu_compare_camera_on"  # widget
COMPARE_CAMERA = "kantu_compare_camera"  # widget
COMPARE_QUESTION = "kantu_compare_question"  # widget
COMPARE_COUNT = "kantu_compare_count"  # widget: 2–4 columns
COMPARE_BLIND = "kantu_compare_blind"  # widget
COMPARE_RUN_BUTTON = "kantu_compare_run_button"  # widget
COMPARE_REVEAL_BUTTON = "kantu_compare_reveal_button"  # widget
COMPARE_EXPORT_MD = "kantu_compare_export_md"  # widget
COMPARE_EXPORT_JSON = "kantu_compare_export_json"  # widget
COMPARE_TARGETS = "kantu_compare_targets"  # [(preset id, model)]: the form's columns, this run
# The vision checks' results, {"<preset>/<model>": ProbeResult | bool}: written by the vision
# check (providers/probe.py), only read here.


def compare_preset_key(i: int) -> str:
    """Return the state key of column ``i``'s provider (its widget: ``choice_key(...)``)."""
    return f"kantu_compare_preset_{i}"


def compare_model_key(i: int) -> str:
    """Return the widget key of column ``i``'s model."""
    return f"kantu_compare_model_{i}"


def compare_api_key(i: int) -> str:
    """Return the widget key of column ``i``'s own API key (password field, optional)."""
    return f"kantu_compare_api_key_{i}"


def compare_column_key(action: str, label: str) -> str:
    """Return the key of a column's element (``stop``, ``vote`` buttons; ``col``) by its label."""
    return f"kantu_compare_{action}_{label}"


# hosting (access code, sign-in, operator page; components/ui/access.py and admin.py)
HOSTING_SESSION = "kantu_hosting_session"  # (random session id, start time): the ledger's visitor
ACCESS_UNLOCKED = "kantu_access_unlocked"  # True once this session entered a right access code
ACCESS_FORM = "kantu_access_form"
ACCESS_CODE = "kantu_access_code"  # the access code's password field
SIGN_IN = "kantu_sign_in"
ADMIN_UNLOCKED = "kantu_admin_unlocked"  # True once this session entered the operator's code
ADMIN_FORM = "kantu_admin_form"
ADMIN_CODE = "kantu_admin_code"
ADMIN_CSV = "kantu_admin_csv"
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


def camera_view_key(round_: int) -> str:
    """Return the camera component's key for this round (inside the popover)."""
    return f"kantu_camera_view_{round_}"


def camera_remove_key(photo_id: str) -> str:
    """Return the waiting photo's "remove" button key."""
    return f"kantu_camera_remove_{photo_id[:16]}"


def camera_send_key(photo_id: str) -> str:
    """Return the waiting photo's "send photo" button key."""
    return f"kantu_camera_send_{photo_id[:16]}"


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
