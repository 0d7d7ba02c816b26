"""The decision PDF (routing.joint.documents, pure): a well-formed file whose cross-reference table points at
its objects, with the Chinese text written in the predefined CJK font, accepted by the case-file check."""

import re

from hypothesis import given
from hypothesis import strategies as st

from routing import files
from routing.joint.documents import MAX_LINES, text_pdf


def _check_structure(data: bytes) -> None:
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n", data).group(1))
    assert data[start:].startswith(b"xref\n0 9\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", data[start:])]
    assert len(offsets) == 8
    for number, offset in enumerate(offsets, start=1):
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", data).group(1))
    body = data.split(b"stream\n", 1)[1]
    assert body[length:].startswith(b"\nendstream")


def test_a_decision_is_a_well_formed_pdf_with_its_chinese_text():
    data = text_pdf("工伤认定决定书", ["受理回执号：2412011030150001", "申请人：罗**"])
    _check_structure(data)
    assert b"/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H" in data
    assert "工伤认定决定书".encode("utf-16-be").hex().upper().encode() in data
    assert files.content_type_of(data) == "application/pdf"
    assert files.upload_problem("decision.pdf", data, max_bytes=10_000) is None


@given(st.text(max_size=40), st.lists(st.text(max_size=60), max_size=MAX_LINES + 5))
def test_any_text_gives_a_well_formed_pdf(title, lines):
    _check_structure(text_pdf(title, lines))
