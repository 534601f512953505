"""Answers that quote the best line of the retrieved passages verbatim.

Used when no language model is configured, and whenever a generated answer
fails the grounding check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.tokens import content_terms

_SENTENCE = re.compile(r"(?<=[.;:!?])\s+|\n+")

NOT_ANSWERED = {
    "vi": "Các tài liệu đã được lập chỉ mục không có thông tin để trả lời câu hỏi này.",
    "en": "The indexed documents do not answer this question.",
}
RANK_PRIOR = 0.7
LEAD = {"vi": "Theo {source} [{n}]:", "en": "According to {source} [{n}]:"}


def best_sentences(question: str, passage: str, max_chars: int = 400) -> str:
    """Return the line of the passage (a clause, list item or paragraph) that best
    matches the question, shortened to its best sentences when over max_chars."""
    return _best_quote(question, passage, max_chars)[0]


def _score(terms: set[str], text: str) -> float:
    """Return shared terms, gently discounted by length so that a bare heading does not win."""
    return len(terms & content_terms(text)) / (len(text.split()) + 1) ** 0.25


def _best_quote(question: str, passage: str, max_chars: int = 400) -> tuple[str, float]:
    """Return the best line of passage for question and its score.

    The first line of a chunk repeats its article or section heading, which the
    citation names already, so it is quoted only when nothing else matches.
    """
    terms = content_terms(question)
    lines = [line.strip() for line in passage.split("\n") if len(line.strip()) > 3]
    if not lines:
        return passage[:max_chars], 0.0
    candidates = lines[1:] if len(lines) > 1 else lines
    score, best = max((_score(terms, line), line) for line in reversed(candidates))
    if score == 0 and len(lines) > 1 and _score(terms, lines[0]) > 0:
        best, score = lines[0], _score(terms, lines[0])
    if len(best) > max_chars:
        best = _shorten(terms, best, max_chars)
    return best, score


def _shorten(terms: set[str], line: str, max_chars: int) -> str:
    sentences = [s for s in _SENTENCE.split(line) if s.strip()]
    top = max(range(len(sentences)), key=lambda i: _score(terms, sentences[i]))
    quote = " ".join(sentences[max(top - 1, 0) : top + 1])
    return quote if len(quote) <= max_chars else quote[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def extractive_answer(language: str, question: str, passages: Sequence[tuple[str, str]]) -> tuple[str, list[int]]:
    """Return an answer quoting the passage whose sentences best match the question,
    and the marker it uses. passages contains (source label, text) pairs numbered from 1;
    a tie goes to the better-ranked passage."""
    best_n, best_quote, best_score = 1, "", -1.0
    for n, (_, text) in enumerate(passages, start=1):
        quote, score = _best_quote(question, text)
        # The retriever's order counts too: a lower passage must match clearly better.
        score *= RANK_PRIOR ** (n - 1)
        if score > best_score:
            best_n, best_quote, best_score = n, quote, score
    source = passages[best_n - 1][0]
    return f"{LEAD[language].format(source=source, n=best_n)} «{best_quote}»", [best_n]
