"""Check a generated answer against the passages it cites.

An answer passes when every sentence carries or inherits a valid [n] marker,
every sentence is supported by the passages it cites (shared terms, or close
meaning for a cross-language answer), and every number in it appears in the
question or the cited passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from retrieval.tokens import content_terms

MARKER = re.compile(r"\[(\d{1,2})\]")
NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")

Similarity = Callable[[str, str], float]


@dataclass
class GroundingReport:
    """The result of the check, with the reason for each failure."""

    ok: bool
    cited: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def numbers_in(text: str) -> set[str]:
    """Return the numbers in text in one canonical form: no thousands separators
    and no leading zeros, so "05 ngày" matches "5 ngày" and "15/09" matches "15/9"."""
    found = set()
    for match in NUMBER.findall(text):
        number = re.sub(r"[.,](?=\d{3}\b)", "", match.rstrip(".,:/"))
        found.add(re.sub(r"\b0+(\d)", r"\1", number))
    return found


def check_answer(
    answer: str,
    passages: Sequence[str],
    question: str,
    support_threshold: float = 0.5,
    similarity: Similarity | None = None,
    similarity_threshold: float = 0.6,
) -> GroundingReport:
    """Check answer against passages (numbered from 1); see the module docstring."""
    report = GroundingReport(ok=False)
    sentences = split_sentences(answer)
    if not sentences:
        report.problems.append("the answer is empty")
        return report
    markers_by_sentence = _markers_with_inheritance(sentences)
    for sentence, markers in zip(sentences, markers_by_sentence):
        invalid = [n for n in markers if not 1 <= n <= len(passages)]
        if invalid:
            report.problems.append(f"marker {invalid} names no passage")
            continue
        bare = MARKER.sub("", sentence).strip()
        if len(content_terms(bare)) < 2:
            continue  # connective text such as "Cụ thể:" needs no support
        if not markers:
            report.problems.append("a sentence cites no passage")
            continue
        cited_text = "\n".join(passages[n - 1] for n in markers)
        if not _supported(bare, cited_text, support_threshold, similarity, similarity_threshold):
            report.problems.append(f"a sentence is not supported by passage {markers}")
        report.cited.extend(n for n in markers if n not in report.cited)
    cited_text = "\n".join(passages[n - 1] for n in report.cited) + "\n" + question
    unknown = sorted(numbers_in(MARKER.sub("", answer)) - numbers_in(cited_text))
    if unknown:
        report.problems.append(f"numbers not in the cited passages: {unknown}")
    if not report.cited:
        report.problems.append("the answer cites no passage")
    report.ok = not report.problems
    return report


def _markers_with_inheritance(sentences: list[str]) -> list[list[int]]:
    """Return the markers of each sentence. A sentence without one takes the next
    sentence's, because models often put one marker after a run of sentences."""
    own = [[int(n) for n in MARKER.findall(s)] for s in sentences]
    result: list[list[int]] = []
    following: list[int] = []
    for markers in reversed(own):
        if markers:
            following = markers
        result.append(markers or following)
    return list(reversed(result))


def _supported(
    sentence: str, passage: str, threshold: float, similarity: Similarity | None, similarity_threshold: float
) -> bool:
    terms = content_terms(sentence)
    if terms and len(terms & content_terms(passage)) / len(terms) >= threshold:
        return True
    return similarity is not None and similarity(sentence, passage) >= similarity_threshold
