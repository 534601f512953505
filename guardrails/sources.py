"""Read the parts of a file that can carry a mark.

Document parsers used for indexing keep the body and drop much else: DOCX
headers and footers (with the tables and text boxes inside them), comments,
footnotes, image descriptions and document properties, HTML <title>, <meta>,
attributes and scripts, PDF metadata, the fields of a JSONL record other
than its text. The readers here return those parts as text so the gate can
check them. Every reader raises GateReadError when a part cannot be read
completely, so that a damaged or encrypted file is quarantined instead of
passed. A zip archive (DOCX) is checked against size limits before any part
of it is decompressed.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from guardrails.errors import GateReadError
from guardrails.marks import STATE_SECRET_LEVELS, is_label_name
from guardrails.normalize import is_upper

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CUSTOM_PROPERTIES_PART = "/docProps/custom.xml"
_HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
_FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"

# Core properties that authors and labelling tools use for a classification.
_DOCX_CORE_FIELDS = ("title", "subject", "keywords", "category", "comments", "content_status")

# Meta names whose value is a list of terms. Each term is checked as its own line.
_LIST_META_NAMES = frozenset({"keywords", "news_keywords", "dc.subject", "article:tag"})
_LIST_SEPARATOR = re.compile(r"[;,]")

# Attributes that hold text a reader can see or hear: image descriptions
# (descr and title of wp:docPr and pic:cNvPr, alt of a VML shape) and the
# text of a VML watermark (string of v:textpath). Compared by local name.
_TEXT_ATTRIBUTES = frozenset({"descr", "title", "alt", "string"})

# HTML attributes shown as a tooltip or read out by a screen reader.
_HTML_TEXT_ATTRIBUTES = ("alt", "title", "aria-label")
# Elements that start a new line when a browser renders them.
_HTML_BLOCKS = (
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
)
# String literals in a script: "…", '…' or `…`, with backslash escapes.
_SCRIPT_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""")
_SCRIPT_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
# Levels read in script strings. English words such as "SECRET" are common
# values in code, so only the Vietnamese secrecy levels, handling marks and
# internal-circulation labels count there.
_SCRIPT_LEVELS = STATE_SECRET_LEVELS | {"HANDLING", "INTERNAL"}

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
    levels, when given, limits the levels that count in this part.
    """

    location: str
    text: str
    detail: str | None = None
    labelled: bool = False
    levels: frozenset[str] | None = None


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
    if suffix == ".jsonl":
        return read_jsonl_parts
    return None


# --- zip archives ---------------------------------------------------------------

# Limits on a zip archive before the gate opens it, checked against the sizes
# that its central directory declares. Python's zipfile never returns more
# than the declared size of a member (a larger stream fails its CRC check),
# so the check needs no decompression. A DOCX of text compresses about 5 to
# 35 times (python-docx's own template: 32 times), and one of images hardly at
# all, so the limits leave room for every real document, while a zip bomb
# expands hundreds of times. Each limit is a guess at that boundary.
MAX_ARCHIVE_UNCOMPRESSED_BYTES = 128 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Members smaller than this are not held to the ratio: a small part of
# repeated markup compresses far, yet costs nothing to read.
COMPRESSION_RATIO_FROM_BYTES = 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000


def archive_limit_problem(source: Path | IO[bytes]) -> str | None:
    """Return why a zip archive is too large to open, or None when it is within the limits.

    Only the central directory is read. Raises zipfile.BadZipFile when
    source is not a zip archive.
    """
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        return f"the archive has {len(members):,} members, above the limit of {MAX_ARCHIVE_MEMBERS:,}"
    total = sum(member.file_size for member in members)
    if total > MAX_ARCHIVE_UNCOMPRESSED_BYTES:
        return (
            f"the archive expands to {total:,} bytes, above the limit of "
            f"{MAX_ARCHIVE_UNCOMPRESSED_BYTES:,} bytes uncompressed"
        )
    for member in members:
        if member.file_size < COMPRESSION_RATIO_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            return (
                f"the archive member {member.filename[:60]!r} expands {ratio:,.0f} times "
                f"({member.compress_size:,} to {member.file_size:,} bytes), above the limit of "
                f"{MAX_COMPRESSION_RATIO} times"
            )
    return None


def check_archive(path: Path) -> None:
    """Raise GateReadError when a zip-based file is above the archive limits.

    Raises zipfile.BadZipFile when the file is not a zip archive.
    """
    problem = archive_limit_problem(path)
    if problem is not None:
        raise GateReadError(path, problem)


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


# --- JSONL -----------------------------------------------------------------


def read_jsonl_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return every string value of every JSONL record, each as its own part.

    Ingestion indexes a record's text and shows its title, so a mark in
    either keeps the record out. Other fields are read too, and a field
    named like a classification label ("classification", "do_mat") counts in
    any letter case. A line that is not valid JSON is read as plain text.
    """
    parts: list[TextPart] = []
    for number, line in enumerate(_decoded_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            parts.append(TextPart("body", line, f"record {number}"))
            continue
        for field, value in _string_fields(record):
            label = is_label_name(field.rsplit(".", 1)[-1])
            parts.append(TextPart("body", value, f"record {number}, field {field}", labelled=label))
    if body_text is not None:
        parts.append(TextPart("body", body_text))
    return [part for part in parts if part.text.strip()]


def _string_fields(record: Any) -> Iterator[tuple[str, str]]:
    """Yield (dotted field path, value) for each string in a JSON value, depth first."""
    stack: list[tuple[str, Any]] = [("", record)]
    while stack:
        field, value = stack.pop()
        if isinstance(value, str):
            yield field or "value", value
        elif isinstance(value, dict):
            stack.extend((f"{field}.{key}" if field else str(key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{field}.{index}", item) for index, item in reversed(list(enumerate(value))))


# --- DOCX ------------------------------------------------------------------


def read_docx_parts(path: Path, body_text: str | None) -> list[TextPart]:
    """Return body, body tables, headers, footers, properties and every other XML part of a Word file.

    Body tables and text boxes are read even when body_text is given,
    because the secrecy box at the top of an administrative document is
    often a table cell or a text box that text extraction flattens or drops.
    The archive limits are checked first, so a zip bomb raises GateReadError
    before any part is decompressed.
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

    check_archive(path)
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
    parts.extend(_archive_xml_parts(path, _parts_read_as_text(document)))
    return [part for part in parts if part.text.strip()]


def _parts_read_as_text(document: Any) -> set[str]:
    """Return the archive names of the parts whose text the readers above return."""
    read = {str(document.part.partname).lstrip("/"), _CUSTOM_PROPERTIES_PART.lstrip("/")}
    for part in document.part.package.iter_parts():
        if part.content_type in (_HEADER_TYPE, _FOOTER_TYPE) or str(part.partname) == "/docProps/core.xml":
            read.add(str(part.partname).lstrip("/"))
    return read


def _archive_xml_parts(path: Path, read_as_text: set[str]) -> Iterator[TextPart]:
    """Yield the text of every other XML part of the archive, and text attributes of every part.

    This covers comments, footnotes, endnotes, charts, diagrams and parts
    that no relationship points to, which Word ignores but which are in the
    file all the same.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            name = member.filename
            if not name.lower().endswith((".xml", ".vml")) or name == "[Content_Types].xml":
                continue
            root = etree.fromstring(archive.read(member), parser)
            if name not in read_as_text:
                yield TextPart("docx_part", "\n".join(_xml_text_lines(root)), name)
            yield TextPart("alt_text", "\n".join(_text_attributes(root)), f"attributes in {name}")


def _xml_text_lines(root: Any) -> Iterator[str]:
    """Yield one line per Word or DrawingML paragraph, and one per other element with text."""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag == f"{_W}p":
            yield _paragraph_text(element)
        elif tag == f"{_A}p":
            yield "".join(text.text or "" for text in element.iter(f"{_A}t"))
        elif element.text and element.text.strip() and not _inside_paragraph(element):
            yield element.text


def _inside_paragraph(element: Any) -> bool:
    return any(ancestor.tag in (f"{_W}p", f"{_A}p") for ancestor in element.iterancestors())


def _text_attributes(root: Any) -> Iterator[str]:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] in _TEXT_ATTRIBUTES and value.strip():
                yield value


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
    parts.append(TextPart("alt_text", "\n".join(_html_text_attributes(soup)), "alt, title and aria-label attributes"))
    parts.append(_script_part(soup))
    if body_text is None:
        body_text = _visible_text(soup)
    parts.append(TextPart("body", body_text))
    return [part for part in parts if part.text.strip()]


def _html_text_attributes(soup: Any) -> Iterator[str]:
    for element in soup.find_all(True):
        for name in _HTML_TEXT_ATTRIBUTES:
            value = element.get(name)
            if isinstance(value, str) and value.strip():
                yield value


def _script_part(soup: Any) -> TextPart:
    """Return the string literals in capitals of every <script>, one per line.

    A script can write a mark into the page ("banner.textContent =
    'TỐI MẬT'"), which a parser that drops scripts never reads.
    """
    literals: list[str] = []
    for script in soup.find_all("script"):
        for match in _SCRIPT_STRING.finditer(script.get_text()):
            literal = next(group for group in match.groups() if group is not None)
            # An escaped line break ("\\n") separates lines of the text the script writes.
            for escaped in literal.split("\\n"):
                text = _SCRIPT_ESCAPE.sub(_unescape, escaped)
                if is_upper(text):
                    literals.append(text)
    return TextPart("html_script", "\n".join(literals), "string literals in capitals", levels=_SCRIPT_LEVELS)


def _unescape(match: re.Match[str]) -> str:
    code = next(group for group in match.groups() if group is not None)
    return chr(int(code, 16)) if int(code, 16) <= 0x10FFFF else ""


def _visible_text(soup: Any) -> str:
    """Return the text a browser shows, one line per block, with inline elements kept together.

    "<b>TỐI</b> <i>M</i>ẬT" stays "TỐI MẬT" on one line. Scripts, styles,
    templates and the title are left out. The soup is changed in place.
    """
    for hidden in soup(["script", "style", "noscript", "template", "title"]):
        hidden.decompose()
    for line_break in soup.find_all("br"):
        line_break.replace_with("\n")
    for block in soup.find_all(_HTML_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    return soup.get_text("")


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
