"""Read the parts of a file that can carry a mark.

Document parsers used for indexing keep the body and drop much else: DOCX
headers and footers (with the tables and text boxes inside them), document
properties, HTML <title> and <meta>, PDF metadata. The readers here return
those parts as text so the gate can check them. Every reader raises
GateReadError when a part cannot be read completely, so that a damaged or
encrypted file is quarantined instead of passed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardrails.errors import GateReadError
from guardrails.marks import is_label_name

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CUSTOM_PROPERTIES_PART = "/docProps/custom.xml"
_HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
_FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"

# Core properties that authors and labelling tools use for a classification.
_DOCX_CORE_FIELDS = ("title", "subject", "keywords", "category", "comments", "content_status")

# Meta names whose value is a list of terms. Each term is checked as its own line.
_LIST_META_NAMES = frozenset({"keywords", "news_keywords", "dc.subject", "article:tag"})
_LIST_SEPARATOR = re.compile(r"[;,]")

_TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".csv", ".tsv"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_DOCX_SUFFIXES = frozenset({".docx", ".docm", ".dotx", ".dotm"})


@dataclass(frozen=True)
class TextPart:
    """Text of one part of a file, with the location the gate reports for it.

    detail names the sub-part where that helps a reviewer find the mark,
    for example the property "keywords" or "text box". labelled means each
    line is the value of a classification label, such as <meta
    name="classification">, so a mark counts there in any letter case.
    """

    location: str
    text: str
    detail: str | None = None
    labelled: bool = False


def read_parts(path: Path, body_text: str | None = None) -> list[TextPart]:
    """Return the file name, body and every other readable part of a file.

    When body_text is given it is used as the body. Otherwise the body is
    extracted here. Raises GateReadError when the file is missing, has a
    type that this module cannot read and no body_text, or has a part that
    cannot be read completely.
    """
    if not path.is_file():
        raise GateReadError(path, "file not found")
    parts = [TextPart("filename", path.name)]
    reader = _reader_for(path.suffix.lower())
    if reader is not None:
        parts.extend(reader(path, body_text))
    elif body_text is not None:
        # NOTE: for other types (xlsx, pptx, images) only the file name and
        # the caller's body_text are checked. Their metadata is not read.
        parts.append(TextPart("body", body_text))
    else:
        raise GateReadError(
            path,
            f"unsupported file type {path.suffix!r}; extract its text and pass it as body_text",
        )
    return parts


def _reader_for(suffix: str) -> Callable[[Path, str | None], list[TextPart]] | None:
    if suffix in _DOCX_SUFFIXES:
        return read_docx_parts
    if suffix in _HTML_SUFFIXES:
        return read_html_parts
    if suffix == ".pdf":
        return read_pdf_parts
    if suffix in _TEXT_SUFFIXES:
        return read_text_parts
    return None


# --- plain text -------------------------------------------------------------


def read_text_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return the body of a text file in UTF-8, UTF-16 or UTF-32 (by BOM) or Windows-1258.

    The encoding is detected as ingestion detects it, so the gate reads the
    same text that is indexed. The file is read even when the caller gives
    body_text, because a parser that tidies spacing can join a label set
    apart on its own line ("KHÔNG PHỔ BIẾN") to the words before it. Both
    texts are checked then.
    """
    raw = _decoded_text(path)
    if body_text is not None and body_text != raw:
        return [TextPart("body", raw), TextPart("body", body_text)]
    return [TextPart("body", raw)]


def _decoded_text(path: Path) -> str:
    # Imported here: retrieval depends on the gate, not the other way round.
    from assistant.errors import InputError
    from retrieval.loaders import decode_text

    try:
        data = path.read_bytes()
    except OSError as error:
        raise GateReadError(path, f"cannot open the file: {error.strerror}") from error
    if not data.strip():
        return ""
    try:
        # The source names no file, because decode_text logs it and file names can carry personal data.
        return decode_text(data, f"a {path.suffix or 'suffix-less'} file")
    except InputError as error:
        raise GateReadError(path, str(error)) from error


# --- DOCX ------------------------------------------------------------------


def read_docx_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return body, body tables, headers, footers and properties of a Word file.

    Body tables and text boxes are read even when body_text is given,
    because the secrecy box at the top of an administrative document is
    often a table cell or a text box that text extraction flattens or drops.
    """
    # A parser on untrusted input can fail in many ways, in the zip, the XML
    # or a missing part. Every failure means the file cannot be cleared, so
    # each one becomes GateReadError.
    try:
        return _docx_parts(path, body_text)
    except GateReadError:
        raise
    except Exception as error:  # noqa: BLE001 - see the comment above
        raise GateReadError(path, f"invalid or damaged DOCX ({type(error).__name__}: {error})") from error


def _docx_parts(path: Path, body_text: str | None) -> list[TextPart]:
    import docx  # python-docx, imported here so that the gate module loads without it

    document = docx.Document(str(path))
    body = document.element.body
    parts: list[TextPart] = []
    if body_text is None:
        parts.append(TextPart("body", "\n".join(_paragraph_lines(body, in_tables=False))))
    else:
        parts.append(TextPart("body", body_text))
        text_boxes = list(_paragraph_lines(body, in_tables=False, text_boxes_only=True))
        if text_boxes:
            parts.append(TextPart("body", "\n".join(text_boxes), "text box"))
    parts.append(TextPart("table", "\n".join(_paragraph_lines(body, in_tables=True))))
    parts.extend(_header_footer_parts(document))
    parts.extend(_core_property_parts(document))
    parts.extend(_custom_property_parts(document))
    return [part for part in parts if part.text.strip()]


def _header_footer_parts(document: Any) -> Iterator[TextPart]:
    """Yield each header and footer part, including first-page and even-page ones."""
    for part in document.part.package.iter_parts():
        if part.content_type == _HEADER_TYPE:
            location = "header"
        elif part.content_type == _FOOTER_TYPE:
            location = "footer"
        else:
            continue
        yield TextPart(location, "\n".join(_paragraph_lines(part.element, in_tables=None)))


def _core_property_parts(document: Any) -> Iterator[TextPart]:
    properties = document.core_properties
    for field in _DOCX_CORE_FIELDS:
        value = getattr(properties, field) or ""
        lines = _LIST_SEPARATOR.split(value) if field == "keywords" else [value]
        yield TextPart("docx_properties", "\n".join(lines), field)


def _custom_property_parts(document: Any) -> Iterator[TextPart]:
    """Yield custom properties, where labelling tools store sensitivity labels."""
    from lxml import etree

    for part in document.part.package.iter_parts():
        if str(part.partname) != _CUSTOM_PROPERTIES_PART:
            continue
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(part.blob, parser)
        for prop in root:
            name = prop.get("name") or "unnamed"
            value = "".join(prop.itertext())
            yield TextPart("docx_properties", value, f"custom property {name}", labelled=is_label_name(name))


def _paragraph_lines(root: Any, in_tables: bool | None, text_boxes_only: bool = False) -> Iterator[str]:
    """Yield the text of each w:p under root, one line per paragraph.

    in_tables selects paragraphs inside tables (True), outside them (False)
    or both (None). Text boxes count as outside tables unless they sit in a
    cell. Paragraphs under mc:Fallback are skipped, because they repeat the
    text box of the mc:Choice next to them.
    """
    for paragraph in root.iter(f"{_W}p"):
        in_table, in_text_box, in_fallback = _paragraph_ancestry(paragraph, root)
        if in_fallback:
            continue
        if in_tables is not None and in_table != in_tables:
            continue
        if text_boxes_only and not in_text_box:
            continue
        yield _paragraph_text(paragraph)


def _paragraph_ancestry(paragraph: Any, root: Any) -> tuple[bool, bool, bool]:
    in_table = in_text_box = in_fallback = False
    for ancestor in paragraph.iterancestors():
        if ancestor is root:
            break
        in_table = in_table or ancestor.tag == f"{_W}tbl"
        in_text_box = in_text_box or ancestor.tag == f"{_W}txbxContent"
        in_fallback = in_fallback or ancestor.tag == _MC_FALLBACK
    return in_table, in_text_box, in_fallback


def _paragraph_text(paragraph: Any) -> str:
    pieces: list[str] = []
    _collect_run_text(paragraph, pieces)
    return "".join(pieces)


def _collect_run_text(element: Any, pieces: list[str]) -> None:
    """Append the text of element's runs, leaving out nested text boxes.

    Deleted text (w:delText) is kept, because a tracked deletion is still
    in the file and a mark in it must not slip through.
    """
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in (f"{_W}txbxContent", _MC_FALLBACK, f"{_W}instrText"):
            continue
        if tag in (f"{_W}t", f"{_W}delText"):
            pieces.append(child.text or "")
        elif tag == f"{_W}tab":
            pieces.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            pieces.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            pieces.append("-")
        else:
            _collect_run_text(child, pieces)


# --- HTML ------------------------------------------------------------------


def read_html_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return the <title>, each <meta> content, the comments and the visible body text of an HTML file.

    Comments are read even when body_text is given, because a browser hides
    them and text extraction drops them, yet a mark in one still marks the page.
    """
    from bs4 import BeautifulSoup

    try:
        data = path.read_bytes()
    except OSError as error:
        raise GateReadError(path, f"cannot open the file: {error.strerror}") from error
    soup = BeautifulSoup(data, "html.parser")
    parts: list[TextPart] = []
    if soup.title is not None:
        parts.append(TextPart("html_meta", soup.title.get_text(" "), "title"))
    parts.extend(_meta_parts(soup))
    parts.extend(_comment_parts(soup))
    if body_text is None:
        for hidden in soup(["script", "style", "noscript", "template", "title"]):
            hidden.decompose()
        body_text = soup.get_text("\n")
    parts.append(TextPart("body", body_text))
    return [part for part in parts if part.text.strip()]


def _meta_parts(soup: Any) -> Iterator[TextPart]:
    for meta in soup.find_all("meta"):
        content = meta.get("content")
        if not content:
            continue
        name = meta.get("name") or meta.get("property") or meta.get("http-equiv") or "meta"
        lines = _LIST_SEPARATOR.split(content) if name.lower() in _LIST_META_NAMES else [content]
        yield TextPart("html_meta", "\n".join(lines), f"meta {name}", labelled=is_label_name(name))


def _comment_parts(soup: Any) -> Iterator[TextPart]:
    from bs4 import Comment

    for comment in soup.find_all(string=lambda node: isinstance(node, Comment)):
        yield TextPart("html_comment", str(comment), "hidden HTML comment")


# --- PDF -------------------------------------------------------------------


def read_pdf_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return the document information, XMP metadata and page text of a PDF.

    An encrypted PDF raises GateReadError even when it opens without a
    password, because the gate does not clear content that its owner locked.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise GateReadError(path, "the PDF is encrypted")
        parts = list(_pdf_metadata_parts(reader))
        if body_text is None:
            body_text = "\n".join(page.extract_text() or "" for page in reader.pages)
        parts.append(TextPart("body", body_text))
    except GateReadError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged PDF can fail anywhere in the parser
        raise GateReadError(path, f"invalid or damaged PDF ({type(error).__name__}: {error})") from error
    # NOTE: text drawn as an image (a scanned stamp) is invisible here. Such
    # pages need OCR, with the result passed as body_text, before the gate
    # can see their marks.
    return [part for part in parts if part.text.strip()]


def _pdf_metadata_parts(reader: Any) -> Iterator[TextPart]:
    for key, value in (reader.metadata or {}).items():
        if not isinstance(value, str):
            continue
        name = str(key).lstrip("/")
        lines = _LIST_SEPARATOR.split(value) if name == "Keywords" else [value]
        yield TextPart("pdf_metadata", "\n".join(lines), name)
    xmp = reader.xmp_metadata
    if xmp is None:
        return
    for field in ("dc_title", "dc_description"):
        for value in (getattr(xmp, field) or {}).values():
            yield TextPart("pdf_metadata", value, f"xmp {field}")
    subjects = xmp.dc_subject or []
    if subjects:
        yield TextPart("pdf_metadata", "\n".join(subjects), "xmp dc_subject")
    keywords = xmp.pdf_keywords or ""
    if keywords:
        yield TextPart("pdf_metadata", "\n".join(_LIST_SEPARATOR.split(keywords)), "xmp pdf_keywords")
