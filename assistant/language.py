"""Tell Vietnamese from English, the two languages the assistant answers in."""

from __future__ import annotations

import re
import unicodedata

_VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# Frequent Vietnamese syllables that survive the loss of diacritics.
_UNACCENTED_VIETNAMESE = frozenset(
    "cua va la cac nhung duoc khong trong cho voi nay thi de khi theo ve tai nguoi viec bao nhieu gi nao sao "
    "thu tuc dang ky giay to quy dinh luat dieu".split()
)

SUPPORTED_LANGUAGES = ("vi", "en")


def detect_language(text: str) -> str:
    """Return "vi" or "en" for text; anything not recognisably Vietnamese is "en".

    Text is Vietnamese when over 30% of its words carry Vietnamese letters or
    tone marks (so an English sentence naming "Hà Nội" stays English), or when
    over 30% are frequent Vietnamese syllables typed without diacritics.
    """
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text))
    if not words:
        return "en"
    marked = sum(1 for word in words if _is_marked(word))
    if marked / len(words) > 0.3:
        return "vi"
    plain = [w.lower() for w in words]
    if sum(w in _UNACCENTED_VIETNAMESE for w in plain) / len(plain) > 0.3:
        return "vi"
    return "en"


def _is_marked(word: str) -> bool:
    if any(ch in _VIETNAMESE_LETTERS for ch in word):
        return True
    return any(ch in _TONE_MARKS for ch in unicodedata.normalize("NFD", word))
