"""Layout of drafts: document types, header, number, V/v rule, recipients, signature, DOCX and Markdown."""

from __future__ import annotations

import datetime
import io

import pytest
from docx import Document
from docx.shared import Pt

from assistant.drafting.compose import compose
from assistant.drafting.doctypes import DOC_TYPES, resolve_doc_type
from assistant.drafting.layout import place_date
from assistant.drafting.models import DraftRequest
from assistant.drafting.render import to_docx, to_markdown
from assistant.errors import InputError
from tests.test_drafting_helpers import request_body


def draft_of(**changes: object):
    request = DraftRequest.model_validate(request_body(**changes))
    return compose(request, resolve_doc_type(request.doc_type), [])


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Báo cáo", "bao_cao"), ("bao cao", "bao_cao"), ("BÁO CÁO", "bao_cao"), ("BC", "bao_cao"),
        ("report", "bao_cao"), ("Công văn", "cong_van"), ("cong-van", "cong_van"), ("Official Letter", "cong_van"),
        ("Tờ trình", "to_trinh"), ("TTr", "to_trinh"), ("submission", "to_trinh"), ("ke hoach", "ke_hoach"),
        ("KH", "ke_hoach"), ("plan", "ke_hoach"), ("Thông báo", "thong_bao"), ("tb", "thong_bao"),
        ("notice", "thong_bao"), ("GIẤY MỜI", "giay_moi"), ("GM", "giay_moi"), ("invitation", "giay_moi"),
        ("Biên bản", "bien_ban"), ("BB", "bien_ban"), ("minutes", "bien_ban"),
    ],
)
def test_doc_type_accepted_names(value: str, key: str) -> None:
    assert resolve_doc_type(value).key == key


@pytest.mark.parametrize("value", ["Quyết định", "memo", "B C", ""])
def test_unknown_doc_type_lists_known(value: str) -> None:
    with pytest.raises(InputError, match="unknown doc_type") as error:
        resolve_doc_type(value)
    for doc_type in DOC_TYPES:
        assert doc_type.name in str(error.value)


# (doc_type, expected number line, title, regarding line, addressed)
HEADER_CASES = [
    ("Báo cáo", "Số: …/BC-STP", "BÁO CÁO", None, False),
    ("Công văn", "Số: …/STP-VP", None, "V/v Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026", True),
    ("Tờ trình", "Số: …/TTr-STP", "TỜ TRÌNH", None, True),
    ("Kế hoạch", "Số: …/KH-STP", "KẾ HOẠCH", None, False),
    ("Thông báo", "Số: …/TB-STP", "THÔNG BÁO", None, False),
    ("Giấy mời", "Số: …/GM-STP", "GIẤY MỜI", None, True),
    ("Biên bản", "Số: …/BB-STP", "BIÊN BẢN", None, False),
]


@pytest.mark.parametrize(("doc_type", "number", "title", "regarding", "addressed"), HEADER_CASES)
def test_vietnamese_layout_per_type(doc_type: str, number: str, title: str | None, regarding: str | None,
                                    addressed: bool) -> None:
    draft = draft_of(doc_type=doc_type, drafting_unit="VP")
    assert draft.header.parent_body == "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    assert draft.header.issuing_body == "SỞ TƯ PHÁP"
    assert draft.header.national_title == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert draft.header.motto == "Độc lập - Tự do - Hạnh phúc"
    assert draft.header.number == number
    assert draft.header.place_date == "Hà Nội, ngày 04 tháng 12 năm 2026"
    assert draft.title == title
    assert draft.regarding == regarding
    assert draft.subject == (None if regarding else "Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026")
    assert draft.addressees == (["UBND Thành phố", "Văn phòng UBND Thành phố"] if addressed else [])
    assert draft.recipients.label == "Nơi nhận:"
    assert draft.recipients.entries == ["UBND Thành phố", "Văn phòng UBND Thành phố", "Lưu: VT"]
    assert (draft.signature.title, draft.signature.name) == ("GIÁM ĐỐC", "Trần Minh Khoa")


@pytest.mark.parametrize(
    ("doc_type", "number", "title", "regarding"),
    [("report", "No.: …/BC-STP", "REPORT", None), ("official letter", "No.: …/STP", None, "Re: Road repairs"),
     ("minutes", "No.: …/BB-STP", "MINUTES", None), ("invitation", "No.: …/GM-STP", "INVITATION", None)],
)
def test_english_layout_per_type(doc_type: str, number: str, title: str | None, regarding: str | None) -> None:
    draft = draft_of(doc_type=doc_type, language="en", subject="Road repairs", date="2026-02-03")
    assert draft.header.national_title == "SOCIALIST REPUBLIC OF VIETNAM"
    assert draft.header.motto == "Independence - Freedom - Happiness"
    assert draft.header.number == number
    assert draft.header.place_date == "Hà Nội, February 3, 2026"
    assert draft.title == title
    assert draft.regarding == regarding
    assert draft.recipients.label == "Recipients:"
    assert draft.recipients.entries[-1] == "Filed: VT (records office)"


@pytest.mark.parametrize(
    ("date", "expected"),
    [(datetime.date(2026, 12, 4), "Hà Nội, ngày 04 tháng 12 năm 2026"),
     (datetime.date(2026, 1, 15), "Hà Nội, ngày 15 tháng 01 năm 2026"),
     (datetime.date(2026, 2, 9), "Hà Nội, ngày 09 tháng 02 năm 2026"),
     (datetime.date(2026, 3, 31), "Hà Nội, ngày 31 tháng 3 năm 2026")],
)
def test_place_date_padding(date: datetime.date, expected: str) -> None:
    assert place_date("Hà Nội", date, "vi") == expected


@pytest.mark.parametrize(("number", "line"), [(7, "Số: 07/BC-STP"), (123, "Số: 123/BC-STP")])
def test_registered_number_padded(number: int, line: str) -> None:
    assert draft_of(number=number).header.number == line


def test_signature_with_authority_line() -> None:
    draft = draft_of(signer={"name": "Lê Thu Hằng", "title": "Phó Chủ tịch", "on_behalf": "KT. Chủ tịch"})
    assert draft.signature.on_behalf == "KT. CHỦ TỊCH"
    assert draft.signature.title == "PHÓ CHỦ TỊCH"
    assert draft.signature.name == "Lê Thu Hằng"


def test_composed_report_sections() -> None:
    draft = draft_of()
    headings = [s.heading for s in draft.sections]
    assert headings == ["I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ CỤ THỂ", None]
    assert draft.sections[1].paragraphs[0] == "- Tiếp nhận 1.240 hồ sơ trực tuyến"
    assert draft.sections[-1].origin == "closing"


def test_caller_sections_used_as_given() -> None:
    sections = [{"heading": "1. Bối cảnh", "paragraphs": ["Đoạn thứ nhất.", "Đoạn thứ hai."]}]
    draft = draft_of(sections=sections)
    assert draft.sections[0].heading == "1. Bối cảnh"
    assert draft.sections[0].paragraphs == ["Đoạn thứ nhất.", "Đoạn thứ hai."]
    assert draft.sections[0].origin == "caller"


def open_docx(draft) -> Document:  # noqa: ANN001
    return Document(io.BytesIO(to_docx(draft)))


def test_docx_page_and_font() -> None:
    document = open_docx(draft_of())
    section = document.sections[0]
    # DOCX stores lengths in twentieths of a point, so millimetres come back rounded.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman"
    assert Pt(13) <= normal.size <= Pt(14)


def test_docx_header_table() -> None:
    document = open_docx(draft_of())
    header = document.tables[0]
    assert len(header.columns) == 2
    borders = header._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders")
    assert borders is not None
    assert all(edge.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "nil"
               for edge in borders)
    left, right = header.rows[0].cells
    assert "SỞ TƯ PHÁP" in left.text
    national, motto = right.paragraphs[0].runs[0], right.paragraphs[1].runs[0]
    assert national.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert national.bold is True
    assert motto.text == "Độc lập - Tự do - Hạnh phúc"
    assert motto.underline is True
    number_cell, date_cell = header.rows[1].cells
    assert number_cell.text == "Số: …/BC-STP"
    assert date_cell.paragraphs[0].runs[0].italic is True


def test_docx_title_and_closing() -> None:
    document = open_docx(draft_of())
    [title] = [p for p in document.paragraphs if p.text == "BÁO CÁO"]
    assert title.runs[0].bold is True
    assert title.alignment == 1  # centred
    closing = document.tables[1]
    left, right = closing.rows[0].cells
    label = left.paragraphs[0].runs[0]
    assert label.text == "Nơi nhận:"
    assert label.italic is True
    assert label.font.size == Pt(12)
    assert [p.text for p in left.paragraphs[1:]] == ["- UBND Thành phố;", "- Văn phòng UBND Thành phố;", "- Lưu: VT."]
    assert right.paragraphs[0].text == "GIÁM ĐỐC"
    assert right.paragraphs[-1].text == "Trần Minh Khoa"


def test_docx_letter_has_regarding_not_title() -> None:
    document = open_docx(draft_of(doc_type="Công văn"))
    assert "V/v Kết quả" in document.tables[0].rows[1].cells[0].text
    assert not [p for p in document.paragraphs if p.text == "CÔNG VĂN"]
    assert any(p.text.startswith("Kính gửi: UBND Thành phố") for p in document.paragraphs)


def test_markdown_contains_layout() -> None:
    markdown = to_markdown(draft_of(doc_type="Tờ trình"))
    for expected in ("**SỞ TƯ PHÁP**", "Số: …/TTr-STP", "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**",
                     "<u>**Độc lập - Tự do - Hạnh phúc**</u>", "# TỜ TRÌNH", "Kính gửi: UBND Thành phố",
                     "***Nơi nhận:***", "- Lưu: VT.", "**Trần Minh Khoa**",
                     "Kính trình UBND Thành phố xem xét, quyết định./."):
        assert expected in markdown
