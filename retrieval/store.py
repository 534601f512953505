"""The chunk store: documents, chunks, their tokens and vectors, in SQLite.

SQLite is the source of truth. The FAISS index and the BM25 matrix are built
from it and can always be rebuilt from it; every write bumps a generation
number so that readers in other processes notice and reload.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import DocumentNotFoundError
from retrieval.access import format_access, stored_access
from retrieval.documents import Chunk, ParsedDocument

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    access TEXT NOT NULL DEFAULT 'public',
    indexed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents(document_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    title TEXT NOT NULL,
    locator TEXT NOT NULL,
    page INTEGER,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL,
    vector BLOB NOT NULL,
    personal_data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id, ordinal);
"""


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored, with its id."""

    chunk_id: int
    document_id: str
    ordinal: int
    title: str
    locator: str
    page: int | None
    text: str


@dataclass(frozen=True)
class PendingDocument:
    """A parsed document with its chunks, tokens and vectors, ready to store."""

    document: ParsedDocument
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: np.ndarray


class ChunkStore:
    """Documents and chunks in one SQLite file; safe for one writer and many readers."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._add_access_column()

    def _add_access_column(self) -> None:
        """Give a store created before access scopes its access column; existing documents become public."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "access" not in columns:
                self._db.execute("ALTER TABLE documents ADD COLUMN access TEXT NOT NULL DEFAULT 'public'")
                log.info("chunk store %s: added the access column; existing documents are public", self.path.name)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._bump_generation()
            self._db.execute("COMMIT")

    def _bump_generation(self) -> None:
        self._db.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def generation(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def content_hash(self, document_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT content_hash FROM documents WHERE document_id = ?", (document_id,)
            ).fetchone()
        return row[0] if row else None

    def content_hashes(self, document_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._lock:
            for start in range(0, len(document_ids), 500):
                part = list(document_ids[start : start + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT document_id, content_hash FROM documents WHERE document_id IN ({marks})", part
                )
                found.update(dict(rows.fetchall()))
        return found

    def write(self, pending: Sequence[PendingDocument]) -> None:
        """Replace each pending document's chunks, all in one transaction."""
        with self._transaction() as db:
            for item in pending:
                doc = item.document
                db.execute("DELETE FROM chunks WHERE document_id = ?", (doc.document_id,))
                db.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc.document_id, doc.title, doc.source, doc.media_type, doc.content_hash,
                     len(item.chunks), doc.metadata.get("access", "public"), time.time()),
                )
                db.executemany(
                    "INSERT INTO chunks (document_id, ordinal, title, locator, page, text, tokens, vector, personal_data)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (c.document_id, c.ordinal, c.title, c.locator, c.page, c.text, " ".join(tokens),
                         np.asarray(vector, dtype=np.float32).tobytes(), json.dumps(c.personal_data))
                        for c, tokens, vector in zip(item.chunks, item.tokens, item.vectors)
                    ],
                )

    def remove(self, document_id: str) -> int:
        """Delete a document and its chunks; return the number of chunks removed."""
        with self._transaction() as db:
            row = db.execute("SELECT chunk_count FROM documents WHERE document_id = ?", (document_id,)).fetchone()
            if row is None:
                raise DocumentNotFoundError(
                    f"no indexed document has the id {document_id!r}; list them with 'python -m retrieval list'"
                )
            db.execute("DELETE FROM chunks WHERE document_id = ?", (document_id,))
            db.execute("DELETE FROM documents WHERE document_id = ?", (document_id,))
        return int(row[0])

    def documents(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT document_id, title, source, media_type, chunk_count, access, indexed_at"
                " FROM documents ORDER BY document_id"
            ).fetchall()
        keys = ("document_id", "title", "source", "media_type", "chunk_count", "access", "indexed_at")
        documents = [dict(zip(keys, row)) for row in rows]
        for document in documents:
            document["access"] = list(stored_access(document["access"]))
        return documents

    def access_of(self, document_id: str) -> tuple[str, ...] | None:
        """Return a document's access scope, or None when no document has this id."""
        with self._lock:
            row = self._db.execute("SELECT access FROM documents WHERE document_id = ?", (document_id,)).fetchone()
        return stored_access(row[0]) if row else None

    def set_access(self, document_id: str, access: tuple[str, ...]) -> None:
        with self._transaction() as db:
            db.execute("UPDATE documents SET access = ? WHERE document_id = ?", (format_access(access), document_id))

    def chunk_access(self) -> dict[str, list[int]]:
        """Return the chunk ids of each stored access scope string."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.access, c.chunk_id FROM chunks c JOIN documents d ON d.document_id = c.document_id"
            ).fetchall()
        groups: dict[str, list[int]] = {}
        for access, chunk_id in rows:
            groups.setdefault(access, []).append(chunk_id)
        return groups

    def counts(self) -> tuple[int, int]:
        with self._lock:
            docs = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def chunks_by_id(self, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        found: dict[int, StoredChunk] = {}
        with self._lock:
            for start in range(0, len(chunk_ids), 500):
                part = [int(i) for i in chunk_ids[start : start + 500]]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    "SELECT chunk_id, document_id, ordinal, title, locator, page, text"
                    f" FROM chunks WHERE chunk_id IN ({marks})",
                    part,
                ).fetchall()
                found.update({row[0]: StoredChunk(*row) for row in rows})
        return found

    def chunks_of(self, document_id: str) -> list[StoredChunk]:
        """Return a document's chunks in reading order; an unknown id gives an empty list."""
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id, document_id, ordinal, title, locator, page, text"
                " FROM chunks WHERE document_id = ? ORDER BY ordinal",
                (document_id,),
            ).fetchall()
        return [StoredChunk(*row) for row in rows]

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (chunk ids, vectors) of every chunk, for rebuilding the vector index."""
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, vector FROM chunks ORDER BY chunk_id").fetchall()
        ids = np.asarray([row[0] for row in rows], dtype=np.int64)
        vectors = np.zeros((len(rows), dimension), dtype=np.float32)
        for i, (_, blob) in enumerate(rows):
            vectors[i] = np.frombuffer(blob, dtype=np.float32)
        return ids, vectors

    def all_tokens(self) -> tuple[list[int], list[list[str]]]:
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, tokens FROM chunks ORDER BY chunk_id").fetchall()
        return [row[0] for row in rows], [row[1].split() for row in rows]

    def all_chunks(self) -> list[tuple[int, str, str, str]]:
        """Return (chunk id, title, text, document id) of every chunk, for re-embedding."""
        with self._lock:
            return self._db.execute(
                "SELECT chunk_id, title, text, document_id FROM chunks ORDER BY chunk_id"
            ).fetchall()

    def replace_vectors(self, ids: Sequence[int], vectors: np.ndarray, model_id: str) -> None:
        with self._transaction() as db:
            db.executemany(
                "UPDATE chunks SET vector = ? WHERE chunk_id = ?",
                [(np.asarray(v, dtype=np.float32).tobytes(), int(i)) for i, v in zip(ids, vectors)],
            )
            db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_model', ?)", (model_id,))
