"""Build the assistant's parts from settings, in one place."""

from __future__ import annotations

import logging
from functools import partial

from assistant.offline import enforce_offline
from assistant.settings import Settings
from retrieval.embeddings import CachedEmbedder, Embedder, EmbeddingCache, SentenceTransformerEmbedder
from retrieval.index import DocumentIndex
from retrieval.ingest import IngestLimits, Ingestor

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    enforce_offline()
    model = SentenceTransformerEmbedder(
        settings.embedding_model_path, settings.embedding_max_tokens, settings.embedding_batch_size
    )
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite3")
    return CachedEmbedder(model, cache)


def build_index(settings: Settings) -> DocumentIndex:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return DocumentIndex(
        settings.data_dir,
        partial(build_embedder, settings),
        candidates=settings.candidates,
        rrf_k=settings.rrf_k,
        fusion=settings.fusion,
        dense_weight=settings.dense_weight,
    )


def build_gate(settings: Settings):  # noqa: ANN201 - guardrails.ClassificationGate
    from guardrails import ClassificationGate, load_policy

    if settings.gate_policy is None:
        return ClassificationGate()
    return ClassificationGate(policy=load_policy(settings.gate_policy))


def build_redactor(settings: Settings):  # noqa: ANN201 - guardrails.Redactor, which loads Presidio
    from guardrails import Redactor

    return Redactor()


def build_ingestor(settings: Settings, index: DocumentIndex, show_progress: bool = False, redactor=None,
                   access: tuple[str, ...] = ("public",)) -> Ingestor:
    """Return an ingestor that scans chunks for personal data with redactor, or
    with a Redactor built when first needed, and gives documents the access scope."""
    limits = IngestLimits(max_file_bytes=settings.max_upload_bytes, max_document_chars=settings.max_document_chars)
    factory = (lambda: redactor) if redactor is not None else partial(build_redactor, settings)
    return Ingestor(index, build_gate(settings), limits, settings.embedding_max_tokens, show_progress,
                    redactor_factory=factory, redact=settings.redact_at_ingest,
                    audit=build_audit_log(settings), quarantine=build_quarantine(settings), access=access)


def build_audit_log(settings: Settings):  # noqa: ANN201 - guardrails.AuditLog
    from guardrails import AuditLog

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return AuditLog(settings.data_dir / "audit.sqlite3")


def build_quarantine(settings: Settings):  # noqa: ANN201 - guardrails.Quarantine
    from guardrails import Quarantine

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Quarantine(settings.data_dir / "quarantine.sqlite3")
