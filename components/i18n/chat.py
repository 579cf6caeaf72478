"""The chat page: welcome, input, answers and the line under them."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("chat", "welcome", "meta", "source")

MESSAGES: dict[str, dict[Lang, str]] = {
    "chat.placeholder": {
        "zh": "问一个关于图片的问题…",
        "en": "Ask about a picture…",
    },
    "chat.default_question": {"zh": "这是什么图片？", "en": "What is in this picture?"},
    "chat.image_caption": {
        "zh": "{width}×{height} · 约 {tokens} tokens",
        "en": "{width}×{height} · ~{tokens} tokens",
    },
    "chat.retry": {"zh": "重试", "en": "Retry"},
    "chat.stop": {"zh": "停止", "en": "Stop"},
    "chat.stop_help": {"zh": "停止回答（Esc）", "en": "Stop the answer (Esc)"},
    "chat.latest": {"zh": "↓ 最新", "en": "↓ Latest"},
    "chat.show_earlier": {
        "zh": "显示更早的 {n} 条消息",
        "en": "Show {n} earlier {n:message|messages}",
    },
    "chat.show_earlier_of": {
        "zh": "显示更早的 {n} 条消息（还有 {hidden} 条未显示）",
        "en": "Show {n} earlier messages (of {hidden} not shown)",
    },
    "chat.not_sent_hint": {
        "zh": "这个问题没有发出去：它已放回输入框，按 Enter 再发一次。",
        "en": "That question did not go out: it is back in the box. Press Enter to send it again.",
    },
    "chat.wait_hint": {
        "zh": "回答还在进行：等它说完再发送，或按停止（Esc）。你输入的内容会留在这里。",
        "en": "An answer is still coming: send once it ends, or press Stop (Esc). "
        "What you typed stays here.",
    },
    "chat.queued_title": {
        "zh": "回答进行时发来的消息：回答结束后按发送",
        "en": "Sent while an answer was coming: press Send once it ends",
    },
    "chat.status_interrupted": {
        "zh": "回答在中途断开，以上是已收到的部分。",
        "en": "The answer was cut off; above is the part that arrived.",
    },
    "chat.status_stopped": {
        "zh": "已停止，以上是已收到的部分。",
        "en": "Stopped; above is the part that arrived.",
    },
    "chat.status_stopped_empty": {
        "zh": "已停止：服务商还没有开始回答。",
        "en": "Stopped before the provider began to answer.",
    },
    "chat.status_length": {
        "zh": "回答达到了最多输出 token 数，可在高级选项中调大。",
        "en": "The answer hit the max output tokens; raise it under Advanced.",
    },
    "chat.get_key": {"zh": "如何获取 {provider} 的密钥", "en": "How to get a {provider} key"},
    "meta.tokens": {
        "zh": "输入 {prompt} · 输出 {completion} tokens",
        "en": "{prompt} tokens in · {completion} out",
    },
    "meta.estimated": {"zh": "图片约 {tokens} tokens", "en": "pictures ~{tokens} tokens"},
    "meta.ttft": {"zh": "首字 {seconds} 秒", "en": "first word {seconds} s"},
    "meta.total": {"zh": "用时 {seconds} 秒", "en": "{seconds} s"},
    "source.rotated": {"zh": "已按拍摄方向摆正", "en": "turned upright"},
    "source.frames": {
        "zh": "动图/多页，只发送第 1 帧（共 {frames} 帧）",
        "en": "animated/multi-page: first of {frames} frames sent",
    },
    "source.truncated": {"zh": "文件不完整，已尽量恢复", "en": "file was cut short; recovered"},
    "welcome.body": {
        "zh": "把照片或截图拖到页面上任意位置（也可以粘贴、点输入框左边的 ＋ 附加，或打开 📷 拍照），"
        "再问一个问题，回答会实时显示。",
        "en": "Drop photos or screenshots anywhere on the page (or paste, attach with the + button, "
        "or turn on 📷 Camera), ask a question, and watch the answer stream in.",
    },
    "welcome.no_key": {
        "zh": "还没有 API 密钥：先在左侧边栏填写 {provider} 的密钥。",
        "en": "No API key yet: enter your {provider} key in the sidebar first.",
    },
    "welcome.examples": {"zh": "可以这样问：", "en": "Try asking:"},
    "welcome.example_1": {"zh": "这是什么图片？", "en": "What is in this picture?"},
    "welcome.example_2": {
        "zh": "这张截图里哪里出错了？怎么修？",
        "en": "What is wrong in this screenshot, and how do I fix it?",
    },
    "welcome.example_3": {
        "zh": "把图片里的文字提取出来，并翻译成英文。",
        "en": "Extract the text in this picture and translate it into Chinese.",
    },
    "welcome.example_4": {
        "zh": "这两张照片有什么不同？",
        "en": "What is different between these two photos?",
    },
    # The welcome with the offline text reader: what it can do, a sample, and where keys come from.
    "welcome.reader_example_1": {"zh": "读出图中的文字", "en": "Read the text in this picture"},
    "welcome.reader_example_2": {
        "zh": "这张截图上的报错写了什么？",
        "en": "What does the error in this screenshot say?",
    },
    "welcome.sample_intro": {
        "zh": "手边没有图片？用这张示例收据试试：",
        "en": "No picture at hand? Try this sample receipt:",
    },
    "welcome.sample_try": {"zh": "发送示例：{question}", "en": "Send it: {question}"},
    "welcome.sample_name": {"zh": "示例收据.png", "en": "sample-receipt.png"},
    "welcome.sample_alt": {
        "zh": "示例图片：一张写有商品和价格的收据",
        "en": "Sample picture: a receipt with items and prices",
    },
    "welcome.other_providers": {
        "zh": "也可以在侧边栏换一个服务商（如 OpenAI、OpenRouter、阿里云百炼），填写它的密钥。",
        "en": "Or pick another provider in the sidebar (OpenAI, OpenRouter, Alibaba Cloud Model "
        "Studio, …) and enter its key.",
    },
    "chat.open_signup": {
        "zh": "打开 {provider} 的注册页面",
        "en": "Open the {provider} sign-up page",
    },
    "chat.drop_overlay": {"zh": "松开即可添加图片", "en": "Drop to add pictures"},
    # The exchange: an answer before its first word.
    "chat.thinking": {"zh": "正在等待回答…", "en": "Waiting for the answer…"},
    "chat.parts_sent": {
        "zh": "实际发送的 {count} 张",
        "en": "The {count} {count:image|images} sent",
    },
    "chat.part_caption": {
        "zh": "{width}×{height} · 约 {tokens} token · 原图第 {top} 行起",
        "en": "{width}×{height} · ~{tokens} tokens · from row {top}",
    },
    "chat.part_caption_left": {
        "zh": "{width}×{height} · 约 {tokens} token · 原图第 {left} 列起",
        "en": "{width}×{height} · ~{tokens} tokens · from column {left}",
    },
    "chat.zoom_caption": {
        "zh": "{width}×{height} · 约 {tokens} token · {detail}",
        "en": "{width}×{height} · ~{tokens} tokens · {detail}",
    },
    "chat.sliced_caption": {
        "zh": "{count} 片切片 · 共约 {tokens} token",
        "en": "{count} slices · ~{tokens} tokens in all",
    },
    "chat.zoomed_caption": {
        "zh": "整图 + 放大区域 · 共约 {tokens} token",
        "en": "whole + zoomed region · ~{tokens} tokens in all",
    },
    "welcome.local_reader": {
        "zh": (
            "当前使用“本地文字识别（离线）”：不需要密钥、不联网，读出图片中的文字。"
            "它不能描述或分析图片；如需能看懂图片的模型，请在侧边栏填写密钥（默认冰橙）。"
        ),
        "en": (
            "You are using Local text reading (offline): no key, no network; it reads out the "
            "text in your pictures. It cannot describe or reason about them: for a model that "
            "can, enter a key in the sidebar (冰橙 by default)."
        ),
    },
    "chat.sent_as_text": {
        "zh": "🔤 图片以识别出的文字发送（此模型看不到图片）",
        "en": "🔤 Pictures sent as their read text (this model cannot see pictures)",
    },
    "chat.refused_line": {"zh": "未发送——{reason}", "en": "Not sent — {reason}"},
    "chat.not_sent_restored": {
        "zh": "没有可以发送的图片，这条消息没有发出。你的文字已放回输入框，换一张图片后再发送。",
        "en": "No picture could be sent, so this message was not sent. Your text is back in the "
        "message box: attach another picture and send it again.",
    },
    # Safe rendering and the quiet line under an answer (components/conversation/meta_text.py).
    "meta.time": {
        "zh": "用时 {total} 秒（首字 {first} 秒）",
        "en": "{total} s (first word {first} s)",
    },
    "meta.minutes": {"zh": "{minutes} 分 {seconds}", "en": "{minutes} min {seconds}"},
    "meta.estimated_approx": {
        "zh": "图片约 {tokens} tokens（未知模型，粗略估计）",
        "en": "pictures ~{tokens} tokens (rough: unknown model)",
    },
}
