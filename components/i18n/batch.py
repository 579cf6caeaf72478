"""The Batch page: many pictures, one question each."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("batch",)

MESSAGES: dict[str, dict[Lang, str]] = {
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
    "batch.retry_settings_changed": {
        "zh": "自这批运行以来，侧边栏的密钥、地址或模型已经改变。“重试失败的”只会用这批自己的设置"
        "（模型 {model}）重发，所以没有发送任何内容。请改回原来的设置，或点“新批次”用新的设置运行。",
        "en": "The key, address or model in the sidebar changed since this batch ran. Retry "
        "failed only resends with the batch's own settings (model {model}), so nothing was sent. "
        "Put them back, or press New batch to run with the new ones.",
    },
    "batch.new": {"zh": "新批次", "en": "New batch"},
    "batch.preparing": {"zh": "正在准备图片…", "en": "Preparing the pictures…"},
    "batch.summary": {
        "zh": "{count} 张图片可以发送，预计提示词 {tokens} 个 token{money}。",
        "en": "{count} {count:picture|pictures} to send, about {tokens} prompt tokens{money}.",
    },
    "batch.summary_money": {"zh": "，约 {money}", "en": ", about {money}"},
    "batch.summary_refused": {
        "zh": "{count} 个文件不会发送：",
        "en": "{count} {count:file|files} will not be sent:",
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
    "batch.download_md": {
        "zh": "下载报告（Markdown 含图片，.zip）",
        "en": "Download report (Markdown + pictures, .zip)",
    },
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
