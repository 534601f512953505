"""Structure-aware chunking of legal and ordinary documents."""

from __future__ import annotations

import pytest

from retrieval.chunking import StructuredChunker, estimate_tokens, is_legal_text, _lines_of
from retrieval.documents import ParsedDocument
from retrieval.loaders import blocks_from_text


def parse(text: str, title: str = "Văn bản") -> ParsedDocument:
    return ParsedDocument("doc", title, blocks_from_text(text), "test", "hash", "text/plain")


def locators(text: str, max_tokens: int = 480) -> list[str]:
    return [chunk.locator for chunk in StructuredChunker(estimate_tokens, max_tokens).split(parse(text))]


LAW = """QUYẾT ĐỊNH
Ban hành quy chế văn thư
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy chế này quy định về công tác văn thư.
Điều 2. Đối tượng áp dụng
Cán bộ, công chức của các sở.
Chương II. SOẠN THẢO VĂN BẢN
Mục 1. THỂ THỨC
Điều 3. Số và ký hiệu
1. Số văn bản bắt đầu từ 01 vào ngày 01 tháng 01.
2. Ký hiệu gồm chữ viết tắt tên loại văn bản.
"""


def test_legal_text_splits_at_articles() -> None:
    assert locators(LAW) == ["Phần đầu", "Điều 1", "Điều 2", "Điều 3"]


def test_chunk_starts_with_article_heading() -> None:
    chunks = StructuredChunker(estimate_tokens).split(parse(LAW))
    article_3 = next(c for c in chunks if c.locator == "Điều 3")
    assert article_3.text.startswith("Điều 3. Số và ký hiệu\n")
    assert "2. Ký hiệu gồm" in article_3.text


def test_chapter_and_section_headings_stay_out_of_articles() -> None:
    chunks = StructuredChunker(estimate_tokens).split(parse(LAW))
    article_2 = next(c for c in chunks if c.locator == "Điều 2")
    assert "Chương II" not in article_2.text
    assert "SOẠN THẢO" not in article_2.text
    assert "QUY ĐỊNH CHUNG" not in chunks[0].text


def test_long_article_splits_by_clause_without_losing_text() -> None:
    clauses = [f"{n}. " + " ".join(f"từ{n}x{i}" for i in range(120)) for n in range(1, 6)]
    text = "Điều 7. Trách nhiệm\n" + "\n".join(clauses)
    chunks = StructuredChunker(estimate_tokens, max_tokens=400).split(parse(text))
    assert [c.locator for c in chunks] == ["Điều 7, khoản 1-2", "Điều 7, khoản 3-4", "Điều 7, khoản 5"]
    assert all(c.text.startswith("Điều 7. Trách nhiệm\n") for c in chunks)
    assert all(estimate_tokens(c.text) <= 400 for c in chunks)
    joined = "\n".join(c.text for c in chunks)
    for clause in clauses:
        assert clause in joined


def test_oversized_clause_is_split_not_truncated() -> None:
    words = [f"w{i}" for i in range(900)]
    text = "Điều 9. Dài\n1. " + " ".join(words)
    chunks = StructuredChunker(estimate_tokens, max_tokens=300).split(parse(text))
    assert len(chunks) > 2
    assert all(estimate_tokens(c.text) <= 300 for c in chunks)
    assert chunks[0].locator == "Điều 9, khoản 1 (1/%d)" % len(chunks)
    covered = set(" ".join(c.text for c in chunks).split())
    assert set(words) <= covered


def test_ordinary_document_splits_at_headings() -> None:
    text = "# Hướng dẫn\n\nMở đầu.\n\n## Nộp hồ sơ\n\nNộp tại bộ phận một cửa.\n\n## Lệ phí\n\nMiễn lệ phí."
    assert locators(text) == ["Hướng dẫn", "Nộp hồ sơ", "Lệ phí"]


def test_document_without_headings_gets_paragraph_locator() -> None:
    assert locators("Một đoạn văn bản ngắn không có tiêu đề.") == ["đoạn 1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Điều 1. Phạm vi\nNội dung.", True),
        ("Lời nói đầu\nĐiều 1. A\nĐiều 2. B", True),
        ("Theo quy định tại Điều 5 của Luật này, cơ quan phải trả lời.", False),
        ("Mở đầu\nĐiều 5 của Luật này được sửa đổi.", False),
        ("Meeting notes\nArticle 1 was discussed.", False),
    ],
)
def test_is_legal_text(text: str, expected: bool) -> None:
    assert is_legal_text(_lines_of(blocks_from_text(text))) is expected
