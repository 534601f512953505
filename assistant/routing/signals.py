"""Signals read from a request's words: department keywords, urgency and the number of asks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

URGENCY_LEVELS = ("urgent", "complex", "normal")

# Explicit signs that a request cannot wait, in Vietnamese and English. Each
# pattern maps to the plain words used in the routing reasons.
URGENT_SIGNALS: dict[str, str] = {
    r"cháy|hỏa hoạn|bốc khói|\bfire\b|\bsmoke\b": "fire",
    r"\bnổ\b|explosion": "explosion",
    r"rò rỉ (?:khí )?gas|rò rỉ khí|mùi gas|gas leak|smell of gas": "gas leak",
    r"điện giật|dây điện (?:bị )?(?:đứt|rơi|chập)|chập điện|"
    r"electrocut\w*|live wire|down(?:ed)? wire": "electrical danger",
    r"ngập|lũ lụt|lũ quét|nước lũ|vỡ đê|\bflood\w*|water main break": "flooding",
    r"\bsập\b|sụt lún|nứt toác|có nguy cơ đổ|collaps\w*|sinkhole": "collapse",
    r"mất điện|cúp điện|power outage|power cut|no power|blackout": "power outage",
    r"mất nước|không có nước|cúp nước|no water|water outage": "water outage",
    r"\boutage\b": "outage",
    r"nguy hiểm đến tính mạng|nguy hiểm|tính mạng|cấp cứu|tai nạn|bị thương|"
    r"danger\w*|life.threatening|injur\w*|emergency|ambulance": "danger to life or health",
    r"khẩn cấp|\bkhẩn\b|\bgấp\b(?! (?:đôi|ba|nhiều))|ngay lập tức|"
    r"urgent\w*|immediately|asap": "marked urgent",
    r"trước ngày|hạn chót|hết hạn|quá hạn|deadline|due (?:by|on)|expires? on": "deadline",
}

# Words with which a request makes an ask; many of them in a long text mean several asks.
_ASK_MARKERS = re.compile(
    r"đề nghị|yêu cầu|kiến nghị|xin (?:được|hỏi|cấp)|mong (?:được|cơ quan)|đề xuất|\?|"
    r"\bplease\b|\brequest\w*|\bcould you\b|\bi ask\b",
    re.IGNORECASE,
)
_COMPILED = [(re.compile(pattern, re.IGNORECASE), label) for pattern, label in URGENT_SIGNALS.items()]


def normalize(text: str) -> str:
    """Return text in NFC, lower case, with runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def urgency_signals(text: str) -> list[str]:
    """Return the labels of the urgent signals found in text, each once, in table order.

    NOTE: only accented Vietnamese is matched, because words typed without
    diacritics are ambiguous ("chay" is both "cháy", fire, and "chạy", run).
    """
    folded = normalize(text)
    found: list[str] = []
    for pattern, label in _COMPILED:
        if label not in found and pattern.search(folded):
            found.append(label)
    return found


def count_asks(text: str) -> int:
    return len(_ASK_MARKERS.findall(text))


@dataclass(frozen=True)
class KeywordMatch:
    """The keywords of one department found in a text."""

    department: str
    keywords: tuple[str, ...]


def match_keywords(text: str, keywords_by_department: Iterable[tuple[str, Iterable[str]]]) -> list[KeywordMatch]:
    """Return, per department, the keywords that occur in text as whole words, best first.

    A longer keyword that contains a shorter one ("đèn đường" and "đường")
    counts both, so specific phrases weigh more.
    """
    folded = normalize(text)
    matches = []
    for department, keywords in keywords_by_department:
        found = tuple(k for k in keywords if _contains_word(folded, normalize(k)))
        if found:
            matches.append(KeywordMatch(department, found))
    matches.sort(key=lambda m: -len(m.keywords))
    return matches


def _contains_word(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None
