"""Rendering of a draft: a DOCX file in the Decree 30/2020/NĐ-CP layout, and Markdown."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell

from assistant.drafting.layout import LABELS
from assistant.drafting.models import Draft

FONT = "Times New Roman"
BODY_PT = 13
# Within the decree's ranges: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def to_docx(draft: Draft) -> bytes:
    """Return the draft as a DOCX file: A4, Times New Roman, header and signature in borderless tables."""
    document = Document()
    _page_setup(document)
    _header_table(document, draft)
    _title(document, draft)
    _body(document, draft)
    _closing_table(document, draft)
    _citations(document, draft)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document) -> None:  # noqa: ANN001 - docx.document.Document
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    # Word picks the East Asian font slot for some Vietnamese letters unless it is set too.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)


def _borderless_table(document, rows: int, widths_mm: tuple[int, int]) -> Table:  # noqa: ANN001
    table = document.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    return table


def _line(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
          size: float = BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER, first: bool = False) -> None:  # noqa: ANN001
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)


def _header_table(document, draft: Draft) -> None:  # noqa: ANN001
    header = draft.header
    table = _borderless_table(document, 2, (70, TEXT_WIDTH_MM - 70))
    left, right = table.rows[0].cells
    if header.parent_body:
        _line(left, header.parent_body, size=12, first=True)
        _line(left, header.issuing_body, bold=True, size=12)
    else:
        _line(left, header.issuing_body, bold=True, size=12, first=True)
    _line(right, header.national_title, bold=True, size=12, first=True)
    _line(right, header.motto, bold=True, underline=True)
    number_cell, date_cell = table.rows[1].cells
    _line(number_cell, header.number, first=True)
    if draft.regarding:
        _line(number_cell, draft.regarding, size=12)
    _line(date_cell, header.place_date, italic=True, first=True)


def _title(document, draft: Draft) -> None:  # noqa: ANN001
    if not draft.title:
        return
    for text, space_before in ((draft.title, 12), (draft.subject, 0)):
        if text:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_before = Pt(space_before)
            run = paragraph.add_run(text)
            run.bold = True
            run.font.size = Pt(14)


def _body(document, draft: Draft) -> None:  # noqa: ANN001
    if draft.addressees:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(12)
        paragraph.add_run(f"{LABELS[draft.language].addressees} " + "; ".join(draft.addressees) + ".")
    for section in draft.sections:
        if section.heading:
            heading = document.add_paragraph()
            heading.paragraph_format.space_before = Pt(6)
            heading.add_run(section.heading).bold = True
        for text in section.paragraphs:
            paragraph = document.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.first_line_indent = Cm(1)
            paragraph.paragraph_format.space_after = Pt(6)


def _closing_table(document, draft: Draft) -> None:  # noqa: ANN001
    document.add_paragraph()
    table = _borderless_table(document, 1, (80, TEXT_WIDTH_MM - 80))
    left, right = table.rows[0].cells
    _line(left, draft.recipients.label, bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    entries = draft.recipients.entries
    for position, entry in enumerate(entries):
        end = "." if position == len(entries) - 1 else ";"
        _line(left, f"- {entry}{end}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signature = draft.signature
    lines = [signature.on_behalf, signature.title] if signature.on_behalf else [signature.title]
    for position, text in enumerate(lines):
        _line(right, text, bold=True, first=position == 0)
    for _ in range(3):  # room for the signature and seal
        right.add_paragraph()
    _line(right, signature.name, bold=True)


def _citations(document, draft: Draft) -> None:  # noqa: ANN001
    if not draft.citations:
        return
    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(18)
    heading_run = heading.add_run(LABELS[draft.language].citations)
    heading_run.italic, heading_run.font.size = True, Pt(11)
    for citation in draft.citations:
        place = f", {citation.locator}" if citation.locator else ""
        run = document.add_paragraph().add_run(f"[{citation.n}] {citation.title}{place} ({citation.document_id})")
        run.font.size = Pt(11)


def to_markdown(draft: Draft) -> str:
    """Return the draft as Markdown, in the same order as the DOCX."""
    header = draft.header
    lines = [f"**{header.parent_body}**  " if header.parent_body else "", f"**{header.issuing_body}**  ",
             header.number + ("  " if draft.regarding else ""), draft.regarding or "", "",
             f"**{header.national_title}**  ", f"<u>**{header.motto}**</u>", "", f"*{header.place_date}*", ""]
    if draft.title:
        lines += [f"# {draft.title}", "", f"**{draft.subject}**", ""]
    if draft.addressees:
        lines += [f"{LABELS[draft.language].addressees} " + "; ".join(draft.addressees) + ".", ""]
    for section in draft.sections:
        if section.heading:
            lines += [f"## {section.heading}", ""]
        for text in section.paragraphs:
            lines += [text, ""]
    entries = draft.recipients.entries
    lines += [f"***{draft.recipients.label}***"]
    lines += [f"- {entry}{'.' if i == len(entries) - 1 else ';'}" for i, entry in enumerate(entries)]
    signature = draft.signature
    lines += [""] + [f"**{text}**  " for text in (signature.on_behalf, signature.title) if text]
    lines += ["", f"**{signature.name}**", ""]
    if draft.citations:
        lines += ["---", "", f"*{LABELS[draft.language].citations}*", ""]
        for c in draft.citations:
            place = f", {c.locator}" if c.locator else ""
            lines.append(f"{c.n}. {c.title}{place} ({c.document_id}): {c.quote}")
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])) + "\n"
