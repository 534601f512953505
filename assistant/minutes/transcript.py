"""Transcripts as numbered turns: who spoke, what they said, where and when.

Accepted shapes: "Name: text" lines, WebVTT and SRT cues, a speaker label on
its own line followed by paragraphs, and plain paragraphs with no speaker.
Files arrive as .txt, .vtt, .srt or .docx bytes in UTF-8 or in UTF-16 with a
byte order mark.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import asdict, dataclass
from pathlib import PurePath

import regex

from assistant.errors import InputError

log = logging.getLogger(__name__)

# Long enough for a four-hour meeting typed in full (about 40,000 words).
MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024
FILE_TYPES = (".txt", ".vtt", ".srt", ".docx")
FORMATS = ("auto", "lines", "vtt", "srt")

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]{1,40}>")
# An optional "[00:01:02]" or "(01:02)" stamp before a speaker label.
_STAMP = r"(?:[\[(]\s*(?P<stamp>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*[\])]\s*)?"
_LABELLED = regex.compile(_STAMP + r"(?P<label>[^:\n]{1,80}?)\s*:\s*(?P<text>.*)$")
_PARENTHESIS = regex.compile(r"\s*\([^)]*\)\s*$")
# Titles and roles that start a speaker label even when the words after them are lower case.
_TITLES = frozenset(
    "ông bà anh chị cô chú đồng đ/c mr mr. ms ms. mrs mrs. dr dr. prof. chủ chair chairman chairwoman "
    "giám phó thư trưởng đại".split()
)
# Labels that introduce content, not a speaker: "ACTION: ...", "Kết luận: ...".
_NOT_SPEAKERS = frozenset({
    "action", "action item", "todo", "note", "decision", "agenda", "summary", "question", "answer", "re",
    "subject", "date", "time", "location", "attendees", "kết luận", "quyết định", "nhiệm vụ", "lưu ý",
    "ghi chú", "thời gian", "địa điểm", "thành phần", "chủ đề", "nội dung", "việc cần làm", "câu hỏi",
    "trả lời", "hạn", "ngày", "v/v", "http", "https",
})


@dataclass
class Turn:
    """One speaker's uninterrupted contribution; `line` is 1-based in the source text."""

    id: int
    speaker: str | None
    text: str
    line: int
    start: float | None = None
    end: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def decode_transcript(data: bytes, name: str = "transcript") -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with a BOM, or raise InputError."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid {encoding.upper()} (undecodable byte at offset {exc.start}); "
            "save it as UTF-8, or as UTF-16 with a byte order mark, and upload it again"
        ) from None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def read_transcript_file(data: bytes, filename: str) -> str:
    """Return the text of an uploaded transcript file, checking its type and size."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FILE_TYPES:
        raise InputError(
            f"{filename!r} has an unsupported file type {suffix or '(none)'!r}; "
            f"upload one of {', '.join(FILE_TYPES)}"
        )
    check_size(len(data), filename)
    text = _docx_text(data, filename) if suffix == ".docx" else decode_transcript(data, filename)
    return text


def check_size(size: int, name: str) -> None:
    if size > MAX_TRANSCRIPT_BYTES:
        raise InputError(
            f"{name} has {size:,} bytes, above the transcript limit of {MAX_TRANSCRIPT_BYTES:,} bytes; "
            "split the meeting into parts and send each one"
        )


def _docx_text(data: bytes, filename: str) -> str:
    import docx  # noqa: PLC0415 - python-docx is needed only for .docx uploads
    from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415

    from guardrails.sources import archive_limit_problem  # noqa: PLC0415

    try:
        # A zip bomb is rejected from its declared sizes, before python-docx inflates it.
        problem = archive_limit_problem(io.BytesIO(data))
        if problem is None:
            document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{filename!r} is not a readable .docx file ({type(exc).__name__}); "
                         "save it again from the word processor or upload it as .txt") from None
    if problem is not None:
        raise InputError(f"{filename!r} was not opened: {problem}; save it again without the oversized part")
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(": ".join(cell.text.strip() for cell in row.cells if cell.text.strip()))
    return unicodedata.normalize("NFC", "\n".join(lines))


def parse_transcript(text: str, fmt: str = "auto") -> list[Turn]:
    """Split a transcript into numbered turns, or raise InputError when it holds none."""
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff")
    if fmt == "auto":
        fmt = detect_format(text)
    turns = _parse_cues(text) if fmt in ("vtt", "srt") else _parse_lines(text)
    if not turns:
        raise InputError("the transcript contains no text; send the spoken turns, e.g. 'Bà Lan: Tôi đồng ý.'")
    log.debug("parsed a %s transcript into %d turns", fmt, len(turns))
    return turns


def detect_format(text: str) -> str:
    head = text.lstrip()[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if re.match(r"\d+\s*\n\s*(?:\d+:)?\d{1,2}:\d{2},\d{1,3}\s*-->", head):
        return "srt"
    return "lines"


def turns_from_records(records: list[dict]) -> list[Turn]:
    """Build turns from {speaker, text} records, dropping empty ones; lines count records."""
    turns = []
    for position, record in enumerate(records, start=1):
        body = " ".join(str(record.get("text") or "").split())
        if body:
            speaker = (record.get("speaker") or "").strip() or None
            turns.append(Turn(len(turns) + 1, speaker, body, position))
    if not turns:
        raise InputError("turns contains no text; give each turn a non-empty 'text'")
    return turns


def _parse_cues(text: str) -> list[Turn]:
    """Parse WebVTT or SRT cues; consecutive cues of one named speaker join into one turn."""
    turns: list[Turn] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        match = _TIMING.match(lines[index])
        if not match:
            index += 1
            continue
        cue_line = index + 2  # the first text line of the cue, 1-based
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip():
            body.append(lines[index].strip())
            index += 1
        speaker, words = _cue_speaker(" ".join(body))
        if not words:
            continue
        start, end = _seconds(match["start"]), _seconds(match["end"])
        if turns and speaker is not None and turns[-1].speaker == speaker:
            turns[-1].text += " " + words
            turns[-1].end = end
        else:
            turns.append(Turn(len(turns) + 1, speaker, words, cue_line, start, end))
    return turns


def _cue_speaker(body: str) -> tuple[str | None, str]:
    voice = _VOICE.search(body)
    words = " ".join(_TAG.sub(" ", body).split())
    if voice:
        return voice.group(1).strip(), words
    labelled = _LABELLED.match(words)
    if labelled and is_speaker_label(labelled["label"]):
        return labelled["label"].strip(), labelled["text"].strip()
    return None, words


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return round(seconds, 3)


def _parse_lines(text: str) -> list[Turn]:
    """Parse "Name: text" lines, labels on their own line and plain paragraphs.

    A labelled line starts a turn. An unlabelled paragraph after a blank line
    starts a turn of the last speaker named, or of no speaker before any label.
    """
    turns: list[Turn] = []
    speaker: str | None = None
    open_turn: Turn | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = " ".join(raw.split())
        if not line:
            open_turn = None
            continue
        labelled = _LABELLED.match(line)
        if labelled and is_speaker_label(labelled["label"]):
            speaker = labelled["label"].strip()
            start = _seconds(labelled["stamp"]) if labelled["stamp"] else None
            rest = labelled["text"].strip()
            open_turn = None
            if rest:
                open_turn = Turn(len(turns) + 1, speaker, rest, number, start)
                turns.append(open_turn)
            continue
        if open_turn is not None:
            open_turn.text += " " + line
            continue
        open_turn = Turn(len(turns) + 1, speaker, line, number)
        turns.append(open_turn)
    return turns


def is_speaker_label(label: str) -> bool:
    """Return True when label reads as a person or role ("Bà Trang", "Project Manager")
    rather than a content label such as "Kết luận" or a sentence with a colon."""
    label = label.strip()
    name = _PARENTHESIS.sub("", label).strip()
    words = name.split()
    if not words or len(words) > 10 or name.lower() in _NOT_SPEAKERS:
        return False
    if not any(ch.isalpha() for ch in name) or regex.search(r"[.!?;,\"“”]$|[!?;\"“”]", name):
        return False
    if words[0].lower() in _TITLES:
        return True
    return len(words) <= 6 and all(word[0].isupper() or word[0].isdigit() or word in ("-", "&") for word in words)
