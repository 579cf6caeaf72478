"""Error messages by kind, and the action each error leads to."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("error", "action", "key_help")

MESSAGES: dict[str, dict[Lang, str]] = {
    # Error messages by kind: short, and each says what to do next.
    "error.auth": {
        "zh": "API 密钥错误或已过期。请检查密钥，或获取新的密钥后重试。",
        "en": "The API key is wrong or has expired. Check it, or get a new key, then try again.",
    },
    "error.quota": {
        "zh": "额度不足：账户余额或配额已用完。请充值后继续使用。",
        "en": "Quota exhausted: the account's balance or quota is used up. Top up, then retry.",
    },
    "error.content_filter": {
        "zh": "服务商的内容安全检查拒绝了这个问题。请修改问题或换一张图片后重试。",
        "en": "The provider's content-safety check refused this request. Rephrase the question "
        "or use another picture.",
    },
    "error.invalid_input": {
        "zh": "服务商拒绝了这个请求（内容不合法或格式不被接受）。请修改问题后重试。",
        "en": "The provider rejected the request as invalid. Change the question and try again.",
    },
    "error.rate_limited": {
        "zh": "请求太频繁，服务商暂时限流。请稍等片刻再试。",
        "en": "Too many requests: the provider is rate-limiting. Wait a moment and try again.",
    },
    "error.model_not_found": {
        "zh": "服务商不认识模型 “{model}”。请在侧边栏换一个支持图片的模型。",
        "en": "The provider does not know the model “{model}”. Pick a vision model in the sidebar.",
    },
    "error.too_large": {
        "zh": "图片太大，超过了服务商的限制。请减少图片数量，或把清晰度调到“低”。",
        "en": "The images are larger than the provider accepts. Send fewer images, or set the "
        "detail to “low”.",
    },
    "error.server": {
        "zh": "服务商暂时出错（服务器或网关故障）。请稍后重试。",
        "en": "The provider had a server or gateway error. Try again in a little while.",
    },
    "error.network": {
        "zh": "无法连接到服务商。请检查网络和接口地址（Base URL）。",
        "en": "Could not reach the provider. Check the network and the base URL.",
    },
    "error.timeout": {
        "zh": "服务商太久没有响应。请稍后重试，或在设置中调大超时时间。",
        "en": "The provider took too long to respond. Try again, or raise the timeout.",
    },
    "error.interrupted": {
        "zh": "回答在中途被打断，已保留收到的部分。可以点“重试”重新提问。",
        "en": "The answer was cut off; the part that arrived is kept. You can retry.",
    },
    "error.protocol": {
        "zh": "服务商返回了无法识别的内容。请检查接口地址是否是 OpenAI 兼容的 /v1 地址。",
        "en": "The provider sent a reply Kantu cannot read. Check that the base URL is an "
        "OpenAI-compatible /v1 address.",
    },
    "error.unknown": {
        "zh": "出现了意外错误，已保留你的问题和图片，请重试。",
        "en": "Something unexpected went wrong; your question and pictures are kept. Try again.",
    },
    "error.provider_said": {
        "zh": "服务商原话：{detail}",
        "en": "The provider said: {detail}",
    },
    # Refusals before sending (components/providers/send_limits.py): each gives the numbers.
    "error.too_many_images": {
        "zh": "这条消息有 {count} 张图片，每条消息最多发送 {cap} 张。请少选几张，或分几条消息发送。",
        "en": "This message has {count} pictures; Kantu sends at most {cap} per message. Send "
        "fewer, or spread them over several messages.",
    },
    "error.image_too_big_to_send": {
        "zh": "图片 {name} 编码后（base64）有 {size_mb} MB，超过服务商每张 {limit_mb} MB 的上限。"
        "请把清晰度调到“低”，或换一张小一些的图片。",
        "en": "Picture {name} is {size_mb} MB as sent (base64), over the provider's {limit_mb} MB "
        "per picture. Set the detail to “low”, or use a smaller picture.",
    },
    "error.request_too_big_to_send": {
        "zh": "这次请求中的 {count} 张图片（之前对话里的图片每次提问都会重新发送）编码后共 "
        "{size_mb} MB，超过服务商每次请求 {limit_mb} MB 的上限。请少发几张图片，或开始新对话。",
        "en": "The {count} {count:picture|pictures} in this request (earlier ones in the chat are sent again with "
        "every question) come to {size_mb} MB as sent (base64), over the provider's {limit_mb} MB "
        "per request. Send fewer pictures, or start a new chat.",
    },
    "error.context_too_long": {
        "zh": "这次请求估计需要约 {tokens} tokens（图片 {image_tokens}，文字 {text_tokens}，"
        "回答预留 {answer_tokens}），超过模型 {model} 的上下文 {context} tokens。"
        "请把清晰度调到“低”、少发几张图片，或开始新对话。",
        "en": "This request needs about {tokens} tokens (pictures {image_tokens}, text "
        "{text_tokens}, answer {answer_tokens}), more than {model}'s context of {context} tokens. "
        "Set the detail to “low”, send fewer pictures, or start a new chat.",
    },
    "error.blocked_address": {
        "zh": "{host} 解析到本机或内网地址。此站点为公开部署，不会连接这类地址。请使用公网上的接口地址；"
        "如果这是你自己运行的 Kantu，可设置 KANTU_HOSTED=false。",
        "en": "{host} leads to a local or private network address, which this publicly hosted "
        "site does not connect to. Use a public base URL; if you run Kantu yourself, set "
        "KANTU_HOSTED=false.",
    },
    "error.redirect": {
        "zh": "服务器要求跳转到 {location_host}，Kantu 不会跟随跳转。请确认接口地址；"
        "如果跳转目标可信，请直接填写它的地址。",
        "en": "The server redirected to {location_host}; Kantu never follows redirects. Check the "
        "base URL; if that server is the right one, enter its address directly.",
    },
    # Stream caps (components.providers.reader): a hostile or broken upstream's endless answer.
    "error.oversized": {
        "zh": "服务商返回的内容超出了 Kantu 能读取的大小，已停止读取并保留收到的部分。"
        "请重试，或请模型回答得简短一些。",
        "en": "The provider sent more than Kantu will read, so reading stopped; the part that "
        "arrived is kept. Try again, or ask for a shorter answer.",
    },
    "error.ocr_unavailable": {
        "zh": "本地文字识别在此不可用：{reason}。请选择其他服务商。",
        "en": "Local text reading is not available here: {reason}. Pick another provider.",
    },
    "error.ocr_failed": {
        "zh": "这张图片无法识别文字（无法解码或像素过多）。",
        "en": "The text in this picture could not be read (undecodable or too many pixels).",
    },
    # Errors that lead somewhere (components/ui/chat.py): each kind's main action, the site's refused
    # key, the custom provider's key help, and refused files.
    "error.operator_key_refused": {
        "zh": "服务商拒绝了本站配置的密钥（不是你的密钥）。你可以在侧边栏填写自己的密钥继续使用。",
        "en": "The provider refused this site's configured key (not a key of yours). You can "
        "enter your own key in the sidebar to carry on.",
    },
    "action.enter_key": {"zh": "填写密钥", "en": "Enter a key"},
    "action.top_up": {"zh": "去 {provider} 充值", "en": "Top up at {provider}"},
    "action.pick_model": {"zh": "换一个模型", "en": "Pick another model"},
    "action.rephrase": {"zh": "修改问题", "en": "Rephrase"},
    "action.send_fewer": {"zh": "少发几张再问", "en": "Ask again with fewer pictures"},
    "action.fix_settings": {"zh": "检查设置", "en": "Check the settings"},
    "action.enter_code": {"zh": "输入访问码", "en": "Enter the access code"},
    "key_help.custom": {
        "zh": "密钥来自接口地址背后的服务：通常在该服务控制台的“API 密钥”或“令牌”页面创建"
        "（例如 one-api / new-api 中转站的“令牌”页，OpenAI 的 platform.openai.com/api-keys）。"
        "自己部署的服务（vLLM、LM Studio、Ollama）使用启动时设定的密钥（如 vLLM 的 --api-key），"
        "没有设定就留空。",
        "en": "The key comes from the service behind the base URL: usually created on an "
        "“API keys” or “Tokens” page of its console (for example a one-api / new-api reseller's "
        "Tokens page, or OpenAI's platform.openai.com/api-keys). A server you run yourself "
        "(vLLM, LM Studio, Ollama) takes the key it was started with (vLLM's --api-key), or "
        "none: then leave the field empty.",
    },
    "error.ocr_refused.busy": {
        "zh": "本地文字识别还在读你上一条消息里的图片：请等它读完（或点“停止”）再发送。",
        "en": "The local text reader is still reading the pictures of your previous message: "
        "wait until it is done (or press Stop), then send again.",
    },
    "error.ocr_refused.too_many": {
        "zh": "这条消息有 {slices} 张图片/切片，本地文字识别每小时最多读 {limit} 张：请少发一些，"
        "或减少切片数（侧边栏“高级选项”）。",
        "en": "This message has {slices} pictures or slices; the local text reader takes at most "
        "{limit} an hour: send fewer, or lower the slice count (sidebar, Advanced).",
    },
    "error.ocr_refused.hourly": {
        "zh": "这一小时内本地文字识别可读的图片（{limit} 张/切片）已用完：约 {minutes} 分钟后再试，"
        "或在侧边栏填写密钥，改用能看懂图片的模型。",
        "en": "You have used this hour's local text reading ({limit} pictures or slices): try "
        "again in about {minutes} min, or enter a key in the sidebar to use a model that can see.",
    },
}
