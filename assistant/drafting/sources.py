"""The source passages a draft cites: found by a query, or the chunks of named documents."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assistant.drafting.compose import quote_of
from assistant.drafting.models import Citation, DraftRequest
from assistant.errors import InputError
from retrieval.index import DocumentIndex

log = logging.getLogger(__name__)

SOURCE_PASSAGES = 3
CHUNKS_PER_DOCUMENT = 2
# Hits taken before keeping those of the named documents, when both a query and ids are given.
WIDE_SEARCH_K = 50


@dataclass(frozen=True)
class SourcePassage:
    """A cited chunk with its full text; the fact check reads the full text, the draft quotes part of it."""

    citation: Citation
    text: str


def find_sources(index: DocumentIndex, request: DraftRequest, reader) -> list[SourcePassage]:  # noqa: ANN001
    """Return the passages to cite, numbered from 1; reader is the caller, whose access the index enforces."""
    chunks: list[tuple[int, str, str, str, int | None, str]] = []
    if request.document_ids:
        _require_visible(index, request.document_ids, reader)
    if request.source_query:
        wanted = set(request.document_ids or [])
        k = WIDE_SEARCH_K if wanted else SOURCE_PASSAGES
        hits = index.search(request.source_query, k, reader=reader)
        chunks = [(h.chunk_id, h.document_id, h.title, h.locator, h.page, h.text)
                  for h in hits if not wanted or h.document_id in wanted][:SOURCE_PASSAGES]
    elif request.document_ids:
        for document_id in request.document_ids:
            chunks += [(c.chunk_id, c.document_id, c.title, c.locator, c.page, c.text)
                       for c in index.store.chunks_of(document_id)[:CHUNKS_PER_DOCUMENT]]
    log.info("drafting sources: %d passages", len(chunks))
    return [
        SourcePassage(Citation(n=n, chunk_id=chunk_id, document_id=document_id, title=title, locator=locator,
                               page=page, quote=quote_of(text)), text)
        for n, (chunk_id, document_id, title, locator, page, text) in enumerate(chunks, start=1)
    ]


def _require_visible(index: DocumentIndex, document_ids: list[str], reader) -> None:  # noqa: ANN001
    """Raise InputError for an id that is not indexed or that the caller may not read; both read the same."""
    for position, document_id in enumerate(document_ids):
        access = index.store.access_of(document_id)
        if access is None or not reader.may_read(access):
            raise InputError(
                f"document_ids[{position}] {document_id!r} is not an indexed document you may read; "
                "list the documents with GET /v1/documents"
            )
