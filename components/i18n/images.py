"""Picture refusals (each names the file) and the detail setting."""

from __future__ import annotations

from components.i18n.language import Lang

SUPPORTED_IMAGES = "JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF, MPO"
SUPPORTED_IMAGES_ZH = SUPPORTED_IMAGES.replace(", ", "、")  # a Chinese list takes 、

PREFIXES: tuple[str, ...] = ("image", "detail")

MESSAGES: dict[str, dict[Lang, str]] = {
    # Image refusals: each names the file and says what is accepted.
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
    "detail.low": {"zh": "低", "en": "Low"},
    "detail.auto": {"zh": "自动", "en": "Auto"},
    "detail.high": {"zh": "高", "en": "High"},
    "detail.max": {"zh": "最大", "en": "Max"},
    # Images refused by the bounds on one decode (components/images/budget.py).
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
    "image.too_many_slices": {
        "zh": "{name}：切片需要 {count} 片（约 {tokens} token），超过上限 {cap} 片。"
        "请在侧边栏“高级”里调高切片上限，或先裁剪。",
        "en": "{name}: slicing needs {count} slices (~{tokens} tokens), over the cap of {cap}. "
        "Raise the slice cap (sidebar → Advanced) or crop it first.",
    },
    "detail.slices": {"zh": "切片", "en": "Slices"},
}
