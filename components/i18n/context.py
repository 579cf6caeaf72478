"""The context policy: which earlier pictures travel with a question."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("context",)

MESSAGES: dict[str, dict[Lang, str]] = {
    # Notes sent to the model in place of pictures the context policy leaves out.
    "context.note.dropped": {
        "zh": "[之前的第 {n} 张图片，未重新发送]",
        "en": "[photo {n} from earlier, not re-sent]",
    },
    "context.note.low": {
        "zh": "[之前的第 {n} 张图片，以低清晰度重新发送]",
        "en": "[photo {n} from earlier, re-sent at low detail]",
    },
    "context.note.again": {
        "zh": "[第 {n} 张图片，在后面的消息中再次发送]",
        "en": "[photo {n}, sent again further down]",
    },
    # The setting and what the page shows per earlier picture.
    "context.policy.label": {"zh": "追问时附带的旧图片", "en": "Earlier pictures in follow-ups"},
    "context.policy.help": {
        "zh": "每次追问都会把附带的图片重新计费一次。默认只附带最近一次提问的图片。",
        "en": "Every picture sent with a follow-up is billed again. By default only the pictures "
        "of the latest question that had any go along.",
    },
    "context.policy.newest": {"zh": "只附带最新的图片", "en": "Newest pictures only"},
    "context.policy.last_turns": {
        "zh": "最近 {n} 次提问的图片",
        "en": "Pictures of the last {n} {n:question|questions}",
    },
    "context.policy.older_low": {
        "zh": "较早的图片以低清晰度附带",
        "en": "Older pictures at low detail",
    },
    "context.policy.all": {
        "zh": "全部图片（每次重新计费）",
        "en": "All pictures (billed again each time)",
    },
    # short: they end a thumbnail's caption
    "context.travel.full": {"zh": "下一问再发", "en": "goes with next question"},
    "context.travel.low": {"zh": "下一问低清再发", "en": "goes again at low detail"},
    "context.travel.dropped": {"zh": "不再发送", "en": "not sent again"},
}
