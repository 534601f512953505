"""Okapi BM25 over pre-tokenised passages, as a sparse matrix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse


class BM25Index:
    """BM25 scores of passages for a bag of query tokens.

    Each (passage, term) weight is computed once at build time, so a query
    costs one sparse column sum.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.ids = np.zeros(0, dtype=np.int64)
        self.vocabulary: dict[str, int] = {}
        self.weights = sparse.csc_matrix((0, 0), dtype=np.float32)
        self.idf_values = np.zeros(0, dtype=np.float32)

    def build(self, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        vocabulary: dict[str, int] = {}
        rows, cols, counts = [], [], []
        lengths = np.zeros(len(token_lists), dtype=np.float32)
        for row, tokens in enumerate(token_lists):
            lengths[row] = len(tokens)
            for term, count in Counter(tokens).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                counts.append(count)
        self.vocabulary = vocabulary
        if not rows:
            self.weights = sparse.csc_matrix((len(token_lists), 0), dtype=np.float32)
            return
        rows_a = np.asarray(rows)
        tf = np.asarray(counts, dtype=np.float32)
        n_docs = len(token_lists)
        doc_freq = np.bincount(np.asarray(cols), minlength=len(vocabulary)).astype(np.float32)
        idf = np.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        self.idf_values = idf.astype(np.float32)
        average = float(lengths.mean()) or 1.0
        norm = self.k1 * (1.0 - self.b + self.b * lengths[rows_a] / average)
        values = idf[np.asarray(cols)] * tf * (self.k1 + 1.0) / (tf + norm)
        self.weights = sparse.csc_matrix(
            (values.astype(np.float32), (rows_a, np.asarray(cols))), shape=(n_docs, len(vocabulary))
        )

    def idf(self, term: str) -> float:
        """Return the inverse document frequency of term; an unseen term weighs as much as the rarest."""
        column = self.vocabulary.get(term)
        if column is None:
            return float(np.log(1.0 + (len(self) + 0.5) / 0.5))
        return float(self.idf_values[column])

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def search(self, query_tokens: Sequence[str], n: int) -> list[tuple[int, float]]:
        """Return up to n (passage id, score) pairs with a positive score, best first."""
        columns = [self.vocabulary[t] for t in query_tokens if t in self.vocabulary]
        if not columns or len(self) == 0:
            return []
        scores = np.asarray(self.weights[:, columns].sum(axis=1)).ravel()
        n = min(n, int((scores > 0).sum()))
        if n == 0:
            return []
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top]
