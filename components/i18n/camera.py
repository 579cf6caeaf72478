"""Taking a photo with the camera."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("camera",)

MESSAGES: dict[str, dict[Lang, str]] = {
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
    # The sweep's accessibility fixes (issue 9, item 10).
    "camera.photo_alt": {
        "zh": "刚拍的照片（尚未发送）",
        "en": "The photo just taken (not sent yet)",
    },
}
