"""Recognise secrecy, classification and handling marks in text.

A mark counts only where it is written as a label: a line of its own, a table
cell, a bracketed tag, the value after a label such as "Độ mật:" or
"Classification:", or, for the Vietnamese secrecy levels, an all-caps word
at the start or end of one of the first lines of a part. The same words in
running text ("mật khẩu", "bí mật nhà nước", "will be kept confidential")
are not marks, unless a sentence gives its own document a Vietnamese
secrecy level ("tài liệu này là tối mật").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from guardrails.normalize import (
    collapse_letter_runs,
    compact,
    fold,
    is_upper,
    matches_loosely,
    normalize_text,
)

# Mark levels, highest first. GateDecision.level reports the first of these
# that a document carries and the policy blocks.
LEVELS: tuple[str, ...] = (
    "TUYET_MAT",
    "TOP_SECRET",
    "TOI_MAT",
    "SECRET",
    "MAT",
    "CONFIDENTIAL",
    "HANDLING",
    "RESTRICTED",
    "OFFICIAL_SENSITIVE",
    "INTERNAL",
)

LOCATIONS: tuple[str, ...] = (
    "filename",
    "body",
    "header",
    "footer",
    "table",
    "html_meta",
    "html_comment",
    "docx_properties",
    "pdf_metadata",
    "message",
)

# Pseudo-level of the "GIẢI MẬT" (declassified) stamp. It is reported as a
# note and never as a MarkFinding, because it does not block on its own.
DECLASSIFIED = "DECLASSIFIED"

# The Vietnamese state-secret levels (Law 29/2018/QH14 on the Protection of
# State Secrets). Only these get the all-caps rule near the top of a part.
STATE_SECRET_LEVELS = frozenset({"TUYET_MAT", "TOI_MAT", "MAT"})

# How many non-empty lines at the start of a part count as "near the top".
NEAR_TOP_LINES = 10


@dataclass(frozen=True)
class MarkFinding:
    """One mark found in one part of a document or message."""

    level: str
    mark: str
    location: str
    line: int | None


@dataclass(frozen=True)
class Mark:
    """A mark as the gate reports it, with the spellings that match it."""

    level: str
    text: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class TextScan:
    """Marks found in one text, plus the lines carrying a declassification stamp."""

    findings: tuple[MarkFinding, ...]
    declassified_lines: tuple[int | None, ...]


MARKS: tuple[Mark, ...] = (
    Mark("TUYET_MAT", "TUYỆT MẬT", ("TUYỆT MẬT", "TÀI LIỆU TUYỆT MẬT")),
    Mark("TOI_MAT", "TỐI MẬT", ("TỐI MẬT", "TÀI LIỆU TỐI MẬT")),
    Mark("MAT", "MẬT", ("MẬT", "TÀI LIỆU MẬT")),
    Mark(
        "INTERNAL",
        "LƯU HÀNH NỘI BỘ",
        ("LƯU HÀNH NỘI BỘ", "TÀI LIỆU LƯU HÀNH NỘI BỘ", "CHỈ LƯU HÀNH NỘI BỘ"),
    ),
    Mark("INTERNAL", "KHÔNG PHỔ BIẾN", ("KHÔNG PHỔ BIẾN", "TÀI LIỆU KHÔNG PHỔ BIẾN")),
    Mark(
        "INTERNAL",
        "INTERNAL USE ONLY",
        ("INTERNAL USE ONLY", "FOR INTERNAL USE ONLY", "INTERNAL ONLY"),
    ),
    Mark("CONFIDENTIAL", "CONFIDENTIAL", ("CONFIDENTIAL",)),
    Mark("CONFIDENTIAL", "STRICTLY CONFIDENTIAL", ("STRICTLY CONFIDENTIAL",)),
    Mark("CONFIDENTIAL", "HIGHLY CONFIDENTIAL", ("HIGHLY CONFIDENTIAL",)),
    Mark("SECRET", "SECRET", ("SECRET",)),
    Mark("TOP_SECRET", "TOP SECRET", ("TOP SECRET",)),
    Mark("RESTRICTED", "RESTRICTED", ("RESTRICTED",)),
    Mark("OFFICIAL_SENSITIVE", "OFFICIAL-SENSITIVE", ("OFFICIAL-SENSITIVE",)),
    Mark(
        "HANDLING",
        "CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ",
        ("CHỈ NGƯỜI CÓ TÊN MỚI ĐƯỢC BÓC BÌ",),
    ),
    Mark("HANDLING", "TÀI LIỆU THU HỒI", ("TÀI LIỆU THU HỒI",)),
    Mark(DECLASSIFIED, "GIẢI MẬT", ("GIẢI MẬT", "ĐÃ GIẢI MẬT", "DECLASSIFIED")),
)


def _build_index(marks: tuple[Mark, ...]) -> dict[str, list[tuple[str, Mark]]]:
    index: dict[str, list[tuple[str, Mark]]] = {}
    for mark in marks:
        for variant in mark.variants:
            index.setdefault(compact(fold(variant)), []).append((variant, mark))
    return index


_INDEX = _build_index(MARKS)

# No spelling of a mark is longer than this, even with every letter spaced
# out, so longer candidates are rejected without comparing them.
_MAX_CANDIDATE_LENGTH = 2 * max(len(variant) for mark in MARKS for variant in mark.variants) + 8

# Envelope codes: a letter A, B or C stands for Tuyệt mật, Tối mật or Mật on
# the envelope. A bare letter is everywhere, so only these contexts count:
# "Dấu chữ A" (optionally after "bì đóng"), a label such as "Dấu: B", or a
# circled letter standing alone.
_ENVELOPE_PHRASE = re.compile(
    r"^(?:(?:BI|PHONG BI)\s+)?(?:(?:DONG|CO|MANG)\s+)?DAU\s+CHU\s+['\"“”(\[]?([ABC])['\"“”)\]]?$"
)
_ENVELOPE_LABELS = frozenset({"DAU", "DAU CHU", "MA BI", "KY HIEU BI", "ENVELOPE", "ENVELOPE CODE"})
_CIRCLED_LETTERS = {"Ⓐ": "A", "Ⓑ": "B", "Ⓒ": "C"}

# Labels whose value is a mark in any letter case ("Độ mật: Tối mật").
_LABEL_PREFIXES = frozenset(
    {
        "DO MAT",
        "MUC DO MAT",
        "MUC DO BAO MAT",
        "DO MAT TAI LIEU",
        "CAP DO MAT",
        "PHAN LOAI",
        "PHAN LOAI MAT",
        "PHAN LOAI TAI LIEU",
        "DAU MAT",
        "CLASSIFICATION",
        "SECURITY CLASSIFICATION",
        "CLASSIFIED",
        "PROTECTIVE MARKING",
        "SECURITY MARKING",
        "MARKING",
        "SENSITIVITY",
        "SENSITIVITY LABEL",
    }
)

# Words that make "MẬT" part of an ordinary compound when they stand right
# before it (bảo mật, bí mật, giải mật, cơ mật, độ mật) or right after it
# (mật khẩu, mật mã, mật ong, mật độ, mật thám). Compared after fold().
_COMPOUND_BEFORE = frozenset({"BAO", "BI", "GIAI", "CO", "DO", "THAN", "KIN", "MUC", "TINH", "CAP"})
_COMPOUND_AFTER = frozenset(
    {
        "KHAU",
        "MA",
        "ONG",
        "DO",
        "THAM",
        "BAO",
        "VU",
        "DAO",
        "THIET",
        "THU",
        "LENH",
        "NGOT",
        "MIA",
        "TAP",
        "HIEU",
        "NGU",
    }
)

_WORD = re.compile(r"[^\W_]+")
_CELL_SEPARATOR = re.compile(r"\t|\s{2,}|[|│┃║¦]")
_MAX_HEADER_WORDS = 10
_QUOTED = re.compile(r"^[\"'“”‘’«„].*[\"'“”‘’»]$")
_PART_SEPARATOR = re.compile(r"\s[-–—]\s|//|\s/\s|[;,]")
_BRACKETED = re.compile(r"[\[(【〔]([^\[\]()【】〔〕\n]{1,60})[\])】〕]")
_LABEL_SEPARATOR = re.compile(r"[:：=]")
_LIST_ITEM_START = re.compile(r"^\s*(?:[-–—•·*+▪◦]|\(?(?:\d{1,3}|[a-zđ]|[ivxlc]{1,5})[.)])\s", re.IGNORECASE)
_LIST_ITEM_END = (";", ",", ".", ":")
_DECORATION = (
    " \t\"'“”‘’„«»‹›()[]{}<>【】〔〕*_=~#|│┃║¦•·+-–—.,;:!?"
    + "".join(map(chr, range(0x2500, 0x2580)))  # box drawing
    + "".join(map(chr, range(0x25A0, 0x2600)))  # geometric shapes
    + "★☆"
)


class _Context(Enum):
    """Origin of a candidate within a line, which decides its letter-case rule."""

    LINE = "line"
    LABELLED = "labelled"
    CELL = "cell"
    PART = "part"
    BRACKET = "bracket"


def strip_decoration(text: str) -> str:
    """Remove brackets, quotes, bullets, box drawing and punctuation around text."""
    return text.strip(_DECORATION)


def match_mark(candidate: str) -> Mark | None:
    """Return the mark that candidate spells as a whole, or None."""
    if len(candidate) > _MAX_CANDIDATE_LENGTH:
        return None
    folded = fold(candidate)
    for variant, mark in _INDEX.get(compact(folded), ()):
        if matches_loosely(candidate, variant):
            return mark
    return _match_envelope(candidate, folded)


def _match_envelope(candidate: str, folded: str) -> Mark | None:
    if candidate in _CIRCLED_LETTERS:
        return _envelope_mark(_CIRCLED_LETTERS[candidate])
    match = _ENVELOPE_PHRASE.match(folded)
    # fold() keeps one character per character for Vietnamese and Latin
    # text, so the letter's position in folded is its position in candidate.
    if match is None or len(folded) != len(candidate) or not candidate[match.start(1)].isupper():
        return None
    return _envelope_mark(match.group(1))


def _envelope_mark(letter: str) -> Mark:
    text = f"DẤU CHỮ {letter}"
    return Mark("HANDLING", text, (text,))


def _is_list_item(line: str) -> bool:
    stripped = line.strip()
    return bool(_LIST_ITEM_START.match(stripped)) or stripped.endswith(_LIST_ITEM_END)


def _accepts(context: _Context, value: str, line: str) -> bool:
    """Apply the letter-case rule of the context a candidate came from.

    A line of its own accepts any case unless it reads as a list item
    ("- Tối mật;"), as a law enumerating the levels would write it. A table
    cell accepts capitals, or a phrase of several words starting with a
    capital ("Lưu hành nội bộ"). A label's value accepts any case. A piece
    of a longer line and a bracketed tag accept capitals only.
    """
    if context is _Context.LABELLED:
        return True
    if context is _Context.LINE:
        return is_upper(value) or not _is_list_item(line)
    if context is _Context.CELL:
        return is_upper(value) or (value[:1].isupper() and len(value.split()) >= 2)
    return is_upper(value)


def _labelled_value(text: str) -> str | None:
    """Return the value after a classification label, or None when there is no label."""
    separator = _LABEL_SEPARATOR.search(text)
    if separator is None:
        return None
    words = fold(strip_decoration(text[: separator.start()])).split()
    label = " ".join(words)
    # The label may end a longer line: "Báo cáo kho thiết bị. Độ mật: Mật".
    if any(" ".join(words[-size:]) in _LABEL_PREFIXES for size in range(1, min(len(words), 4) + 1)):
        return text[separator.end() :]
    if label in _ENVELOPE_LABELS:
        letter = strip_decoration(text[separator.end() :])
        if letter in ("A", "B", "C"):
            return f"Dấu chữ {letter}"
    return None


def is_label_name(name: str) -> bool:
    """Tell whether a metadata field name is a classification label ("classification", "do-mat")."""
    words = fold(re.sub(r"[\W_]+", " ", name)).split()
    return " ".join(words) in _LABEL_PREFIXES


def _label_candidates(line: str) -> list[tuple[_Context, str]]:
    """List a label's value and each of its parts ("toi mat; khong sao chup").

    The value may carry its own label as well ("Độ mật: tối mật").
    """
    value = _labelled_value(line) or line
    pieces = _PART_SEPARATOR.split(value)
    return [(_Context.LABELLED, value), *((_Context.LABELLED, piece) for piece in pieces if len(pieces) > 1)]


def _candidates(line: str) -> list[tuple[_Context, str]]:
    """List the substrings of a line that could be a mark, each with its context."""
    found: list[tuple[_Context, str]] = [(_Context.LINE, line)]
    cells = [cell for cell in _CELL_SEPARATOR.split(line) if cell.strip()]
    if len(cells) > 1:
        found.extend((_Context.CELL, cell) for cell in cells)
    for cell in cells:
        value = _labelled_value(cell)
        if value is not None:
            found.append((_Context.LABELLED, value))
        pieces = _PART_SEPARATOR.split(cell if value is None else value)
        # A mark shares a line with other parts only on short header lines
        # ("MẬT - HỎA TỐC"); in a sentence, a list of labels is a mention.
        if len(pieces) > 1 and len(line.split()) <= _MAX_HEADER_WORDS:
            # A quoted word ("SECRET") names a label rather than applying it.
            found.extend((_Context.PART, piece) for piece in pieces if not _QUOTED.match(piece.strip()))
    found.extend((_Context.BRACKET, match.group(1)) for match in _BRACKETED.finditer(line))
    return found


def _edge_mark(tokens: list[str], at_start: bool) -> Mark | None:
    """Return a secrecy level written in capitals at one edge of a line's words.

    The word next to it must not form an ordinary compound with "MẬT"
    ("BẢO MẬT", "MẬT KHẨU"). The first level whose words match decides,
    so "ĐỘ TỐI MẬT" is rejected rather than read as "MẬT".
    """
    for mark in MARKS[:3]:
        words = mark.text.split()
        size = len(words)
        if len(tokens) < size:
            continue
        edge = tokens[:size] if at_start else tokens[-size:]
        if not all(is_upper(seen) and matches_loosely(seen, word) for seen, word in zip(edge, words, strict=True)):
            continue
        if len(tokens) == size:
            # The line is the mark itself, which the whole-line rule reports.
            return None
        neighbour = fold(tokens[size] if at_start else tokens[-size - 1])
        compounds = _COMPOUND_AFTER if at_start else _COMPOUND_BEFORE
        return None if neighbour in compounds else mark
    return None


def _near_top_marks(line: str) -> list[Mark]:
    tokens = _WORD.findall(line)
    marks = [_edge_mark(tokens, at_start=True), _edge_mark(tokens, at_start=False)]
    return [mark for mark in marks if mark is not None]


# A sentence that gives this document a secrecy level in any letter case:
# a subject pointing at the document ("tài liệu này", "văn bản kèm theo"),
# a verb that assigns the level ("là", "thuộc", "được đóng dấu"), optional
# qualifiers ("tài liệu", "bí mật nhà nước", "độ"), then the level right
# before punctuation or the end of the line. A law naming the levels has no
# such subject, and "tài liệu này không phải là tài liệu mật" puts "không"
# between subject and verb, so neither matches. Compared after fold().
_DECLARATION = re.compile(
    r"(?<!\w)"
    r"(?:TAI LIEU|VAN BAN|HO SO|BAO CAO|CONG VAN|THONG TIN|NOI DUNG|KE HOACH|TO TRINH|QUYET DINH"
    r"|BIEN BAN|THONG BAO|PHU LUC|TEP|TEP TIN)"
    r" (?:NAY|KEM THEO|KEM THEO NAY|DINH KEM|DINH KEM NAY)"
    r" (?:LA|THUOC|O|MANG|CO|CHUA|DUOC XEP|DUOC XEP VAO|DUOC XAC DINH LA|DUOC DONG DAU|DONG DAU)"
    r"(?: (?:TAI LIEU|THONG TIN|NOI DUNG|BI MAT NHA NUOC|DANH MUC BI MAT NHA NUOC))?"
    r"(?: (?:DO|MUC|MUC DO|CAP DO|DO MAT|DAU))?"
    r" (TUYET MAT|TOI MAT|MAT)"
    r"(?=\s*(?:[,.;:!)]|$))"
)
_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("«", "»"))


def _declared_marks(line: str) -> list[Mark]:
    """Return the secrecy levels that a sentence of line gives to its own document."""
    folded = fold(line)
    if len(folded) != len(line):
        return []
    found: list[Mark] = []
    for match in _DECLARATION.finditer(folded):
        written = line[match.start(1) : match.end(1)]
        mark = next(mark for mark in MARKS[:3] if compact(fold(mark.text)) == compact(match.group(1)))
        # "mặt" folds like "mật" but is another word; a quoted sentence is an example.
        if matches_loosely(written, mark.text) and not _inside_quotes(line, match.start()):
            found.append(mark)
    return found


def _inside_quotes(line: str, position: int) -> bool:
    before = line[:position]
    for opening, closing in _QUOTE_PAIRS:
        if opening == closing and before.count(opening) % 2 == 1:
            return True
        if opening != closing and before.count(opening) > before.count(closing):
            return True
    return False


# Every mark, once folded and compacted, contains one of these keys, so a
# line without any of them is skipped before the slower candidate search.
_MARK_KEYS = re.compile(
    "|".join(
        sorted(
            {re.escape(key) for key in _INDEX} | {"DAU", "ENVELOPE", *_CIRCLED_LETTERS},
            key=len,
            reverse=True,
        )
    )
)


def marks_in_line(line: str, near_top: bool = False, labelled: bool = False) -> list[Mark]:
    """Return the marks written as labels in one normalised line, without repeats.

    labelled means the whole line is the value of a classification label,
    such as the content of <meta name="classification">.
    """
    if not _MARK_KEYS.search(compact(fold(line))):
        return []
    found: dict[tuple[str, str], Mark] = {}
    candidates = _label_candidates(line) if labelled else _candidates(line)
    for context, raw in candidates:
        value = strip_decoration(raw)
        if not value:
            continue
        mark = match_mark(value)
        if mark is not None and _accepts(context, value, line):
            found.setdefault((mark.level, mark.text), mark)
    edge_marks = _near_top_marks(line) if near_top else []
    for mark in [*edge_marks, *_declared_marks(line)]:
        found.setdefault((mark.level, mark.text), mark)
    return list(found.values())


def scan_text(text: str, location: str, labelled: bool = False) -> TextScan:
    """Find the marks in a text. Line numbers start at 1 and count empty lines too.

    labelled means each line is the value of a classification label.
    """
    findings: list[MarkFinding] = []
    declassified: list[int | None] = []
    non_empty_seen = 0
    for number, raw_line in enumerate(normalize_text(text).split("\n"), start=1):
        line = collapse_letter_runs(raw_line.strip())
        if not line:
            continue
        non_empty_seen += 1
        for mark in marks_in_line(line, near_top=non_empty_seen <= NEAR_TOP_LINES, labelled=labelled):
            if mark.level == DECLASSIFIED:
                declassified.append(number)
            else:
                findings.append(MarkFinding(mark.level, mark.text, location, number))
    return TextScan(tuple(findings), tuple(declassified))


def scan_filename(name: str) -> TextScan:
    """Find the marks in a file name such as "BC_TOI_MAT_2024.docx" or "[MẬT] Kế hoạch.pdf"."""
    stem = normalize_text(name)
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    marks: dict[tuple[str, str], Mark] = {}
    for match in _BRACKETED.finditer(stem):
        mark = match_mark(strip_decoration(match.group(1)))
        if mark is not None:
            marks.setdefault((mark.level, mark.text), mark)
    for mark in _marks_in_words(_WORD.findall(stem)):
        marks.setdefault((mark.level, mark.text), mark)
    findings: list[MarkFinding] = []
    declassified: list[int | None] = []
    for mark in marks.values():
        if mark.level == DECLASSIFIED:
            declassified.append(None)
        else:
            findings.append(MarkFinding(mark.level, mark.text, "filename", None))
    return TextScan(tuple(findings), tuple(declassified))


# Maximum number of words in a mark variant, and so in a run of file-name words to compare.
_MAX_MARK_WORDS = max(len(variant.split()) for mark in MARKS for variant in mark.variants)


def mark_spans_in_name(name: str) -> list[tuple[int, int]]:
    """Return the character spans of the words of name that scan_filename reads as a mark.

    name must be NFC text, such as a file name after normalize_text().
    """
    matches = list(_WORD.finditer(name))
    words = [match.group(0) for match in matches]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        size, mark = _longest_mark_at(words, index)
        if mark is not None:
            spans.append((matches[index].start(), matches[index + size - 1].end()))
        index += max(size, 1)
    return spans


def _marks_in_words(words: list[str]) -> list[Mark]:
    """Return the marks spelled by consecutive words of a file name.

    A one-word mark ("MAT", "SECRET") must be in capitals, because lower-case
    "mat" or "secret" in a file name is usually an ordinary word. Every
    secrecy level is rejected next to a compound word ("BAO_MAT", "mat-khau").
    """
    found: list[Mark] = []
    index = 0
    while index < len(words):
        size, mark = _longest_mark_at(words, index)
        if mark is not None:
            found.append(mark)
        index += max(size, 1)
    return found


def _longest_mark_at(words: list[str], index: int) -> tuple[int, Mark | None]:
    for size in range(min(_MAX_MARK_WORDS, len(words) - index), 0, -1):
        phrase = words[index : index + size]
        mark = match_mark(" ".join(phrase))
        if mark is None:
            continue
        if size == 1 and not is_upper(phrase[0]):
            return size, None
        if mark.level in STATE_SECRET_LEVELS and _in_compound(words, index, size):
            return size, None
        return size, mark
    return 0, None


def _in_compound(words: list[str], index: int, size: int) -> bool:
    before = fold(words[index - 1]) if index > 0 else ""
    after = fold(words[index + size]) if index + size < len(words) else ""
    return before in _COMPOUND_BEFORE or after in _COMPOUND_AFTER
