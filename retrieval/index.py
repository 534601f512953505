"""The document index: chunk store, FAISS vectors and BM25, searched together."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import faiss
import numpy as np

from retrieval.access import Reader, stored_access
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

    Every read takes a ``reader`` (an ``assistant.access.Caller``, or
    ``retrieval.access.UNRESTRICTED`` for offline tools). Chunks of documents
    the reader may not see are removed before ranking, and BM25 statistics are
    computed over the visible chunks only, so hits, scores and counts are those
    of an index without the hidden documents.
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
        self._access_groups: dict[str, np.ndarray] = {}
        # BM25 over the chunks visible to one set of access groups, built on first use per generation.
        self._bm25_views: dict[frozenset[str], BM25Index] = {}

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
            self._access_groups = {
                access: np.asarray(chunk_ids, dtype=np.int64) for access, chunk_ids in self.store.chunk_access().items()
            }
            self._bm25_views = {}
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

    def search(self, query: str, k: int = 5, mode: SearchMode = "hybrid", *, reader: Reader) -> list[Hit]:
        """Return the k best chunks for query that reader may see; hybrid fuses the dense and BM25 lists."""
        if mode not in SEARCH_MODES:
            raise ValueError(f"unknown search mode {mode!r}; use one of {SEARCH_MODES}")
        self.refresh()
        with self._lock:
            visible_groups, visible_ids = self._visible(reader)
            bm25 = self._bm25_view(visible_groups)
        if visible_ids is not None and not len(visible_ids):
            return []
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in ("hybrid", "dense") and self._vectors is not None and len(self._vectors):
            dense = self._dense_candidates(self.embedder.encode_query(query), visible_ids)
        if mode in ("hybrid", "bm25"):
            lexical = bm25.search(lexical_tokens(query), self.candidates)
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

    def _visible(self, reader: Reader) -> tuple[frozenset[str] | None, np.ndarray | None]:
        """Return the access groups and chunk ids reader may see, or (None, None) when it sees all."""
        groups = frozenset(a for a in self._access_groups if reader.may_read(stored_access(a)))
        if len(groups) == len(self._access_groups):
            return None, None
        ids = [self._access_groups[a] for a in groups]
        return groups, (np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64))

    def _bm25_view(self, groups: frozenset[str] | None) -> BM25Index:
        if groups is None:
            return self._bm25
        view = self._bm25_views.get(groups)
        if view is None:
            allowed = set(np.concatenate([self._access_groups[a] for a in groups]).tolist()) if groups else set()
            ids, token_lists = self.store.all_tokens()
            kept = [(i, tokens) for i, tokens in zip(ids, token_lists) if i in allowed]
            view = BM25Index()
            view.build([i for i, _ in kept], [tokens for _, tokens in kept])
            self._bm25_views[groups] = view
        return view

    def _dense_candidates(self, query_vector: np.ndarray, visible_ids: np.ndarray | None) -> list[tuple[int, float]]:
        assert self._vectors is not None
        if visible_ids is None:
            return self._vectors.search(query_vector, self.candidates)
        selector = faiss.IDSelectorBatch(visible_ids)
        n = min(self.candidates, len(visible_ids))
        scores, ids = self._vectors.index.search(
            np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32), n,
            params=faiss.SearchParameters(sel=selector),
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def dense_score(self, query: str, chunk_ids: Sequence[int], *, reader: Reader) -> dict[int, float]:
        """Return the cosine similarity of query to each given chunk that reader may see."""
        if not chunk_ids or self._vectors is None or not len(self._vectors):
            return {}
        with self._lock:
            _, visible_ids = self._visible(reader)
        if visible_ids is not None:
            allowed = set(visible_ids.tolist())
            chunk_ids = [chunk_id for chunk_id in chunk_ids if chunk_id in allowed]
        query_vector = self.embedder.encode_query(query)
        found = {}
        for chunk_id in chunk_ids:
            try:
                vector = self._vectors.index.reconstruct(int(chunk_id))
            except RuntimeError:
                continue
            found[chunk_id] = float(vector @ query_vector)
        return found

    def term_weight(self, term: str, *, reader: Reader) -> float:
        """Return the BM25 inverse document frequency of a lower-case term among the chunks reader may see."""
        self.refresh()
        with self._lock:
            groups, _ = self._visible(reader)
            return self._bm25_view(groups).idf(term)

    def visible_documents(self, reader: Reader, limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
        """Return (number of documents reader may see, one page of them)."""
        documents = [d for d in self.store.documents() if reader.may_read(tuple(d["access"]))]
        return len(documents), documents[offset : offset + limit]

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
