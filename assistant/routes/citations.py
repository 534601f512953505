"""The citation model shared by chat answers and stored conversation turns."""

from __future__ import annotations

from pydantic import BaseModel

# One citation as the examples of the chat and conversation responses show it.
CITATION_EXAMPLE = {
    "n": 1,
    "document_id": "so-tu-phap/huong-dan-dang-ky-khai-sinh.docx",
    "title": "Hướng dẫn đăng ký khai sinh",
    "locator": "Điều 5",
    "quote": "Người yêu cầu nộp tờ khai theo mẫu và giấy chứng sinh.",
    "chunk_id": 412,
    "page": 2,
}


class CitationModel(BaseModel):
    """A cited passage: [n] in the answer refers to it."""

    n: int
    document_id: str
    title: str
    locator: str
    quote: str
    chunk_id: int
    page: int | None = None
