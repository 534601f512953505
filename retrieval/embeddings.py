"""Sentence embeddings behind LangChain's Embeddings interface, with a cache.

The embedder is the slow step of ingestion, so every vector is cached by the
model's content hash and the exact input text, in a SQLite file under the
user cache folder that outlives data folders and clones.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ModelNotFoundError
from assistant.offline import enforce_offline

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


def file_sha256(path: Path) -> str:
    """Return a file's sha256, cached next to it in '<name>.sha256' keyed by mtime."""
    stamp = path.with_name(path.name + ".sha256")
    mtime = str(path.stat().st_mtime_ns)
    if stamp.is_file():
        recorded_mtime, _, digest = stamp.read_text().partition(" ")
        if recorded_mtime == mtime and len(digest) == 64:
            return digest
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        stamp.write_text(f"{mtime} {digest.hexdigest()}")
    except OSError:
        log.warning("could not write checksum stamp next to %s", path)
    return digest.hexdigest()


class Embedder(Embeddings, ABC):
    """An embedding model: unit-length float32 vectors for passages and queries."""

    model_id: str
    dimension: int

    @abstractmethod
    def passage_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        """Return the exact strings the model encodes for these passages."""

    @abstractmethod
    def query_input(self, text: str) -> str:
        """Return the exact string the model encodes for a query."""

    @abstractmethod
    def encode_inputs(self, inputs: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Encode prepared inputs into an (n, dimension) float32 array of unit vectors."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Return the number of model tokens in text."""

    def encode_passages(
        self, titles: Sequence[str], texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        return self.encode_inputs(self.passage_inputs(titles, texts), progress)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_inputs([self.query_input(text)])[0]

    # LangChain's Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages([""] * len(texts), texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model loaded from a local folder, on the CPU."""

    def __init__(self, model_path: Path, max_tokens: int = 512, batch_size: int = 16) -> None:
        enforce_offline()
        weights = model_path / "model.safetensors"
        if not weights.is_file():
            raise ModelNotFoundError(
                f"embedding model not found: {weights} does not exist; run 'make setup' "
                "or set ASSISTANT_EMBEDDING_MODEL to a sentence-transformers folder"
            )
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.model.max_seq_length = max_tokens
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.model_id = f"{model_path.name}:{file_sha256(weights)[:16]}:{max_tokens}"
        self.dimension = int(self.model.get_embedding_dimension())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = prompts.get("query", "")
        self._document_prompt = prompts.get("document", "")
        log.info("loaded embedding model %s (%d dimensions)", self.model_id, self.dimension)

    def passage_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        prompt = self._document_prompt
        if "title: none" in prompt:
            # EmbeddingGemma's document prompt has a slot for the title.
            return [prompt.replace("none", title or "none", 1) + text for title, text in zip(titles, texts)]
        return [prompt + text for text in texts]

    def query_input(self, text: str) -> str:
        return self._query_prompt + text

    def encode_inputs(self, inputs: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        vectors = []
        # sentence-transformers sorts each call's inputs by length before batching,
        # so slices larger than a batch waste less time on padding.
        for start in range(0, len(inputs), 64):
            part = list(inputs[start : start + 64])
            vectors.append(
                self.model.encode(
                    part,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress:
                progress(len(part))
        if not vectors:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(vectors).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])


class EmbeddingCache:
    """Vectors by model id and input text, in SQLite, shared by processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dimension INTEGER NOT NULL, data BLOB NOT NULL)"
        )
        self._db.commit()

    @staticmethod
    def key(model_id: str, text: str) -> str:
        return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str], dimension: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = list(keys[start : start + 500])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, dimension, data FROM vectors WHERE key IN ({marks})", part
                ).fetchall()
                for key, dim, data in rows:
                    if dim == dimension and len(data) == dim * 4:
                        found[key] = np.frombuffer(data, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        rows = [(key, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for key, v in items.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        self._db.close()


class CachedEmbedder(Embedder):
    """Wrap an embedder so that each distinct input is encoded once, ever."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.hits = 0
        self.misses = 0

    def passage_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        return self.inner.passage_inputs(titles, texts)

    def query_input(self, text: str) -> str:
        return self.inner.query_input(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode_query(self, text: str) -> np.ndarray:
        """Encode a query without the cache: staff questions are not kept on disk, even hashed."""
        return self.inner.encode_query(text)

    def encode_inputs(self, inputs: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        keys = [EmbeddingCache.key(self.model_id, text) for text in inputs]
        found = self.cache.get_many(keys, self.dimension)
        missing = sorted({key: text for key, text in zip(keys, inputs) if key not in found}.items())
        self.hits += len(inputs) - len(missing)
        self.misses += len(missing)
        if progress and len(inputs) - len(missing):
            progress(len(inputs) - len(missing))
        if missing:
            # Encode and store in slices so that an interrupted run keeps its work.
            for start in range(0, len(missing), 64):
                part = missing[start : start + 64]
                vectors = self.inner.encode_inputs([text for _, text in part], progress)
                fresh = {key: vector for (key, _), vector in zip(part, vectors)}
                self.cache.put_many(fresh)
                found.update(fresh)
        if not inputs:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([found[key] for key in keys]).astype(np.float32)


class HashingEmbedder(Embedder):
    """Bag-of-words vectors by feature hashing: no model, instant, lexical only.

    For smoke tests and for machines where the real model cannot be loaded;
    it finds passages that share words with the query and nothing more.
    """

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_id = f"hashing:{dimension}"

    def passage_inputs(self, titles: Sequence[str], texts: Sequence[str]) -> list[str]:
        return [f"{title}\n{text}" for title, text in zip(titles, texts)]

    def query_input(self, text: str) -> str:
        return text

    def encode_inputs(self, inputs: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        matrix = np.zeros((len(inputs), self.dimension), dtype=np.float32)
        for row, text in enumerate(inputs):
            for word in text.lower().split():
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                matrix[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        matrix /= np.where(norms == 0, 1.0, norms)
        if progress:
            progress(len(inputs))
        return matrix

    def count_tokens(self, text: str) -> int:
        return len(text.split())
