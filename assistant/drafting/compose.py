"""The deterministic composer: a draft built only from the request and the cited passages.

Every sentence of the body is the caller's text, a cited quotation or fixed
wording from assistant.drafting.layout, so the composed draft passes the fact
check by construction.
"""

from __future__ import annotations

import re

from assistant.drafting.doctypes import DocType
from assistant.drafting.layout import (
    CLOSINGS,
    GENERAL_RECIPIENT,
    HEADINGS,
    LABELS,
    ROMAN,
    SOURCE_LINE,
    header,
    title_of,
)
from assistant.drafting.models import (
    CheckReport,
    Citation,
    Composition,
    Draft,
    DraftRequest,
    RecipientsBlock,
    Section,
    Signature,
)

QUOTE_MAX_CHARS = 400


def compose(request: DraftRequest, doc_type: DocType, citations: list[Citation]) -> Draft:
    """Build the draft; its check report is left empty for the service to fill in."""
    language = request.language
    labels = LABELS[language]
    letter = doc_type.is_letter
    return Draft(
        doc_type=doc_type.to_dict(),
        language=language,
        header=header(request, doc_type),
        regarding=f"{labels.regarding} {request.subject}" if letter else None,
        title=None if letter else title_of(doc_type, language),
        subject=None if letter else request.subject,
        addressees=list(request.recipients) if doc_type.addressed else [],
        sections=body_sections(request, doc_type, citations),
        recipients=RecipientsBlock(label=labels.recipients, entries=[*request.recipients, labels.archive]),
        signature=Signature(
            on_behalf=request.signer.on_behalf.upper() if request.signer.on_behalf else None,
            title=request.signer.title.upper(),
            name=request.signer.name,
        ),
        citations=citations,
        composition=Composition(mode="composed"),
        check=CheckReport(passed=True, violations=[]),
    )


def body_sections(request: DraftRequest, doc_type: DocType, citations: list[Citation]) -> list[Section]:
    """Return the caller's sections as given, or sections composed from brief, facts and sources."""
    language = request.language
    parts: list[tuple[str, list[str]]] = []
    if request.sections:
        sections = [Section(heading=s.heading, paragraphs=list(s.paragraphs), origin="caller")
                    for s in request.sections]
    else:
        parts = [("brief", split_paragraphs(request.brief)),
                 ("facts", [f"- {fact.strip()}" for fact in request.facts]),
                 ("sources", [source_line(c, language) for c in citations])]
        sections = _numbered(parts, HEADINGS[language].get(doc_type.key))
    if request.sections and citations:
        sections.append(Section(heading=None, paragraphs=[source_line(c, language) for c in citations],
                                origin="sources"))
    sections.append(Section(heading=None, paragraphs=[closing(request, doc_type)], origin="closing"))
    return sections


def _numbered(parts: list[tuple[str, list[str]]], headings: tuple[str, str, str] | None) -> list[Section]:
    """Give the non-empty parts Roman-numbered headings, or none when the type has no headings."""
    sections = []
    for position, (origin, paragraphs) in enumerate(parts):
        if not paragraphs:
            continue
        heading = f"{ROMAN[len(sections)]}. {headings[position]}" if headings else None
        sections.append(Section(heading=heading, paragraphs=paragraphs, origin=origin))  # type: ignore[arg-type]
    return sections


def split_paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n|\n", text) if part.strip()]


def source_line(citation: Citation, language: str) -> str:
    label = f"{citation.title}, {citation.locator}" if citation.locator else citation.title
    return SOURCE_LINE[language].format(label=label, quote=citation.quote, n=citation.n)


def closing(request: DraftRequest, doc_type: DocType) -> str:
    language = request.language
    first = request.recipients[0] if request.recipients else GENERAL_RECIPIENT[language]
    return CLOSINGS[language][doc_type.key].format(subject=request.subject.rstrip("."), first_recipient=first)


def quote_of(text: str, max_chars: int = QUOTE_MAX_CHARS) -> str:
    """Return the passage on one line, cut after the last whole sentence (or word) within max_chars."""
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    cut = flat[:max_chars]
    sentence_end = max(cut.rfind(". "), cut.rfind("; "))
    if sentence_end > max_chars // 2:
        return cut[: sentence_end + 1]
    return cut[: cut.rfind(" ")] + " …"


def draft_texts(draft: Draft) -> list[tuple[str, str]]:
    """Return (where, text) for every text of the draft a reader reads, for the fact check."""
    texts = [("header.issuing_body", draft.header.issuing_body)]
    if draft.header.parent_body:
        texts.append(("header.parent_body", draft.header.parent_body))
    for name in ("regarding", "title", "subject"):
        value = getattr(draft, name)
        if value:
            texts.append((name, value))
    texts += [(f"addressees[{i}]", text) for i, text in enumerate(draft.addressees)]
    for i, section in enumerate(draft.sections):
        if section.heading:
            texts.append((f"sections[{i}].heading", section.heading))
        texts += [(f"sections[{i}].paragraphs[{j}]", p) for j, p in enumerate(section.paragraphs)]
    texts += [(f"recipients[{i}]", text) for i, text in enumerate(draft.recipients.entries)]
    signature = draft.signature
    texts += [(f"signature.{name}", value) for name, value in
              (("on_behalf", signature.on_behalf), ("title", signature.title), ("name", signature.name)) if value]
    return texts
