"""Acting on an answer or a question: copy, regenerate, edit, delete."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("actions",)

MESSAGES: dict[str, dict[Lang, str]] = {
    # Acting on an answer or a question: copy, regenerate, edit, delete; the first answer's wait.
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
        "zh": "把同样的问题再问一次；这条回答作为较早的版本保留",
        "en": "Ask the same question again; this answer is kept as an earlier version",
    },
    "actions.edit": {"zh": "编辑", "en": "Edit"},
    "actions.edit_help": {
        "zh": "在输入框里修改这个问题；发送后从这里继续，原来的问题和之后的对话作为较早的版本保留，"
        "图片一起重新发送",
        "en": "Change this question in the message box; sending it goes on from here, the "
        "question and what followed it are kept as an earlier version, and its pictures go again",
    },
    "actions.delete": {"zh": "删除", "en": "Delete"},
    "actions.delete_question_help": {
        "zh": "删除这个问题和它的回答",
        "en": "Delete this question and its answer",
    },
    "actions.delete_answer_help": {"zh": "删除这条回答", "en": "Delete this answer"},
    "actions.editing": {
        "zh": "正在编辑一个问题：修改后发送，对话从这里继续；原来的问题和之后的对话作为较早的版本保留，"
        "图片会一起重新发送。",
        "en": "Editing a question: send it to go on from there; the question and what followed "
        "it are kept as an earlier version, and its pictures go again.",
    },
    "actions.older": {"zh": "上一个版本", "en": "Previous version"},
    "actions.newer": {"zh": "下一个版本", "en": "Next version"},
    "actions.cancel_edit": {"zh": "取消编辑", "en": "Cancel editing"},
}
