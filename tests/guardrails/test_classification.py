"""Tests of the classification gate: marks in text, in files and in policies."""

from __future__ import annotations

import logging
import unicodedata
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.shared import Inches

from guardrails import (
    LEVELS,
    ClassificationGate,
    GateDecision,
    GateReadError,
    MarkFinding,
    load_policy,
)
from evals.cases.gate.make_binary_cases import add_custom_property
from tests.guardrails.encodings import encode_cp1258

GATE = ClassificationGate()

# --- marks in text ------------------------------------------------------------

# (name, text, level, mark, line)
MARKED_TEXTS = [
    ("own line MẬT", "MẬT", "MAT", "MẬT", 1),
    ("own line TỐI MẬT", "TỐI MẬT", "TOI_MAT", "TỐI MẬT", 1),
    ("own line TUYỆT MẬT", "TUYỆT MẬT", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("second line", "Hà Nội, ngày 03 tháng 4 năm 2024\nTỐI MẬT", "TOI_MAT", "TỐI MẬT", 2),
    ("diacritics stripped", "TOI MAT", "TOI_MAT", "TỐI MẬT", 1),
    ("label ending a line", "Báo cáo kho thiết bị. Độ mật: Mật", "MAT", "MẬT", 1),
    ("letters split by dots", "M.Ậ.T", "MAT", "MẬT", 1),
    ("cyrillic look-alike letter", "\u041cẬT", "MAT", "MẬT", 1),
    ("diacritics stripped top", "TUYET MAT", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("some diacritics lost", "TÔI MẬT", "TOI_MAT", "TỐI MẬT", 1),
    ("letters split", "M Ậ T", "MAT", "MẬT", 1),
    ("words and letters split", "T Ố I  M Ậ T", "TOI_MAT", "TỐI MẬT", 1),
    ("letters split no diacritics", "T U Y E T  M A T", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("decomposed unicode", unicodedata.normalize("NFD", "TỐI MẬT"), "TOI_MAT", "TỐI MẬT", 1),
    ("zero-width space inside", "M\u200bẬT", "MAT", "MẬT", 1),
    ("non-breaking space inside", "TỐI\u00a0MẬT", "TOI_MAT", "TỐI MẬT", 1),
    ("lower case own line", "mật", "MAT", "MẬT", 1),
    ("title case own line", "Tối mật", "TOI_MAT", "TỐI MẬT", 1),
    ("square brackets in line", "Báo cáo [TỐI MẬT] về công tác quý III", "TOI_MAT", "TỐI MẬT", 1),
    ("parentheses own line", "(MẬT)", "MAT", "MẬT", 1),
    ("boxed with bars", "| MẬT |", "MAT", "MẬT", 1),
    ("tab separated cell", "ỦY BAN NHÂN DÂN\tMẬT", "MAT", "MẬT", 1),
    ("space separated cell", "SỞ TÀI CHÍNH      TỐI MẬT", "TOI_MAT", "TỐI MẬT", 1),
    ("caps at line end near top", "UBND PHƯỜNG HOÀN KIẾM MẬT", "MAT", "MẬT", 1),
    ("caps at line start near top", "TỐI MẬT SỐ 15/BC-UBND", "TOI_MAT", "TỐI MẬT", 1),
    ("with urgency mark", "MẬT - HỎA TỐC", "MAT", "MẬT", 1),
    ("label độ mật", "Độ mật: Tuyệt mật", "TUYET_MAT", "TUYỆT MẬT", 1),
    ("document prefix", "TÀI LIỆU MẬT", "MAT", "MẬT", 1),
    ("named person only", "CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ", "HANDLING", "CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ", 1),
    ("recall stamp", "TÀI LIỆU THU HỒI", "HANDLING", "TÀI LIỆU THU HỒI", 1),
    ("envelope letter", "Dấu chữ A", "HANDLING", "DẤU CHỮ A", 1),
    ("envelope stamped", "Bì đóng dấu chữ B", "HANDLING", "DẤU CHỮ B", 1),
    ("envelope label", "Dấu: C", "HANDLING", "DẤU CHỮ C", 1),
    ("envelope circled", "Ⓐ", "HANDLING", "DẤU CHỮ A", 1),
    ("internal circulation", "Lưu hành nội bộ", "INTERNAL", "LƯU HÀNH NỘI BỘ", 1),
    ("internal in footer row", "Lưu hành nội bộ      Trang 2/5", "INTERNAL", "LƯU HÀNH NỘI BỘ", 1),
    ("not for distribution", "KHÔNG PHỔ BIẾN", "INTERNAL", "KHÔNG PHỔ BIẾN", 1),
    ("not for distribution lower", "không phổ biến", "INTERNAL", "KHÔNG PHỔ BIẾN", 1),
    ("internal use only", "FOR INTERNAL USE ONLY", "INTERNAL", "INTERNAL USE ONLY", 1),
    ("confidential", "CONFIDENTIAL", "CONFIDENTIAL", "CONFIDENTIAL", 1),
    ("confidential lower case", "confidential", "CONFIDENTIAL", "CONFIDENTIAL", 1),
    ("strictly confidential", "Strictly Confidential", "CONFIDENTIAL", "STRICTLY CONFIDENTIAL", 1),
    ("classification label", "Classification: SECRET", "SECRET", "SECRET", 1),
    ("classification label mixed case", "Security classification: Secret", "SECRET", "SECRET", 1),
    ("top secret", "TOP SECRET", "TOP_SECRET", "TOP SECRET", 1),
    ("secret with caveat", "SECRET//NOFORN", "SECRET", "SECRET", 1),
    ("restricted", "RESTRICTED", "RESTRICTED", "RESTRICTED", 1),
    ("official sensitive", "OFFICIAL-SENSITIVE", "OFFICIAL_SENSITIVE", "OFFICIAL-SENSITIVE", 1),
    ("official sensitive spaced", "OFFICIAL SENSITIVE", "OFFICIAL_SENSITIVE", "OFFICIAL-SENSITIVE", 1),
    ("full-width letters", "ＳＥＣＲＥＴ", "SECRET", "SECRET", 1),
]


@pytest.mark.parametrize(
    ("text", "level", "mark", "line"),
    [pytest.param(*case[1:], id=case[0]) for case in MARKED_TEXTS],
)
def test_marked_text_blocked(text: str, level: str, mark: str, line: int) -> None:
    decision = GATE.check_text(text)
    assert decision.allowed is False
    assert decision.level == level
    assert MarkFinding(level, mark, "message", line) in decision.findings


# (name, text)
UNMARKED_TEXTS = [
    ("password", "Vui lòng đổi mật khẩu sau lần đăng nhập đầu tiên."),
    ("honey", "Hợp tác xã bán mật ong rừng tại chợ phiên cuối tuần."),
    ("family secret", "Đó là bí mật của gia đình, anh ấy không kể với ai."),
    ("security", "Tăng cường bảo mật hệ thống thông tin của phường."),
    (
        "law running text",
        "Bí mật nhà nước được phân loại thành ba độ: Tuyệt mật, Tối mật và Mật.",
    ),
    ("law list items", "Các độ mật gồm:\n- Tuyệt mật;\n- Tối mật;\n- Mật."),
    ("law numbered items", "a) Tuyệt mật;\nb) Tối mật;\nc) Mật."),
    ("law title", "LUẬT\nBẢO VỆ BÍ MẬT NHÀ NƯỚC"),
    ("list decision title", "DANH MỤC BÍ MẬT NHÀ NƯỚC ĐỘ TỐI MẬT"),
    ("caps security title", "VỀ VIỆC TĂNG CƯỜNG BẢO MẬT"),
    ("caps password title", "HƯỚNG DẪN ĐỔI MẬT KHẨU"),
    ("caps password at start", "MẬT KHẨU PHẢI CÓ ÍT NHẤT 12 KÝ TỰ"),
    ("population density", "MẬT ĐỘ DÂN SỐ CÁC PHƯỜNG NĂM 2024"),
    ("front not secret", "MẶT TRẬN TỔ QUỐC VIỆT NAM"),
    ("cool weather", "MÁT"),
    ("flash urgency", "HỎA TỐC"),
    ("very urgent", "THƯỢNG KHẨN"),
    ("urgent", "KHẨN"),
    ("english running text", "All answers will be kept confidential."),
    (
        "quoted labels listed in a sentence",
        'Tài liệu có nhãn như "CONFIDENTIAL", "SECRET", "TOP SECRET", "RESTRICTED" được xử lý thận trọng.',
    ),
    ("english labels listed in a sentence", 'Labels such as "CONFIDENTIAL", "SECRET", "TOP SECRET" are handled.'),
    ("english secret in sentence", "The secret of a good broth is time."),
    ("english labels described", "Documents marked SECRET or TOP SECRET must not be uploaded."),
    ("declassified stamp", "GIẢI MẬT\nTừ: 01/02/2024"),
    ("declassified one line", "ĐÃ GIẢI MẬT    Từ: 01/02/2024"),
    ("declassified split letters", "G I Ả I  M Ậ T"),
    ("lone letter", "A"),
    ("appendix letter", "Phụ lục A"),
    ("envelope described", "Bì tài liệu độ Tuyệt mật được đóng dấu chữ A theo quy định."),
    ("stamp quoted in text", 'Cán bộ văn thư đóng dấu "TÀI LIỆU THU HỒI" vào góc trên bên phải.'),
    ("uncommon in sentence", "Giống lúa này không phổ biến ở đồng bằng sông Hồng."),
    ("double space in sentence", "Mọi người phải giữ bí  mật tuyệt đối."),
    ("double space before word", "thông tin bí  mật"),
    (
        "caps edge below top",
        "\n".join(f"Dòng nội dung số {number}" for number in range(1, 12)) + "\nUBND PHƯỜNG HOÀN KIẾM MẬT",
    ),
    ("security level label without mark", "Độ mật: Thường"),
    ("number and symbol", "Số: 123/BC-UBND"),
]


@pytest.mark.parametrize("text", [pytest.param(case[1], id=case[0]) for case in UNMARKED_TEXTS])
def test_unmarked_text_allowed(text: str) -> None:
    decision = GATE.check_text(text)
    assert decision.allowed is True
    assert decision.level is None
    assert decision.findings == ()


# A lower-case level counts in running text only where a sentence gives it to
# this document. (name, text, level or None)
DECLARED_LEVELS = [
    ("this document is top secret", "tài liệu này là tối mật, không được sao chụp", "TOI_MAT"),
    ("belongs to level", "Văn bản này thuộc độ Mật.", "MAT"),
    ("is a secret document", "Tài liệu này là tài liệu mật.", "MAT"),
    ("attached file stamped", "Hồ sơ kèm theo được đóng dấu Tối mật.", "TOI_MAT"),
    ("contains state secret", "Báo cáo này chứa bí mật nhà nước độ Tuyệt mật.", "TUYET_MAT"),
    ("list of state secrets", "Thông tin này thuộc danh mục bí mật nhà nước độ Tối mật", "TOI_MAT"),
    ("no diacritics", "tai lieu nay la toi mat", "TOI_MAT"),
    ("in capitals", "TÀI LIỆU NÀY LÀ TỐI MẬT", "TOI_MAT"),
    ("after a note label", "Lưu ý: tài liệu này là mật; không chuyển tiếp.", "MAT"),
    ("law naming levels", "các độ mật tối mật, mật", None),
    ("law sentence with subject", "Văn bản này quy định ba độ: Tuyệt mật, Tối mật, Mật.", None),
    ("negated", "Tài liệu này không phải là tài liệu mật.", None),
    ("public document", "Tài liệu này là tài liệu công khai.", None),
    ("quoted example", 'Ví dụ ghi "tài liệu này là tối mật." trên bìa.', None),
    ("low secrecy level", "Văn bản này có độ mật thấp.", None),
    ("back side, not secret", "Tài liệu này ở mặt sau.", None),
    ("password", "Tài liệu này là mật khẩu tạm thời.", None),
    ("honey", "Tài liệu này là mật ong rừng.", None),
    ("declassified", "Tài liệu này đã được giải mật.", None),
    ("general secret", "Thông tin này là bí mật.", None),
    ("question", "Tài liệu nào là tài liệu mật?", None),
]


@pytest.mark.parametrize(
    ("text", "level"),
    [pytest.param(*case[1:], id=case[0]) for case in DECLARED_LEVELS],
)
def test_level_declared_in_sentence(text: str, level: str | None) -> None:
    decision = GATE.check_text(text, location="body")
    assert decision.level == level
    assert decision.allowed is (level is None)


def test_declassified_stamp_explained() -> None:
    decision = GATE.check_text("GIẢI MẬT\nTừ: 01/02/2024")
    assert any("GIẢI MẬT" in reason and "line 1" in reason for reason in decision.reasons)


def test_declassified_stamp_keeps_old_mark() -> None:
    decision = GATE.check_text("MẬT\nGIẢI MẬT\nTừ: 01/02/2024")
    assert decision.allowed is False
    assert decision.level == "MAT"
    assert any("GIẢI MẬT" in reason for reason in decision.reasons)


def test_highest_level_reported() -> None:
    decision = GATE.check_text("Lưu hành nội bộ\nMẬT\nTUYỆT MẬT")
    assert decision.level == "TUYET_MAT"
    assert {finding.level for finding in decision.findings} == {"INTERNAL", "MAT", "TUYET_MAT"}


def test_mark_excludes_surrounding_text() -> None:
    decision = GATE.check_text("Báo cáo [TỐI MẬT] về công tác quý III")
    assert [finding.mark for finding in decision.findings] == ["TỐI MẬT"]


def test_reason_names_mark_and_place() -> None:
    decision = GATE.check_text("Hà Nội\nTỐI MẬT", location="header")
    assert decision.reasons == ('secrecy mark "TỐI MẬT" in header (line 2)',)


def test_allowed_decision_explained() -> None:
    decision = GATE.check_text("Lịch tiếp công dân tuần này.")
    assert decision.reasons == ("no secrecy mark, handling mark or classification label found in message",)


def test_check_text_unknown_location() -> None:
    with pytest.raises(ValueError, match="unknown location 'chat'.*message"):
        GATE.check_text("MẬT", location="chat")


def test_decision_to_dict() -> None:
    result = GATE.check_text("MẬT").to_dict()
    assert result == {
        "allowed": False,
        "level": "MAT",
        "findings": [{"level": "MAT", "mark": "MẬT", "location": "message", "line": 1}],
        "reasons": ['secrecy mark "MẬT" in message (line 1)'],
    }


def test_logs_carry_no_text(caplog: pytest.LogCaptureFixture) -> None:
    text = "Ông Trần Văn Khải gửi báo cáo\nTỐI MẬT"
    with caplog.at_level(logging.DEBUG, logger="guardrails"):
        GATE.check_text(text)
    assert caplog.records, "the gate should log its decision"
    assert "Trần Văn Khải" not in caplog.text
    assert "báo cáo" not in caplog.text


# --- marks in file names -----------------------------------------------------

# (name, file name, level or None)
FILE_NAMES = [
    ("underscored caps", "BC_TOI_MAT_2024.txt", "TOI_MAT"),
    ("bracketed", "[MẬT] Kế hoạch kiểm tra.txt", "MAT"),
    ("bracketed lower case", "[mật] ke hoach.txt", "MAT"),
    ("hyphenated lower case", "ke-hoach-tuyet-mat.txt", "TUYET_MAT"),
    ("caps word at end", "Bao_cao_MAT.txt", "MAT"),
    ("english label", "CONFIDENTIAL_budget_notes.txt", "CONFIDENTIAL"),
    ("internal label", "tai-lieu-luu-hanh-noi-bo.txt", "INTERNAL"),
    ("password guide", "huong-dan-doi-mat-khau.txt", None),
    ("security caps", "BAO_MAT_HE_THONG.txt", None),
    ("density", "mat-do-dan-so-2024.txt", None),
    ("word containing mat", "format_report.txt", None),
    ("lower case english word", "secret-garden-review.txt", None),
    ("declassified", "GIAI_MAT_ke_hoach.txt", None),
]


@pytest.mark.parametrize(
    ("file_name", "level"),
    [pytest.param(*case[1:], id=case[0]) for case in FILE_NAMES],
)
def test_file_name_marks(tmp_path: Path, file_name: str, level: str | None) -> None:
    path = tmp_path / file_name
    path.write_text("Nội dung thông thường.", encoding="utf-8")
    decision = GATE.check_file(path)
    assert decision.level == level
    if level is not None:
        assert decision.findings[0].location == "filename"
        assert decision.findings[0].line is None


# --- DOCX ----------------------------------------------------------------------


def _docx(tmp_path: Path, name: str = "van-ban.docx") -> tuple[docx.document.Document, Path]:
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thu ngân sách quý II năm 2024.")
    return document, tmp_path / name


def test_docx_header_table(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    table = document.sections[0].header.add_table(1, 2, Inches(6))
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    table.cell(0, 1).text = "TỐI MẬT"
    document.save(path)
    decision = GATE.check_file(path, body_text="Báo cáo kết quả thu ngân sách quý II năm 2024.")
    assert decision.allowed is False
    assert decision.level == "TOI_MAT"
    assert [(f.location, f.mark) for f in decision.findings] == [("header", "TỐI MẬT")]


def test_docx_nested_header_table(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    outer = document.sections[0].header.add_table(1, 1, Inches(6))
    inner = outer.cell(0, 0).add_table(1, 2)
    inner.cell(0, 1).text = "M Ậ T"
    document.save(path)
    decision = GATE.check_file(path)
    assert decision.level == "MAT"
    assert decision.findings[0].location == "header"


def test_docx_first_page_header(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "TUYỆT MẬT"
    document.save(path)
    assert GATE.check_file(path).level == "TUYET_MAT"


def test_docx_footer(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.sections[0].footer.paragraphs[0].text = "Lưu hành nội bộ"
    document.save(path)
    decision = GATE.check_file(path)
    assert decision.level == "INTERNAL"
    assert decision.findings[0] == MarkFinding("INTERNAL", "LƯU HÀNH NỘI BỘ", "footer", 1)


@pytest.mark.parametrize(
    ("field", "value", "level"),
    [
        pytest.param("keywords", "báo cáo; MẬT; ngân sách", "MAT", id="keywords"),
        pytest.param("title", "TỐI MẬT", "TOI_MAT", id="title"),
        pytest.param("subject", "Classification: SECRET", "SECRET", id="subject"),
        pytest.param("category", "Tuyệt mật", "TUYET_MAT", id="category"),
        pytest.param("comments", "TÀI LIỆU THU HỒI", "HANDLING", id="comments"),
        pytest.param("content_status", "Confidential", "CONFIDENTIAL", id="content status"),
    ],
)
def test_docx_core_properties(tmp_path: Path, field: str, value: str, level: str) -> None:
    document, path = _docx(tmp_path)
    setattr(document.core_properties, field, value)
    document.save(path)
    decision = GATE.check_file(path)
    assert decision.level == level
    assert decision.findings[0].location == "docx_properties"
    assert any(f"({field}" in reason for reason in decision.reasons)


def test_docx_core_properties_unmarked(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.core_properties.keywords = "bảo mật, mật khẩu, an toàn thông tin"
    document.core_properties.title = "Hướng dẫn đặt mật khẩu"
    document.save(path)
    assert GATE.check_file(path).allowed is True


def test_docx_custom_property_label(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.save(path)
    add_custom_property(path, "Sensitivity", "Highly Confidential")
    decision = GATE.check_file(path)
    assert decision.level == "CONFIDENTIAL"
    assert any("custom property Sensitivity" in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("name", "value", "level"),
    [
        ("Classification", "toi mat;", "TOI_MAT"),
        ("Do-mat", "mat", "MAT"),
        ("Ghi chu", "toi mat;", None),
        ("Classification", "cong khai", None),
    ],
)
def test_docx_custom_property_value(tmp_path: Path, name: str, value: str, level: str | None) -> None:
    document, path = _docx(tmp_path)
    document.save(path)
    add_custom_property(path, name, value)
    assert GATE.check_file(path).level == level


def test_docx_body_table_checked_with_body_text(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    table = document.add_table(1, 2)
    table.cell(0, 0).text = "SỞ XÂY DỰNG"
    table.cell(0, 1).text = "MẬT"
    document.save(path)
    # The caller's parser flattened the table and lost the cell boundary.
    decision = GATE.check_file(path, body_text="SỞ XÂY DỰNG MẬT KẾ HOẠCH")
    assert decision.level == "MAT"
    assert MarkFinding("MAT", "MẬT", "table", 2) in decision.findings


def test_docx_body_extracted_without_body_text(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.add_paragraph("TÀI LIỆU THU HỒI")
    document.save(path)
    decision = GATE.check_file(path)
    assert decision.findings == (MarkFinding("HANDLING", "TÀI LIỆU THU HỒI", "body", 2),)


def test_docx_unmarked_allowed(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.sections[0].header.paragraphs[0].text = "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"
    document.sections[0].footer.paragraphs[0].text = "Trang 1"
    document.add_paragraph("Đề nghị các đơn vị tăng cường bảo mật tài khoản và đổi mật khẩu định kỳ.")
    document.save(path)
    decision = GATE.check_file(path)
    assert decision.allowed is True
    assert decision.findings == ()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"not a zip archive at all", id="not a zip"),
        pytest.param(b"PK\x03\x04\x14\x00broken", id="broken zip header"),
    ],
)
def test_docx_corrupt_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hong.docx"
    path.write_bytes(content)
    with pytest.raises(GateReadError) as raised:
        GATE.check_file(path)
    assert raised.value.path == path
    assert "DOCX" in raised.value.reason


def test_docx_truncated_raises(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(GateReadError):
        GATE.check_file(path, body_text="Báo cáo")


def test_docx_damaged_header_raises(tmp_path: Path) -> None:
    document, path = _docx(tmp_path)
    document.sections[0].header.paragraphs[0].text = "ỦY BAN NHÂN DÂN"
    document.save(path)
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    header_name = next(name for name in entries if name.startswith("word/header"))
    entries[header_name] = entries[header_name][:40]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)
    with pytest.raises(GateReadError):
        GATE.check_file(path, body_text="Báo cáo")


# --- HTML ----------------------------------------------------------------------

# (name, html, level or None)
HTML_PAGES = [
    (
        "meta classification",
        '<html><head><meta name="classification" content="Tối mật"></head><body><p>Kế hoạch</p></body></html>',
        "TOI_MAT",
    ),
    (
        "meta keywords",
        '<html><head><meta name="keywords" content="kế hoạch, mật, 2024"></head><body>x</body></html>',
        "MAT",
    ),
    ("title", "<html><head><title>[MẬT] Kế hoạch kiểm tra</title></head><body>x</body></html>", "MAT"),
    ("banner in body", '<html><body><div class="banner">TOP SECRET</div><p>Notes</p></body></html>', "TOP_SECRET"),
    (
        "unmarked",
        '<html><head><title>Hướng dẫn bảo mật</title><meta name="description" content="Cách đặt mật khẩu an toàn">'
        "</head><body><p>Không chia sẻ mật khẩu với người khác.</p></body></html>",
        None,
    ),
    ("mark in script", "<html><body><script>var x = 'MẬT';</script><p>Lịch họp</p></body></html>", "MAT"),
    ("english label in script", '<html><body><script>var x = "SECRET";</script><p>Lịch họp</p></body></html>', None),
    ("lower-case word in script", "<html><body><script>var x = 'mật';</script><p>Lịch họp</p></body></html>", None),
    ("mark in comment", "<html><body><!-- MẬT --><p>Lịch họp</p></body></html>", "MAT"),
    ("lower-case mark in comment", "<html><head><!-- tối mật --></head><body><p>Lịch họp</p></body></html>", "TOI_MAT"),
    ("password in comment", "<html><body><!-- sửa mục mật khẩu --><p>Lịch họp</p></body></html>", None),
    (
        "meta no diacritics",
        '<html><head><meta name="classification" content="luu hanh noi bo"></head><body>x</body></html>',
        "INTERNAL",
    ),
    (
        "meta value ends with a stop",
        '<html><head><meta name="classification" content="luu hanh noi bo."></head><body>x</body></html>',
        "INTERNAL",
    ),
    (
        "meta value with a note",
        '<html><head><meta name="security-classification" content="toi mat; khong sao chup"></head><body>x</body></html>',
        "TOI_MAT",
    ),
    (
        "meta value with its label",
        '<html><head><meta name="classification" content="do mat: tuyet mat"></head><body>x</body></html>',
        "TUYET_MAT",
    ),
    (
        "meta public",
        '<html><head><meta name="classification" content="cong khai"></head><body>x</body></html>',
        None,
    ),
    (
        "meta density words",
        '<html><head><meta name="classification" content="mat do dan so"></head><body>x</body></html>',
        None,
    ),
    (
        "description is not a label",
        '<html><head><meta name="description" content="toi mat; khong sao chup"></head><body>x</body></html>',
        None,
    ),
]


@pytest.mark.parametrize(
    ("html", "level"),
    [pytest.param(*case[1:], id=case[0]) for case in HTML_PAGES],
)
def test_html_pages(tmp_path: Path, html: str, level: str | None) -> None:
    path = tmp_path / "trang.html"
    path.write_text(html, encoding="utf-8")
    assert GATE.check_file(path).level == level


def test_html_meta_checked_with_body_text(tmp_path: Path) -> None:
    path = tmp_path / "trang.html"
    path.write_text('<html><head><meta name="classification" content="SECRET"></head></html>', encoding="utf-8")
    decision = GATE.check_file(path, body_text="Lịch họp giao ban")
    assert decision.findings == (MarkFinding("SECRET", "SECRET", "html_meta", 1),)


def test_html_comment_reason(tmp_path: Path) -> None:
    path = tmp_path / "trang.html"
    path.write_text("<html><body><p>Lịch họp</p><!--\n TỐI MẬT \n--></body></html>", encoding="utf-8")
    decision = GATE.check_file(path, body_text="Lịch họp")
    assert decision.findings == (MarkFinding("TOI_MAT", "TỐI MẬT", "html_comment", 2),)
    assert decision.reasons == ('secrecy mark "TỐI MẬT" in html_comment (hidden HTML comment, line 2)',)


# --- PDF -----------------------------------------------------------------------


def _pdf(path: Path, **docinfo: str) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in docinfo.items():
        pdf.docinfo[f"/{key}"] = value
    return pdf


@pytest.mark.parametrize(
    ("docinfo", "level"),
    [
        pytest.param({"Subject": "TỐI MẬT"}, "TOI_MAT", id="subject"),
        pytest.param({"Keywords": "ngân sách, MẬT"}, "MAT", id="keywords"),
        pytest.param({"Title": "OFFICIAL-SENSITIVE"}, "OFFICIAL_SENSITIVE", id="title"),
        pytest.param({"Title": "Hướng dẫn bảo mật tài khoản"}, None, id="unmarked title"),
    ],
)
def test_pdf_metadata(tmp_path: Path, docinfo: dict[str, str], level: str | None) -> None:
    path = tmp_path / "tai-lieu.pdf"
    _pdf(path, **docinfo).save(path)
    decision = GATE.check_file(path)
    assert decision.level == level
    if level is not None:
        assert decision.findings[0].location == "pdf_metadata"


def test_pdf_xmp_metadata(tmp_path: Path) -> None:
    path = tmp_path / "tai-lieu.pdf"
    pdf = _pdf(path)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = "TUYỆT MẬT"
    pdf.save(path)
    assert GATE.check_file(path).level == "TUYET_MAT"


@pytest.mark.parametrize(
    ("user_password", "owner_password"),
    [
        pytest.param("mo-khoa", "chu-so-huu", id="user password"),
        pytest.param("", "chu-so-huu", id="owner password only"),
    ],
)
def test_pdf_encrypted_raises(tmp_path: Path, user_password: str, owner_password: str) -> None:
    path = tmp_path / "ma-hoa.pdf"
    _pdf(path, Title="Kế hoạch").save(path, encryption=pikepdf.Encryption(user=user_password, owner=owner_password))
    with pytest.raises(GateReadError, match="encrypted"):
        GATE.check_file(path, body_text="Kế hoạch")


def test_pdf_corrupt_raises(tmp_path: Path) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    with pytest.raises(GateReadError, match="PDF"):
        GATE.check_file(path)


# --- other files ------------------------------------------------------------------


def test_text_file_body(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_text("UBND PHƯỜNG CỬA NAM\n\nMẬT\n\nThông báo lịch họp.", encoding="utf-8")
    assert GATE.check_file(path).findings == (MarkFinding("MAT", "MẬT", "body", 3),)


MARKED_LEGACY_TEXT = "UBND PHƯỜNG CỬA NAM\nTỐI MẬT\nThông báo lịch họp."

# (name, encoded text)
TEXT_ENCODINGS = [
    ("utf-8", MARKED_LEGACY_TEXT.encode("utf-8")),
    ("utf-8 with BOM", MARKED_LEGACY_TEXT.encode("utf-8-sig")),
    ("utf-16 little-endian BOM", MARKED_LEGACY_TEXT.encode("utf-16")),
    ("utf-16 big-endian BOM", b"\xfe\xff" + MARKED_LEGACY_TEXT.encode("utf-16-be")),
    ("utf-16 without BOM", MARKED_LEGACY_TEXT.encode("utf-16-le")),
    ("windows-1258", encode_cp1258(MARKED_LEGACY_TEXT)),
]


@pytest.mark.parametrize("data", [pytest.param(case[1], id=case[0]) for case in TEXT_ENCODINGS])
def test_text_file_encodings(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_bytes(data)
    assert GATE.check_file(path).findings == (MarkFinding("TOI_MAT", "TỐI MẬT", "body", 2),)


def test_text_file_unmarked_legacy_allowed(tmp_path: Path) -> None:
    path = tmp_path / "thong-bao.txt"
    path.write_bytes(encode_cp1258("Thông báo lịch tiếp công dân thứ Năm.\nĐổi mật khẩu trước ngày 5."))
    assert GATE.check_file(path).allowed is True


def test_text_file_empty_allowed(tmp_path: Path) -> None:
    path = tmp_path / "trong.txt"
    path.write_bytes(b"  \n")
    assert GATE.check_file(path).allowed is True


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), id="binary"),
        pytest.param(b"\xff\xfeA\xd8", id="truncated utf-16"),
        pytest.param(bytes(range(0x80, 0x100)) * 4 + b"\x01\x02\x03" * 20, id="neither encoding"),
    ],
)
def test_text_file_undecodable_raises(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "cu.txt"
    path.write_bytes(data)
    with pytest.raises(GateReadError, match="cu.txt"):
        GATE.check_file(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(GateReadError, match="not found"):
        GATE.check_file(tmp_path / "khong-co.txt")


def test_unsupported_type_without_body_raises(tmp_path: Path) -> None:
    path = tmp_path / "bang.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(GateReadError, match="body_text"):
        GATE.check_file(path)


def test_unsupported_type_with_body_checked(tmp_path: Path) -> None:
    path = tmp_path / "bang.xlsx"
    path.write_bytes(b"PK")
    assert GATE.check_file(path, body_text="Bảng số liệu\nTỐI MẬT").level == "TOI_MAT"


# --- policy --------------------------------------------------------------------


def test_default_policy_blocks_every_level() -> None:
    assert GATE.policy.blocked_levels == frozenset(LEVELS)


def test_policy_level_not_blocked(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[gate]\nblock = ["TUYET_MAT", "TOI_MAT", "MAT"]\n', encoding="utf-8")
    gate = ClassificationGate(policy=load_policy(path))
    decision = gate.check_text("Lưu hành nội bộ")
    assert decision.allowed is True
    assert decision.level is None
    assert decision.findings == (MarkFinding("INTERNAL", "LƯU HÀNH NỘI BỘ", "message", 1),)
    assert "not blocked by policy" in decision.reasons[0]


def test_policy_blocked_level_with_unblocked_one(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[gate]\nblock = ["MAT"]\n', encoding="utf-8")
    decision = ClassificationGate(policy=load_policy(path)).check_text("TOP SECRET\nMẬT")
    assert decision.allowed is False
    assert decision.level == "MAT"


# (name, policy text, expected message pattern)
INVALID_POLICIES = [
    ("unknown level", '[gate]\nblock = ["MAT", "SECRETISH"]\n', r"unknown level.*SECRETISH.*TUYET_MAT"),
    ("unknown gate key", '[gate]\nblock = ["MAT"]\nallow = ["SECRET"]\n', r"unknown keys \['allow'\]"),
    ("unknown table", '[gate]\nblock = ["MAT"]\n[extra]\nx = 1\n', r"unknown keys \['extra'\]"),
    ("missing gate table", 'block = ["MAT"]\n', r"unknown keys \['block'\]"),
    ("block not a list", '[gate]\nblock = "MAT"\n', r"must be a list"),
    ("invalid toml", "[gate\nblock = 1", r"not valid TOML"),
]


@pytest.mark.parametrize(
    ("text", "pattern"),
    [pytest.param(*case[1:], id=case[0]) for case in INVALID_POLICIES],
)
def test_invalid_policy_raises(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=pattern):
        load_policy(path)


def test_policy_file_missing_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_policy(tmp_path / "none.toml")


def test_gate_decision_type() -> None:
    assert isinstance(GATE.check_text("x"), GateDecision)
