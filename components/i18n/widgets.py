"""Streamlit's own texts in the visitor's language (components/ui/streamlit_texts.py): each is
what Streamlit writes in English, so the English entry is Streamlit's words."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("widget",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "widget.drop_files": {"zh": "把文件拖到这里", "en": "Drag and drop files here"},
    "widget.drop_file": {"zh": "把文件拖到这里", "en": "Drag and drop a file here"},
    "widget.upload": {"zh": "上传", "en": "Upload"},
    "widget.upload_files": {"zh": "上传文件", "en": "Upload files"},
    "widget.add_files": {"zh": "添加文件", "en": "Add files"},
    "widget.per_file": {"zh": "每个文件不超过 {value}", "en": "{value} per file"},
    "widget.enter_submit": {"zh": "按 Enter 提交", "en": "Press Enter to submit form"},
    "widget.enter_apply": {"zh": "按 Enter 确认", "en": "Press Enter to apply"},
    "widget.keys_submit": {
        "zh": "按 {value}+Enter 提交",
        "en": "Press {value}+Enter to submit form",
    },
    "widget.keys_apply": {"zh": "按 {value}+Enter 确认", "en": "Press {value}+Enter to apply"},
    "widget.help_for": {"zh": "{value} 的说明", "en": "Help for {value}"},
    "widget.send": {"zh": "发送", "en": "Send message"},
    "widget.take_photo": {"zh": "拍照", "en": "Take Photo"},
    "widget.clear_photo": {"zh": "清除照片", "en": "Clear photo"},
    "widget.switch_camera": {"zh": "切换摄像头", "en": "Switch camera"},
    "widget.camera_ask": {
        "zh": "本页面想使用你的摄像头。",
        "en": "This app would like to use your camera.",
    },
    "widget.camera_how": {"zh": "了解如何允许访问。", "en": "Learn how to allow access."},
    "widget.close": {"zh": "关闭", "en": "Close"},
    "widget.choose": {"zh": "请选择", "en": "Choose an option"},
    "widget.choose_or_add": {"zh": "选择或输入", "en": "Choose or add an option"},
    "widget.no_results": {"zh": "没有匹配项", "en": "No results"},
    "widget.clear": {"zh": "清除", "en": "Clear value"},
    "widget.clear_all": {"zh": "全部清除", "en": "Clear all"},
    "widget.open": {"zh": "展开", "en": "Open"},
    "widget.show_password": {"zh": "显示密码", "en": "Show password"},
    "widget.hide_password": {"zh": "隐藏密码", "en": "Hide password"},
    "widget.increment": {"zh": "加一", "en": "Increment"},
    "widget.decrement": {"zh": "减一", "en": "Decrement"},
    "widget.skip": {"zh": "跳到主要内容", "en": "Skip to main content"},
    "widget.sidebar": {"zh": "侧边栏", "en": "Sidebar"},
    "widget.collapse_sidebar": {"zh": "收起侧边栏", "en": "Collapse sidebar"},
    "widget.expand_sidebar": {"zh": "展开侧边栏", "en": "Expand sidebar"},
    "widget.pages": {"zh": "页面", "en": "App pages"},
    "widget.heading_link": {"zh": "指向此标题的链接", "en": "Link to heading"},
    "widget.main_menu": {"zh": "主菜单", "en": "Main menu"},
    "widget.stop": {"zh": "停止运行", "en": "Stop script"},
}
