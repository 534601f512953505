"""Recognise secrecy, classification and handling marks in text.

A mark counts only where it is written as a label: a line of its own, a table
cell, a bracketed tag, the value after a label such as "Độ mật:" or
"Classification:" (alone or as the first phrase of a longer value), a mark in
capitals that opens a line before a dash or colon and a title ("TỐI MẬT - Báo
cáo ..."), or, for the Vietnamese secrecy levels, an all-caps word at the
start or end of one of the first lines of a part. The same words in running
text ("mật khẩu", "bí mật nhà nước", "will be kept confidential") are not
marks, unless a sentence gives its own document a Vietnamese secrecy level
("tài liệu này là tối mật") or writes "TÀI LIỆU MẬT", "TỐI MẬT" or "TUYỆT
MẬT" in capitals among lower-case words.
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
    normalize_for_marks,
    skeleton,
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
    "docx_part",
    "alt_text",
    "html_script",
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
            index.setdefault(skeleton(variant), []).append((variant, mark))
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
# Maximum number of words in a speaker's name or a field name before a colon ("Đồng chí Nguyễn Văn An:").
_MAX_PREFIX_WORDS = 6
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
    for variant, mark in _INDEX.get(skeleton(candidate), ()):
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


# End of the first phrase of a label's value: "Tối mật" in "Độ mật: Tối mật.
# Báo cáo ...", or "tuyệt mật" in "mức độ mật: tuyệt mật, tối mật và mật".
_PHRASE_END = re.compile(r"[.;,!?]|\s[-–—]\s|\s(?:và|hoặc|and|or)\s", re.IGNORECASE)


def _leading_phrase(value: str) -> str | None:
    """Return the first phrase of a label's value when more text follows it.

    None means the value is one phrase, which is a candidate already, or
    that its next phrase is a mark too: "mức độ mật: tuyệt mật, tối mật và
    mật" enumerates the levels rather than labelling a document.
    """
    phrases = _PHRASE_END.split(value.strip(), maxsplit=2)
    if len(phrases) < 2:
        return None
    following = strip_decoration(phrases[1])
    if following and match_mark(following) is not None:
        return None
    return phrases[0]


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
            lead = _leading_phrase(value)
            if lead is not None:
                found.append((_Context.LABELLED, lead))
        else:
            found.extend((_Context.PART, text) for text in _after_short_prefix(cell))
        pieces = _PART_SEPARATOR.split(cell if value is None else value)
        # A mark shares a line with other parts only on short header lines
        # ("MẬT - HỎA TỐC"); in a sentence, a list of labels is a mention.
        if len(pieces) > 1 and len(line.split()) <= _MAX_HEADER_WORDS:
            # A quoted word ("SECRET") names a label rather than applying it.
            found.extend((_Context.PART, piece) for piece in pieces if not _QUOTED.match(piece.strip()))
    found.extend((_Context.BRACKET, match.group(1)) for match in _BRACKETED.finditer(line))
    return found


def _after_short_prefix(cell: str) -> list[str]:
    """Return what follows a short prefix and a colon, and its first phrase.

    A speaker or a field name of a few words before a colon ("Bà Lan:",
    "Trạng thái:") leaves the rest standing as a label would, so "Bà Lan:
    KHÔNG PHỔ BIẾN" carries the mark. These candidates count in capitals only.
    """
    prefix, colon, rest = cell.partition(":")
    if not colon or not rest.strip() or not 1 <= len(prefix.split()) <= _MAX_PREFIX_WORDS:
        return []
    lead = _leading_phrase(rest)
    return [rest] if lead is None else [rest, lead]


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


# A mark in capitals that opens a line, then a dash or colon and a title that
# starts with a capital: "TỐI MẬT - Báo cáo tình hình ...", "TOI MAT - Bao
# cao ...". A line that starts with a bullet or a number is a list item and
# does not match. A definition in a glossary ("TỐI MẬT: áp dụng cho ...")
# goes on in lower case and does not match either.
_LEADING_MARK = re.compile(r"^(?P<mark>[^-–—:：]{1,40}?)\s*[-–—:：]\s*(?P<rest>\S.*)$")
_FIRST_LETTER = re.compile(r"[^\W\d_]")


def _leading_marks(line: str) -> list[Mark]:
    match = _LEADING_MARK.match(line)
    if match is None:
        return []
    first_letter = _FIRST_LETTER.search(match.group("rest"))
    if first_letter is None or not first_letter.group(0).isupper():
        return []
    value = strip_decoration(match.group("mark"))
    mark = match_mark(value) if is_upper(value) else None
    return [mark] if mark is not None and mark.level != DECLASSIFIED else []


# Secrecy marks of two or more words that count in capitals inside a
# sentence of lower-case words ("Tài liệu này là TÀI LIỆU MẬT không được sao
# chụp"), longest first. A lone "MẬT" does not count there, because capitals
# are also used for emphasis and "MẬT" alone is too common a word part.
_INLINE_VARIANTS: tuple[tuple[tuple[str, ...], Mark], ...] = tuple(
    sorted(
        ((tuple(variant.split()), mark) for mark in MARKS[:3] for variant in mark.variants if " " in variant),
        key=lambda item: len(item[0]),
        reverse=True,
    )
)
# Words right before a level that make the sentence name it rather than
# apply it: "độ TỐI MẬT", "dấu TỐI MẬT", "nhãn TỐI MẬT", "bí mật nhà nước".
_MENTION_BEFORE = _COMPOUND_BEFORE | {"DAU", "NHAN", "LOAI"}


def _inline_marks(line: str) -> list[Mark]:
    """Return the secrecy marks written in capitals among the lower-case words of a sentence.

    A line in capitals only is a heading, which the other rules read. A line
    that names two levels in any letter case ("gồm TUYỆT MẬT, TỐI MẬT và
    MẬT") enumerates them, so nothing on it counts here.
    """
    if not any(char.islower() for char in line):
        return []
    words = list(_WORD.finditer(line))
    tokens = [word.group(0) for word in words]
    found: list[tuple[int, int, Mark]] = []
    index = 0
    while index < len(tokens):
        size, mark = _inline_mark_at(tokens, index)
        if mark is not None:
            found.append((index, size, mark))
        index += max(size, 1)
    if not found or len(_named_levels(tokens)) >= 2:
        return []
    marks: list[Mark] = []
    for start, size, mark in found:
        before = fold(tokens[start - 1]) if start > 0 else ""
        after = fold(tokens[start + size]) if start + size < len(tokens) else ""
        if before in _MENTION_BEFORE or after in _COMPOUND_AFTER or _inside_quotes(line, words[start].start()):
            continue
        # A level before a colon is a term being defined ("TỐI MẬT: áp dụng cho ...").
        if line[words[start + size - 1].end() :].lstrip().startswith((":", "：")):
            continue
        marks.append(mark)
    return marks


def _inline_mark_at(tokens: list[str], index: int) -> tuple[int, Mark | None]:
    if not is_upper(tokens[index]):
        return 0, None
    for words, mark in _INLINE_VARIANTS:
        seen = tokens[index : index + len(words)]
        if len(seen) == len(words) and all(
            is_upper(token) and matches_loosely(token, word) for token, word in zip(seen, words, strict=True)
        ):
            return len(words), mark
    return 0, None


def _named_levels(tokens: list[str]) -> set[str]:
    """Return the secrecy levels that a line's words name, in any letter case.

    A line naming two of them ("gồm TUYỆT MẬT, TỐI MẬT và MẬT") enumerates
    the levels. "MẬT" counts alone only outside a compound ("bí mật", "mật
    khẩu"), and "mất" or "mặt" never count, because their diacritics differ.
    """
    levels: set[str] = set()
    for index, token in enumerate(tokens):
        if not matches_loosely(token, "MẬT"):
            continue
        before = tokens[index - 1] if index > 0 else ""
        after = fold(tokens[index + 1]) if index + 1 < len(tokens) else ""
        if before and matches_loosely(before, "TUYỆT"):
            levels.add("TUYET_MAT")
        elif before and matches_loosely(before, "TỐI"):
            levels.add("TOI_MAT")
        elif fold(before) not in _COMPOUND_BEFORE and after not in _COMPOUND_AFTER:
            levels.add("MAT")
    return levels


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


# The skeleton of every mark contains one of these keys, so a line without
# any of them is skipped before the slower candidate search.
_MARK_KEYS = re.compile(
    "|".join(
        sorted(
            {re.escape(key) for key in _INDEX} | {re.escape(skeleton(word)) for word in ("DAU", "ENVELOPE")}
            | set(_CIRCLED_LETTERS),
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
    if not _MARK_KEYS.search(skeleton(line)):
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
    # A line that names several levels enumerates them, even in capitals at its edge.
    edge_marks = _near_top_marks(line) if near_top and len(_named_levels(_WORD.findall(line))) < 2 else []
    for mark in [*edge_marks, *_declared_marks(line), *_leading_marks(line), *_inline_marks(line)]:
        found.setdefault((mark.level, mark.text), mark)
    return list(found.values())


def scan_text(text: str, location: str, labelled: bool = False) -> TextScan:
    """Find the marks in a text. Line numbers start at 1 and count empty lines too.

    labelled means each line is the value of a classification label.
    """
    findings: list[MarkFinding] = []
    declassified: list[int | None] = []
    non_empty_seen = 0
    previous: tuple[int, str] | None = None
    for number, raw_line in enumerate(normalize_for_marks(text).split("\n"), start=1):
        line = collapse_letter_runs(raw_line.strip())
        if not line:
            continue
        non_empty_seen += 1
        for mark in marks_in_line(line, near_top=non_empty_seen <= NEAR_TOP_LINES, labelled=labelled):
            if mark.level == DECLASSIFIED:
                declassified.append(number)
                continue
            finding = MarkFinding(mark.level, mark.text, location, number)
            findings.append(_joined_with_previous(finding, line, previous) or finding)
        previous = (number, line)
    return TextScan(tuple(findings), tuple(declassified))


# The first word of a two-word level, which a line break can split from "MẬT".
_LEVEL_FIRST_WORDS = (("TUYỆT", MARKS[0]), ("TỐI", MARKS[1]))


def _joined_with_previous(finding: MarkFinding, line: str, previous: tuple[int, str] | None) -> MarkFinding | None:
    """Return the two-word level that "MẬT" completes with the line before it, or None.

    "TỐI" on one line and "MẬT" on the next, with at most one empty line
    between them, is the mark "TỐI MẬT" split by a line break.
    """
    if finding.level != "MAT" or previous is None or finding.line is None:
        return None
    previous_number, previous_line = previous
    if finding.line - previous_number > 2 or not matches_loosely(strip_decoration(line), "MẬT"):
        return None
    first_word = strip_decoration(previous_line)
    for word, mark in _LEVEL_FIRST_WORDS:
        if matches_loosely(first_word, word):
            return MarkFinding(mark.level, mark.text, finding.location, previous_number)
    return None


def scan_filename(name: str) -> TextScan:
    """Find the marks in a file name such as "BC_TOI_MAT_2024.docx" or "[MẬT] Kế hoạch.pdf"."""
    stem = normalize_for_marks(name)
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
