"""Money: cost before sending and as billed, prices, calibration."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("costs", "money")

MESSAGES: dict[str, dict[Lang, str]] = {
    # Money: cost before sending and as billed, prices, calibration (components/costs)
    "money.before_sending": {"zh": "发送前估算 ≈ {cost}", "en": "≈ {cost} before sending"},
    "money.billed": {"zh": "实际计费 {cost}", "en": "billed {cost}"},
    "money.price_unknown": {"zh": "价格未知", "en": "price unknown"},
    "money.price_unconfirmed": {"zh": "价格未经核实", "en": "price not confirmed"},
    "money.free": {"zh": "免费（在本机运行）", "en": "free (runs on this machine)"},
    "money.estimate_tokens": {
        "zh": "约 {tokens} tokens（图片 {image_tokens}）",
        "en": "≈ {tokens} tokens ({image_tokens} for pictures)",
    },
    "money.calibrated": {
        "zh": "已根据 {n} 次回答校准（图片 ×{factor}）",
        "en": "calibrated from {n} answers (pictures ×{factor})",
    },
    "money.calibrated_one": {
        "zh": "已根据 1 次回答校准（图片 ×{factor}）",
        "en": "calibrated from 1 answer (pictures ×{factor})",
    },
    "money.conversation_total": {"zh": "本次对话合计 {cost}", "en": "this conversation: {cost}"},
    "money.flag.bills_differently": {
        "zh": "服务商计费 {billed} 个输入 tokens，Kantu 估算 {estimate}（{difference}）："
        "该服务商计算图片的方式与公开规则不同。",
        "en": "Billed {billed} prompt tokens, Kantu estimated {estimate} ({difference}): this "
        "provider counts pictures differently from the published rule.",
    },
    "money.flag.rule_may_be_wrong": {
        "zh": "服务商计费 {billed} 个输入 tokens，Kantu 估算 {estimate}（{difference}）："
        "Kantu 对这个模型的图片规则可能不对。",
        "en": "Billed {billed} prompt tokens, Kantu estimated {estimate} ({difference}): "
        "Kantu's picture rule for this model may be wrong.",
    },
    # Money and tools on the chat page (components/ui/costs.py, conversation_tools.py)
    "costs.title": {"zh": "费用", "en": "Cost"},
    "costs.approximate": {"zh": "估算", "en": "approximate"},
    "costs.unpriced": {
        "zh": "{n} 条回答无法计价",
        "en": "{n} {n:answer|answers} could not be priced",
    },
    "costs.no_price": {
        "zh": "Kantu 不知道 {model} 的价格：可以在下面填写，只影响你看到的数字。",
        "en": "Kantu does not know the price of {model}: you can enter it below; it only changes "
        "the figures you see.",
    },
    "costs.price_line": {
        "zh": "{model}：输入 {input} · 输出 {output}（每百万 tokens）",
        "en": "{model}: {input} in · {output} out (per million tokens)",
    },
    "costs.origin.table": {"zh": "Kantu 价格表", "en": "Kantu's table"},
    "costs.origin.operator": {"zh": "本站设置", "en": "set by this site"},
    "costs.origin.visitor": {"zh": "你填写的", "en": "your own"},
    "costs.edit_price": {"zh": "修改价格", "en": "Edit price"},
    "costs.edit_help": {
        "zh": "只改变你看到的费用；本站的用量限制始终按站点价格计算。",
        "en": "This changes only the costs you see; the site's limits always use its own prices.",
    },
    "costs.input_per_m": {
        "zh": "输入，每百万 tokens（{currency}）",
        "en": "Input per million tokens ({currency})",
    },
    "costs.output_per_m": {
        "zh": "输出，每百万 tokens（{currency}）",
        "en": "Output per million tokens ({currency})",
    },
    "costs.save_price": {"zh": "保存", "en": "Save"},
    "costs.reset_price": {"zh": "恢复默认价格", "en": "Back to the default price"},
    "costs.confirm_above": {
        "zh": "超过多少（{sign}）时发送前先确认",
        "en": "Ask before sending above ({sign})",
    },
    "costs.confirm_tokens": {
        "zh": "超过多少 tokens 时发送前先确认",
        "en": "Ask before sending above (tokens)",
    },
    "costs.confirm_help": {
        "zh": "附件在发送时才交给 Kantu：估算超过这个数时，消息会先停下来给你看费用，确认后才发送。"
        "只对少见的大消息起作用（几张照片的普通提问远低于默认值）；设为 0 表示每条消息都先确认。",
        "en": "Attachments reach Kantu only when you send: a message estimated above this waits "
        "with its cost shown until you confirm. Only unusually large messages wait (a question "
        "with a few photos is far below the default); 0 means every message waits.",
    },
    "costs.next": {"zh": "下一条消息：{line}", "en": "Next message: {line}"},
    "costs.held_title": {"zh": "发送前确认费用", "en": "Confirm the cost before sending"},
    "costs.above_limit": {"zh": "超过你的 {limit} 上限", "en": "above your {limit} limit"},
    "costs.tokens_limit": {"zh": "{tokens} tokens", "en": "{tokens}-token"},
    "costs.change_limit": {"zh": "修改", "en": "change"},
}
