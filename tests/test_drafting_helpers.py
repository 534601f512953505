"""Shared builders for the drafting tests (no tests here): an assistant over a small index, request bodies."""

from __future__ import annotations

from pathlib import Path

from assistant.access import Caller
from assistant.service import Assistant
from assistant.settings import Settings
from guardrails import ClassificationGate
from retrieval.embeddings import HashingEmbedder
from retrieval.index import DocumentIndex
from retrieval.ingest import IngestLimits, Ingestor

RULES = """Quy chế công tác văn thư
Điều 12. Số văn bản
1. Số văn bản ghi bằng chữ số Ả Rập, bắt đầu từ số 01 vào ngày 01 tháng 01 hằng năm theo Nghị định 30/2020/NĐ-CP.
2. Văn bản được trình bày trên khổ giấy A4 với phông chữ Times New Roman.
"""

JUSTICE = Caller("clerk.tp", "so-tu-phap", frozenset({"draft"}))
CONSTRUCTION = Caller("clerk.xd", "so-xay-dung", frozenset({"draft"}))


def small_assistant(tmp_path: Path, redactor, llm=None) -> Assistant:  # noqa: ANN001
    """Return an assistant whose index holds one short rule document, embedded by hashing."""
    settings = Settings(data_dir=tmp_path / "data", llm_backend="none")
    assistant = Assistant(settings, llm=llm, use_configured_llm=False)
    assistant.index = DocumentIndex(settings.data_dir / "index", HashingEmbedder)
    source = tmp_path / "quy-che-van-thu.txt"
    source.write_text(RULES, encoding="utf-8")
    Ingestor(assistant.index, ClassificationGate(), IngestLimits(), max_tokens=256).ingest([source])
    # The session's Redactor, so that each test does not load spaCy again.
    assistant._redactor = redactor
    return assistant


def request_body(**changes: object) -> dict:
    """Return a valid Báo cáo request with invented facts, with fields replaced by changes."""
    body = {
        "doc_type": "Báo cáo",
        "subject": "Kết quả tiếp nhận hồ sơ trực tuyến tháng 11 năm 2026",
        "brief": "Sở Tư pháp báo cáo kết quả tiếp nhận và giải quyết hồ sơ trực tuyến trong tháng.",
        "facts": ["Tiếp nhận 1.240 hồ sơ trực tuyến", "Giải quyết đúng hạn 98,5% số hồ sơ",
                  "Kinh phí vận hành 1,2 tỷ đồng"],
        "issuing_body": "Sở Tư pháp",
        "parent_body": "Ủy ban nhân dân thành phố Hà Nội",
        "issuing_symbol": "STP",
        "recipients": ["UBND Thành phố", "Văn phòng UBND Thành phố"],
        "signer": {"name": "Trần Minh Khoa", "title": "Giám đốc"},
        "date": "2026-12-04",
    }
    body.update(changes)
    return body
