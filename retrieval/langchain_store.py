"""The document index behind LangChain's VectorStore interface.

Chains and agents built with LangChain can search the index through
`as_retriever()`. Documents enter only through ingestion, which runs the
classification gate and redaction, so add_texts is not supported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from retrieval.access import Reader
from retrieval.index import DocumentIndex, Hit, SearchMode


class IndexVectorStore(VectorStore):
    """Read-only LangChain view of a DocumentIndex, with hybrid search by default."""

    def __init__(self, index: DocumentIndex, mode: SearchMode = "hybrid", *, reader: Reader) -> None:
        """reader (an assistant.access.Caller, or retrieval.access.UNRESTRICTED) limits
        the documents this view can return."""
        self.index = index
        self.mode = mode
        self.reader = reader

    @property
    def embeddings(self) -> Embeddings:
        return self.index.embedder

    def add_texts(self, texts: Iterable[str], metadatas: list[dict] | None = None, **kwargs: Any) -> list[str]:
        raise NotImplementedError(
            "documents enter through ingestion, which checks secrecy marks and personal data; "
            "use 'python -m retrieval ingest' or POST /v1/documents"
        )

    @classmethod
    def from_texts(cls, texts: list[str], embedding: Embeddings, metadatas: list[dict] | None = None,
                   **kwargs: Any) -> IndexVectorStore:
        raise NotImplementedError("build a DocumentIndex and ingest files, then wrap it in IndexVectorStore")

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return [_to_document(hit) for hit in self.index.search(query, k, self.mode, reader=self.reader)]

    def similarity_search_with_score(self, query: str, k: int = 4, **kwargs: Any) -> list[tuple[Document, float]]:
        return [(_to_document(hit), hit.score) for hit in self.index.search(query, k, self.mode, reader=self.reader)]


def _to_document(hit: Hit) -> Document:
    metadata = {
        "chunk_id": hit.chunk_id,
        "document_id": hit.document_id,
        "title": hit.title,
        "locator": hit.locator,
        "page": hit.page,
        "score": hit.score,
    }
    return Document(page_content=hit.text, metadata=metadata, id=str(hit.chunk_id))
