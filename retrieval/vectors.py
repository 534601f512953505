"""The FAISS vector index, persisted with FAISS's own file format.

The index file is written to a temporary name and renamed, so a crash leaves
either the old file or the new one. A small JSON file beside it records the
store generation and model it was built from; a mismatch means the file is
stale and the index is rebuilt from the vectors in the chunk store.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)


class VectorIndex:
    """Exact inner-product search over unit vectors, keyed by chunk id."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def rebuild(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.index.reset()
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))

    def search(self, query: np.ndarray, n: int) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(n, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def save(self, path: Path, generation: int, model_id: str) -> None:
        temporary = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(temporary))
        _fsync(temporary)
        os.replace(temporary, path)
        _write_json_atomically(
            path.with_name(path.name + ".json"),
            {"generation": generation, "model_id": model_id, "count": len(self), "dimension": self.dimension},
        )

    @classmethod
    def load(cls, path: Path, generation: int, model_id: str, dimension: int) -> VectorIndex | None:
        """Return the saved index, or None when it is missing or stale."""
        meta_path = path.with_name(path.name + ".json")
        if not path.is_file() or not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            log.warning("vector index metadata %s is unreadable; rebuilding", meta_path)
            return None
        expected = {"generation": generation, "model_id": model_id, "dimension": dimension}
        if any(meta.get(key) != value for key, value in expected.items()):
            return None
        loaded = cls(dimension)
        try:
            loaded.index = faiss.read_index(str(path))
        except RuntimeError:
            log.warning("vector index %s is unreadable; rebuilding", path)
            return None
        if loaded.index.ntotal != meta.get("count") or loaded.index.d != dimension:
            return None
        return loaded


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _write_json_atomically(path: Path, payload: dict) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload))
    _fsync(temporary)
    os.replace(temporary, path)
