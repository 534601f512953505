"""The drafting request and the structured draft it produces."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# Vietnam keeps UTC+7 all year, so "today" for a draft is the date in that offset.
VIETNAM_TIME = datetime.timezone(datetime.timedelta(hours=7))

MAX_BRIEF_CHARS = 20_000
MAX_FACTS = 200
MAX_FACT_CHARS = 2_000
MAX_SECTIONS = 50
MAX_PARAGRAPHS = 100
MAX_PARAGRAPH_CHARS = 5_000
MAX_RECIPIENTS = 50
MAX_DOCUMENT_IDS = 20
# Upper bound of all request text together; a larger request gets HTTP 413.
MAX_REQUEST_CHARS = 200_000

_SYMBOL = r"^[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$"


Fact = Annotated[str, Field(min_length=1, max_length=MAX_FACT_CHARS)]
Paragraph = Annotated[str, Field(min_length=1, max_length=MAX_PARAGRAPH_CHARS)]
Recipient = Annotated[str, Field(min_length=1, max_length=300)]
DocumentId = Annotated[str, Field(min_length=1, max_length=500)]


def today_in_vietnam() -> datetime.date:
    return datetime.datetime.now(VIETNAM_TIME).date()


class SectionInput(BaseModel):
    """A body section written by the caller, used as it is."""

    model_config = ConfigDict(extra="forbid")
    heading: str | None = Field(None, max_length=500)
    paragraphs: list[Paragraph] = Field(min_length=1, max_length=MAX_PARAGRAPHS)

    def texts(self) -> list[str]:
        return ([self.heading] if self.heading else []) + list(self.paragraphs)


class Signer(BaseModel):
    """The person who signs: on_behalf is the authority line, such as "TM. ỦY BAN NHÂN DÂN" or "KT. CHỦ TỊCH"."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200)
    on_behalf: str | None = Field(None, max_length=200)


_EXAMPLE = {
    "doc_type": "Báo cáo",
    "subject": "Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026",
    "brief": "Báo cáo kết quả tiếp nhận và giải quyết hồ sơ trực tuyến của Sở trong tháng.",
    "facts": ["Tiếp nhận 1.240 hồ sơ trực tuyến", "Giải quyết đúng hạn 1.198 hồ sơ"],
    "issuing_body": "SỞ TƯ PHÁP",
    "parent_body": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
    "issuing_symbol": "STP",
    "recipients": ["UBND Thành phố", "Văn phòng UBND Thành phố"],
    "signer": {"name": "Trần Minh Khoa", "title": "GIÁM ĐỐC", "on_behalf": None},
    "date": "2026-12-04",
    "language": "vi",
}


class DraftRequest(BaseModel):
    """A department system's request for a draft."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    doc_type: str = Field(min_length=1, max_length=60, description="Vietnamese name, symbol (BC) or English name.")
    subject: str = Field(min_length=1, max_length=500)
    brief: str = Field("", max_length=MAX_BRIEF_CHARS, description="What the document is about, in prose.")
    facts: list[Fact] = Field(default_factory=list, max_length=MAX_FACTS)
    sections: list[SectionInput] | None = Field(None, max_length=MAX_SECTIONS)
    source_query: str | None = Field(None, min_length=1, max_length=1000)
    document_ids: list[DocumentId] | None = Field(None, max_length=MAX_DOCUMENT_IDS)
    issuing_body: str = Field(min_length=1, max_length=300)
    parent_body: str | None = Field(None, max_length=300)
    issuing_symbol: str = Field(min_length=1, max_length=40, pattern=_SYMBOL)
    drafting_unit: str | None = Field(
        None, max_length=40, pattern=_SYMBOL, description="Unit after the body in a Công văn number, as VP in UBND-VP."
    )
    number: int | None = Field(None, ge=1, le=999_999, description="Registered number; a draft usually has none yet.")
    recipients: list[Recipient] = Field(default_factory=list, max_length=MAX_RECIPIENTS)
    signer: Signer
    place: str = Field("Hà Nội", min_length=1, max_length=100)
    date: datetime.date = Field(default_factory=today_in_vietnam)
    language: Literal["vi", "en"] = "vi"

    def texts(self) -> list[tuple[str, str]]:
        """Return (field, text) for every text the caller sent, for the gate and the fact check."""
        found = [("subject", self.subject), ("brief", self.brief), ("issuing_body", self.issuing_body),
                 ("place", self.place), ("signer.name", self.signer.name), ("signer.title", self.signer.title)]
        found += [(f"facts[{i}]", fact) for i, fact in enumerate(self.facts)]
        found += [(f"recipients[{i}]", r) for i, r in enumerate(self.recipients)]
        for i, section in enumerate(self.sections or []):
            found += [(f"sections[{i}]", text) for text in section.texts()]
        optional = [("parent_body", self.parent_body), ("signer.on_behalf", self.signer.on_behalf),
                    ("source_query", self.source_query)]
        found += [(name, text) for name, text in optional if text]
        return [(name, text) for name, text in found if text]


class Citation(BaseModel):
    """A source passage quoted in the draft; [n] in the body refers to it."""

    n: int
    document_id: str
    title: str
    locator: str
    chunk_id: int
    page: int | None = None
    quote: str


class Header(BaseModel):
    parent_body: str | None
    issuing_body: str
    national_title: str
    motto: str
    number: str
    place_date: str


class Section(BaseModel):
    """A body section. origin is where its text came from, and only "brief" text may be rewritten."""

    heading: str | None
    paragraphs: list[str]
    origin: Literal["caller", "brief", "facts", "sources", "closing"]


class Signature(BaseModel):
    on_behalf: str | None
    title: str
    name: str


class RecipientsBlock(BaseModel):
    label: str
    entries: list[str]


class Violation(BaseModel):
    """A statement the fact check could not trace: kind is number, amount, date, invalid_date, legal_reference or person."""

    kind: str
    value: str
    where: str


class CheckReport(BaseModel):
    passed: bool
    violations: list[Violation]


class Composition(BaseModel):
    """The origin of the body: "composed" from the request, or "rewritten" by the language model."""

    mode: Literal["composed", "rewritten"]
    reasons: list[str] = Field(default_factory=list)


class Draft(BaseModel):
    doc_type: dict
    language: Literal["vi", "en"]
    header: Header
    regarding: str | None = Field(description="The V/v line under the number of an official letter.")
    title: str | None
    subject: str | None
    addressees: list[str]
    sections: list[Section]
    recipients: RecipientsBlock
    signature: Signature
    citations: list[Citation]
    composition: Composition
    check: CheckReport


_DRAFT_EXAMPLE = {
    "doc_type": {"key": "bao_cao", "name": "Báo cáo", "symbol": "BC", "english": "report"},
    "language": "vi",
    "header": {
        "parent_body": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "issuing_body": "SỞ TƯ PHÁP",
        "national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số: …/BC-STP",
        "place_date": "Hà Nội, ngày 04 tháng 12 năm 2026",
    },
    "regarding": None,
    "title": "BÁO CÁO",
    "subject": "Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026",
    "addressees": [],
    "sections": [
        {
            "heading": "I. TÌNH HÌNH CHUNG",
            "paragraphs": ["Báo cáo kết quả tiếp nhận và giải quyết hồ sơ trực tuyến của Sở trong tháng."],
            "origin": "brief",
        },
        {
            "heading": "II. KẾT QUẢ CỤ THỂ",
            "paragraphs": ["- Tiếp nhận 1.240 hồ sơ trực tuyến", "- Giải quyết đúng hạn 1.198 hồ sơ"],
            "origin": "facts",
        },
        {
            "heading": None,
            "paragraphs": ["Trên đây là báo cáo về nội dung: Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026./."],
            "origin": "closing",
        },
    ],
    "recipients": {"label": "Nơi nhận:", "entries": ["UBND Thành phố", "Văn phòng UBND Thành phố", "Lưu: VT"]},
    "signature": {"on_behalf": None, "title": "GIÁM ĐỐC", "name": "Trần Minh Khoa"},
    "citations": [],
    "composition": {"mode": "composed", "reasons": []},
    "check": {"passed": True, "violations": []},
}

_STORED_EXAMPLE = {
    "id": "8e41c7d2b95a4f0c9a3d6e1f20b7c584",
    "department": "so-tu-phap",
    "version": 1,
    "created_at": "2026-12-04T03:12:45.208117+00:00",
    "created_by": "key:4f1a9c02d7e3",
    # The request as stored: the example request with every default filled in.
    "request": DraftRequest.model_validate(_EXAMPLE).model_dump(mode="json"),
    "draft": _DRAFT_EXAMPLE,
}


class StoredDraft(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_STORED_EXAMPLE]})
    id: str
    department: str
    version: int
    created_at: str
    created_by: str
    request: dict
    draft: Draft


class DraftSummary(BaseModel):
    id: str
    version: int
    created_at: str
    doc_type: str
    subject: str


class DraftList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "drafts": [{
            "id": "8e41c7d2b95a4f0c9a3d6e1f20b7c584",
            "version": 2,
            "created_at": "2026-12-04T03:40:02.551930+00:00",
            "doc_type": "bao_cao",
            "subject": "Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026",
        }],
        "limit": 1,
        "offset": 0,
        "total": 12,
        "next_offset": 1,
    }]})
    drafts: list[DraftSummary]
    limit: int
    offset: int
    total: int = Field(description="Number of drafts of the caller's department.")
    next_offset: int | None = Field(description="Offset of the next page, or null on the last page.")


class VersionRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"changes": {"facts": ["Tiếp nhận 1.250 hồ sơ trực tuyến"]}}]}
    )
    changes: dict = Field(description="Fields of DraftRequest to replace; signer may be given in part.")
