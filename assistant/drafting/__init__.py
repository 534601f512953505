"""Drafting of administrative documents in the layout of Decree 30/2020/NĐ-CP.

``DraftService(assistant).create(DraftRequest(...), caller)`` composes a draft
from the caller's brief, facts and cited sources, checks every figure, date,
legal reference and name against them, and stores it for the caller's
department. Rendering to DOCX and Markdown is in assistant.drafting.render.
"""

from assistant.drafting.doctypes import DOC_TYPES, DocType, resolve_doc_type
from assistant.drafting.models import Draft, DraftRequest, StoredDraft
from assistant.drafting.service import DraftService

__all__ = ["DOC_TYPES", "DocType", "Draft", "DraftRequest", "DraftService", "StoredDraft", "resolve_doc_type"]
