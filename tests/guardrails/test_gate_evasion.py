"""Tests of the gate against marks written to slip past it.

The cases: marks that share a line with a title or a sentence, and marks
hidden by invisible or look-alike characters. Marks split over lines, and
marks in file parts that parsers drop (DOCX comments, footnotes, alternative
text, JSONL fields, HTML scripts). Zip archives that expand without limit.
"""

from __future__ import annotations

import io
import json
import struct
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest

from guardrails import ClassificationGate, GateReadError, MarkFinding
from guardrails import sources
from evals.cases.gate.make_binary_cases import add_comment, add_described_picture, add_document_part, add_footnote

GATE = ClassificationGate()

# --- a mark that shares its line -------------------------------------------------

# (name, text, level)
MARKS_SHARING_A_LINE = [
    ("label then title", "Độ mật: TỐI MẬT. Báo cáo tình hình tiếp nhận hồ sơ tháng 10", "TOI_MAT"),
    ("long label then title", "Mức độ mật: Tuyệt mật - Phương án bảo vệ kho lưu trữ hồ sơ của quận", "TUYET_MAT"),
    ("label lower case then note", "Độ mật: mật; không chuyển tiếp cho đơn vị ngoài danh sách nhận", "MAT"),
    ("mark dash title", "TỐI MẬT - Báo cáo tình hình tiếp nhận hồ sơ của bộ phận một cửa", "TOI_MAT"),
    ("mark colon title", "MẬT: Kế hoạch kiểm tra đột xuất các điểm trông giữ xe trên địa bàn phường", "MAT"),
    ("no diacritics dash title", "TOI MAT - Bao cao tinh hinh tiep nhan ho so cua bo phan mot cua", "TOI_MAT"),
    ("english label dash title", "CONFIDENTIAL - Budget notes for the district road programme", "CONFIDENTIAL"),
    ("caps document in sentence", "Văn bản này là TÀI LIỆU MẬT không được sao chụp hay chụp ảnh", "MAT"),
    ("caps level in sentence", "Báo cáo TỐI MẬT về tình hình an ninh được gửi riêng cho từng đồng chí", "TOI_MAT"),
    ("caps top level in sentence", "Gửi kèm phụ lục TUYỆT MẬT theo đường giao liên của cơ quan", "TUYET_MAT"),
    ("speaker then label", "Bà Lan: KHÔNG PHỔ BIẾN", "INTERNAL"),
    ("field then label", "Trạng thái: TÀI LIỆU THU HỒI", "HANDLING"),
]


@pytest.mark.parametrize(("text", "level"), [pytest.param(*case[1:], id=case[0]) for case in MARKS_SHARING_A_LINE])
def test_mark_sharing_line_blocked(text: str, level: str) -> None:
    decision = GATE.check_text(text, location="body")
    assert decision.allowed is False
    assert decision.level == level
    assert decision.findings[0].line == 1


# Lines far from the top, so that the rule for the first ten lines cannot decide them.
BELOW_THE_TOP = "\n".join(f"Dòng {number}: nội dung thông thường." for number in range(1, 12)) + "\n"

# (name, text)
MENTIONS_NOT_MARKS = [
    ("levels listed in a sentence", "Các mức độ mật gồm tuyệt mật, tối mật và mật."),
    ("levels listed after a label", "Các mức độ mật: tuyệt mật, tối mật và mật."),
    ("level chosen from a list", "Mức độ mật: tối mật hoặc mật, do người có thẩm quyền quyết định."),
    ("article heading", "Điều 8. Phân loại bí mật nhà nước"),
    ("population density", "Mật độ dân số của phường tăng so với năm trước."),
    ("honey", "Hợp tác xã giới thiệu mật ong hoa nhãn tại hội chợ."),
    ("password", "Người dùng đổi mật khẩu sau lần đăng nhập đầu tiên."),
    ("privacy of letters", "Công dân có quyền bí mật thư tín, điện thoại, điện tín."),
    ("caps levels listed", "Luật chia bí mật nhà nước thành TUYỆT MẬT, TỐI MẬT và MẬT."),
    ("stamp named", "Văn thư đóng dấu TỐI MẬT vào góc trên bên phải khi có quyết định."),
    ("stamp quoted", 'Bì ghi "TÀI LIỆU MẬT" được giao qua sổ theo dõi.'),
    ("cryptographic documents", "Phòng cơ yếu quản lý TÀI LIỆU MẬT MÃ theo quy định riêng."),
    ("level after độ", "Danh mục bí mật nhà nước ĐỘ TỐI MẬT do cấp có thẩm quyền ban hành."),
    ("density title with dash", "MẬT ĐỘ DÂN SỐ - Báo cáo thống kê các phường năm 2024"),
    ("security title with dash", "BẢO MẬT - Hướng dẫn đặt mật khẩu cho tài khoản dịch vụ công"),
    ("glossary definition", "TỐI MẬT: áp dụng cho thông tin mà nếu bị lộ sẽ gây nguy hại rất nghiêm trọng."),
    ("bulleted definition", "- TỐI MẬT: Áp dụng cho thông tin mà nếu bị lộ sẽ gây nguy hại rất nghiêm trọng."),
    ("speaker then ordinary words", "Bà Lan: Không phổ biến rộng rãi số liệu chưa kiểm tra."),
    ("time with colons", "Giờ họp: 8:30 tại phòng 204"),
]


@pytest.mark.parametrize("text", [pytest.param(case[1], id=case[0]) for case in MENTIONS_NOT_MARKS])
def test_mention_allowed(text: str) -> None:
    decision = GATE.check_text(BELOW_THE_TOP + text, location="body")
    assert decision.allowed is True, decision.reasons
    assert decision.findings == ()


def test_mark_sharing_line_below_top() -> None:
    decision = GATE.check_text(BELOW_THE_TOP + MARKS_SHARING_A_LINE[3][1], location="body")
    assert decision.findings == (MarkFinding("TOI_MAT", "TỐI MẬT", "body", 12),)


# --- characters that hide a mark ---------------------------------------------------

# (name, text, level)
HIDDEN_MARKS = [
    ("variation selectors", "T\ufe0fỐ\ufe0fI M\ufe0fẬ\ufe0fT", "TOI_MAT"),
    ("variation selector 1", "M\ufe00ẬT", "MAT"),
    ("tag character", "M\U000e0041ẬT", "MAT"),
    ("mongolian vowel separator", "M\u180eẬT", "MAT"),
    ("hangul filler", "M\u3164ẬT", "MAT"),
    ("halfwidth hangul filler", "M\uffa0ẬT", "MAT"),
    ("combining grapheme joiner", "M\u034fẬT", "MAT"),
    ("left-to-right mark", "TỐI\u200e MẬT", "TOI_MAT"),
    ("strike-through overlay", "M\u0336Ậ\u0336T\u0336", "MAT"),
    ("slash overlay", "M\u0338ẬT", "MAT"),
    ("underline marks", "M\u0332Ậ\u0332T\u0332", "MAT"),
    ("enclosing circle", "M\u20ddẬT", "MAT"),
    ("mathematical bold", "\U0001d40c\u1eac\U0001d413", "MAT"),
    ("mathematical sans-serif", "\U0001d5e7\U0001d5e2\U0001d5dc \U0001d5e0\u1eac\U0001d5e7", "TOI_MAT"),
    ("circled letter", "\u24c2ẬT", "MAT"),
    ("superscript letters", "ᴹẬᵀ", "MAT"),
    ("small capitals", "ᴍẬᴛ", "MAT"),
    ("small capitals two words", "ᴛỐɪ ᴍẬᴛ", "TOI_MAT"),
    ("right-to-left override", "\u202eTẬM\u202c", "MAT"),
    ("override to line end", "\u202eTẬM IỐT", "TOI_MAT"),
    ("override decomposed", "\u202e" + unicodedata.normalize("NFD", "TẬM") + "\u202c", "MAT"),
    ("digit for letter", "C0NFIDENTIAL", "CONFIDENTIAL"),
    ("digits in two words", "T0P SECRET", "TOP_SECRET"),
    ("digit in level", "M4T", "MAT"),
    ("emoji between letters", "M🔒ẬT", "MAT"),
    ("emoji with selector", "M🔒\ufe0fẬT", "MAT"),
    ("star between letters", "TỐ★I M✓ẬT", "TOI_MAT"),
    ("full-width with selectors", "Ｍ\ufe0fẬ\ufe0fＴ", "MAT"),
]


@pytest.mark.parametrize(("text", "level"), [pytest.param(*case[1:], id=case[0]) for case in HIDDEN_MARKS])
def test_hidden_mark_blocked(text: str, level: str) -> None:
    decision = GATE.check_text(text + "\nKế hoạch bố trí lực lượng bảo vệ hội nghị.")
    assert decision.allowed is False
    assert decision.level == level
    assert decision.findings[0].line == 1


# (name, text)
LOOKALIKES_NOT_MARKS = [
    ("server codes", "Máy chủ M47 và B52 dừng bảo trì từ 22 giờ."),
    ("mostly digits", "M47"),
    ("emoji in ordinary words", "Đổi mật🔒khẩu sau khi hệ thống hoạt động trở lại ✓."),
    ("degree and copyright", "Phòng máy giữ 22°C; © 2024 Trung tâm dữ liệu."),
    ("circled other letter", "Ⓜ"),
    ("face not secret", "M\u0336Ặ\u0336T TRẬN TỔ QUỐC"),
    ("lost, not secret", "MẤT"),
    ("reversed ordinary word", "\u202eNỘS\u202c"),
    ("envelope letter kept", "Phụ lục Ⓓ"),
]


@pytest.mark.parametrize("text", [pytest.param(case[1], id=case[0]) for case in LOOKALIKES_NOT_MARKS])
def test_lookalike_allowed(text: str) -> None:
    decision = GATE.check_text(text)
    assert decision.allowed is True, decision.reasons
    assert decision.findings == ()


def test_circled_envelope_letter_still_handling() -> None:
    decision = GATE.check_text("Ⓑ")
    assert decision.findings == (MarkFinding("HANDLING", "DẤU CHỮ B", "message", 1),)


def test_hidden_mark_in_file_name(tmp_path: Path) -> None:
    path = tmp_path / "BC_T\ufe0fO\ufe0fI_M\ufe0fA\ufe0fT_2024.txt"
    path.write_text("Nội dung thông thường.", encoding="utf-8")
    decision = GATE.check_file(path)
    assert decision.level == "TOI_MAT"
    assert decision.findings[0].location == "filename"


# --- a level split over lines ---------------------------------------------------------

# (name, text, level, mark, line)
SPLIT_LEVELS = [
    ("secret over two lines", "TỐI\nMẬT\nBáo cáo.", "TOI_MAT", "TỐI MẬT", 1),
    ("top secret with empty line", "TUYỆT\n\nMẬT\nBáo cáo.", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("no diacritics", "Sở Tài chính\nTOI\nMAT", "TOI_MAT", "TỐI MẬT", 2),
    ("lower case", "tuyệt\nmật", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("two empty lines keep MAT", "TỐI\n\n\nMẬT", "MAT", "MẬT", 4),
    ("other word before", "THÔNG BÁO\nMẬT", "MAT", "MẬT", 2),
]


@pytest.mark.parametrize(
    ("text", "level", "mark", "line"), [pytest.param(*case[1:], id=case[0]) for case in SPLIT_LEVELS]
)
def test_split_level_reported(text: str, level: str, mark: str, line: int) -> None:
    decision = GATE.check_text(text)
    assert decision.level == level
    assert decision.findings == (MarkFinding(level, mark, "message", line),)


# --- parts of a DOCX that text extraction drops -------------------------------------------

BODY = "Báo cáo tình hình tiếp nhận hồ sơ của bộ phận một cửa trong tháng 10."
ENDNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"


def _saved_docx(tmp_path: Path, name: str = "bao-cao.docx") -> Path:
    document = docx.Document()
    document.add_paragraph(BODY)
    path = tmp_path / name
    document.save(path)
    return path


def _with_member(path: Path, name: str, data: bytes) -> None:
    """Add a member that no relationship points to, as an editor that leaves parts behind would."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)


def _endnote(path: Path, text: str) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:endnotes '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:endnote w:id="1">'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:endnote></w:endnotes>"
    ).encode()
    add_document_part(path, "endnotes.xml", xml, ENDNOTES_TYPE, "endnotes")


def _watermark(path: Path, text: str) -> None:
    document = docx.Document(str(path))
    paragraph = document.sections[0].header.paragraphs[0]
    shape = (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:400pt;height:100pt">'
        f'<v:textpath string="{text}"/></v:shape></w:pict></w:r>'
    )
    from lxml import etree

    paragraph._p.append(etree.fromstring(shape))
    document.save(path)


def _picture(path: Path, description: str) -> None:
    document = docx.Document(str(path))
    add_described_picture(document, description)
    document.save(path)


def _drawingml_part(text: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><c:chartSpace '
        'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:title><c:tx><c:rich>'
        f"<a:p><a:r><a:t>{text[:3]}</a:t></a:r><a:r><a:t>{text[3:]}</a:t></a:r></a:p>"
        "</c:rich></c:tx></c:title></c:chartSpace>"
    ).encode()


# (name, how to add the text, mark text, level, location, detail)
DOCX_PARTS = [
    ("comment", add_comment, "TỐI MẬT", "TOI_MAT", "docx_part", "word/comments.xml"),
    ("footnote", add_footnote, "Độ mật: Tuyệt mật.", "TUYET_MAT", "docx_part", "word/footnotes.xml"),
    ("endnote", _endnote, "MẬT", "MAT", "docx_part", "word/endnotes.xml"),
    ("picture description", _picture, "TỐI MẬT", "TOI_MAT", "alt_text", "attributes in word/document.xml"),
    ("watermark", _watermark, "CONFIDENTIAL", "CONFIDENTIAL", "alt_text", "attributes in word/header1.xml"),
    (
        "part without relationship",
        lambda path, text: _with_member(path, "word/notes-left-behind.xml", _drawingml_part(text)),
        "TUYỆT MẬT",
        "TUYET_MAT",
        "docx_part",
        "word/notes-left-behind.xml",
    ),
]


@pytest.mark.parametrize(
    ("add", "text", "level", "location", "detail"), [pytest.param(*case[1:], id=case[0]) for case in DOCX_PARTS]
)
def test_docx_part_marked(
    tmp_path: Path, add, text: str, level: str, location: str, detail: str  # noqa: ANN001 - a part writer
) -> None:
    path = _saved_docx(tmp_path)
    add(path, text)
    decision = GATE.check_file(path, body_text=BODY)
    assert decision.allowed is False
    assert decision.level == level
    assert decision.findings[0].location == location
    assert any(f"({detail}, line" in reason for reason in decision.reasons), decision.reasons


# (name, how to add the text, text)
DOCX_PARTS_UNMARKED = [
    ("comment", add_comment, "Đề nghị kiểm tra lại mật độ dân cư của phường."),
    ("footnote", add_footnote, "Số liệu do Chi cục Thống kê cung cấp."),
    ("picture description", _picture, "Biểu đồ mật độ dân số"),
    ("watermark", _watermark, "BẢN NHÁP"),
]


@pytest.mark.parametrize(("add", "text"), [pytest.param(*case[1:], id=case[0]) for case in DOCX_PARTS_UNMARKED])
def test_docx_part_unmarked(tmp_path: Path, add, text: str) -> None:  # noqa: ANN001 - a part writer
    path = _saved_docx(tmp_path)
    add(path, text)
    decision = GATE.check_file(path, body_text=BODY)
    assert decision.allowed is True, decision.reasons
    assert decision.findings == ()


def test_docx_damaged_extra_part_raises(tmp_path: Path) -> None:
    path = _saved_docx(tmp_path)
    _with_member(path, "word/comments.xml", b"<w:comments><w:comment>")
    with pytest.raises(GateReadError, match="DOCX"):
        GATE.check_file(path, body_text=BODY)


# --- JSONL records -------------------------------------------------------------------------

# (name, records, level, detail)
JSONL_FILES = [
    ("title", [{"id": "r1", "title": "TỐI MẬT", "text": BODY}], "TOI_MAT", "record 1, field title"),
    (
        "escaped text",
        ['{"id": "r1", "text": "T\\u1ed0I M\\u1eacT\\nB\\u00e1o c\\u00e1o"}'],
        "TOI_MAT",
        "record 1, field text",
    ),
    (
        "label field lower case",
        [{"id": "r1", "text": BODY}, {"id": "r2", "classification": "mat", "text": BODY}],
        "MAT",
        "record 2, field classification",
    ),
    (
        "nested field",
        [{"id": "r1", "meta": {"tags": ["Lưu hành nội bộ"]}, "text": BODY}],
        "INTERNAL",
        "record 1, field meta.tags.0",
    ),
    ("line not JSON", ["TUYỆT MẬT"], "TUYET_MAT", "record 1"),
    (
        "public records",
        [{"id": "r1", "title": "Hướng dẫn đổi mật khẩu", "classification": "công khai", "text": BODY}],
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("records", "level", "detail"), [pytest.param(*case[1:], id=case[0]) for case in JSONL_FILES]
)
def test_jsonl_fields(tmp_path: Path, records: list, level: str | None, detail: str | None) -> None:
    path = tmp_path / "ban-ghi.jsonl"
    lines = [record if isinstance(record, str) else json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    decision = GATE.check_file(path)
    assert decision.level == level
    if detail is not None:
        assert any(f"({detail}, line" in reason for reason in decision.reasons), decision.reasons


# (name, fields, level)
NAMED_FIELDS = [
    ("title alone", {"title": "TỐI MẬT", "text": BODY}, "TOI_MAT"),
    ("label field", {"classification": "tuyệt mật", "text": BODY}, "TUYET_MAT"),
    ("mark opens second field", {"title": "Báo cáo tháng 10", "text": "KHÔNG PHỔ BIẾN\n" + BODY}, "INTERNAL"),
    ("ordinary fields", {"title": "Mật độ dân số", "text": BODY}, None),
    ("lower case in ordinary field", {"note": "tuyệt mật, tối mật", "text": BODY}, None),
]


@pytest.mark.parametrize(("fields", "level"), [pytest.param(*case[1:], id=case[0]) for case in NAMED_FIELDS])
def test_check_fields(fields: dict[str, str], level: str | None) -> None:
    decision = GATE.check_fields(fields)
    assert decision.level == level
    assert decision.allowed is (level is None)


def test_check_fields_names_field() -> None:
    decision = GATE.check_fields({"title": "Báo cáo", "participants": "Bà Lan\nTỐI MẬT"})
    assert decision.reasons == ('secrecy mark "TỐI MẬT" in body (participants, line 2)',)


def test_check_fields_unknown_location() -> None:
    with pytest.raises(ValueError, match="unknown location 'record'"):
        GATE.check_fields({"title": "x"}, location="record")


# --- HTML scripts, attributes and inline elements -----------------------------------------------

PAGE = "<html><head><title>Lịch trực</title></head><body><p>Lịch trực ban dịp nghỉ lễ.</p>{}</body></html>"

# (name, markup, level, location)
HTML_PARTS = [
    ("script string", '<script>var s = "TỐI MẬT";</script>', "TOI_MAT", "html_script"),
    ("script escaped", "<script>el.textContent = 'TUY\\u1ec6T M\\u1eacT';</script>", "TUYET_MAT", "html_script"),
    ("script template line", "<script>el.innerHTML = `MẬT\\nLịch trực`;</script>", "MAT", "html_script"),
    ("script json", '<script type="application/ld+json">{"name": "LƯU HÀNH NỘI BỘ"}</script>', "INTERNAL",
     "html_script"),
    ("image alt", '<img src="a.png" alt="TỐI MẬT">', "TOI_MAT", "alt_text"),
    ("title attribute", '<span title="Tuyệt mật">i</span>', "TUYET_MAT", "alt_text"),
    ("aria label", '<div aria-label="KHÔNG PHỔ BIẾN"></div>', "INTERNAL", "alt_text"),
    ("inline elements", "<p><b>TỐI</b> <i>M</i>ẬT</p>", "TOI_MAT", "body"),
    ("script english value", '<script>const level = "SECRET";</script>', None, None),
    ("script lower case", "<script>const label = 'mật khẩu';</script>", None, None),
    ("ordinary alt", '<img src="a.png" alt="Sơ đồ đổi mật khẩu">', None, None),
]


@pytest.mark.parametrize(
    ("markup", "level", "location"), [pytest.param(*case[1:], id=case[0]) for case in HTML_PARTS]
)
def test_html_parts(tmp_path: Path, markup: str, level: str | None, location: str | None) -> None:
    path = tmp_path / "trang.html"
    path.write_text(PAGE.format(markup), encoding="utf-8")
    decision = GATE.check_file(path)
    assert decision.level == level, decision.reasons
    if location is not None:
        assert decision.findings[0].location == location


def test_html_script_read_with_body_text(tmp_path: Path) -> None:
    path = tmp_path / "trang.html"
    path.write_text(PAGE.format('<script>var s = "TỐI MẬT";</script>'), encoding="utf-8")
    decision = GATE.check_file(path, body_text="Lịch trực ban dịp nghỉ lễ.")
    assert decision.findings == (MarkFinding("TOI_MAT", "TỐI MẬT", "html_script", 1),)


# --- zip archives that expand too far -------------------------------------------------------------


def _small_bomb(path: Path, megabytes: int = 4) -> None:
    """Write a DOCX whose document.xml expands about a thousand times."""
    base = _saved_docx(path.parent, "co-so.docx")
    with zipfile.ZipFile(base) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    filler = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"</w:body>", filler * (megabytes * 1000) + b"</w:body>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)


def test_zip_bomb_raises(tmp_path: Path) -> None:
    path = tmp_path / "phu-luc.docx"
    _small_bomb(path)
    assert path.stat().st_size < 100_000
    with pytest.raises(GateReadError) as raised:
        GATE.check_file(path, body_text=BODY)
    assert "word/document.xml" in raised.value.reason
    assert f"above the limit of {sources.MAX_COMPRESSION_RATIO} times" in raised.value.reason


def test_zip_bomb_not_decompressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "phu-luc.docx"
    _small_bomb(path)

    def fail_on_read(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the archive check decompressed a member")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", fail_on_read)
    with pytest.raises(GateReadError, match="above the limit"):
        GATE.check_file(path, body_text=BODY)


# (name, limit to lower, value, expected words in the reason)
ARCHIVE_LIMITS = [
    ("total size", "MAX_ARCHIVE_UNCOMPRESSED_BYTES", 100_000, "bytes uncompressed"),
    ("member count", "MAX_ARCHIVE_MEMBERS", 5, "members, above the limit of 5"),
]


@pytest.mark.parametrize(
    ("limit", "value", "words"), [pytest.param(*case[1:], id=case[0]) for case in ARCHIVE_LIMITS]
)
def test_archive_limit_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int, words: str
) -> None:
    path = _saved_docx(tmp_path)
    monkeypatch.setattr(sources, limit, value)
    with pytest.raises(GateReadError) as raised:
        GATE.check_file(path, body_text=BODY)
    assert words in raised.value.reason
    assert f"{value:,}" in raised.value.reason


def test_archive_within_limits_allowed(tmp_path: Path) -> None:
    path = _saved_docx(tmp_path)
    assert sources.archive_limit_problem(path) is None
    assert sources.archive_limit_problem(io.BytesIO(path.read_bytes())) is None
    assert GATE.check_file(path, body_text=BODY).allowed is True


def test_understated_size_raises(tmp_path: Path) -> None:
    """A member that declares a small size but contains more is cut at that size, and its CRC fails."""
    path = tmp_path / "phu-luc.docx"
    _small_bomb(path, megabytes=1)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        member = archive.getinfo("word/document.xml")
    struct.pack_into("<I", data, member.header_offset + 22, 5000)
    directory = data.rfind(b"word/document.xml", 0, len(data)) - 46
    struct.pack_into("<I", data, directory + 24, 5000)
    path.write_bytes(bytes(data))
    assert sources.archive_limit_problem(path) is None
    with pytest.raises(GateReadError, match="DOCX"):
        GATE.check_file(path, body_text=BODY)
