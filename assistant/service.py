"""The assistant as one object: settings, index, ingestion, chat."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.chat import ChatService
from assistant.components import build_audit_log, build_gate, build_index, build_ingestor, build_redactor
from assistant.llm import LLM, build_llm
from assistant.settings import Settings
from retrieval.ingest import IngestResult

log = logging.getLogger(__name__)


class Assistant:
    """Own the index and the models of one data folder; models load on first use."""

    def __init__(self, settings: Settings, llm: LLM | None = None, use_configured_llm: bool = True) -> None:
        self.settings = settings
        self.index = build_index(settings)
        self._llm = llm
        self._llm_loaded = llm is not None or not use_configured_llm
        self._lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self.gate = build_gate(settings)
        self.audit = build_audit_log(settings)
        self._redactor = None
        self._database = None

    @property
    def llm(self) -> LLM | None:
        with self._lock:
            if not self._llm_loaded:
                self._llm = build_llm(self.settings)
                self._llm_loaded = True
            return self._llm

    @property
    def redactor(self):  # noqa: ANN201 - guardrails.Redactor, imported lazily with Presidio
        with self._lock:
            if self._redactor is None:
                self._redactor = build_redactor(self.settings)
            return self._redactor

    @property
    def database(self):  # noqa: ANN201 - assistant.db.Database
        """The assistant's own SQLite database in the data folder, opened on first use."""
        with self._lock:
            if self._database is None:
                from assistant.db import Database

                self._database = Database(self.settings.data_dir)
            return self._database

    @property
    def chat(self) -> ChatService:
        llm = self.llm
        redactor = self.redactor if llm is not None else None
        return ChatService(self.index, llm, self.settings, gate=self.gate, redactor=redactor, audit=self.audit)

    def warm_up(self) -> None:
        """Load the models and the index now rather than on the first request."""
        _ = self.index.embedder
        self.index.refresh()
        _ = self.llm
        _ = self.redactor

    def ingest(self, paths: list[Path], show_progress: bool = False) -> list[IngestResult]:
        with self._ingest_lock:
            ingestor = build_ingestor(self.settings, self.index, show_progress, self.redactor)
            return ingestor.ingest(paths)

    def ingest_upload(self, path: Path, document_id: str, access: tuple[str, ...] = ("public",)) -> list[IngestResult]:
        with self._ingest_lock:
            ingestor = build_ingestor(self.settings, self.index, redactor=self.redactor, access=access)
            folder = document_id.rpartition("/")[0]
            return ingestor.ingest_file(path, document_id, source=f"upload {path.name}",
                                        record_prefix=f"{folder}/" if folder else "")

    def describe(self) -> dict:
        return {
            **self.index.stats(),
            "llm_backend": self.settings.llm_backend,
            "embedding_model": self.settings.embedding_model_path.name,
        }
