"""NFC normalisation that remembers where each character came from.

The recognizers match precomposed letters, so decomposed input (NFD) is
brought to NFC first. Spans found in the NFC text are mapped back to the
caller's text, so that a replacement covers every combining mark of a name
and no diacritic is left behind.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class NormalizedText:
    """Text in NFC, with the original span of each of its characters."""

    text: str
    original_starts: tuple[int, ...]
    original_ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the NFC text to the span of the text it came from."""
        if start == end:
            position = self.original_starts[start] if start < len(self.text) else self._original_length()
            return position, position
        return self.original_starts[start], self.original_ends[end - 1]

    def _original_length(self) -> int:
        return self.original_ends[-1] if self.original_ends else 0


def normalize_with_offsets(text: str) -> NormalizedText:
    """Return text in NFC and the original span of each NFC character.

    The text is split into clusters of one starter and the combining marks
    after it, and each cluster is normalised on its own, so every output
    character maps to exactly one input cluster.
    """
    if unicodedata.is_normalized("NFC", text):
        positions = tuple(range(len(text)))
        return NormalizedText(text, positions, tuple(position + 1 for position in positions))
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    while position < len(text):
        cluster_end = position + 1
        while cluster_end < len(text) and unicodedata.combining(text[cluster_end]):
            cluster_end += 1
        composed = unicodedata.normalize("NFC", text[position:cluster_end])
        pieces.append(composed)
        starts.extend([position] * len(composed))
        ends.extend([cluster_end] * len(composed))
        position = cluster_end
    return NormalizedText("".join(pieces), tuple(starts), tuple(ends))
