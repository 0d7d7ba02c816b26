"""A small one-page PDF with Chinese text (pure): the decision a finished prerequisite passes on to its successors.

No PDF library is needed for a page of text: the file uses the predefined CJK font STSong-Light with the
UniGB-UCS2-H encoding (Adobe-GB1), which every PDF reader provides without embedding, so the file stays a few
kilobytes. Text is written as UCS-2 (big-endian) hex strings; a character outside the Basic Multilingual Plane
is written as "?".
"""

from __future__ import annotations

from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
LEFT, TOP = 72, 760
TITLE_SIZE, TEXT_SIZE, LEADING = 20, 12, 22
MAX_LINES = 30


def _hex(text: str) -> str:
    safe = "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)
    return safe.encode("utf-16-be").hex().upper()


def _content(title: str, lines: Sequence[str]) -> bytes:
    title_width = len(title) * TITLE_SIZE
    commands = [
        "BT",
        f"/F1 {TITLE_SIZE} Tf",
        f"{max(LEFT, (PAGE_WIDTH - title_width) // 2)} {TOP} Td",
        f"<{_hex(title)}> Tj",
        "ET",
    ]
    y = TOP - 2 * LEADING
    for line in list(lines)[:MAX_LINES]:
        commands += ["BT", f"/F1 {TEXT_SIZE} Tf", f"{LEFT} {y} Td", f"<{_hex(line)}> Tj", "ET"]
        y -= LEADING
    return "\n".join(commands).encode("ascii")


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A valid one-page PDF showing ``title`` centred and ``lines`` below it (at most 30)."""
    content = _content(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length " + str(len(content)).encode("ascii") + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        ("<< /Title <FEFF" + _hex(title) + "> /Producer (gongshang-config-console) >>").encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)
