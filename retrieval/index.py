"""The document index: chunk store, FAISS vectors and BM25, searched together."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from retrieval.bm25 import BM25Index
from retrieval.embeddings import Embedder
from retrieval.store import ChunkStore, PendingDocument
from retrieval.tokens import lexical_tokens
from retrieval.vectors import VectorIndex

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "dense", "bm25"]
SEARCH_MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")
FUSIONS: tuple[str, ...] = ("score", "rrf")


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the scores behind it."""

    chunk_id: int
    document_id: str
    title: str
    locator: str
    page: int | None
    text: str
    score: float
    dense_score: float | None
    lexical_score: float | None

    def to_dict(self) -> dict:
        return asdict(self)


class DocumentIndex:
    """Hybrid search over one data folder.

    The embedder is created on first use, so that listing, removing and
    re-ingesting unchanged files never load the model.
    """

    def __init__(
        self,
        data_dir: Path,
        embedder_factory: Callable[[], Embedder],
        candidates: int = 50,
        rrf_k: int = 60,
        fusion: str = "score",
        dense_weight: float = 0.6,
    ) -> None:
        self.data_dir = data_dir
        self.store = ChunkStore(data_dir / "chunks.sqlite3")
        self.vector_path = data_dir / "vectors.faiss"
        self.candidates = candidates
        self.rrf_k = rrf_k
        if fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {fusion!r}; use one of {FUSIONS}")
        self.fusion = fusion
        self.dense_weight = dense_weight
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._lock = threading.RLock()
        self._generation = -1
        self._vectors: VectorIndex | None = None
        self._bm25 = BM25Index()

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
                self._reembed_if_model_changed(self._embedder)
            return self._embedder

    def _reembed_if_model_changed(self, embedder: Embedder) -> None:
        recorded = self.store.get_meta("embedding_model")
        if recorded is None:
            self.store.set_meta("embedding_model", embedder.model_id)
            return
        if recorded == embedder.model_id:
            return
        rows = self.store.all_chunks()
        log.warning("index was built with %s; re-embedding %d chunks with %s", recorded, len(rows), embedder.model_id)
        vectors = embedder.encode_passages([r[1] for r in rows], [r[2] for r in rows])
        self.store.replace_vectors([r[0] for r in rows], vectors, embedder.model_id)

    def refresh(self) -> None:
        """Load or rebuild the in-memory indexes when the store changed."""
        with self._lock:
            generation = self.store.generation()
            if generation == self._generation:
                return
            model_id = self.store.get_meta("embedding_model") or ""
            dimension = int(self.store.get_meta("dimension") or 0)
            vectors = VectorIndex.load(self.vector_path, generation, model_id, dimension) if dimension else None
            if vectors is None:
                vectors = self._rebuild_vectors(generation, model_id, dimension)
            ids, token_lists = self.store.all_tokens()
            self._bm25.build(ids, token_lists)
            self._vectors = vectors
            self._generation = generation
            log.info("index loaded: generation %d, %d vectors, %d passages", generation, len(vectors), len(ids))

    def _rebuild_vectors(self, generation: int, model_id: str, dimension: int) -> VectorIndex:
        if not dimension:
            return VectorIndex(1)
        ids, matrix = self.store.all_vectors(dimension)
        vectors = VectorIndex(dimension)
        vectors.rebuild(ids, matrix)
        vectors.save(self.vector_path, generation, model_id)
        log.info("vector index rebuilt from the chunk store: %d vectors", len(vectors))
        return vectors

    def write(self, pending: Sequence[PendingDocument]) -> None:
        """Store documents, replacing earlier versions, and update the indexes."""
        if not pending:
            return
        embedder = self.embedder
        with self._lock:
            if self.store.get_meta("dimension") is None:
                self.store.set_meta("dimension", str(embedder.dimension))
            self.store.write(pending)
            self.refresh()

    def remove(self, document_id: str) -> int:
        with self._lock:
            removed = self.store.remove(document_id)
            self.refresh()
            return removed

    def search(self, query: str, k: int = 5, mode: SearchMode = "hybrid") -> list[Hit]:
        """Return the k best chunks for query; hybrid fuses the dense and BM25 lists."""
        if mode not in SEARCH_MODES:
            raise ValueError(f"unknown search mode {mode!r}; use one of {SEARCH_MODES}")
        self.refresh()
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense") and self._vectors is not None and len(self._vectors):
            dense = self._vectors.search(self.embedder.encode_query(query), self.candidates)
        if mode in ("hybrid", "bm25"):
            lexical = self._bm25.search(lexical_tokens(query), self.candidates)
        fused = self._fuse(dense, lexical) if mode == "hybrid" else dense or lexical
        if mode == "hybrid" and self.fusion == "score":
            fused = self._fuse_scores(dense, lexical)
        top = fused[:k]
        chunks = self.store.chunks_by_id([chunk_id for chunk_id, _ in top])
        dense_scores, lexical_scores = dict(dense), dict(lexical)
        hits = []
        for chunk_id, score in top:
            chunk = chunks.get(chunk_id)
            if chunk is None:  # removed by another process since the last refresh
                continue
            hits.append(
                Hit(
                    chunk_id=chunk_id,
                    document_id=chunk.document_id,
                    title=chunk.title,
                    locator=chunk.locator,
                    page=chunk.page,
                    text=chunk.text,
                    score=round(score, 6),
                    dense_score=dense_scores.get(chunk_id),
                    lexical_score=lexical_scores.get(chunk_id),
                )
            )
        return hits

    def dense_score(self, query: str, chunk_ids: Sequence[int]) -> dict[int, float]:
        """Return the cosine similarity of query to each given chunk."""
        if not chunk_ids or self._vectors is None or not len(self._vectors):
            return {}
        query_vector = self.embedder.encode_query(query)
        found = {}
        for chunk_id in chunk_ids:
            try:
                vector = self._vectors.index.reconstruct(int(chunk_id))
            except RuntimeError:
                continue
            found[chunk_id] = float(vector @ query_vector)
        return found

    def term_weight(self, term: str) -> float:
        """Return the BM25 inverse document frequency of a lower-case term."""
        self.refresh()
        return self._bm25.idf(term)

    def _fuse_scores(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Combine the two lists' scores, each divided by its list's best score,
        weighting dense by dense_weight and BM25 by the rest."""
        scores: dict[int, float] = {}
        for weight, ranking in ((self.dense_weight, dense), (1.0 - self.dense_weight, lexical)):
            best = max((score for _, score in ranking), default=0.0)
            for chunk_id, score in ranking:
                # A list whose best score is not positive still contributes its ids, ranked last.
                share = weight * score / best if best > 0 else 0.0
                scores[chunk_id] = scores.get(chunk_id, 0.0) + share
        return sorted(scores.items(), key=lambda item: -item[1])

    def _fuse(self, *rankings: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Reciprocal rank fusion: each list adds 1 / (rrf_k + rank)."""
        scores: dict[int, float] = {}
        for ranking in rankings:
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank)
        return sorted(scores.items(), key=lambda item: -item[1])

    def stats(self) -> dict:
        documents, chunks = self.store.counts()
        return {"documents": documents, "chunks": chunks, "generation": self.store.generation()}

    def close(self) -> None:
        self.store.close()
