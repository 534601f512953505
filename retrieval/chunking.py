"""Split parsed documents into passages that follow their structure.

Vietnamese legal texts split at Chương / Mục / Điều / Khoản (chapter, section,
article, clause): each chunk contains one article, or a run of its clauses when
the article is too long, and starts with the article's number and title so
that it can be cited on its own. Other documents split at headings, then at
paragraphs. A piece still longer than the limit is split by LangChain's
recursive splitter, never truncated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.documents import Block, Chunk, ParsedDocument

TokenCounter = Callable[[str], int]

CHAPTER = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLCDM]+|\d+)\b[.:]?\s*(.*)$")
SECTION = re.compile(r"^(?:Mục|MỤC)\s+(\d+)\b[.:]?\s*(.*)$")
# "Điều 5. Title" or "Điều 5" alone on its line; "Điều 5 của Luật này ..." is a reference.
ARTICLE = re.compile(r"^Điều\s+(\d+[a-zđ]?)\s*(?:[.:]\s*(.*))?$")
CLAUSE = re.compile(r"^(\d{1,2})\.\s+\S")


def estimate_tokens(text: str) -> int:
    """Rough token count for tests and tools without a tokenizer: words times 1.5."""
    return int(len(text.split()) * 1.5) + 1


@dataclass
class _Line:
    text: str
    page: int | None
    is_heading: bool = False


@dataclass
class _Unit:
    """An article (or a preamble or a headed section) with its lines."""

    label: str
    heading: str
    lines: list[_Line] = field(default_factory=list)


class StructuredChunker:
    """Split documents into chunks of at most max_tokens, by their structure."""

    def __init__(self, count_tokens: TokenCounter = estimate_tokens, max_tokens: int = 480,
                 section_tokens: int | None = None) -> None:
        """max_tokens bounds an article's chunk; section_tokens (default: half of it) bounds
        the chunks of other documents, whose long sections mix topics."""
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.section_tokens = section_tokens or max_tokens // 2

    def split(self, document: ParsedDocument) -> list[Chunk]:
        lines = _lines_of(document.blocks)
        if is_legal_text(lines):
            units = _legal_units(lines)
        else:
            units = _headed_units(lines)
        chunks: list[Chunk] = []
        for unit in units:
            for text, locator, page in self._pieces(unit):
                chunks.append(
                    Chunk(
                        document_id=document.document_id,
                        ordinal=len(chunks),
                        text=text,
                        title=document.title,
                        locator=locator,
                        page=page,
                    )
                )
        return chunks

    def _pieces(self, unit: _Unit) -> list[tuple[str, str, int | None]]:
        body = [line for line in unit.lines if line.text]
        if not body and not unit.heading:
            return []
        whole = _join(unit.heading, body)
        is_article = ARTICLE.match(unit.heading) is not None
        limit = self.max_tokens if is_article else self.section_tokens
        if self.count_tokens(whole) <= limit:
            return [(whole, unit.label, _first_page(body))]
        if is_article:
            return self._split_clauses(unit, body)
        return self._split_paragraphs(unit, body, limit)

    def _split_clauses(self, unit: _Unit, body: list[_Line]) -> list[tuple[str, str, int | None]]:
        groups = _clause_groups(body)
        pieces: list[tuple[str, str, int | None]] = []
        run: list[tuple[str | None, list[_Line]]] = []

        def flush() -> None:
            if not run:
                return
            numbers = [n for n, _ in run if n]
            lines = [line for _, group in run for line in group]
            label = unit.label + _clause_suffix(numbers)
            pieces.extend(self._fit(unit.heading, lines, label))
            run.clear()

        for number, group in groups:
            candidate = [line for _, g in run for line in g] + group
            if run and self.count_tokens(_join(unit.heading, candidate)) > self.max_tokens:
                flush()
            run.append((number, group))
        flush()
        return pieces

    def _split_paragraphs(self, unit: _Unit, body: list[_Line], limit: int) -> list[tuple[str, str, int | None]]:
        pieces: list[tuple[str, str, int | None]] = []
        run: list[_Line] = []
        for line in body:
            if run and self.count_tokens(_join(unit.heading, run + [line])) > limit:
                pieces.extend(self._fit(unit.heading, run, unit.label))
                run = []
            run.append(line)
        if run:
            pieces.extend(self._fit(unit.heading, run, unit.label))
        return pieces

    def _fit(self, heading: str, lines: list[_Line], label: str) -> list[tuple[str, str, int | None]]:
        """Return the lines as one piece, or as several when even they are too long."""
        text = _join(heading, lines)
        page = _first_page(lines)
        if self.count_tokens(text) <= self.max_tokens:
            return [(text, label, page)]
        budget = max(self.max_tokens - self.count_tokens(heading) - 2, 32)
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=budget // 10,
            length_function=self.count_tokens,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        )
        parts = splitter.split_text("\n".join(line.text for line in lines))
        return [
            (_join(heading, [_Line(part, page)]), f"{label} ({i}/{len(parts)})", page)
            for i, part in enumerate(parts, start=1)
        ]


def _lines_of(blocks: list[Block]) -> list[_Line]:
    lines: list[_Line] = []
    for block in blocks:
        for text in block.text.split("\n"):
            text = text.strip()
            if text:
                lines.append(_Line(text, block.page, block.kind == "heading"))
    return lines


def is_legal_text(lines: list[_Line]) -> bool:
    """Return True when the text is organised in articles ("Điều 1.", "Điều 2.", ...)."""
    return any(ARTICLE.match(line.text) for line in lines)


def _legal_units(lines: list[_Line]) -> list[_Unit]:
    """Group lines by article. Chapter and section headings end the article
    before them and are not copied into any chunk."""
    units: list[_Unit] = []
    current = _Unit(label="Phần đầu", heading="")
    expect_heading_title = False  # "Chương I" with its title on the next line
    for line in lines:
        text = line.text
        if expect_heading_title and text.isupper() and not ARTICLE.match(text):
            expect_heading_title = False
            continue
        expect_heading_title = False
        heading = CHAPTER.match(text) or SECTION.match(text)
        if heading:
            expect_heading_title = not heading.group(2)
            continue
        if match := ARTICLE.match(text):
            units.append(current)
            current = _Unit(label=f"Điều {match.group(1)}", heading=text)
            continue
        current.lines.append(line)
    units.append(current)
    return [unit for unit in units if unit.lines or unit.heading]


def _headed_units(lines: list[_Line]) -> list[_Unit]:
    """Group lines under their heading; consecutive headings stack, so a title
    followed by a section heading becomes the context of that section."""
    units: list[_Unit] = []
    current = _Unit(label="", heading="")
    for line in lines:
        if not line.is_heading:
            current.lines.append(line)
        elif current.lines or not current.heading:
            units.append(current)
            current = _Unit(label=line.text[:120], heading=line.text)
        else:
            current = _Unit(label=line.text[:120], heading=f"{current.heading}\n{line.text}")
    units.append(current)
    units = [unit for unit in units if unit.lines or unit.heading]
    for number, unit in enumerate(units, start=1):
        if not unit.label:
            unit.label = f"đoạn {number}"
    return units


def _clause_groups(body: list[_Line]) -> list[tuple[str | None, list[_Line]]]:
    """Group an article's lines by clause; lines before the first clause form a group of their own."""
    groups: list[tuple[str | None, list[_Line]]] = []
    for line in body:
        match = CLAUSE.match(line.text)
        if match or not groups:
            groups.append((match.group(1) if match else None, [line]))
        else:
            groups[-1][1].append(line)
    return groups


def _clause_suffix(numbers: list[str]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f", khoản {numbers[0]}"
    return f", khoản {numbers[0]}-{numbers[-1]}"


def _join(heading: str, lines: list[_Line]) -> str:
    body = "\n".join(line.text for line in lines)
    return f"{heading}\n{body}".strip() if heading else body


def _first_page(lines: list[_Line]) -> int | None:
    return next((line.page for line in lines if line.page is not None), None)
