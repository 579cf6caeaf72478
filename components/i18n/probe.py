"""The vision check and the connection test."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("probe",)

MESSAGES: dict[str, dict[Lang, str]] = {
    # sent to the model with the probe picture (components/providers/probe.py)
    "probe.prompt": {
        "zh": "这张图片里写着几个数字？只回答这些数字，不要写别的。",
        "en": "Which digits are written in this picture? Answer with the digits only.",
    },
    # for the sidebar's "Can this model see?" button and connection check (wired by the merger)
    "probe.button": {"zh": "测试：这个模型能看图吗？", "en": "Can this model see?"},
    "probe.running": {
        "zh": "正在发送一张随机数字图片给 {model}……",
        "en": "Sending a picture of random digits to {model}…",
    },
    "probe.sees": {
        "zh": "✅ {model} 能看图：读出了 {digits}（用时 {seconds} 秒，{tokens} tokens）。",
        "en": "✅ {model} can see: it read {digits} ({seconds} s, {tokens} tokens).",
    },
    "probe.blind": {
        "zh": "⚠️ {model} 没有读出图中的数字 {digits}，它的回答是：“{answer}”。"
        "它可能看不到图片（有些中转站的“视觉”模型只收到文字）。",
        "en": "⚠️ {model} did not read the digits {digits} in the picture; it answered “{answer}”. "
        "It may not see pictures (some resellers' “vision” models only get the text).",
    },
    "probe.failed": {
        "zh": "测试没有完成：{reason}",
        "en": "The check did not finish: {reason}",
    },
    "probe.test_connection": {"zh": "测试连接", "en": "Test connection"},
    "probe.connected": {
        "zh": "✅ 已连接：{count} 个模型（用时 {seconds} 秒）。",
        "en": "✅ Connected: {count} models ({seconds} s).",
    },
}
