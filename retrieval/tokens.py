"""Lexical tokens for BM25: Vietnamese word segmentation plus syllables.

pyvi joins the syllables of a Vietnamese word with underscores
("ma_túy"). Each compound is indexed both whole and as its syllables, so a
query still matches when the segmenter splits it differently.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*", re.UNICODE)

# Function words that carry no topic in Vietnamese and English questions.
STOPWORDS = frozenset(
    """
    và của là các những được có không trong cho với này đó thì mà để khi theo về từ tại do bị
    một hai như hay hoặc nào gì sao đâu ai bao nhiêu thế bởi vì nếu đã đang sẽ cũng còn rất
    phải nên người việc ra vào lên đến trên dưới đúng sai hỏi
    the a an of to in on for and or is are was were be been by with at from as that this
    what which who whom how when where why do does did can could should would will may
    it its their there than then about into under over any all not no
    """.split()
)


def segment(text: str) -> str:
    """Return lower-cased NFC text with Vietnamese words joined by underscores."""
    from pyvi import ViTokenizer

    text = unicodedata.normalize("NFC", text).lower()
    return ViTokenizer.tokenize(text)


def lexical_tokens(text: str) -> list[str]:
    """Return BM25 tokens: every segmented word, and the syllables of compounds."""
    tokens: list[str] = []
    for word in _WORD.findall(segment(text)):
        tokens.append(word)
        if "_" in word:
            tokens.extend(word.split("_"))
    return tokens


def content_terms(text: str) -> set[str]:
    """Return the distinct syllables of text that are not stop words."""
    syllables = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower())
    return {s for s in syllables if s not in STOPWORDS and (len(s) > 1 or s.isdigit())}
