"""Text normalisation for comparing marks that went through copy, paste or OCR.

Marks reach the gate in several spellings of the same letters: decomposed
Unicode (NFD), diacritics dropped by OCR ("TOI MAT"), letters spaced out
("T Ố I  M Ậ T"), full-width Latin letters and invisible characters. The
functions here bring those spellings to one comparable form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters that render as nothing and only break a word in two.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)

# Space characters other than U+0020 that copy and paste brings in.
_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"),
    " ",
)

# Line separators that should split lines like "\n" does.
_LINE_BREAKS = dict.fromkeys(map(ord, "\r\v\f\u0085\u2028\u2029"), "\n")

# Full-width ASCII (U+FF01 to U+FF5E) maps to ASCII by a fixed offset.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}

# Cyrillic and Greek letters that look like Latin ones, as in "МẬT" typed with a
# Cyrillic "М": the gate reads them as the Latin letter they imitate.
_LOOKALIKES = {
    ord(foreign): latin
    for foreign, latin in zip(
        "АВЕКМНОРСТХаеорсхуΑΒΕΗΙΚΜΝΟΡΤΥΧ",
        "ABEKMHOPCTXaeopcxyABEHIKMNOPTYX",
        strict=True,
    )
}

_TRANSLATION = {**_INVISIBLE, **_SPACES, **_LINE_BREAKS, **_FULL_WIDTH, **_LOOKALIKES}

# A run of at least three single letters separated by one to three spaces or
# by dots, as in "M Ậ T", "T Ố I  M Ậ T" or "M.Ậ.T".
_LETTER_RUN = re.compile(r"(?<!\S)[^\W\d_](?:(?: {1,3}|[.·•*] ?)[^\W\d_]){2,}[.·•*]?(?!\S)")
_LETTER_DOTS = re.compile(r"[.·•*]")
_WORD_GAP = re.compile(r" {2,}")

# Whitespace and dashes are dropped before two phrases are compared, so
# "OFFICIAL-SENSITIVE", "OFFICIAL SENSITIVE" and "TOIMAT" compare equal to
# their spaced forms.
_COMPACT_DROP = re.compile(r"[\s\-\u2010-\u2015]+")

# Combining diacritical marks (U+0300 to U+036F), which hold every
# Vietnamese tone and vowel mark after NFD.
_COMBINING = re.compile("[\u0300-\u036f]")

# "Đ" has no Unicode decomposition, so split_char treats its stroke as a mark on "D".
_STROKE = "stroke"


def normalize_text(text: str) -> str:
    """Return text in NFC with invisible characters removed and spaces made plain.

    Line breaks of every kind become "\\n", so line numbers count the same
    lines that an editor shows.
    """
    text = text.replace("\r\n", "\n")
    text = unicodedata.normalize("NFC", text)
    return text.translate(_TRANSLATION)


def collapse_letter_runs(line: str) -> str:
    """Join letters that were spaced out, keeping wider gaps as word breaks.

    "T Ố I  M Ậ T" becomes "TỐI MẬT" and "M A T" becomes "MAT".
    """
    return _LETTER_RUN.sub(_join_letter_run, line)


def _join_letter_run(match: re.Match[str]) -> str:
    words = _WORD_GAP.split(match.group(0))
    return " ".join(_LETTER_DOTS.sub("", word).replace(" ", "") for word in words)


@lru_cache(maxsize=4096)
def split_char(char: str) -> tuple[str, frozenset[str]]:
    """Split one upper-case character into its base letter and its diacritics."""
    if char == "Đ":
        return "D", frozenset({_STROKE})
    decomposed = unicodedata.normalize("NFD", char)
    return decomposed[0], frozenset(decomposed[1:])


def fold(text: str) -> str:
    """Return text in upper case with every diacritic removed ("Tối mật" -> "TOI MAT").

    For NFC text in Vietnamese or Latin script the result has one character
    per character of text, so positions carry over.
    """
    decomposed = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return _COMBINING.sub("", decomposed)


def compact(text: str) -> str:
    """Return text without whitespace and dashes."""
    return _COMPACT_DROP.sub("", text)


def matches_loosely(candidate: str, phrase: str) -> bool:
    """Tell whether candidate spells phrase, allowing lost diacritics and spacing.

    Each letter of the candidate must have the phrase's base letter and a
    subset of its diacritics. So "TOI MAT" and "TÔI MẬT" match "TỐI MẬT",
    while "MẶT" (breve) and "MÁT" (acute) do not match "MẬT", because those
    diacritics make other words.
    """
    observed = compact(candidate.upper())
    expected = compact(phrase.upper())
    if len(observed) != len(expected):
        return False
    for observed_char, expected_char in zip(observed, expected, strict=True):
        observed_base, observed_marks = split_char(observed_char)
        expected_base, expected_marks = split_char(expected_char)
        if observed_base != expected_base or not observed_marks <= expected_marks:
            return False
    return True


def is_upper(text: str) -> bool:
    """Tell whether text has letters and all of them are capitals."""
    has_cased = False
    for char in text:
        if char.islower():
            return False
        has_cased = has_cased or char.isupper()
    return has_cased
