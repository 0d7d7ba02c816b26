"""What a case file may be, judged on its content (pure): images (JPEG, PNG, TIFF) and PDF, within a size."""

import secrets

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}


def content_type_of(data: bytes) -> str | None:
    """The type the file's first bytes show (None: none of the accepted kinds)."""
    for magic, content_type, _extension in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def upload_problem(name: str, data: bytes, *, max_bytes: int) -> str | None:
    """Why a file cannot be stored (None when it can): empty, too large, or not an image / PDF by content
    — a renamed executable is refused whatever its name says."""
    if not data:
        return "文件为空"
    if len(data) > max_bytes:
        return f"文件超过 {max_bytes // (1024 * 1024)} MB 的上限"
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        return "只能上传 JPG、PNG、TIFF 图片或 PDF 文件"
    if content_type_of(data) is None:
        return "文件内容不是 JPG、PNG、TIFF 图片或 PDF（请勿只改扩展名）"
    return None


def stored_name(receipt_no: str, content_type: str) -> str:
    """The name under storage: the case's number and a random part (never the user's file name)."""
    extension = next(ext for _magic, kind, ext in SIGNATURES if kind == content_type)
    return f"{receipt_no}-{secrets.token_hex(8)}{extension}"
