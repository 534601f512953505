"""Data types passed between the ingestion steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "text", "table"]


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or table of a parsed document."""

    text: str
    kind: BlockKind = "text"
    page: int | None = None


@dataclass
class ParsedDocument:
    """A document as read from its source, before chunking."""

    document_id: str
    title: str
    blocks: list[Block]
    source: str
    content_hash: str
    media_type: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A passage to embed and cite, with where it sits in its document."""

    document_id: str
    ordinal: int
    text: str
    title: str
    locator: str
    page: int | None = None
    # Personal data found in the chunk, by entity type; empty when none or not scanned.
    personal_data: dict[str, int] = field(default_factory=dict)
