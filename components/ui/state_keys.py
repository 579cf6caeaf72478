"""Every widget key, and the widgets' defaults, in one place.

Kept free of streamlit so tests and pages share the names. The session's other state lives in
typed objects (``components.ui.session``); every key here names a widget, or the remembered value
of a widget whose labels follow the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.conversation.context_choice import DEFAULT_POLICY
from components.images.slice_limits import DEFAULT_MAX_SLICES


@dataclass(frozen=True)
class KeyFamily:
    """Widget keys made of one prefix and a value (a column's number, a round, a photo's id),
    cut to ``width`` characters when given."""

    prefix: str
    width: int | None = None

    def __call__(self, value: object) -> str:
        """Return the key of the widget for ``value``."""
        return self.prefix + str(value)[: self.width]


# Choices whose labels follow the language: the value lives here, the widget key is
# "<key>.<lang>" (see sidebar.remembered_choice)
LANG = "kantu_lang"
PROVIDER = "kantu_provider"
DETAIL = "kantu_detail"
THEME = "kantu_theme"  # "system", "light" or "dark" (components/ui/theme.py)
# The same for the fields of the sidebar's sections built only while open (lazy_section.py): a
# field not drawn would lose a value kept by its widget.
MAX_TOKENS = "kantu_max_tokens"
TEMPERATURE = "kantu_temperature"
READ_TIMEOUT = "kantu_read_timeout"
SYSTEM_PROMPT = "kantu_system_prompt"
MAX_SLICES = "kantu_max_slices"
CONTEXT_TURNS = "kantu_context_turns"  # the n of the "last_turns" context policy

# The sidebar's sections drawn only while open (their expanders' keys: components/ui/lazy_section.py)
ADVANCED_OPEN = "kantu_advanced_open"
COSTS_OPEN = "kantu_costs_open"
TOOLS_OPEN = "kantu_tools_open"
SECTIONS = (ADVANCED_OPEN, COSTS_OPEN, TOOLS_OPEN)

# Widgets
THEME_SNIPPET = "kantu_theme_snippet"  # the component that applies the theme in the browser
WIDGET_TEXTS = "kantu_widget_texts"  # the component that puts Streamlit's own texts in the language
MODEL = "kantu_model"
API_KEY = "kantu_api_key"
BASE_URL = "kantu_base_url"
CAMERA_ON = "kantu_camera_on"
NEW_CHAT = "kantu_new_chat"
STOP = "kantu_stop"  # by the chat input while an answer streams (components/ui/reading.py)
# CSS: the page while an answer streams (Stop is shown); what waits for its end hides or rests
ANSWERING = f".stApp:has(.st-key-{STOP})"
READING_SNIPPET = "kantu_reading"  # the component that follows the answer, Esc, Enter held
READING_SCRIPT = "kantu_reading_script"  # its script, sent once (page_script.py)
WELCOME = "kantu_welcome"  # the welcome's container (hidden while a question's stand-in shows)
SHORTCUTS_SNIPPET = "kantu_shortcuts"  # the keyboard shortcuts and their ? overlay
FIRST_SCREEN = "kantu_first_screen"  # asks for the run after a session's first (first_screen.py)
# The one listener of the entries' buttons (copy, regenerate, edit, delete, ‹ ›): a component whose
# value ``{"asked": {"verb", "entry", "click"}}`` is the last click (answer_actions.py)
ENTRY_ACTIONS = "kantu_entry_actions"
CHAT_INPUT = "kantu_chat_input"
# The chat input, its file field and its text field, as the page scripts find them (reading.py,
# question_echo.js, drop_anywhere.py, shortcuts.py) and so do the browser tests.
CHAT_INPUT_SELECTOR = '[data-testid="stChatInput"]'
CHAT_FILE_INPUT_SELECTOR = (
    CHAT_INPUT_SELECTOR + ' [data-testid="stChatInputFileUploadButton"] input[type="file"]'
)
CHAT_TEXT_SELECTOR = '[data-testid="stChatInputTextArea"]'
BROWSER_STORE = "kantu_browser_store"  # the browser store component (ui.browser_store)
BROWSER_STORE_SCRIPT = "kantu_browser_store_script"  # its script, sent once (page_script.py)
# the ops of an answer finished in place, after the store's data was mounted (ui.browser_store)
BROWSER_STORE_AFTER = "kantu_browser_store_after"
CHAT_SEARCH = "kantu_chat_search"
UNDO = "kantu_undo"
UNDO_NOTICE = "kantu_undo_notice"  # the notice's container (its class, for the page's tests)
DELETE_ALL = "kantu_delete_all"
DELETE_ALL_MENU = "kantu_delete_all_menu"  # its confirm, drawn only while open
REVIEW = "kantu_review"  # hold every message with pictures for a look (slices, zoom) first

# Camera (components/ui/camera.py); session.CameraState.round gives the camera component a fresh key
CAMERA_BUTTON = "kantu_camera_button"  # opens / closes it
PENDING_BOX = "kantu_pending_box"  # the held message's box (a keyed container, for CSS/tests)
CAMERA_CHIP = "kantu_camera_chip"  # the waiting photo's chip (a keyed container, for CSS/tests)


# Money and conversation tools (components/ui/costs.py, conversation_tools.py)
CONTEXT_POLICY = "kantu_context_policy"  # the kind of ContextPolicy chosen (widget)
CONFIRM_ABOVE = "kantu_confirm_above_field"  # + ".<currency>": the visitor's hold limit in money
CONFIRM_TOKENS = "kantu_confirm_tokens_field"  # the same in prompt tokens (no price known)
HOLD_LIMIT_CHANGE = "kantu_hold_limit_change"  # the held message's "change" (the limit) button
# A visitor's own price for a model: "<key>.<preset>/<model>" (costs.py's price editor)
PRICE_INPUT = "kantu_price_in"  # per million input tokens
PRICE_OUTPUT = "kantu_price_out"  # per million output tokens
PRICE_SAVE = "kantu_price_save"
# actions: what a person can do with an entry (copy, regenerate, edit, delete)
CANCEL_EDIT = "kantu_cancel_edit"  # the "cancel editing" button
SHOW_EARLIER = "kantu_show_earlier"  # above the conversation: its earlier messages
SHARED_MORE = "kantu_shared_more"  # below a shared chat's first messages: the next ones


# gallery: the thumbnails' container (a class for their style) and each picture's view button
GALLERY = "kantu_gallery"  # + "-<message>": keyed container of one message's thumbnails
GALLERY_VIEW = "kantu_gallery_view"  # + "-<message>-<picture>": the 🔍 button
# -- layout: the sidebar's slots, drawn before the page runs and filled or redrawn after ------
EXAMPLE = "kantu_example"  # welcome example buttons: "<EXAMPLE>_<n>"
SAMPLE = "kantu_sample"  # the welcome's "try the sample picture" button (the offline reader)
DROP_ANYWHERE = "kantu_drop_anywhere"  # the chat page's whole-page drop and paste target
PICTURE_CODE = "kantu_picture_code"  # keyed, hidden container: the first screen's picture


# -- compare: the Compare page (components/ui/compare.py) ---------------------------------------
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
COMPARE_RESULTS = "kantu_compare_results"  # keyed container: where Run scrolls to
# The vision checks' results, {"<preset>/<model>": ProbeResult | bool}: written by the vision
# check (providers/probe.py), only read here.


# column i's provider (a language-following choice: its widget is ``choice_key(...)``), model,
# and own API key (password field, optional)
compare_preset_key = KeyFamily("kantu_compare_preset_")
compare_model_key = KeyFamily("kantu_compare_model_")
compare_api_key = KeyFamily("kantu_compare_api_key_")


def compare_column_key(action: str, label: str) -> str:
    """Return the key of a column's element (``stop``, ``vote`` buttons; ``col``) by its label."""
    return f"kantu_compare_{action}_{label}"


# hosting (access code, sign-in, operator page; components/ui/access.py and admin.py)
ACCESS_FORM = "kantu_access_form"
ACCESS_CODE = "kantu_access_code"  # the access code's password field
SIGN_IN = "kantu_sign_in"
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
BATCH_RUN = "kantu_batch_run"
BATCH_CANCEL = "kantu_batch_cancel"
BATCH_RETRY = "kantu_batch_retry"
BATCH_NEW = "kantu_batch_new"
BATCH_VIA = "kantu_batch_via"  # "direct" or "batch_api" (the provider's batch engine)


def choice_key(state_key: str, lang: str) -> str:
    """Return the widget key of a language-following choice (``LANG``, ``PROVIDER``, ``DETAIL``)."""
    return f"{state_key}.{lang}"


def text_only_key(preset_id: str, model: str) -> str:
    """Return the widget key of one model's "cannot see pictures" toggle."""
    return f"kantu_text_only.{preset_id}/{model}"


# The camera widget and its component (inside the popover) by round: a new round, an empty camera
camera_key = KeyFamily("kantu_camera_")
camera_view_key = KeyFamily("kantu_camera_view_")
# The waiting photo's "remove" and "send photo" buttons, by the photo's id
camera_remove_key = KeyFamily("kantu_camera_remove_", width=16)
camera_send_key = KeyFamily("kantu_camera_send_", width=16)


DEFAULTS: dict[str, Any] = {
    CONTEXT_TURNS: DEFAULT_POLICY.n,
    THEME: "system",
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


# The import field by round (a new key gives an empty field)
import_key = KeyFamily("kantu_import_")
# A saved chat's buttons and title field in the chat list, by chat id
chat_row_key = KeyFamily("kantu_chat_row_")
chat_open_key = KeyFamily("kantu_chat_open_")
chat_title_key = KeyFamily("kantu_chat_title_")
chat_rename_key = KeyFamily("kantu_chat_rename_")
chat_delete_key = KeyFamily("kantu_chat_delete_")
chat_menu_key = KeyFamily("kantu_chat_menu_")  # the row's ⋯ (its content drawn only while open)

# Share links: the Share button and each link's Revoke (by the link's id)
SHARE = "kantu_share"
share_revoke_key = KeyFamily("kantu_share_revoke_")

# Families of widget keys made by the functions and key families above
WIDGET_PREFIXES = (
    *(value.prefix for value in dict(globals()).values() if isinstance(value, KeyFamily)),
    GALLERY,
    EXAMPLE + "_",
    "kantu_compare_",
    "kantu_text_only.",
    "kantu_presets_",
)
WIDGETS = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)


def is_widget_key(key: str) -> bool:
    """Return whether ``key`` names a widget (or a language-following choice's value)."""
    return key in WIDGETS or key.partition(".")[0] in WIDGETS or key.startswith(WIDGET_PREFIXES)
