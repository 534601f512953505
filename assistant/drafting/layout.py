"""The fixed wording of the administrative layout, in Vietnamese and English."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from assistant.drafting.doctypes import DocType
from assistant.drafting.models import DraftRequest, Header

_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December")


@dataclass(frozen=True)
class Labels:
    national_title: str
    motto: str
    number: str
    regarding: str
    addressees: str
    recipients: str
    archive: str
    citations: str


LABELS = {
    "vi": Labels("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số:", "V/v", "Kính gửi:",
                 "Nơi nhận:", "Lưu: VT", "Nguồn trích dẫn"),
    "en": Labels("SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom - Happiness", "No.:", "Re:", "To:",
                 "Recipients:", "Filed: VT (records office)", "Sources cited"),
}

# Section headings of the composed body per type: (brief, facts, sources). Types
# without headings (letters, notices, invitations) run as plain paragraphs.
HEADINGS: dict[str, dict[str, tuple[str, str, str]]] = {
    "vi": {
        "bao_cao": ("TÌNH HÌNH CHUNG", "KẾT QUẢ CỤ THỂ", "TÀI LIỆU CĂN CỨ"),
        "to_trinh": ("SỰ CẦN THIẾT", "NỘI DUNG ĐỀ XUẤT", "CĂN CỨ ĐỀ XUẤT"),
        "ke_hoach": ("MỤC ĐÍCH, YÊU CẦU", "NỘI DUNG THỰC HIỆN", "CĂN CỨ XÂY DỰNG KẾ HOẠCH"),
        "bien_ban": ("NỘI DUNG", "DIỄN BIẾN VÀ KẾT LUẬN", "TÀI LIỆU LIÊN QUAN"),
    },
    "en": {
        "bao_cao": ("OVERVIEW", "RESULTS", "SOURCES"),
        "to_trinh": ("RATIONALE", "PROPOSAL", "GROUNDS"),
        "ke_hoach": ("PURPOSE AND REQUIREMENTS", "TASKS", "GROUNDS"),
        "bien_ban": ("SUBJECT", "PROCEEDINGS AND CONCLUSIONS", "RELATED DOCUMENTS"),
    },
}

# The closing sentence of each type; {first_recipient} is the first recipient or a general phrase.
CLOSINGS: dict[str, dict[str, str]] = {
    "vi": {
        "bao_cao": "Trên đây là báo cáo về nội dung: {subject}./.",
        "cong_van": "Trân trọng./.",
        "to_trinh": "Kính trình {first_recipient} xem xét, quyết định./.",
        "ke_hoach": "Các cơ quan, đơn vị liên quan căn cứ Kế hoạch này tổ chức thực hiện./.",
        "thong_bao": "Trân trọng thông báo./.",
        "giay_moi": "Rất mong Quý cơ quan, đơn vị sắp xếp tham dự đúng thành phần./.",
        "bien_ban": "Biên bản được lập để lưu theo quy định./.",
    },
    "en": {
        "bao_cao": "This concludes the report on: {subject}.",
        "cong_van": "Yours faithfully.",
        "to_trinh": "Submitted to {first_recipient} for consideration and decision.",
        "ke_hoach": "The bodies concerned shall carry out this plan.",
        "thong_bao": "This notice is issued for information.",
        "giay_moi": "We look forward to your attendance.",
        "bien_ban": "These minutes are filed as required.",
    },
}
GENERAL_RECIPIENT = {"vi": "cấp có thẩm quyền", "en": "the competent authority"}
SOURCE_LINE = {"vi": "Theo {label}: «{quote}» [{n}].", "en": "According to {label}: “{quote}” [{n}]."}

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def place_date(place: str, date: datetime.date, language: str) -> str:
    """Return the place-and-date line: "Hà Nội, ngày 04 tháng 12 năm 2026".

    Decree 30/2020/NĐ-CP writes days below 10 and the months 1 and 2 with a leading zero.
    NOTE: the rule for months is recalled from the decree's Appendix I, not checked against its text.
    """
    if language == "en":
        return f"{place}, {_ENGLISH_MONTHS[date.month - 1]} {date.day}, {date.year}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def number_line(request: DraftRequest, doc_type: DocType) -> str:
    """Return "Số: …/BC-UBND", or for a letter "Số: …/UBND-VP" (issuing body, then drafting unit)."""
    number = f"{request.number:02d}" if request.number else "…"
    if doc_type.is_letter:
        symbol = request.issuing_symbol + (f"-{request.drafting_unit}" if request.drafting_unit else "")
    else:
        symbol = f"{doc_type.symbol}-{request.issuing_symbol}"
    return f"{LABELS[request.language].number} {number}/{symbol}"


def header(request: DraftRequest, doc_type: DocType) -> Header:
    labels = LABELS[request.language]
    return Header(
        parent_body=request.parent_body.upper() if request.parent_body else None,
        issuing_body=request.issuing_body.upper(),
        national_title=labels.national_title,
        motto=labels.motto,
        number=number_line(request, doc_type),
        place_date=place_date(request.place, request.date, request.language),
    )


def title_of(doc_type: DocType, language: str) -> str:
    return (doc_type.english if language == "en" else doc_type.name).upper()


def template_texts(language: str) -> list[str]:
    """Return the fixed wording of one language; the fact check accepts names that occur in it."""
    labels = LABELS[language]
    texts = [labels.national_title, labels.motto, labels.recipients, labels.archive, labels.addressees]
    for headings in HEADINGS[language].values():
        # A heading's number depends on which parts are present, so every numbering is listed.
        texts.extend(f"{numeral}. {heading}" for heading in headings for numeral in ROMAN[:len(headings)])
    texts.extend(CLOSINGS[language].values())
    texts.append(GENERAL_RECIPIENT[language])
    return texts
