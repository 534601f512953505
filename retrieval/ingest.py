"""Ingestion: files and folders in, indexed chunks out, one result per document.

Each document passes the classification gate before it is chunked, embedded or
stored. A bad file never stops the others: it gets its own result with the
reason, and documents are written in batches, each in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from assistant.errors import IncompleteDocumentError, InputError
from assistant.language import detect_language
from retrieval.access import PUBLIC, format_access, parse_access
from retrieval.chunking import StructuredChunker
from retrieval.documents import Chunk, ParsedDocument
from retrieval.index import DocumentIndex
from retrieval.loaders import JSONL_SUFFIXES, SUPPORTED_SUFFIXES, iter_jsonl_documents, load_file, suffix_of
from retrieval.store import PendingDocument
from retrieval.tokens import lexical_tokens

log = logging.getLogger(__name__)

# Ingestion changes stored public text, so it redacts only confident detections,
# and never places or nationalities (see Ingestor._screen_personal_data).
INGEST_MIN_SCORE = 0.6
INGEST_KEPT_TYPES = frozenset({"LOCATION", "NRP"})

# Bump when the chunking rules change, so that existing indexes are re-chunked.
CHUNKING_VERSION = 3

Status = Literal["indexed", "unchanged", "blocked", "quarantined", "failed", "skipped"]
STATUSES: tuple[Status, ...] = ("indexed", "unchanged", "blocked", "quarantined", "failed", "skipped")


@dataclass
class IngestResult:
    """The outcome of ingesting one file or JSONL record."""

    path: str
    document_id: str | None
    status: Status
    reason: str = ""
    chunks: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IngestLimits:
    max_file_bytes: int = 64 * 1024 * 1024
    max_document_chars: int = 2_000_000
    batch_chunks: int = 64


class Ingestor:
    """Run files through parse, gate, chunk, embed and store."""

    def __init__(self, index: DocumentIndex, gate, limits: IngestLimits | None = None, max_tokens: int = 512,
                 show_progress: bool = False, redactor_factory: Callable[[], object] | None = None,
                 redact: bool = True, audit=None, quarantine=None, actor: str = "ingest",
                 access: tuple[str, ...] = (PUBLIC,)) -> None:
        """gate is a guardrails.ClassificationGate. With a redactor_factory, chunks
        are scanned for personal data: redacted when redact is true, else flagged.
        audit (a guardrails.AuditLog) receives every gate and redaction decision;
        quarantine (a guardrails.Quarantine) receives files the gate cannot read.
        access is the access scope given to every document of this run (see retrieval.access)."""
        self.index = index
        self.access = parse_access(access)
        self.gate = gate
        self.audit = audit
        self.quarantine = quarantine
        self.actor = actor
        self._redactor_factory = redactor_factory
        self._redactor = None
        self.redact = redact
        self.limits = limits or IngestLimits()
        self.max_tokens = max_tokens
        self.show_progress = show_progress
        self._chunker: StructuredChunker | None = None
        self._rechunk_all = False
        self._pending: list[tuple[ParsedDocument, IngestResult, list, list[list[str]]]] = []

    @property
    def chunker(self) -> StructuredChunker:
        if self._chunker is None:
            # Leave room for the model's prompt and the title in front of each chunk.
            self._chunker = StructuredChunker(self.index.embedder.count_tokens, self.max_tokens - 48)
        return self._chunker

    def ingest(self, paths: Sequence[Path]) -> list[IngestResult]:
        """Ingest files and folders (recursively); return one result per document."""
        self._check_chunking_settings()
        results: list[IngestResult] = []
        files = list(self._walk(paths, results))
        bar = tqdm(files, unit="file", desc="ingesting", disable=not self.show_progress)
        for path, document_id in bar:
            results.extend(self.ingest_file(path, document_id, flush=False))
        self._flush()
        log.info("ingestion finished: %s", summarize(results))
        return results

    def _check_chunking_settings(self) -> None:
        """Re-chunk every document on this run when the chunking settings changed,
        because an unchanged file would otherwise keep chunks cut the old way."""
        signature = f"{CHUNKING_VERSION}:{self.max_tokens}"
        recorded = self.index.store.get_meta("chunking")
        has_documents = self.index.store.counts()[0] > 0
        self._rechunk_all = recorded != signature and (recorded is not None or has_documents)
        if self._rechunk_all:
            log.warning("chunking settings changed from %s to %s; re-chunking every document", recorded, signature)
        if recorded != signature:
            self.index.store.set_meta("chunking", signature)

    def ingest_file(self, path: Path, document_id: str, flush: bool = True,
                    source: str | None = None, record_prefix: str = "") -> list[IngestResult]:
        """Ingest one file; JSONL files give one result per record.

        source replaces the file's path as the documents' recorded source, as for an
        upload saved in a temporary folder. record_prefix goes before the id of each
        JSONL record, so that an upload's records stay in the uploader's folder and
        cannot replace documents elsewhere."""
        try:
            size = path.stat().st_size
        except OSError as exc:
            return [IngestResult(str(path), document_id, "failed", f"cannot read {path}: {exc.strerror}")]
        if size > self.limits.max_file_bytes:
            reason = (f"{path} is {size:,} bytes, above the limit of {self.limits.max_file_bytes:,} "
                      "(ASSISTANT_MAX_UPLOAD_BYTES); split it or raise the limit")
            return [IngestResult(str(path), document_id, "failed", reason)]
        if suffix_of(path) not in SUPPORTED_SUFFIXES:
            reason = f"unsupported extension {path.suffix or '(none)'!r}; supported: {sorted(SUPPORTED_SUFFIXES)}"
            return [IngestResult(str(path), document_id, "skipped", reason)]
        if suffix_of(path) in JSONL_SUFFIXES:
            results = self._ingest_jsonl(path, source, record_prefix)
        else:
            results = [self._ingest_one(path, document_id, source)]
        if flush:
            self._flush()
        return results

    def _walk(self, paths: Sequence[Path], results: list[IngestResult]) -> Iterator[tuple[Path, str]]:
        for root in paths:
            if root.is_file():
                yield root, self._safe_document_id(root.name)
            elif root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    relative = path.relative_to(root)
                    if any(part.startswith(".") for part in relative.parts):
                        continue
                    document_id = self._safe_document_id(f"{root.resolve().name}/{relative.as_posix()}")
                    if suffix_of(path) not in SUPPORTED_SUFFIXES:
                        results.append(IngestResult(str(path), document_id, "skipped",
                                                    f"unsupported extension {path.suffix or '(none)'!r}"))
                        continue
                    yield path, document_id
            else:
                results.append(IngestResult(str(root), None, "failed", f"{root} does not exist"))

    def _ingest_one(self, path: Path, document_id: str, source: str | None = None) -> IngestResult:
        result = IngestResult(str(path), document_id, "failed")
        try:
            document = self._load(path, document_id)
            if source is not None:
                document.source = source
        except IncompleteDocumentError as exc:
            return self._quarantine(path, document_id, str(exc), result, _file_hash(path))
        except InputError as exc:
            result.reason = str(exc)
            return result
        except Exception as exc:  # a parser bug must not stop the other files
            log.exception("unexpected error parsing %s", document_id)
            result.reason = f"{path} could not be read: {type(exc).__name__}"
            return result
        return self._admit(document, result, path)

    def _load(self, path: Path, document_id: str) -> ParsedDocument:
        """Parse a file; one with unreadable pages parses only once an admin released it."""
        try:
            return load_file(path, document_id)
        except IncompleteDocumentError:
            if self.quarantine is None or not self.quarantine.is_released(document_id, _file_hash(path)):
                raise
            return load_file(path, document_id, require_all_pages=False)

    def _ingest_jsonl(self, path: Path, source: str | None = None, record_prefix: str = "") -> list[IngestResult]:
        results: list[IngestResult] = []
        try:
            records = list(iter_jsonl_documents(path))
        except InputError as exc:
            return [IngestResult(str(path), None, "failed", str(exc))]
        for record in records:
            if not isinstance(record, ParsedDocument):
                continue
            if source is not None:
                record.source = f"{source}#{record.document_id}"
            record.document_id = record_prefix + record.document_id
        known = self.index.store.content_hashes([r.document_id for r in records if isinstance(r, ParsedDocument)])
        for record in tqdm(records, unit="record", desc=path.name, disable=not self.show_progress, leave=False):
            if isinstance(record, InputError):
                results.append(IngestResult(str(path), None, "failed", str(record)))
                continue
            result = IngestResult(str(path), record.document_id, "failed")
            if known.get(record.document_id) == record.content_hash and not self._rechunk_all:
                results.append(self._keep_unchanged(record, result, None))
                continue
            results.append(self._admit(record, result, None))
        return results

    def _admit(self, document: ParsedDocument, result: IngestResult, path: Path | None) -> IngestResult:
        """Check limits, the unchanged case and the gate, then queue the document."""
        if len(document.text) > self.limits.max_document_chars:
            result.reason = (f"text has {len(document.text):,} characters, above the limit of "
                             f"{self.limits.max_document_chars:,}; split the document")
            return result
        unchanged = self.index.store.content_hash(document.document_id) == document.content_hash
        if path is not None and unchanged and not self._rechunk_all:
            return self._keep_unchanged(document, result, path)
        document.metadata["access"] = format_access(self.access)
        verdict = self._check_gate(document, path)
        if verdict is not None:
            result.status, result.reason = verdict
            return result
        try:
            chunks, tokens = self._prepare(document)
        except InputError as exc:
            result.reason = str(exc)
            return result
        self._pending.append((document, result, chunks, tokens))
        if sum(len(item[2]) for item in self._pending) >= self.limits.batch_chunks:
            self._flush()
        return result

    def _keep_unchanged(self, document: ParsedDocument, result: IngestResult, path: Path | None) -> IngestResult:
        """Check an unchanged document with the gate again, and remove it from the index when it now fails.

        The gate's rules and policy change between releases, so a document indexed
        before must pass the current gate to stay."""
        verdict = self._check_gate(document, path)
        if verdict is not None:
            removed = self.index.remove(document.document_id)
            log.warning("document %s no longer passes the gate; removed its %d chunks", document.document_id, removed)
            result.status, result.reason = verdict
            return result
        result.status = "unchanged"
        self._update_access(document.document_id)
        return result

    def _update_access(self, document_id: str) -> None:
        """Apply this run's access scope to an unchanged document that had another one."""
        if self.index.store.access_of(document_id) not in (None, self.access):
            self.index.store.set_access(document_id, self.access)
            log.info("document %s: access scope changed to %s", document_id, format_access(self.access))

    def _check_gate(self, document: ParsedDocument, path: Path | None) -> tuple[Status, str] | None:
        """Return (status, reason) when the gate keeps the document out, else None.

        A file whose parts the gate cannot read is quarantined. Once an admin
        released it, its body text is still checked on the next ingestion.
        """
        from guardrails import GateReadError  # noqa: PLC0415 - guardrails loads on first use
        from guardrails.audit import gate_record  # noqa: PLC0415

        released = (
            path is not None
            and self.quarantine is not None
            and self.quarantine.is_released(document.document_id, document.content_hash)
        )
        try:
            if path is None or released:
                # A JSONL record's title is shown with its passages, so it is checked with the text.
                decision = self.gate.check_fields({"title": document.title, "text": document.text})
            else:
                decision = self.gate.check_file(path, body_text=document.text)
        except GateReadError as exc:
            self._quarantine(path, document.document_id, str(exc), None, document.content_hash)
            return "quarantined", str(exc)
        self._record(gate_record(self.actor, document.document_id, decision, action="ingest_gate"))
        if decision.allowed:
            return None
        log.info("gate blocked document %s: level %s", document.document_id, decision.level)
        return "blocked", "; ".join(decision.reasons)

    def _quarantine(self, path: Path | None, document_id: str, reason: str, result: IngestResult | None,
                    content_hash: str | None = None) -> IngestResult | None:
        """Put a document the gate cannot fully check into the quarantine, and audit it."""
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        if self.quarantine is not None:
            self.quarantine.add(document_id, str(path), reason, content_hash)
        self._record(AuditRecord(time=_now(), actor=self.actor, action="ingest_gate", subject_id=document_id,
                                 decision="quarantined", reasons=(reason.replace(str(path), document_id)[:300],)))
        log.info("document %s cannot be read completely; quarantined", document_id)
        if result is not None:
            result.status, result.reason = "quarantined", reason
        return result

    def _safe_document_id(self, name: str) -> str:
        """Return name with the personal data in it replaced, because ids reach logs, audit and citations."""
        from guardrails.redaction.names import safe_document_name  # noqa: PLC0415 - loads Presidio

        if self._redactor is None and self._redactor_factory is not None:
            self._redactor = self._redactor_factory()
        return safe_document_name(name, self._redactor)

    def _record(self, record) -> None:  # noqa: ANN001 - guardrails.AuditRecord
        if self.audit is not None:
            self.audit.append(record)

    def _flush(self) -> None:
        """Chunk, embed and store the queued documents in one transaction."""
        prepared, self._pending = self._pending, []
        if not prepared:
            return
        titles = [c.title for item in prepared for c in item[2]]
        texts = [c.text for item in prepared for c in item[2]]
        try:
            with tqdm(total=len(texts), unit="chunk", desc="embedding", disable=not self.show_progress,
                      leave=False) as bar:
                vectors = self.index.embedder.encode_passages(titles, texts, progress=bar.update)
            pending, offset = [], 0
            for document, _, chunks, tokens in prepared:
                pending.append(PendingDocument(document, chunks, tokens, vectors[offset : offset + len(chunks)]))
                offset += len(chunks)
            self.index.write(pending)
        except Exception as exc:
            log.exception("failed to index a batch of %d documents", len(prepared))
            for _, result, _, _ in prepared:
                result.reason = f"indexing failed: {type(exc).__name__}: {exc}"
            return
        for _, result, chunks, _ in prepared:
            result.status, result.chunks = "indexed", len(chunks)

    def _prepare(self, document: ParsedDocument) -> tuple[list[Chunk], list[list[str]]]:
        self._screen_labels(document)
        chunks = self.chunker.split(document)
        if not chunks:
            raise InputError(f"{document.document_id} produced no passages")
        chunks = [self._screen_personal_data(chunk) for chunk in chunks]
        tokens = [lexical_tokens(f"{c.title}\n{c.text}") for c in chunks]
        return chunks, tokens

    def _screen_labels(self, document: ParsedDocument) -> None:
        """Redact the personal data in the title and source name, because citations and the
        document list show them. With redaction off they stay as written, and the chunks are flagged."""
        if self._redactor_factory is None or not self.redact:
            return
        if self._redactor is None:
            self._redactor = self._redactor_factory()
        found = self._redactor.analyze(document.title, detect_language(document.title))
        entities = [e for e in found if e.score >= INGEST_MIN_SCORE and e.type not in INGEST_KEPT_TYPES]
        if entities:
            document.title = _replace_spans(document.title, entities)
        document.source = self._safe_document_id(document.source)

    def _screen_personal_data(self, chunk: Chunk) -> Chunk:
        """Redact or flag the personal data in a chunk, by the redact setting.

        Only confident detections count here, and places and nationalities stay:
        a public document that names Hà Nội or "Vietnamese citizens" must read as
        written, and a low-scoring lower-case name match ("quản lý văn bản") is
        more often an ordinary phrase than a person.
        """
        if self._redactor_factory is None:
            return chunk
        if self._redactor is None:
            self._redactor = self._redactor_factory()
        found = self._redactor.analyze(chunk.text, detect_language(chunk.text))
        entities = [e for e in found if e.score >= INGEST_MIN_SCORE and e.type not in INGEST_KEPT_TYPES]
        if not entities:
            return chunk
        counts = dict(Counter(entity.type for entity in entities))
        if self.audit is not None:
            from guardrails.audit import redaction_record  # noqa: PLC0415

            action = "ingest_redaction" if self.redact else "ingest_personal_data_flag"
            subject = f"{chunk.document_id}#{chunk.ordinal}"
            self._record(redaction_record(self.actor, subject, entities, action=action))
        text = _replace_spans(chunk.text, entities) if self.redact else chunk.text
        return replace(chunk, text=text, personal_data=counts)


def _replace_spans(text: str, entities: Sequence) -> str:
    """Replace each (non-overlapping) entity span with its type in angle brackets."""
    parts, cursor = [], 0
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < cursor:
            continue
        parts.extend([text[cursor : entity.start], f"<{entity.type}>"])
        cursor = entity.end
    parts.append(text[cursor:])
    return "".join(parts)


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def summarize(results: Sequence[IngestResult]) -> dict[str, int]:
    """Return the number of results per status."""
    counts = {status: 0 for status in STATUSES}
    for result in results:
        counts[result.status] += 1
    return counts
