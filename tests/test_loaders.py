"""Reading files: encodings, formats, extensions in any case, and broken input."""

from __future__ import annotations

from pathlib import Path

import unicodedata

import pytest

from assistant.errors import InputError
from retrieval.loaders import decode_text, load_file

VIETNAMESE = "Điều 1. Thủ tục đăng ký khai sinh cho trẻ em tại phường."


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters with a hat or horn precomposed, tone marks combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        for split in range(len(parts), 0, -1):
            candidate = unicodedata.normalize("NFC", parts[:split]) + parts[split:]
            try:
                out.append(candidate.encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"{char!r} has no Windows-1258 form")
    return b"".join(out)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf-8", VIETNAMESE.encode("utf-8")),
        ("utf-8 with BOM", b"\xef\xbb\xbf" + VIETNAMESE.encode("utf-8")),
        ("utf-16 with BOM", VIETNAMESE.encode("utf-16")),
        ("utf-16-le without BOM", VIETNAMESE.encode("utf-16-le")),
        ("utf-16-be without BOM", VIETNAMESE.encode("utf-16-be")),
        ("windows-1258", encode_cp1258(VIETNAMESE)),
    ],
)
def test_decode_text_encodings(name: str, data: bytes) -> None:
    assert unicodedata.normalize("NFC", decode_text(data, name)) == VIETNAMESE


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty", b"", "empty"),
        ("white space", b"  \n\t ", "empty"),
        ("png renamed .txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        ("zip renamed .txt", b"PK\x03\x04" + b"\x00\x17\x8f" * 300, "binary"),
    ],
)
def test_decode_text_rejects(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_text(data, name)


def test_load_text_upper_case_extension(tmp_path: Path) -> None:
    path = tmp_path / "THONG-BAO.TXT"
    path.write_text("Thông báo\n\nLịch tiếp công dân vào thứ Năm hằng tuần.", encoding="utf-8")
    document = load_file(path, "a")
    assert document.media_type == "text/plain"
    assert "thứ Năm" in document.text


def test_load_markdown_keeps_clause_numbers(tmp_path: Path) -> None:
    path = tmp_path / "quy-che.MD"
    path.write_text("# Quy chế\n\nĐiều 1. Phạm vi\n\n1. Khoản một.\n2. Khoản hai.\n", encoding="utf-8")
    document = load_file(path, "q")
    assert document.title == "Quy chế"
    assert "1. Khoản một." in document.text
    assert "2. Khoản hai." in document.text


def test_load_decomposed_unicode_is_composed(tmp_path: Path) -> None:
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", VIETNAMESE), encoding="utf-8")
    assert load_file(path, "n").text == VIETNAMESE


def test_load_docx(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "ke-hoach.docx"
    document = docx.Document()
    document.add_heading("Kế hoạch chuyển đổi số", level=1)
    document.add_paragraph("Mục tiêu: số hóa 100% hồ sơ thủ tục hành chính trong năm.")
    document.save(str(path))
    parsed = load_file(path, "k")
    assert parsed.title == "Kế hoạch chuyển đổi số"
    assert "số hóa 100% hồ sơ" in parsed.text


def test_load_html(tmp_path: Path) -> None:
    path = tmp_path / "trang.HTML"
    path.write_text(
        "<html><head><title>Hướng dẫn</title></head><body><h1>Chứng thực bản sao</h1>"
        "<p>Người yêu cầu xuất trình bản chính giấy tờ.</p></body></html>",
        encoding="utf-8",
    )
    parsed = load_file(path, "h")
    assert "xuất trình bản chính" in parsed.text


def minimal_pdf(text: str) -> bytes:
    """Build a one-page PDF whose content stream draws text in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_load_pdf_with_text(tmp_path: Path) -> None:
    path = tmp_path / "REPORT.PDF"
    path.write_bytes(minimal_pdf("Quarterly report on public services"))
    parsed = load_file(path, "r")
    assert parsed.media_type == "application/pdf"
    assert "Quarterly report on public services" in parsed.text
    assert parsed.blocks[0].page == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("corrupt.pdf", b"%PDF-1.4\n this is not a pdf body \x00\x01", "could not be parsed|cut short or damaged"),
        ("cut-short.pdf", minimal_pdf("Quarterly report")[:300], "cut short or damaged"),
        ("truncated.docx", b"PK\x03\x04 truncated", "could not be parsed"),
        ("empty.pdf", b"", "empty"),
        ("data.xlsx", b"anything", "unsupported extension"),
    ],
)
def test_load_file_rejects_broken_files(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        load_file(path, name)


def test_pdf_without_text_layer_suggests_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf(""))
    with pytest.raises(InputError, match="scanned PDF needs OCR"):
        load_file(path, "scan.pdf")
