"""Encode Vietnamese text the way legacy Windows tools save it, for tests of text decoding."""

from __future__ import annotations

import unicodedata

# Tone marks, which Windows-1258 writes as combining characters after the letter.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Encode text as Windows-1258 does: hat, breve and horn letters precomposed, tone marks combining."""
    pieces = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in _TONE_MARKS))
        pieces.append(letter + "".join(mark for mark in decomposed if mark in _TONE_MARKS))
    return "".join(pieces).encode("cp1258")
