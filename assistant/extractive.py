"""Answers that quote the best sentences of the retrieved passages verbatim.

Used when no language model is configured, and whenever a generated answer
fails the grounding check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from retrieval.tokens import content_terms

_SENTENCE = re.compile(r"(?<=[.;:!?])\s+|\n+")

NOT_ANSWERED = {
    "vi": "Các tài liệu đã được lập chỉ mục không có thông tin để trả lời câu hỏi này.",
    "en": "The indexed documents do not answer this question.",
}
LEAD = {"vi": "Theo {source} [{n}]:", "en": "According to {source} [{n}]:"}


def best_sentences(question: str, passage: str, limit: int = 2, max_chars: int = 400) -> str:
    """Return the passage's sentences that share the most terms with the question,
    kept in their original order and within max_chars."""
    terms = content_terms(question)
    sentences = [s.strip() for s in _SENTENCE.split(passage) if len(s.strip()) > 3]
    if not sentences:
        return passage[:max_chars]
    scored = []
    for position, sentence in enumerate(sentences):
        overlap = len(terms & content_terms(sentence))
        scored.append((overlap / math.sqrt(len(sentence.split()) + 1), position))
    chosen = sorted(position for _, position in sorted(scored, reverse=True)[:limit])
    quote = " ".join(sentences[p] for p in chosen)
    return quote if len(quote) <= max_chars else quote[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def extractive_answer(language: str, question: str, passages: Sequence[tuple[str, str]], use: int = 1) -> tuple[str, list[int]]:
    """Return an answer quoting the first `use` passages and the markers it uses.

    passages contains (source label, text) pairs numbered from 1.
    """
    parts, cited = [], []
    for n, (source, text) in enumerate(passages[:use], start=1):
        quote = best_sentences(question, text)
        parts.append(f"{LEAD[language].format(source=source, n=n)} «{quote}»")
        cited.append(n)
    return "\n".join(parts), cited
