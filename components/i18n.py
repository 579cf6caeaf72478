"""The one translation table: every UI string and every error message, in Chinese and English.

``t(key, lang, **fmt)`` looks a key up and fills ``{placeholders}``; a placeholder with no value
stays as written rather than raising, so a missing fact never breaks an error message.
"""

from __future__ import annotations

import string
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

SUPPORTED_IMAGES = "JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF, MPO"
SUPPORTED_IMAGES_ZH = SUPPORTED_IMAGES.replace(", ", "、")  # a Chinese list takes 、

# Error messages by kind: short, and each says what to do next.
_ERRORS: dict[str, dict[str, str]] = {
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
}

# Image refusals: each names the file and says what is accepted.
_IMAGES: dict[str, dict[str, str]] = {
    "image.unreadable": {
        "zh": "{name}：无法读取文件（{why}）。",
        "en": "{name}: the file cannot be read ({why}).",
    },
    "image.empty": {
        "zh": "{name}：文件是空的。支持的格式：" + SUPPORTED_IMAGES_ZH + "。",
        "en": "{name}: the file is empty. Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.not_image": {
        "zh": "{name}：不是可识别的图片。支持的格式：" + SUPPORTED_IMAGES_ZH + "。",
        "en": "{name}: not a recognised image. Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.unsupported_format": {
        "zh": "{name}：不支持 {format} 文件，请先导出为图片。支持的格式："
        + SUPPORTED_IMAGES_ZH
        + "。",
        "en": "{name}: {format} files are not supported; export it as a picture first. "
        "Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.too_many_bytes": {
        "zh": "{name}：文件 {size_mb} MB，超过上限 {limit_mb} MB。请压缩或换一张。",
        "en": "{name}: the file is {size_mb} MB, over the {limit_mb} MB limit. "
        "Compress it or use another.",
    },
    "image.too_many_pixels": {
        "zh": "{name}：{width}×{height} 像素（{megapixels} MP），超过 {format} 的上限 "
        "{limit_mp} MP。请缩小后再发送。",
        "en": "{name}: {width}×{height} pixels ({megapixels} MP) is over the {limit_mp} MP "
        "limit for {format}. Scale it down and send it again.",
    },
    "image.too_many_pixels_claimed": {
        "zh": "{name}：文件声称有 {megapixels} MP 像素，超过 {format} 的上限 {limit_mp} MP；"
        "它可能已损坏或被恶意构造，已拒绝。",
        "en": "{name}: the file claims {megapixels} MP, over the {limit_mp} MP limit for "
        "{format}; it is refused as damaged or hostile.",
    },
    "image.corrupt": {
        "zh": "{name}：图片已损坏，无法解码。请重新导出或换一张。",
        "en": "{name}: the image is damaged and cannot be decoded. Re-export it or use another.",
    },
}

_CONFIG: dict[str, dict[str, str]] = {
    "config.no_key": {
        "zh": "还没有 API 密钥。请在侧边栏填写密钥（{provider}）。",
        "en": "No API key yet. Enter one in the sidebar ({provider}).",
    },
    "config.bad_base_url": {
        "zh": "接口地址无效：需要以 http:// 或 https:// 开头。",
        "en": "The base URL is not valid: it must start with http:// or https://.",
    },
    "config.operator_key_withheld": {
        "zh": "接口地址已更改：站点配置的密钥只会发送到站点配置的地址。请填写你自己的密钥。",
        "en": "The base URL was changed: the site's configured key is only sent to the site's "
        "configured address. Enter your own key.",
    },
    "config.operator_key_unpaired": {
        "zh": "站点配置的密钥（{variable}）没有被使用：设置了它却没有设置 {url}，同时又设置了 {other}，"
        "无法确定这个密钥属于哪个服务器，所以它不会被发送到任何地址。运营者：请把 {url} "
        "设为该密钥所属的地址（或删除 {other}）。在此之前，请填写你自己的密钥。",
        "en": "The site's configured key ({variable}) is not used: it is set without {url} while "
        "{other} is set, so which server it belongs to is unknown and it is sent nowhere. "
        "Operator: set {url} to that key's server (or remove {other}). Until then, enter your "
        "own key.",
    },
}

_UI: dict[str, dict[str, str]] = {
    "app.title": {"zh": "Kantu 看图", "en": "Kantu 看图"},
    "nav.chat": {"zh": "对话", "en": "Chat"},
    "sidebar.language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "sidebar.settings": {"zh": "设置", "en": "Settings"},
    "sidebar.provider": {"zh": "服务商", "en": "Provider"},
    "sidebar.model": {"zh": "模型", "en": "Model"},
    "sidebar.model_help": {
        "zh": "可从建议中选择，也可直接输入模型名称。",
        "en": "Pick a suggestion or type any model name.",
    },
    "sidebar.api_key": {"zh": "API 密钥", "en": "API key"},
    "sidebar.api_key_help": {
        "zh": "只保存在本次浏览器会话中，不会显示、记录或导出。",
        "en": "Kept only in this browser session; never shown, logged or exported.",
    },
    "sidebar.using_configured_key": {
        "zh": "正在使用站点配置的密钥（不会显示）。填写上面的输入框可改用你自己的密钥。",
        "en": "Using the configured key (never shown). Fill in the field above to use your own.",
    },
    "sidebar.no_key_needed": {
        "zh": "这个服务商不需要密钥。",
        "en": "This provider needs no key.",
    },
    "sidebar.base_url": {"zh": "接口地址（Base URL）", "en": "Base URL"},
    "sidebar.base_url_help": {
        "zh": "OpenAI 兼容接口的地址，通常以 /v1 结尾。",
        "en": "The OpenAI-compatible address, usually ending in /v1.",
    },
    "sidebar.detail": {"zh": "图片清晰度", "en": "Image detail"},
    "sidebar.detail_help": {
        "zh": "低：缩到 512 像素内，最省 token；自动：与服务商自己的缩放一致，清晰度不变、体积最小；"
        "高：同样大小并要求高清识别；最大：最长边 2048，适合 Qwen-VL 等用更多像素的模型。",
        "en": "Low: fits 512 px, fewest tokens. Auto: exactly what the provider would downscale to, "
        "so quality is unchanged and uploads are small. High: same size, high-detail reading. "
        "Max: up to 2048 px, for models that use more pixels (e.g. Qwen-VL).",
    },
    "detail.low": {"zh": "低", "en": "Low"},
    "detail.auto": {"zh": "自动", "en": "Auto"},
    "detail.high": {"zh": "高", "en": "High"},
    "detail.max": {"zh": "最大", "en": "Max"},
    "sidebar.advanced": {"zh": "高级选项", "en": "Advanced"},
    "sidebar.max_tokens": {"zh": "最多输出 token 数", "en": "Max output tokens"},
    "sidebar.temperature": {"zh": "温度（随机性）", "en": "Temperature"},
    "sidebar.read_timeout": {"zh": "等待回答的超时（秒）", "en": "Answer timeout (seconds)"},
    "sidebar.read_timeout_help": {
        "zh": "服务商多久没有任何回应就放弃（第一个字之前，以及两段之间）。",
        "en": "How long to wait for the provider before giving up (before the first words, "
        "and between parts of the answer).",
    },
    "sidebar.system_prompt": {"zh": "系统提示词", "en": "System prompt"},
    "sidebar.system_prompt_placeholder": {
        "zh": "例如：请用简体中文回答。",
        "en": "For example: answer in one paragraph.",
    },
    "sidebar.new_chat": {"zh": "新对话", "en": "New chat"},
    "chat.placeholder": {
        "zh": "问一个关于图片的问题…",
        "en": "Ask about a picture…",
    },
    "chat.default_question": {"zh": "这是什么图片？", "en": "What is in this picture?"},
    "chat.camera_toggle": {"zh": "📷 拍照", "en": "📷 Camera"},
    "chat.camera_label": {
        "zh": "拍一张照片，随下一条消息发送",
        "en": "Take a photo to send with your next message",
    },
    "chat.send_photo": {"zh": "直接发送这张照片", "en": "Send this photo now"},
    "chat.image_caption": {
        "zh": "{width}×{height} · 约 {tokens} tokens",
        "en": "{width}×{height} · ~{tokens} tokens",
    },
    "chat.retry": {"zh": "重试", "en": "Retry"},
    "chat.stop": {"zh": "停止", "en": "Stop"},
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
    "welcome.title": {"zh": "看图，问图。", "en": "Ask about any picture."},
    "welcome.body": {
        "zh": "把照片或截图拖进下面的输入框（也可以粘贴、点输入框左边的 ＋ 附加，或打开 📷 拍照），"
        "再问一个问题，回答会实时显示。",
        "en": "Drop photos or screenshots into the box below (or paste, attach with the + button, or "
        "turn on 📷 Camera), ask a question, and watch the answer stream in.",
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
}

# Refusals before sending (components/conversation/send_limits.py): each gives the numbers.
_SEND_LIMITS: dict[str, dict[str, str]] = {
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
        "en": "The {count} pictures in this request (earlier ones in the chat are sent again with "
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
}

_URLGUARD: dict[str, dict[str, str]] = {
    "config.base_url_characters": {
        "zh": "接口地址无效：含有空格、控制字符或反斜杠（\\），正常的接口地址不会有这些。请重新输入，"
        "例如 `https://api.example.com/v1`。",
        "en": "The base URL is not valid: it contains spaces, control characters or backslashes "
        "(\\), which no base URL has. Retype it, e.g. `https://api.example.com/v1`.",
    },
    "config.base_url_userinfo": {
        "zh": "接口地址无效：不能包含用户名、密码或“@”。请只填写服务器地址，例如 "
        "`https://api.example.com/v1`；密钥请填在密钥输入框。",
        "en": "The base URL is not valid: it must not contain a user name, a password or '@'. "
        "Enter only the server address, e.g. `https://api.example.com/v1`; put the key in the key "
        "field.",
    },
    "config.base_url_query": {
        "zh": "接口地址无效：不能包含“?”或“#”（查询参数或片段）。请去掉“?”或“#”及其后的内容。",
        "en": "The base URL is not valid: it must not contain '?' or '#' (a query string or "
        "fragment). Remove them and what follows.",
    },
    "config.base_url_host": {
        "zh": "接口地址无效：服务器名称或 IP 地址不正确（例如含有“%”、全角字符，或写法特殊的数字地址）。"
        "请填写普通的域名或 IP 地址。",
        "en": "The base URL is not valid: its server name or IP address is not a plain one (for "
        "example it has '%', full-width characters or an unusual numeric form). Enter a normal "
        "domain name or IP address.",
    },
    "config.base_url_port": {
        "zh": "接口地址无效：端口必须是 1 到 65535 之间的数字。",
        "en": "The base URL is not valid: the port must be a number from 1 to 65535.",
    },
    "config.base_url_path": {
        "zh": "接口地址无效：路径中含有“.”/“..”段、编码过的分隔符或其他特殊字符。请填写服务商给出的地址，"
        "通常以 /v1 结尾。",
        "en": "The base URL is not valid: its path has '.' or '..' segments, encoded delimiters "
        "or other unusual characters. Enter the address your provider gives, usually ending in "
        "/v1.",
    },
    "config.bad_key": {
        "zh": "API 密钥无效：含有空格、换行、全角或其他非 ASCII 字符，无法发送。请从服务商页面重新复制密钥。",
        "en": "The API key cannot be used: it contains spaces, line breaks, full-width or other "
        "non-ASCII characters, which cannot be sent. Copy the key again from your provider.",
    },
    "config.bad_operator_key": {
        "zh": "站点配置的密钥（{name}）含有空格、换行或非 ASCII 字符，无法发送。请联系站点管理员修正；"
        "你也可以在侧边栏填写自己的密钥。",
        "en": "The site's configured key ({name}) contains spaces, line breaks or non-ASCII "
        "characters and cannot be sent. Ask the site's operator to fix it, or enter your own key "
        "in the sidebar.",
    },
    "config.private_address": {
        "zh": "此站点为公开部署，不会连接本机或内网地址（{host}）。请使用公网上的接口地址；"
        "如果这是你自己运行的 Kantu，可设置 KANTU_HOSTED=false。",
        "en": "This site is hosted publicly and does not connect to local or private network "
        "addresses ({host}). Use a public base URL; if you run Kantu yourself, set "
        "KANTU_HOSTED=false.",
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
}

# The exchange: an answer before its first word.
_EXCHANGE: dict[str, dict[str, str]] = {
    "chat.thinking": {"zh": "正在等待回答…", "en": "Waiting for the answer…"},
}

# Images refused by the bounds on one decode (components/images/budget.py).
_IMAGE_BOUNDS: dict[str, dict[str, str]] = {
    "image.too_much_memory": {
        "zh": "{name}：解码这张 {width}×{height} 的 {format} 图片（{mode} 模式）约需 {need_mb} MB "
        "内存，超过每张图片 {limit_mb} MB 的上限。请缩小尺寸或另存为普通 8 位 JPEG/PNG 后再发送。",
        "en": "{name}: decoding this {width}×{height} {format} picture ({mode} mode) would need "
        "about {need_mb} MB of memory, over the {limit_mb} MB allowed per picture. Scale it down "
        "or save it as an ordinary 8-bit JPEG/PNG, then send it again.",
    },
    "image.too_complex.jpeg_segments": {
        "zh": "{name}：JPEG 文件头含有超过 {limit} 个标记段，正常照片只有几十个；已作为损坏或恶意构造的文件拒绝。",
        "en": "{name}: the JPEG header has more than {limit} marker segments where a photo has a "
        "few dozen; it is refused as damaged or hostile.",
    },
    "image.too_complex.jpeg_filler": {
        "zh": "{name}：JPEG 文件头中夹杂超过 {limit} 字节的填充数据；已作为损坏或恶意构造的文件拒绝。",
        "en": "{name}: the JPEG header holds more than {limit} bytes of filler between its "
        "segments; it is refused as damaged or hostile.",
    },
    "image.too_complex.png_chunks": {
        "zh": "{name}：PNG 文件含有超过 {limit} 个数据块；已作为损坏或恶意构造的文件拒绝。",
        "en": "{name}: the PNG file has more than {limit} chunks; it is refused as damaged or "
        "hostile.",
    },
    "image.too_complex.gif_blocks": {
        "zh": "{name}：GIF 文件含有超过 {limit} 个数据块；已作为损坏或恶意构造的文件拒绝。",
        "en": "{name}: the GIF file has more than {limit} data blocks; it is refused as damaged "
        "or hostile.",
    },
    "image.too_complex.frames": {
        "zh": "{name}：{format} 文件含有超过 {limit} 帧；请只导出需要的那一帧后再发送。",
        "en": "{name}: the {format} file has more than {limit} frames; export the one frame you "
        "need and send it again.",
    },
    "image.too_complex.tiff_pages": {
        "zh": "{name}：TIFF 文件含有超过 {limit} 页；请只导出需要的那一页后再发送。",
        "en": "{name}: the TIFF file has more than {limit} pages; export the page you need and "
        "send it again.",
    },
    "image.too_complex.tiff_tags": {
        "zh": "{name}：TIFF 文件的第一页标签数据超过 {limit} 字节；已作为损坏或恶意构造的文件拒绝。",
        "en": "{name}: the TIFF file's first page has more than {limit} bytes of tag values; it "
        "is refused as damaged or hostile.",
    },
}

# Stream caps (components.providers.reader): a hostile or broken upstream's endless answer.
_STREAM: dict[str, dict[str, str]] = {
    "error.oversized": {
        "zh": "服务商返回的内容超出了 Kantu 能读取的大小，已停止读取并保留收到的部分。"
        "请重试，或请模型回答得简短一些。",
        "en": "The provider sent more than Kantu will read, so reading stopped; the part that "
        "arrived is kept. Try again, or ask for a shorter answer.",
    },
}

_SLICES: dict[str, dict[str, str]] = {
    "image.too_many_slices": {
        "zh": "{name}：切片需要 {count} 片（约 {tokens} token），超过上限 {cap} 片。"
        "请在侧边栏“高级”里调高切片上限，或先裁剪。",
        "en": "{name}: slicing needs {count} slices (~{tokens} tokens), over the cap of {cap}. "
        "Raise the slice cap (sidebar → Advanced) or crop it first.",
    },
    "detail.slices": {"zh": "切片", "en": "Slices"},
    "sidebar.detail_help_slices": {
        "zh": "切片：长截图按顺序切成互相重叠的几段，每段都以原清晰度发送（token 按段相加）。",
        "en": "Slices: a long screenshot is cut into overlapping parts, in order, each sent at "
        "full resolution (tokens add up per part).",
    },
    "sidebar.max_slices": {"zh": "切片上限", "en": "Slice cap"},
    "sidebar.max_slices_help": {
        "zh": "一张图最多切成几片；更长的图会先询问。",
        "en": "The most slices one picture is cut into; a longer one asks first.",
    },
    "sidebar.review": {
        "zh": "发送前先看看（切片、放大）",
        "en": "Look before sending (slices, zoom)",
    },
    "pending.title": {"zh": "发送前请确认", "en": "Before this is sent"},
    "pending.small_text": {
        "zh": "{name}：按原样发送为 {width}×{height}，文字只有约 {px} 像素高，模型很可能看不清。",
        "en": "{name}: sent as it is ({width}×{height}), its text would be about {px} px tall: "
        "too small for the model to read.",
    },
    "pending.long": {
        "zh": "{name}：{owidth}×{oheight} 的长图会被缩到 {width}×{height}，文字会看不清。",
        "en": "{name}: this {owidth}×{oheight} picture would be shrunk to {width}×{height}; "
        "its text would be unreadable.",
    },
    "pending.as_is": {
        "zh": "{name}：{width}×{height}，约 {tokens} token。",
        "en": "{name}: {width}×{height}, ~{tokens} tokens.",
    },
    "pending.slices_cost": {
        "zh": "切片：{count} 片，每片 {width}×{height} 原清晰度，共约 {tokens} token（原样约 {now}）。",
        "en": "Slices: {count} parts of {width}×{height} at full resolution, ~{tokens} tokens in "
        "all (as it is: ~{now}).",
    },
    "pending.send_slices": {"zh": "切片发送", "en": "Send as slices"},
    "pending.send_all_slices": {
        "zh": "全部 {count} 片发送（约 {tokens} token）",
        "en": "Send all {count} slices (~{tokens} tokens)",
    },
    "pending.send_as_is": {"zh": "原样发送", "en": "Send as it is"},
    "pending.send": {"zh": "发送", "en": "Send"},
    "pending.cancel": {"zh": "取消", "en": "Cancel"},
    "pending.zoom": {
        "zh": "放大一个区域（整图低清 + 区域高清）：",
        "en": "Zoom into a region (whole picture at low detail + the region at high):",
    },
    "pending.zone": {"zh": "区域 {row}-{col}", "en": "Zone {row}-{col}"},
    "chat.parts_sent": {"zh": "实际发送的 {count} 张", "en": "The {count} images sent"},
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
}

_OCR: dict[str, dict[str, str]] = {
    "error.ocr_unavailable": {
        "zh": "本地文字识别在此不可用：{reason}。请选择其他服务商。",
        "en": "Local text reading is not available here: {reason}. Pick another provider.",
    },
    "error.ocr_failed": {
        "zh": "这张图片无法识别文字（无法解码或像素过多）。",
        "en": "The text in this picture could not be read (undecodable or too many pixels).",
    },
    "error.ocr_refused": {
        "zh": "本地文字识别暂时不能处理这条消息。",
        "en": "The local text reader cannot take this message right now.",
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
    "ocr.answer_intro": {
        "zh": (
            "🔤 **本地文字识别（离线）**：这是文字识别器，不是视觉模型，只能读出图片中的文字，"
            "不能描述或分析图片。识别到的文字（灰色为置信度）："
        ),
        "en": (
            "🔤 **Local text reading (offline)**: this is a text reader, not a vision model. It "
            "reads out the text in your pictures; it cannot describe or reason about them. The "
            "text found (confidence in grey):"
        ),
    },
    "ocr.no_pictures": {
        "zh": "请发送一张含文字的图片，我会读出其中的文字。",
        "en": "Send a picture with text in it and the text will be read out.",
    },
    "ocr.no_text": {"zh": "（未找到文字）", "en": "(no text found)"},
    "ocr.picture_heading": {"zh": "图片 {number}：{name}", "en": "Picture {number}: {name}"},
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
    "sidebar.ocr_local": {
        "zh": "💻 在本服务器上识别，不需要密钥，图片不会发往任何地方。",
        "en": "💻 Read on this server: no key needed, the pictures go nowhere.",
    },
    "config.ocr_unavailable": {
        "zh": "本地文字识别在此不可用：{why}。请选择其他服务商。",
        "en": "Local text reading is not available here: {why}. Pick another provider.",
    },
    "ocr.text_of_picture": {
        "zh": "[图片 {number} 中识别出的文字（本地 OCR，非图片本身）]",
        "en": "[Text read from picture {number} by local OCR, not the picture itself]",
    },
    "sidebar.text_only": {
        "zh": "此模型看不到图片（在本地识别文字后发送文字）",
        "en": "This model cannot see pictures (read them locally, send their text)",
    },
    "sidebar.text_only_help": {
        "zh": "开启后，图片在本机识别为文字，只发送文字；模型无法看到图片本身。",
        "en": "When on, pictures are read here and only their text is sent; the model never sees the picture.",
    },
    "sidebar.text_only_suggested": {
        "zh": "该模型似乎拒绝了图片。可以开启“此模型看不到图片”，改为发送识别出的文字。",
        "en": "This model seems to refuse pictures. Turn on “This model cannot see pictures” to send their text instead.",
    },
    "chat.sent_as_text": {
        "zh": "🔤 图片以识别出的文字发送（此模型看不到图片）",
        "en": "🔤 Pictures sent as their read text (this model cannot see pictures)",
    },
}

# Errors that lead somewhere (components/ui/chat.py): each kind's main action, the site's refused
# key, the custom provider's key help, and refused files.
_ERROR_ACTIONS: dict[str, dict[str, str]] = {
    "error.operator_key_refused": {
        "zh": "服务商拒绝了本站配置的密钥（不是你的密钥）。你可以在侧边栏填写自己的密钥继续使用。",
        "en": "The provider refused this site's configured key (not a key of yours). You can "
        "enter your own key in the sidebar to carry on.",
    },
    "action.enter_key": {"zh": "填写密钥", "en": "Enter a key"},
    "action.enter_own_key": {"zh": "填写自己的密钥", "en": "Enter your own key"},
    "action.top_up": {"zh": "去 {provider} 充值", "en": "Top up at {provider}"},
    "action.pick_model": {"zh": "换一个模型", "en": "Pick another model"},
    "action.rephrase": {"zh": "修改问题", "en": "Rephrase"},
    "action.send_fewer": {"zh": "少发几张再问", "en": "Ask again with fewer pictures"},
    "action.fix_settings": {"zh": "检查设置", "en": "Check the settings"},
    "action.retry_after_fix": {"zh": "改好后重试", "en": "Retry after the change"},
    "action.rephrase_help": {
        "zh": "问题已放回输入框，修改后再发送。",
        "en": "Your question is back in the message box: change it, then send.",
    },
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
    "chat.refused_line": {"zh": "未发送——{reason}", "en": "Not sent — {reason}"},
    "chat.not_sent_restored": {
        "zh": "没有可以发送的图片，这条消息没有发出。你的文字已放回输入框，换一张图片后再发送。",
        "en": "No picture could be sent, so this message was not sent. Your text is back in the "
        "message box: attach another picture and send it again.",
    },
}

# Money: cost before sending and as billed, prices, calibration (components/costs)
_MONEY: dict[str, dict[str, str]] = {
    "money.before_sending": {"zh": "发送前估算 ≈ {cost}", "en": "≈ {cost} before sending"},
    "money.at_most": {
        "zh": "最多 {cost}（含最长回答）",
        "en": "at most {cost} with the longest answer",
    },
    "money.billed": {"zh": "实际计费 {cost}", "en": "billed {cost}"},
    "money.price_unknown": {"zh": "价格未知", "en": "price unknown"},
    "money.price_unconfirmed": {"zh": "价格未经核实", "en": "price not confirmed"},
    "money.free": {"zh": "免费（在本机运行）", "en": "free (runs on this machine)"},
    "money.estimate_tokens": {
        "zh": "约 {tokens} tokens（图片 {image_tokens}）",
        "en": "≈ {tokens} tokens ({image_tokens} for pictures)",
    },
    "money.approximate": {
        "zh": "估算：文字按字数近似，不认识的模型的图片规则是猜测",
        "en": "estimate: text is approximated from its length; an unknown model's picture rule "
        "is a guess",
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
    "config.bad_prices": {
        "zh": "价格设置（KANTU_PRICES）中“{entry}”无效：需要 input、output（每百万 tokens 的"
        "非负数）和 currency（CNY 或 USD）。",
        "en": "The price setting (KANTU_PRICES) for “{entry}” is not valid: it needs input and "
        "output (non-negative numbers per million tokens) and currency (CNY or USD).",
    },
    "config.bad_prices_text": {
        "zh": "价格设置（KANTU_PRICES）不是有效的 TOML，例如："
        '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }',
        "en": "The price setting (KANTU_PRICES) is not valid TOML; for example: "
        '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }',
    },
}


_CONTEXT: dict[str, dict[str, str]] = {
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
        "en": "Pictures of the last {n} questions",
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

_TRANSFER: dict[str, dict[str, str]] = {
    "transfer.too_big": {
        "zh": "这个文件有 {size_mb} MB，超过了可导入的上限 {limit_mb} MB。请导入 Kantu 导出的对话 JSON 文件。",
        "en": "This file is {size_mb} MB, over the {limit_mb} MB import limit. Import a "
        "conversation JSON file exported by Kantu.",
    },
    "transfer.not_json": {
        "zh": "这个文件不是 JSON 格式，无法导入。请选择 Kantu 导出的对话 JSON 文件（不是 Markdown 压缩包）。",
        "en": "This file is not JSON, so it cannot be imported. Choose a conversation JSON file "
        "exported by Kantu (not the Markdown .zip).",
    },
    "transfer.not_kantu": {
        "zh": "这个 JSON 文件不是 Kantu 导出的对话，无法导入。",
        "en": "This JSON file is not a conversation exported by Kantu, so it cannot be imported.",
    },
    "transfer.newer_version": {
        "zh": "这个对话由更新版本的 Kantu 导出（格式版本 {version}），请更新 Kantu 后再导入。",
        "en": "This conversation was exported by a newer Kantu (format version {version}). "
        "Update Kantu, then import it again.",
    },
    "transfer.malformed": {
        "zh": "这个对话文件已损坏或被修改过，无法导入。当前对话没有任何改动。",
        "en": "This conversation file is damaged or was edited, so it cannot be imported. "
        "Your current conversation is unchanged.",
    },
    "transfer.too_many": {
        "zh": "这个对话太大：最多可导入 {entries} 条消息和 {pictures} 张图片。当前对话没有任何改动。",
        "en": "This conversation is too large: at most {entries} messages and {pictures} "
        "pictures can be imported. Your current conversation is unchanged.",
    },
    "transfer.bad_picture": {
        "zh": "对话文件中的图片 {name} 已损坏或与记录不符，无法导入。当前对话没有任何改动。",
        "en": "Picture {name} in the conversation file is damaged or does not match its record, "
        "so the file cannot be imported. Your current conversation is unchanged.",
    },
    "transfer.md.title": {"zh": "Kantu 看图对话", "en": "Kantu conversation"},
    "transfer.md.user": {"zh": "你", "en": "You"},
    "transfer.md.assistant": {"zh": "模型", "en": "Model"},
    "transfer.md.picture": {"zh": "图片", "en": "picture"},
    "transfer.md.status.interrupted": {"zh": "（回答中断）", "en": "(answer cut short)"},
    "transfer.md.status.stopped": {"zh": "（已停止）", "en": "(stopped)"},
    "transfer.md.status.error": {"zh": "（出错）", "en": "(failed)"},
    "transfer.md.status.not_sent": {"zh": "（未发送）", "en": "(not sent)"},
    "transfer.export_json": {
        "zh": "下载 JSON（可导入）",
        "en": "Download JSON (importable)",
    },
    "transfer.export_markdown": {
        "zh": "下载 Markdown（含图片）",
        "en": "Download Markdown + pictures",
    },
    "transfer.import": {"zh": "导入对话（JSON）", "en": "Import a chat (JSON)"},
    "transfer.imported": {
        "zh": "已导入对话：{entries} 条消息，{pictures} 张图片。",
        "en": "Chat imported: {entries} messages, {pictures} pictures.",
    },
}


_PROBE: dict[str, dict[str, str]] = {
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
    "probe.warn_before_send": {
        "zh": "⚠️ 之前的测试显示 {model} 看不到图片，图片可能不会被读取。仍要发送吗？",
        "en": "⚠️ A check showed {model} cannot see pictures, so they may be ignored. Send anyway?",
    },
    "probe.failed": {
        "zh": "测试没有完成：{reason}",
        "en": "The check did not finish: {reason}",
    },
    "probe.test_connection": {"zh": "测试连接", "en": "Test connection"},
    "probe.refresh_models": {"zh": "刷新模型列表", "en": "Refresh model list"},
    "probe.connected": {
        "zh": "✅ 已连接：{count} 个模型（用时 {seconds} 秒）。",
        "en": "✅ Connected: {count} models ({seconds} s).",
    },
}

_WIRING: dict[str, dict[str, str]] = {
    # Money and tools on the chat page (components/ui/costs.py, conversation_tools.py)
    "costs.title": {"zh": "费用", "en": "Cost"},
    "gallery.token_rule": {"zh": "按“{rule}”规则", "en": "by the rule “{rule}”"},
    "costs.approximate": {"zh": "估算", "en": "approximate"},
    "costs.unpriced": {"zh": "{n} 条回答无法计价", "en": "{n} answers could not be priced"},
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
        "设为 0 表示每条消息都先确认。",
        "en": "Attachments reach Kantu only when you send: a message estimated above this waits "
        "with its cost shown until you confirm. 0 means every message waits.",
    },
    "costs.next": {"zh": "下一条消息：{line}", "en": "Next message: {line}"},
    "costs.held_title": {"zh": "发送前确认费用", "en": "Confirm the cost before sending"},
    "costs.held_body": {
        "zh": "这条消息估计超过你设定的 {threshold}：{line}",
        "en": "This message is estimated above your {threshold}: {line}",
    },
    "costs.sent_estimate": {"zh": "发送前估计 {line}", "en": "estimated before sending: {line}"},
    "tools.title": {"zh": "对话", "en": "Conversation"},
    "tools.last_turns": {"zh": "最近几个问题", "en": "Number of recent questions"},
    "tools.testing": {"zh": "正在连接…", "en": "Connecting…"},
    # Streamlit's own uploader texts, replaced in Chinese (conversation_tools._uploader_style)
    "tools.upload": {"zh": "选择文件", "en": "Upload"},
    "tools.upload_limit": {"zh": "JSON 文件，最大 {mb} MB", "en": "JSON, up to {mb} MB"},
    "tools.blind_warning": {
        "zh": "检测显示 {model} 看不到图片，图片可能被忽略。仍要发送吗？",
        "en": "A check showed {model} cannot see pictures, so they may be ignored. Send anyway?",
    },
    "preset.label": {"zh": "常用问题", "en": "Prompt presets"},
    "preset.describe.label": {"zh": "描述图片", "en": "Describe"},
    "preset.describe.question": {
        "zh": "请详细描述这张图片的内容。",
        "en": "Describe this picture in detail.",
    },
    "preset.read_text.label": {"zh": "读出文字", "en": "Read all text"},
    "preset.read_text.question": {
        "zh": "请按阅读顺序逐字读出图片中的全部文字。",
        "en": "Read out all the text in this picture, word for word, in reading order.",
    },
    "preset.translate.label": {"zh": "翻译文字", "en": "Translate the text"},
    "preset.translate.question": {
        "zh": "请把图片中的文字翻译成中文，并保留原来的结构。",
        "en": "Translate the text in this picture into English, keeping its structure.",
    },
    "preset.explain.label": {"zh": "解释截图或报错", "en": "Explain a screenshot or error"},
    "preset.explain.question": {
        "zh": "这张截图里出了什么问题？请解释原因并给出解决办法。",
        "en": "What is wrong in this screenshot? Explain the cause and how to fix it.",
    },
    "preset.count.label": {"zh": "数一数", "en": "Count objects"},
    "preset.count.question": {
        "zh": "图片里有哪些物体？请分别数出每种有几个。",
        "en": "What objects are in this picture? Count how many there are of each.",
    },
    "preset.alt_text.label": {"zh": "写替代文字", "en": "Write alt text"},
    "preset.alt_text.question": {
        "zh": "请为这张图片写一段简洁的替代文字（alt text），供读屏软件使用。",
        "en": "Write concise alt text for this picture, for screen-reader users.",
    },
}


_CAMERA = {
    "camera.open": {"zh": "拍照", "en": "Camera"},
    "camera.close": {"zh": "收起相机", "en": "Close camera"},
    "camera.take": {"zh": "拍照", "en": "Take photo"},
    "camera.retake": {"zh": "重拍", "en": "Retake"},
    "camera.live": {"zh": "摄像头画面", "en": "Camera view"},
    "camera.starting": {
        "zh": "正在打开摄像头…如果浏览器询问，请允许使用摄像头。",
        "en": "Opening the camera… If your browser asks, allow it to use the camera.",
    },
    "camera.denied": {
        "zh": "无法使用摄像头：浏览器没有得到许可。请在地址栏的网站设置里允许摄像头，然后重新打开。",
        "en": "The camera is blocked: the browser was not allowed to use it. Allow the camera in "
        "the site settings (address bar), then open it again.",
    },
    "camera.none": {
        "zh": "没有找到摄像头。你也可以用输入框的 + 按钮上传照片。",
        "en": "No camera was found. You can still attach a photo with the + button of the input.",
    },
    "camera.busy": {
        "zh": "摄像头正被其他程序占用。关闭那个程序后再打开。",
        "en": "The camera is in use by another program. Close it, then open the camera again.",
    },
    "camera.unavailable": {
        "zh": "这个页面无法使用摄像头（需要 https 或本机地址）。请用输入框的 + 按钮上传照片。",
        "en": "The camera cannot be used on this page (it needs https or a local address). "
        "Attach a photo with the + button of the input instead.",
    },
    "camera.chip": {
        "zh": "{width}×{height} · 约 {tokens} tokens",
        "en": "{width}×{height} · ~{tokens} tokens",
    },
    "camera.chip_approx": {
        "zh": "{width}×{height} · 约 {tokens} tokens（估算）",
        "en": "{width}×{height} · ~{tokens} tokens (estimate)",
    },
    "camera.remove": {"zh": "✕ 移除", "en": "✕ Remove"},
    "camera.send": {"zh": "直接发送", "en": "Send photo"},
}

# Safe rendering and the quiet line under an answer (components/conversation/meta_text.py).
_SAFETY: dict[str, dict[str, str]] = {
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


# Acting on an answer or a question: copy, regenerate, edit, delete; the first answer's wait.
_ACTIONS: dict[str, dict[str, str]] = {
    "actions.copy": {"zh": "复制", "en": "Copy"},
    "actions.copy_help": {
        "zh": "复制这条回答（Markdown 格式）",
        "en": "Copy this answer (as Markdown)",
    },
    "actions.copied": {"zh": "已复制", "en": "Copied"},
    "actions.copy_failed": {
        "zh": "无法复制：浏览器不允许访问剪贴板",
        "en": "Could not copy: the browser blocked the clipboard",
    },
    "actions.regenerate": {"zh": "重新生成", "en": "Regenerate"},
    "actions.regenerate_help": {
        "zh": "丢弃这条回答，把同样的问题再问一次",
        "en": "Drop this answer and ask the same question again",
    },
    "actions.edit": {"zh": "编辑", "en": "Edit"},
    "actions.edit_help": {
        "zh": "在输入框里修改这个问题；发送后替换它和它的回答，图片一起重新发送",
        "en": "Change this question in the message box; sending it replaces the question and "
        "its answer, and its pictures go again",
    },
    "actions.delete": {"zh": "删除", "en": "Delete"},
    "actions.delete_question_help": {
        "zh": "删除这个问题和它的回答",
        "en": "Delete this question and its answer",
    },
    "actions.delete_answer_help": {"zh": "删除这条回答", "en": "Delete this answer"},
    "actions.editing": {
        "zh": "正在编辑上一个问题：修改后发送，将替换原来的问题和回答，图片会一起重新发送。",
        "en": "Editing your last question: send it to replace the question and its answer; its "
        "pictures go again.",
    },
    "actions.cancel_edit": {"zh": "取消编辑", "en": "Cancel editing"},
}


_GALLERY: dict[str, dict[str, str]] = {
    "gallery.view": {"zh": "放大查看", "en": "View large"},
    "gallery.view_title": {"zh": "发送的图片", "en": "The picture as sent"},
    "gallery.picture": {"zh": "图片", "en": "Picture"},
    "gallery.alt": {
        "zh": "{subject}（发送的图片，{width}×{height}）",
        "en": "{subject} (picture sent, {width}×{height})",
    },
    "gallery.cropped": {"zh": "只显示顶部（已裁剪）", "en": "top only (cropped)"},
    "gallery.cropped_short": {"zh": "仅顶部", "en": "top only"},
    "gallery.approximate": {"zh": "估算", "en": "approximate"},
    "gallery.overview_note": {
        "zh": "这是预览图；实际发送的是下面的几张。",
        "en": "This overview is only shown; the images below are what was sent.",
    },
    "gallery.fact_original": {"zh": "原图", "en": "Original"},
    "gallery.fact_sent": {"zh": "发送", "en": "Sent"},
    "gallery.fact_detail": {"zh": "细节", "en": "Detail"},
    "gallery.fact_tokens": {"zh": "Token 估算", "en": "Token estimate"},
    "gallery.fact_rotated": {"zh": "已按拍摄方向摆正", "en": "Turned upright"},
    "gallery.fact_metadata": {
        "zh": "已移除元数据（EXIF 等）",
        "en": "Metadata removed (EXIF etc.)",
    },
    "gallery.fact_frames": {"zh": "丢弃的帧", "en": "Frames dropped"},
    "gallery.fact_truncated": {"zh": "文件", "en": "File"},
    "gallery.sent_parts": {"zh": "{count} 张 · 共 {size}", "en": "{count} images · {size} in all"},
    "gallery.tokens": {"zh": "约 {tokens} token", "en": "≈ {tokens} tokens"},
    "gallery.tokens_approximate": {
        "zh": "估算：没有这个模型确切的计费规则",
        "en": "approximate: Kantu does not know this model's exact rule",
    },
    "gallery.frames_dropped": {
        "zh": "{dropped} 帧（共 {frames} 帧，只发送第 1 帧）",
        "en": "{dropped} (of {frames}; only the first is sent)",
    },
    "gallery.yes": {"zh": "是", "en": "yes"},
    "gallery.no": {"zh": "否", "en": "no"},
    "gallery.kb": {"zh": "{size} KB", "en": "{size} KB"},
    "gallery.mb": {"zh": "{size} MB", "en": "{size} MB"},
}

_LAYOUT: dict[str, dict[str, str]] = {
    "layout.heading": {
        "zh": "Kantu 看图 · 问问你的图片",
        "en": "Kantu 看图 · Ask about any picture",
    },
    "layout.operator_key_refused": {
        "zh": "服务商拒绝了本站配置的密钥。你可以在上面填写自己的密钥。",
        "en": "The provider refused this site's key. You can enter your own key above.",
    },
}


# The Compare page: one question, the same pictures, 2–4 models side by side (ui/compare.py)
_COMPARE: dict[str, dict[str, str]] = {
    "nav.compare": {"zh": "对比", "en": "Compare"},
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


_HOSTING: dict[str, dict[str, str]] = {
    "nav.admin": {"zh": "运营者", "en": "Operator"},
    "hosting.access_code": {"zh": "访问码", "en": "Access code"},
    "hosting.code_hint": {
        "zh": "本站的密钥需要访问码：请向分享链接的人索取。也可以在侧边栏填入你自己的 API 密钥。",
        "en": "This site's key needs an access code: ask whoever shared the link. Or enter your "
        "own API key in the sidebar.",
    },
    "hosting.unlock": {"zh": "确认", "en": "Unlock"},
    "hosting.unlocked": {"zh": "访问码正确，可以提问了。", "en": "Access code accepted."},
    "hosting.wrong_code": {"zh": "访问码不正确。", "en": "That access code is not right."},
    "hosting.try_again_in": {
        "zh": "尝试次数过多，请 {seconds} 秒后再试。",
        "en": "Too many wrong tries: try again in {seconds} s.",
    },
    "hosting.sign_in_hint": {
        "zh": "请先登录才能使用本站的密钥，或在侧边栏填入你自己的 API 密钥。",
        "en": "Sign in to use this site's key, or enter your own API key in the sidebar.",
    },
    "hosting.sign_in": {"zh": "登录", "en": "Sign in"},
    "hosting.signed_in_as": {"zh": "已登录：{email}", "en": "Signed in as {email}"},
    "config.access_code_required": {
        "zh": "本站的密钥需要访问码：请在页面顶部输入访问码后重试，或在侧边栏填入你自己的 API 密钥。",
        "en": "This site's key needs an access code: enter it at the top of the page and "
        "retry, or enter your own API key in the sidebar.",
    },
    "config.sign_in_required": {
        "zh": "请先登录（页面顶部）才能使用本站的密钥，或在侧边栏填入你自己的 API 密钥。",
        "en": "Sign in (at the top of the page) to use this site's key, or enter your own API "
        "key in the sidebar.",
    },
    "config.user_not_allowed": {
        "zh": "你登录的账号不在本站的允许名单上。请换一个账号，或填入你自己的 API 密钥。",
        "en": "The account you signed in with is not on this site's list. Use another account, "
        "or enter your own API key.",
    },
    "config.visitor_keys_off": {
        "zh": "本站不接受访客自己的 API 密钥。请清空侧边栏的密钥栏，使用本站的密钥。",
        "en": "This site does not take visitors' own API keys. Clear the key field in the "
        "sidebar to use the site's key.",
    },
    "config.model_not_allowed": {
        "zh": "本站的密钥不能用于这个模型。可用的模型：{models}。请在侧边栏换一个模型。",
        "en": "This site's key cannot be used with this model. Allowed: {models}. Pick one of "
        "them in the sidebar.",
    },
    "config.limit_daily_requests": {
        "zh": "本站今天的提问次数已用完（每天 {limit} 次）。将于 {resets}（约 {minutes} 分钟后）"
        "重置；也可以填入你自己的 API 密钥继续。",
        "en": "This site's questions for today are used up ({limit} a day). They reset at "
        "{resets} (in about {minutes} min); or enter your own API key to go on.",
    },
    "config.limit_daily_cost": {
        "zh": "本站今天的费用额度已用完（每天 {limit}）。将于 {resets}（约 {minutes} 分钟后）重置；"
        "也可以填入你自己的 API 密钥继续。",
        "en": "This site's spending for today is used up ({limit} a day). It resets at {resets} "
        "(in about {minutes} min); or enter your own API key to go on.",
    },
    "config.limit_visitor_hour_requests": {
        "zh": "你这一小时的提问次数已达上限（每小时 {limit} 次）。{resets}（约 {minutes} 分钟后）"
        "可以再问。",
        "en": "You have reached this hour's limit ({limit} questions an hour). You can ask again "
        "at {resets} (in about {minutes} min).",
    },
    "config.limit_visitor_hour_cost": {
        "zh": "你这一小时的费用已达上限（每小时 {limit}）。{resets}（约 {minutes} 分钟后）可以再问。",
        "en": "You have reached this hour's spending limit ({limit} an hour). You can ask again "
        "at {resets} (in about {minutes} min).",
    },
    "config.limit_session_requests": {
        "zh": "这次会话的提问次数已达上限（{limit} 次），在本次会话内不会重置。"
        "请稍后新开会话，或填入你自己的 API 密钥。",
        "en": "This session has used its {limit} questions; the count does not reset within the "
        "session. Come back later in a new session, or enter your own API key.",
    },
    "config.limit_session_cost": {
        "zh": "这次会话的费用已达上限（{limit}），在本次会话内不会重置。"
        "请稍后新开会话，或填入你自己的 API 密钥。",
        "en": "This session has spent its {limit}; the count does not reset within the session. "
        "Come back later in a new session, or enter your own API key.",
    },
    "config.limits_broken": {
        "zh": "本站的用量限制设置有误，密钥暂停使用。请告知运营者（KANTU_LIMITS），或填入你自己的 API 密钥。",
        "en": "This site's usage limits are misconfigured, so its key is paused. Tell the "
        "operator (KANTU_LIMITS), or enter your own API key.",
    },
    "config.ledger_unavailable": {
        "zh": "本站的用量记录暂时无法写入，密钥暂停使用。请稍后重试，或填入你自己的 API 密钥。",
        "en": "This site's usage ledger cannot be written just now, so its key is paused. Retry "
        "later, or enter your own API key.",
    },
    "admin.title": {"zh": "运营者页面：用量与费用", "en": "Operator page: usage and spend"},
    "admin.code_label": {"zh": "运营者口令", "en": "Operator code"},
    "admin.closed": {
        "zh": "此页面未开放：请在 secrets 中设置 KANTU_ADMIN_CODE（或 KANTU_ADMIN_USERS 并配置登录）。",
        "en": "This page is closed: set KANTU_ADMIN_CODE in the secrets (or KANTU_ADMIN_USERS "
        "with sign-in configured).",
    },
    "admin.sign_in": {
        "zh": "请用运营者账号登录后查看。",
        "en": "Sign in with an operator's account to see this page.",
    },
    "admin.empty": {
        "zh": "账本里还没有记录：用本站密钥提出的问题会出现在这里。",
        "en": "The ledger has no rows yet: questions asked with this site's key appear here.",
    },
    "admin.requests_today": {"zh": "今天的请求", "en": "Requests today"},
    "admin.spend_today": {"zh": "今天的费用（估算）", "en": "Spend today (estimated)"},
    "admin.requests_30d": {"zh": "30 天内的请求", "en": "Requests, 30 days"},
    "admin.spend_per_day": {"zh": "每天的费用", "en": "Spend per day"},
    "admin.spend_per_model": {"zh": "各模型的费用", "en": "Spend per model"},
    "admin.by_outcome": {"zh": "请求结果", "en": "Requests by outcome"},
    "admin.top_sessions": {
        "zh": "费用最高的会话（匿名编号）",
        "en": "Top sessions by cost (anonymous ids)",
    },
    "admin.limits": {"zh": "当前限制", "en": "Current limits"},
    "admin.no_limits": {
        "zh": "未设置任何限制（KANTU_LIMITS）。",
        "en": "No limits set (KANTU_LIMITS).",
    },
    "admin.limits_broken": {
        "zh": "KANTU_LIMITS 无法读取：本站密钥已暂停。",
        "en": "KANTU_LIMITS cannot be read: the site's key is paused.",
    },
    "admin.allowed_models": {"zh": "允许的模型", "en": "Allowed models"},
    "admin.csv": {"zh": "导出账本（CSV）", "en": "Export the ledger (CSV)"},
    "admin.ledger_error": {
        "zh": "无法读取账本，请检查 KANTU_LEDGER_PATH 或数据库连接。",
        "en": "The ledger cannot be read: check KANTU_LEDGER_PATH or the database connection.",
    },
    "admin.col_session": {"zh": "会话", "en": "Session"},
    "admin.col_requests": {"zh": "请求", "en": "Requests"},
    "admin.col_cost": {"zh": "费用", "en": "Cost"},
    "admin.col_limit": {"zh": "限制", "en": "Limit"},
    "admin.col_value": {"zh": "值", "en": "Value"},
    "admin.limit.session_requests": {"zh": "每个会话的请求数", "en": "Requests per session"},
    "admin.limit.session_cost": {"zh": "每个会话的费用", "en": "Spend per session"},
    "admin.limit.visitor_hour_requests": {
        "zh": "每位访客每小时的请求数",
        "en": "Requests per visitor per hour",
    },
    "admin.limit.visitor_hour_cost": {
        "zh": "每位访客每小时的费用",
        "en": "Spend per visitor per hour",
    },
    "admin.limit.daily_requests": {"zh": "每天的请求总数", "en": "Requests per day (all)"},
    "admin.limit.daily_cost": {"zh": "每天的费用总额", "en": "Spend per day (all)"},
}

_BATCH: dict[str, dict[str, str]] = {
    "nav.batch": {"zh": "批量", "en": "Batch"},
    "batch.title": {"zh": "批量看图", "en": "Batch"},
    "batch.intro": {
        "zh": "一个问题问很多张图：上传图片或 .zip，选好问题，先看预计用量，再运行。",
        "en": "One prompt over many pictures: upload pictures or a .zip, choose the prompt, "
        "check the estimate, then run.",
    },
    "batch.upload": {"zh": "图片或 .zip", "en": "Pictures or a .zip"},
    "batch.preset": {"zh": "问题", "en": "Prompt"},
    "batch.preset.describe": {"zh": "描述图片", "en": "Describe"},
    "batch.preset.extract_text": {"zh": "提取全部文字", "en": "Extract all text"},
    "batch.preset.classify": {"zh": "按标签分类", "en": "Classify into labels"},
    "batch.preset.alt_text": {"zh": "替代文字（alt）", "en": "Alt text"},
    "batch.preset.own": {"zh": "自己写", "en": "Your own"},
    "batch.prompt.describe": {
        "zh": "用两三句话描述这张图片。",
        "en": "Describe this picture in two or three sentences.",
    },
    "batch.prompt.extract_text": {
        "zh": "逐字提取这张图片里的全部文字，保持原有的行序，不要解释。",
        "en": "Extract all the text in this picture word for word, keeping its line order. "
        "No commentary.",
    },
    "batch.prompt.classify": {
        "zh": "把这张图片归入下列标签之一：{labels}。只回答标签。",
        "en": "Classify this picture into exactly one of these labels: {labels}. Answer with "
        "the label only.",
    },
    "batch.prompt.alt_text": {
        "zh": "为这张图片写一句简洁的替代文字（alt），供读屏软件朗读，不超过 125 个字。",
        "en": "Write concise alt text for this picture for screen readers, at most 125 characters.",
    },
    "batch.labels": {"zh": "标签（用逗号分隔）", "en": "Labels (comma separated)"},
    "batch.prompt_text": {"zh": "问题内容", "en": "Prompt text"},
    "batch.columns": {
        "zh": "结构化列（可选，用逗号分隔，如：日期, 金额, 商家）",
        "en": "Columns (optional, comma separated, e.g. date, total, shop)",
    },
    "batch.columns_schema": {
        "zh": "这个服务商支持 JSON Schema：每张图都会按这些列返回。",
        "en": "This provider takes a JSON schema: every answer comes back in these columns.",
    },
    "batch.columns_prompt": {
        "zh": "这些列会写进问题里，回答会尽量解析成列；解析不了就保留原文。",
        "en": "The columns go into the prompt and answers are parsed into them; when one does "
        "not parse, its raw text is kept.",
    },
    "batch.concurrency": {"zh": "同时处理", "en": "At once"},
    "batch.run": {"zh": "运行", "en": "Run"},
    "batch.cancel": {"zh": "取消", "en": "Cancel"},
    "batch.retry_failed": {"zh": "重试失败的", "en": "Retry failed"},
    "batch.new": {"zh": "新批次", "en": "New batch"},
    "batch.preparing": {"zh": "正在准备图片…", "en": "Preparing the pictures…"},
    "batch.summary": {
        "zh": "{count} 张图片可以发送，预计提示词 {tokens} 个 token{money}。",
        "en": "{count} pictures to send, about {tokens} prompt tokens{money}.",
    },
    "batch.summary_money": {"zh": "，约 {money}", "en": ", about {money}"},
    "batch.summary_refused": {
        "zh": "{count} 个文件不会发送：",
        "en": "{count} files will not be sent:",
    },
    "batch.no_pictures": {
        "zh": "没有可以发送的图片。",
        "en": "There are no pictures to send.",
    },
    "batch.no_prompt": {"zh": "请先写好问题。", "en": "Write the prompt first."},
    "batch.progress": {
        "zh": "完成 {done} · 失败 {failed} · 剩余 {remaining}",
        "en": "Done {done} · failed {failed} · remaining {remaining}",
    },
    "batch.speed": {
        "zh": "{rate:.2f} 张/秒 · 还需约 {eta}",
        "en": "{rate:.2f} pictures/s · about {eta} left",
    },
    "batch.eta_unknown": {"zh": "—", "en": "—"},
    "batch.finished": {
        "zh": "批次结束：完成 {done}，失败 {failed}，取消 {cancelled}。",
        "en": "Batch finished: {done} done, {failed} failed, {cancelled} cancelled.",
    },
    "batch.download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "batch.download_jsonl": {"zh": "下载 JSONL", "en": "Download JSONL"},
    "batch.download_md": {"zh": "下载报告（Markdown）", "en": "Download report (Markdown)"},
    "batch.col.thumb": {"zh": "图", "en": "Picture"},
    "batch.col.file": {"zh": "文件", "en": "File"},
    "batch.col.answer": {"zh": "回答", "en": "Answer"},
    "batch.col.tokens": {"zh": "token", "en": "Tokens"},
    "batch.col.cost": {"zh": "费用", "en": "Cost"},
    "batch.col.seconds": {"zh": "秒", "en": "Seconds"},
    "batch.col.status": {"zh": "状态", "en": "Status"},
    "batch.status.queued": {"zh": "排队", "en": "queued"},
    "batch.status.running": {"zh": "进行中", "en": "running"},
    "batch.status.done": {"zh": "完成", "en": "done"},
    "batch.status.failed": {"zh": "失败", "en": "failed"},
    "batch.status.refused": {"zh": "未发送", "en": "refused"},
    "batch.status.cancelled": {"zh": "已取消", "en": "cancelled"},
    "batch.report.title": {"zh": "看图批量结果", "en": "Kantu batch results"},
    "batch.report.prompt": {"zh": "问题", "en": "Prompt"},
    "batch.report.model": {"zh": "模型", "en": "Model"},
    "batch.report.count": {"zh": "完成 {done} / {total}", "en": "{done} of {total} done"},
    "batch.refused.zip_entries": {
        "zh": "{name}：压缩包里的文件太多，整个包不处理。",
        "en": "{name}: the archive holds too many files; it was not opened.",
    },
    "batch.refused.zip_total": {
        "zh": "{name}：压缩包解压后太大，整个包不处理。",
        "en": "{name}: the archive is too big once unpacked; it was not opened.",
    },
    "batch.refused.zip_ratio": {
        "zh": "{name}：压缩比异常（疑似压缩炸弹），整个包不处理。",
        "en": "{name}: the archive compresses like a zip bomb; it was not opened.",
    },
    "batch.refused.zip_unsafe_name": {
        "zh": "{name}：文件名不安全（绝对路径或 ..），已跳过。",
        "en": "{name}: an unsafe name (absolute or ..); skipped.",
    },
    "batch.refused.zip_symlink": {
        "zh": "{name}：是符号链接，已跳过。",
        "en": "{name}: a symbolic link; skipped.",
    },
    "batch.refused.zip_corrupt": {
        "zh": "{name}：压缩包损坏，读不出来。",
        "en": "{name}: the archive is damaged and cannot be read.",
    },
    "batch.refused.zip_entry_size": {
        "zh": "{name}：文件超过 50 MB，已跳过。",
        "en": "{name}: over 50 MB; skipped.",
    },
    "batch.refused.unreadable": {
        "zh": "{name}：读不出这个文件。",
        "en": "{name}: the file cannot be read.",
    },
    "batch.local_unsupported": {
        "zh": "本机文字识别不做批量：请在侧边栏选一个服务商。",
        "en": "The local text reader does not run batches: choose a provider in the sidebar.",
    },
    "batch.via": {"zh": "发送方式", "en": "Send through"},
    "batch.provider_batch": {"zh": "服务商批次 {status}", "en": "Provider batch {status}"},
    "batch.via.direct": {"zh": "逐张实时发送", "en": "One request per picture, now"},
    "batch.via.batch_api": {
        "zh": "服务商的批处理接口（约半价，24 小时内完成）",
        "en": "The provider's batch API (about half price, within 24 h)",
    },
}


# The sweep's accessibility fixes (issue 9, item 10).
_SWEEP: dict[str, dict[str, str]] = {
    "camera.photo_alt": {
        "zh": "刚拍的照片（尚未发送）",
        "en": "The photo just taken (not sent yet)",
    },
    "pending.alt": {
        "zh": "{name}（尚未发送，{width}×{height}）",
        "en": "{name} (not sent yet, {width}×{height})",
    },
    "punct.colon": {"zh": "：", "en": ": "},
}

TEXTS: dict[str, dict[str, str]] = {
    **_ERRORS,
    **_IMAGES,
    **_CONFIG,
    **_UI,
    **_SEND_LIMITS,
    **_URLGUARD,
    **_EXCHANGE,
    **_IMAGE_BOUNDS,
    **_STREAM,
    **_SLICES,
    **_OCR,
    **_ERROR_ACTIONS,
    **_MONEY,
    **_CONTEXT,
    **_TRANSFER,
    **_PROBE,
    **_WIRING,
    **_CAMERA,
    **_SAFETY,
    **_ACTIONS,
    **_GALLERY,
    **_LAYOUT,
    **_COMPARE,
    **_HOSTING,
    **_BATCH,
    **_SWEEP,
}


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: Lang = DEFAULT_LANG, **fmt: object) -> str:
    """Return the text for ``key`` in ``lang`` with ``fmt`` filled in; unknown keys show as-is."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    if not fmt:
        return text
    return string.Formatter().vformat(text, (), _KeepMissing(fmt))


def lang_from_locale(locale: str | None) -> Lang:
    """Return ``"zh"`` for Chinese browser locales, ``"en"`` for others, the default if unknown."""
    if not locale:
        return DEFAULT_LANG
    return "zh" if locale.lower().startswith("zh") else "en"
