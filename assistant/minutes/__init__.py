"""Meeting minutes from transcripts: turns, items found by rules, a cited summary."""

from assistant.minutes.sections import minutes_to_draft_fields, minutes_to_sections
from assistant.minutes.service import Minutes, MinutesInput, MinutesService, merge_items, split_parts
from assistant.minutes.transcript import (
    MAX_TRANSCRIPT_BYTES,
    Turn,
    decode_transcript,
    parse_transcript,
    read_transcript_file,
    turns_from_records,
)

__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "Minutes",
    "MinutesInput",
    "MinutesService",
    "Turn",
    "decode_transcript",
    "merge_items",
    "minutes_to_draft_fields",
    "minutes_to_sections",
    "parse_transcript",
    "read_transcript_file",
    "split_parts",
    "turns_from_records",
]
