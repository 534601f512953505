"""Text normalisation for comparing marks that went through copy, paste or OCR.

Marks reach the gate in several spellings of the same letters: decomposed
Unicode (NFD), diacritics dropped by OCR ("TOI MAT"), letters spaced out
("T Ố I  M Ậ T"), full-width Latin letters and invisible characters. Someone
hiding a mark uses more: variation selectors, tag characters, a right-to-left
override around reversed letters, mathematical or circled letters, small
capitals, strike-through overlays, a digit for a letter ("C0NFIDENTIAL") or an
emoji between letters ("M🔒ẬT"). The functions here bring those spellings to
one comparable form.
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

# Latin small capitals ("ᴍẬᴛ") have no compatibility decomposition, and
# Unicode classes them as lower-case letters, so they map to capitals here.
_SMALL_CAPITALS = {
    ord(small): capital
    for small, capital in zip(
        "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ",
        "ABCDEFGHIJKLMNOPQRSTUVWYZ",
        strict=True,
    )
}

_TRANSLATION = {**_INVISIBLE, **_SPACES, **_LINE_BREAKS, **_FULL_WIDTH, **_LOOKALIKES}
_MARK_TRANSLATION = {**_TRANSLATION, **_SMALL_CAPITALS}

# Default-ignorable code points other than the bidirectional controls, from
# Default_Ignorable_Code_Point in Unicode 15.1 DerivedCoreProperties.txt.
# They render as nothing: variation selectors (U+FE00 to U+FE0F), tag
# characters (U+E0000 to U+E0FFF), the Mongolian vowel separator U+180E and
# the Hangul fillers among them.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2065"
    "\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)

# Bidirectional controls: marks, embeddings, overrides and isolates.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# A right-to-left override shows the letters up to the next pop (U+202C) or
# the end of the line in reverse, so "\u202eTẬM\u202c" displays as "MẬT".
_RIGHT_TO_LEFT_OVERRIDE = re.compile("\u202e([^\u202c\n]*)\u202c?")
_CLUSTER = re.compile("(?s).[\u0300-\u036f]*")

# Combining marks that no Vietnamese letter uses and that survive NFKC only
# as decoration on another letter: strike-through and slash overlays
# (U+0334 to U+0338), underlines, the extended and supplementary diacritics,
# enclosing circles and keycaps (U+20D0 to U+20FF) and half marks.
_DECORATIVE_MARKS = re.compile(
    "[\u0305\u0332\u0333\u0334-\u0338\u033f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)

# NFKC turns the circled letters that stand for envelope codes into plain
# letters, so they are kept out of it and read by the envelope rule instead.
_KEPT_FROM_NFKC = re.compile("([\u24b6\u24b7\u24b8])")


# A symbol or emoji squeezed between two letters, as in "M🔒ẬT", only
# breaks the word for a reader who looks for it. The pattern finds any
# punctuation between letters, and _drop_symbols keeps all but symbols.
_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])[^\w\s]+(?=[^\W\d_])")
_SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Sm", "Co"})


def _drop_symbols(match: re.Match[str]) -> str:
    between = match.group(0)
    if all(ord(char) > 0x7F and unicodedata.category(char) in _SYMBOL_CATEGORIES for char in between):
        return ""
    return between


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

# Digits typed for the letters they resemble, as in "C0NFIDENTIAL" or "M4T".
# skeleton() writes those letters as the digit, so both spellings share a key.
_DIGIT_LETTERS = {"0": "O", "1": "IL", "3": "E", "4": "A", "5": "S", "7": "T", "8": "B"}
_SKELETON = str.maketrans("OILEASTB", "01134578")


def normalize_text(text: str) -> str:
    """Return text in NFC with invisible characters removed and spaces made plain.

    Line breaks of every kind become "\\n", so line numbers count the same
    lines that an editor shows.
    """
    text = text.replace("\r\n", "\n")
    text = unicodedata.normalize("NFC", text)
    return text.translate(_TRANSLATION)


def normalize_for_marks(text: str) -> str:
    """Return text as normalize_text does, with the spellings that hide a mark undone.

    Beyond normalize_text it removes default-ignorable characters and
    decorative combining marks. It applies NFKC, so mathematical, circled,
    superscript and full-width letters become plain ones. It puts letters
    under a right-to-left override back in reading order, maps small
    capitals to capitals and drops symbols between two letters. Line
    breaks are kept, so line numbers match normalize_text. The result is
    for finding marks only and is not fit for display.
    """
    text = text.replace("\r\n", "\n")
    text = _DECORATIVE_MARKS.sub("", _IGNORABLE.sub("", text))
    pieces = _KEPT_FROM_NFKC.split(text)
    text = "".join(piece if index % 2 else unicodedata.normalize("NFKC", piece) for index, piece in enumerate(pieces))
    # NFKC can produce a filler (U+FFA0 becomes U+1160) or a mark it could not compose.
    text = _DECORATIVE_MARKS.sub("", _IGNORABLE.sub("", text))
    text = _RIGHT_TO_LEFT_OVERRIDE.sub(_reverse_clusters, text)
    text = _BIDI_CONTROLS.sub("", text).translate(_MARK_TRANSLATION)
    return _BETWEEN_LETTERS.sub(_drop_symbols, text)


def _reverse_clusters(match: re.Match[str]) -> str:
    return "".join(reversed(_CLUSTER.findall(match.group(1))))


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


def skeleton(text: str) -> str:
    """Return compact(fold(text)) with O, I, L, E, A, S, T and B written as the digits that imitate them.

    "C0NFIDENTIAL" and "CONFIDENTIAL" have the same skeleton, "C0NF1D3N7141".
    """
    return compact(fold(text)).translate(_SKELETON)


def matches_loosely(candidate: str, phrase: str) -> bool:
    """Tell whether candidate spells phrase, allowing lost diacritics, spacing and a few digits.

    Each letter of the candidate must have the phrase's base letter and a
    subset of its diacritics. So "TOI MAT" and "TÔI MẬT" match "TỐI MẬT",
    while "MẶT" (breve) and "MÁT" (acute) do not match "MẬT", because those
    diacritics make other words. A digit may stand for a letter it resembles
    ("C0NFIDENTIAL", "M4T"), as long as fewer than half of the characters
    are digits, so codes such as "M47" stay codes.
    """
    observed = compact(candidate.upper())
    expected = compact(phrase.upper())
    if len(observed) != len(expected):
        return False
    digits = 0
    for observed_char, expected_char in zip(observed, expected, strict=True):
        expected_base, expected_marks = split_char(expected_char)
        if observed_char in _DIGIT_LETTERS:
            digits += 1
            if expected_base not in _DIGIT_LETTERS[observed_char]:
                return False
            continue
        observed_base, observed_marks = split_char(observed_char)
        if observed_base != expected_base or not observed_marks <= expected_marks:
            return False
    return digits * 2 < len(observed)


def is_upper(text: str) -> bool:
    """Tell whether text has letters and all of them are capitals."""
    has_cased = False
    for char in text:
        if char.islower():
            return False
        has_cased = has_cased or char.isupper()
    return has_cased
