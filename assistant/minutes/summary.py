"""Summaries whose every sentence cites the turns it comes from.

The extractive summary picks salient sentences: TF-IDF vectors, salience as
cosine similarity to the centroid of the meeting, and maximal marginal
relevance (MMR) so that picked sentences do not repeat each other. A language
model may rewrite the picked sentences; a generated sentence stays only when
its cited turns support it, otherwise the extractive sentence takes its place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.grounding import MARKER, check_answer
from assistant.minutes.extract import split_sentences
from assistant.minutes.transcript import Turn
from retrieval.tokens import STOPWORDS

log = logging.getLogger(__name__)

MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 60
MMR_LAMBDA = 0.7
# QMSum's human summaries of whole meetings run 76 to 159 words.
SUMMARY_WORDS = 130
MAX_SUMMARY_SENTENCES = 8
# Transcription marks such as "{vocalsound}" and fillers carry no content.
_NOISE = re.compile(r"\{[a-z_]+\}|\b(?:um+|uh+|hmm+|mm+|uh-huh|ờ+|ừ+|à+)\b[,.]?\s*", re.I)
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")


@dataclass
class Sentence:
    """A sentence of one turn: the unit the extractive summary picks."""

    text: str
    turn: int
    order: int


@dataclass
class SummarySentence:
    text: str
    turns: list[int]
    generated: bool = False
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "turns": self.turns}


def candidate_sentences(turns: Sequence[Turn]) -> list[Sentence]:
    """Return the sentences long enough to summarise with, in transcript order."""
    found = []
    for turn in turns:
        for text in split_sentences(_NOISE.sub(" ", turn.text)):
            text = " ".join(text.split())
            words = len(text.split())
            if MIN_SENTENCE_WORDS <= words <= MAX_SENTENCE_WORDS and not text.endswith("?") and not _is_heading(text):
                found.append(Sentence(text, turn.id, len(found)))
    return found


def _is_heading(text: str) -> bool:
    """Return True for a line mostly in capitals, such as a meeting's title."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.5


def lead_summary(turns: Sequence[Turn], max_words: int = SUMMARY_WORDS) -> list[SummarySentence]:
    """Return the first sentences up to max_words: the baseline a summary must beat."""
    picked, words = [], 0
    for sentence in candidate_sentences(turns):
        if words >= max_words:
            break
        picked.append(SummarySentence(sentence.text, [sentence.turn]))
        words += len(sentence.text.split())
    return picked


def select_salient(sentences: Sequence[Sentence], count: int | None = None, max_words: int = SUMMARY_WORDS,
                   mmr_lambda: float = MMR_LAMBDA) -> list[Sentence]:
    """Pick salient, mutually different sentences by MMR, returned in transcript order.

    Picking stops at count sentences when given, else at max_words words or
    MAX_SUMMARY_SENTENCES sentences.
    """
    if not sentences:
        return []
    vectors = _tfidf([s.text for s in sentences])
    centroid = vectors.mean(axis=0)
    norm = np.linalg.norm(centroid)
    salience = vectors @ (centroid / norm) if norm else np.zeros(len(sentences))
    limit = count or MAX_SUMMARY_SENTENCES
    chosen: list[int] = []
    words = 0
    while len(chosen) < min(limit, len(sentences)) and (count or words < max_words):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(sentences))
        scores = mmr_lambda * salience - (1 - mmr_lambda) * redundancy
        scores[chosen] = -np.inf
        best = int(np.argmax(scores))
        chosen.append(best)
        words += len(sentences[best].text.split())
    return sorted((sentences[i] for i in chosen), key=lambda s: s.order)


def _tfidf(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 - slow import, used per request

    vectorizer = TfidfVectorizer(lowercase=True, sublinear_tf=True, stop_words=sorted(STOPWORDS),
                                 token_pattern=r"(?u)\b[^\W\d_][^\W_]+\b")
    try:
        return vectorizer.fit_transform(texts).toarray()
    except ValueError:  # every sentence consists of stop words only
        return np.zeros((len(texts), 1))


def extractive_summary(sentences: Sequence[Sentence], max_words: int = SUMMARY_WORDS) -> list[SummarySentence]:
    return [SummarySentence(s.text, [s.turn]) for s in select_salient(sentences, max_words=max_words)]


def generated_summary(
    extractive: list[SummarySentence],
    generate: Callable[[list[str]], str],
    hide: Callable[[str], str],
    restore: Callable[[str], str],
    support_threshold: float = 0.5,
) -> list[SummarySentence]:
    """Rewrite the extractive sentences with a model, keeping only supported sentences.

    generate receives the pseudonymised passages (numbered from 1 in the prompt)
    and returns text with [n] markers. Each generated sentence is checked alone
    against the passages it cites; one that fails is replaced by the extractive
    sentence it cites first, or by the next unused one.
    """
    passages = [hide(s.text) for s in extractive]
    reply = generate(passages)
    result: list[SummarySentence] = []
    used: set[int] = set()
    for sentence in split_sentences(reply):
        markers = [int(n) for n in MARKER.findall(sentence) if 1 <= int(n) <= len(extractive)]
        bare = " ".join(MARKER.sub("", sentence).split())
        if not bare.strip(" .,;:-*"):
            continue
        report = check_answer(_PLACEHOLDER.sub("", sentence), passages, "", support_threshold)
        if markers and report.ok:
            turns = sorted({t for n in markers for t in extractive[n - 1].turns})
            result.append(SummarySentence(restore(bare), turns, generated=True))
            used.update(markers)
            continue
        fallback = next((n for n in markers if n not in used), None) or next(
            (n for n in range(1, len(extractive) + 1) if n not in used), None)
        if fallback is None:
            continue
        used.add(fallback)
        replaced = extractive[fallback - 1]
        result.append(SummarySentence(replaced.text, replaced.turns, problems=report.problems or ["no citation"]))
    return result or extractive
