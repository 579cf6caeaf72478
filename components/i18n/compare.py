"""The Compare page: one question, 2-4 models side by side."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("compare",)

MESSAGES: dict[str, dict[Lang, str]] = {
    # The Compare page: one question, the same pictures, 2–4 models side by side (ui/compare.py)
    "compare.title": {"zh": "⚖️ 模型对比", "en": "⚖️ Compare models"},
    "compare.intro": {
        "zh": "同一张图、同一个问题，同时问 2–4 个模型：看谁答得好、答得快、花得少。",
        "en": "The same pictures and question to 2–4 models at once: see who answers best, "
        "fastest and cheapest.",
    },
    "compare.pictures": {"zh": "图片（可多张）", "en": "Pictures (one or more)"},
    "compare.camera_toggle": {"zh": "📷 拍照", "en": "📷 Camera"},
    "compare.camera_label": {"zh": "拍一张照片用于对比", "en": "Take a photo to compare"},
    "compare.question": {"zh": "问题", "en": "Question"},
    "compare.count": {"zh": "对比几个模型", "en": "How many models"},
    "compare.provider": {"zh": "服务商 {label}", "en": "Provider {label}"},
    "compare.model": {"zh": "模型 {label}", "en": "Model {label}"},
    "compare.blind": {"zh": "盲测：先隐藏模型名", "en": "Blind: hide the model names"},
    "compare.blind_help": {
        "zh": "各列随机排序并只显示 A、B、C…；选出最佳回答后才揭晓模型名。",
        "en": "Columns are shuffled and shown as A, B, C… until you pick the best answer; "
        "then the names are revealed.",
    },
    "compare.run": {"zh": "开始对比", "en": "Run"},
    "compare.key_rule": {
        "zh": "侧边栏输入的密钥只发给与侧边栏相同的服务商；站点配置的密钥只发给站点自己的地址。",
        "en": "The key typed in the sidebar goes only to the sidebar's provider; the site's "
        "own key only to the site's own address.",
    },
    "compare.keys": {"zh": "🔑 各列的密钥（可选）", "en": "🔑 Keys per column (optional)"},
    "compare.keys_help": {
        "zh": "每个密钥只发给它那一列的服务商；留空时，与侧边栏相同服务商的列使用侧边栏的密钥。",
        "en": "Each key goes only to its own column's provider; left empty, a column on the "
        "sidebar's provider uses the sidebar's key.",
    },
    "compare.key_hint": {
        "zh": "可在上方“各列的密钥”中为这一列填写密钥。",
        "en": "You can enter this column's key under “Keys per column” above.",
    },
    "compare.needs_key": {
        "zh": "需要{provider}的密钥：有了它，这一列会看图作答，而不只是读出文字。",
        "en": "Needs a {provider} key: with one, this column answers about the picture, "
        "not only reads its text.",
    },
    "compare.key_for": {"zh": "第 {label} 列：{provider}", "en": "Column {label}: {provider}"},
    "compare.need_picture": {
        "zh": "请先添加至少一张图片。",
        "en": "Add at least one picture first.",
    },
    "compare.blind_title": {"zh": "回答 {label}", "en": "Answer {label}"},
    "compare.column_title": {"zh": "{label} · {model}", "en": "{label} · {model}"},
    "compare.stop": {"zh": "停止", "en": "Stop"},
    "compare.stopped": {
        "zh": "已停止，以上是已收到的部分。",
        "en": "Stopped; above is the part that arrived.",
    },
    "compare.not_sent": {"zh": "这一列没有发送。", "en": "This column was not sent."},
    "compare.timing": {
        "zh": "⏱ 首字 {ttft} · 总计 {total}",
        "en": "⏱ first word {ttft} · total {total}",
    },
    "compare.tokens": {
        "zh": "🔢 服务商：输入 {prompt} · 输出 {completion} tokens · Kantu 估算输入 ≈ {estimate}",
        "en": "🔢 provider: prompt {prompt} · answer {completion} tokens · Kantu's estimate "
        "≈ {estimate}",
    },
    "compare.no_usage": {
        "zh": "🔢 服务商没有报告 tokens · Kantu 估算输入 ≈ {estimate}",
        "en": "🔢 the provider reported no tokens · Kantu's estimate ≈ {estimate}",
    },
    "compare.estimate_close": {"zh": "（相差 ≤ 5%）", "en": "(within 5 %)"},
    "compare.cost": {"zh": "💰 {cost}", "en": "💰 {cost}"},
    "compare.finish": {"zh": "结束原因：{reason}", "en": "finish reason: {reason}"},
    "compare.vision": {"zh": "👁 看图检查：{result}", "en": "👁 vision check: {result}"},
    "compare.vision_yes": {"zh": "能看图", "en": "sees pictures"},
    "compare.vision_no": {"zh": "看不到图片", "en": "does not see pictures"},
    "compare.vision_unchecked": {"zh": "未检查", "en": "not checked"},
    "compare.pick_best": {"zh": "👍 这个最好", "en": "👍 Best"},
    "compare.reveal": {"zh": "不投票，直接揭晓", "en": "Reveal without voting"},
    "compare.vote_prompt": {
        "zh": "哪个回答最好？选出后揭晓模型名。",
        "en": "Which answer is best? The names are revealed once you pick.",
    },
    "compare.voted": {"zh": "你选了 {label}：{model}", "en": "You picked {label}: {model}"},
    "compare.tally": {"zh": "本次会话的累计投票", "en": "This session's tally"},
    "compare.tally_row": {
        "zh": "{name}：{wins} 胜 / {votes} 次投票",
        "en": "{name}: picked best {wins} of {votes} times",
    },
    "compare.export_md": {"zh": "导出 Markdown", "en": "Export Markdown"},
    "compare.export_json": {"zh": "导出 JSON", "en": "Export JSON"},
    "compare.export_title": {"zh": "Kantu 模型对比", "en": "Kantu comparison"},
    "compare.vote_heading": {"zh": "投票", "en": "Vote"},
    "compare.export_best": {"zh": "最佳：{label}（{model}）", "en": "Best: {label} ({model})"},
    "compare.fig_outcome": {"zh": "结果", "en": "outcome"},
    "compare.fig_ttft": {"zh": "首字时间", "en": "time to first word"},
    "compare.fig_total": {"zh": "总时间", "en": "total time"},
    "compare.fig_prompt": {"zh": "输入 tokens（服务商）", "en": "prompt tokens (provider)"},
    "compare.fig_completion": {
        "zh": "输出 tokens（服务商）",
        "en": "completion tokens (provider)",
    },
    "compare.fig_estimate": {"zh": "输入 tokens（Kantu 估算）", "en": "prompt tokens (Kantu)"},
    "compare.fig_cost": {"zh": "费用", "en": "cost"},
    "compare.fig_finish": {"zh": "结束原因", "en": "finish reason"},
    "compare.fig_vision": {"zh": "看图检查", "en": "vision check"},
}
