"""BM25, tokens, language detection and grounding checks: tables of cases."""

from __future__ import annotations

import pytest

from assistant.grounding import check_answer, numbers_in
from assistant.language import detect_language
from retrieval.bm25 import BM25Index
from retrieval.tokens import content_terms, lexical_tokens

PASSAGES = [
    "Điều 12. Đăng ký thường trú\nNgười đăng ký thường trú nộp hồ sơ tại cơ quan đăng ký cư trú.",
    "Điều 3. Lệ phí\nĐăng ký khai sinh đúng hạn được miễn lệ phí.",
    "Mật ong là sản phẩm nông nghiệp.",
]


@pytest.fixture(scope="module")
def bm25() -> BM25Index:
    index = BM25Index()
    index.build([100, 101, 102], [lexical_tokens(p) for p in PASSAGES])
    return index


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("đăng ký thường trú nộp hồ sơ ở đâu", 100),
        ("khai sinh có mất lệ phí không", 101),
        ("MẬT ONG", 102),
    ],
)
def test_bm25_ranks_matching_passage_first(bm25: BM25Index, query: str, expected_first: int) -> None:
    assert bm25.search(lexical_tokens(query), 3)[0][0] == expected_first


def test_bm25_returns_nothing_for_unknown_words(bm25: BM25Index) -> None:
    assert bm25.search(lexical_tokens("quantum chromodynamics"), 3) == []


def test_lexical_tokens_keep_compounds_and_syllables() -> None:
    tokens = lexical_tokens("Chất ma túy")
    assert "ma_túy" in tokens
    assert "ma" in tokens
    assert "túy" in tokens


def test_content_terms_drop_stop_words() -> None:
    assert content_terms("Thủ tục của phường là gì?") == {"thủ", "tục", "phường"}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Đăng ký khai sinh cần giấy tờ gì?", "vi"),
        ("dang ky khai sinh can giay to gi", "vi"),
        ("What documents are needed to register a birth?", "en"),
        ("Who heads the Department of Construction in Hà Nội?", "en"),
        ("12345", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


GROUNDING_PASSAGES = [
    "Người nghiện ma túy từ đủ 18 tuổi trở lên bị đưa vào cơ sở cai nghiện bắt buộc.",
    "Thời hạn giải quyết là 05 ngày làm việc kể từ ngày nhận đủ hồ sơ.",
]


@pytest.mark.parametrize(
    ("answer", "ok", "problem"),
    [
        ("Người nghiện ma túy từ đủ 18 tuổi trở lên bị đưa vào cơ sở cai nghiện bắt buộc [1].", True, ""),
        ("Thời hạn giải quyết là 05 ngày làm việc [2].", True, ""),
        ("Thời hạn giải quyết là 5 ngày làm việc. Kể từ ngày nhận đủ hồ sơ [2].", True, ""),
        ("Thời hạn giải quyết là 005 ngày làm việc [2].", True, ""),
        ("Thời hạn giải quyết là 07 ngày làm việc [2].", False, "numbers not in the cited passages"),
        ("Thời hạn giải quyết là 05 ngày làm việc [3].", False, "names no passage"),
        ("Thời hạn giải quyết là 05 ngày làm việc.", False, "cites no passage"),
        ("Công dân được cấp thẻ căn cước miễn phí tại nhà văn hóa [1].", False, "not supported"),
        ("", False, "empty"),
    ],
)
def test_check_answer(answer: str, ok: bool, problem: str) -> None:
    report = check_answer(answer, GROUNDING_PASSAGES, "Thời hạn giải quyết?")
    assert report.ok is ok, report.problems
    if problem:
        assert any(problem in p for p in report.problems), report.problems


def test_check_answer_allows_numbers_from_question() -> None:
    report = check_answer("Người từ đủ 18 tuổi bị đưa vào cơ sở cai nghiện bắt buộc [1].", GROUNDING_PASSAGES,
                          "Người 18 tuổi nghiện ma túy bị xử lý thế nào?")
    assert report.ok, report.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ngày 15/09/2026", {"15/9/2026"}),
        ("12.500.000 đồng", {"12500000"}),
        ("Điều 32.", {"32"}),
        ("05 ngày làm việc", {"5"}),
        ("không có số", set()),
    ],
)
def test_numbers_in(text: str, expected: set[str]) -> None:
    assert numbers_in(text) == expected
