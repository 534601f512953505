"""The redactor: find personal data in Vietnamese or English text and replace it.

Vietnamese text is checked by the recognizers in guardrails.redaction.recognizers,
English text by Presidio's predefined recognizers and the spaCy English
model. Both run inside one Presidio AnalyzerEngine.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NlpEngine
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IpRecognizer

from guardrails.errors import UnsupportedLanguageError
from guardrails.redaction.nlp import create_nlp_engine
from guardrails.redaction.offsets import normalize_with_offsets
from guardrails.redaction.placeholders import placeholder_for, restore_placeholders
from guardrails.redaction.recognizers import OfflineEmailRecognizer, VnPhoneRecognizer, vietnamese_recognizers

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("vi", "en")

# Entities of Presidio's English recognizers that are not personal data on
# their own and would blank out most administrative text.
EXCLUDED_ENGLISH_ENTITIES = frozenset({"ORGANIZATION", "DATE_TIME", "URL"})

# Phone regions for English text: Vietnam first, then Presidio's defaults.
ENGLISH_PHONE_REGIONS = ("VN", "US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")

DEFAULT_SCORE_THRESHOLD = 0.4


@dataclass(frozen=True)
class Entity:
    """One span of personal data: its type, offsets in the caller's text, score and recognizer."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text and the entities replaced in it, with offsets in the original text."""

    text: str
    entities: tuple[Entity, ...]


class Redactor:
    """Find, redact and pseudonymise personal data in Vietnamese and English text."""

    def __init__(
        self,
        nlp_engine: NlpEngine | None = None,
        score_threshold: float = DEFAULT_SCORE_THRESHOLD,
    ) -> None:
        """Build the analyzer. nlp_engine defaults to the offline spaCy engine of nlp.py."""
        engine = nlp_engine if nlp_engine is not None else create_nlp_engine()
        self.score_threshold = score_threshold
        self._analyzer = AnalyzerEngine(
            registry=build_registry(engine),
            nlp_engine=engine,
            supported_languages=list(SUPPORTED_LANGUAGES),
        )
        english = self._analyzer.get_supported_entities(language="en")
        self._entities: dict[str, list[str] | None] = {
            "en": sorted(set(english) - EXCLUDED_ENGLISH_ENTITIES),
            "vi": None,
        }

    def analyze(self, text: str, language: str) -> list[Entity]:
        """Return the personal data in text, sorted by start and never overlapping.

        Overlapping detections are merged into one entity that covers all of
        them and takes the type of the highest-scoring one, so no part of any
        detection stays visible after redaction.
        """
        language = _check_language(language)
        if not text:
            return []
        normalized = normalize_with_offsets(text)
        results = self._analyzer.analyze(
            text=normalized.text,
            language=language,
            entities=self._entities[language],
            score_threshold=self.score_threshold,
        )
        entities = [_to_entity(result, normalized.original_span(result.start, result.end)) for result in results]
        merged = merge_overlapping(entities)
        logger.debug(
            "found %d entities in %d characters of %s text: %s",
            len(merged),
            len(text),
            language,
            dict(Counter(entity.type for entity in merged)),
        )
        return merged

    def redact(self, text: str, language: str) -> RedactionResult:
        """Replace each entity with its type in angle brackets, such as "<PHONE_NUMBER>"."""
        entities = self.analyze(text, language)
        redacted = _replace(text, entities, [f"<{entity.type}>" for entity in entities])
        return RedactionResult(redacted, tuple(entities))

    def pseudonymize(self, text: str, language: str, mapping: MutableMapping[str, str]) -> str:
        """Replace each entity with a numbered placeholder, such as "<PERSON_1>", and record it.

        mapping receives placeholder -> original value. Passing the same
        mapping again gives the same value the same placeholder.
        """
        entities = self.analyze(text, language)
        placeholders = [placeholder_for(entity.type, text[entity.start : entity.end], mapping) for entity in entities]
        return _replace(text, entities, placeholders)

    def restore(self, text: str, mapping: MutableMapping[str, str]) -> str:
        """Put the original values of mapping back in place of their placeholders."""
        return restore_placeholders(text, mapping)


def build_registry(nlp_engine: NlpEngine) -> RecognizerRegistry:
    """Return the recognizers: Presidio's predefined ones for English, ours for Vietnamese."""
    registry = RecognizerRegistry(supported_languages=list(SUPPORTED_LANGUAGES))
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    # The blank Vietnamese pipeline has no NER, so its spaCy recognizer would find nothing.
    registry.remove_recognizer("SpacyRecognizer", language="vi")
    # Presidio's e-mail recognizer tries to download the public suffix list.
    # Its phone recognizer has no Vietnamese region and is replaced by ours,
    # which also rejects parts of UUIDs and IP addresses.
    registry.remove_recognizer("EmailRecognizer")
    registry.remove_recognizer("PhoneRecognizer")
    registry.add_recognizer(OfflineEmailRecognizer("en"))
    registry.add_recognizer(VnPhoneRecognizer("en", regions=ENGLISH_PHONE_REGIONS))
    for recognizer in vietnamese_recognizers("vi"):
        registry.add_recognizer(recognizer)
    registry.add_recognizer(CreditCardRecognizer(supported_language="vi"))
    registry.add_recognizer(IpRecognizer(supported_language="vi"))
    return registry


def merge_overlapping(entities: list[Entity]) -> list[Entity]:
    """Merge entities whose spans overlap, keeping the type of the best-scoring one.

    Ties in score go to the longer span.
    """
    merged: list[Entity] = []
    group: list[Entity] = []
    for entity in sorted(entities, key=lambda item: (item.start, -item.end)):
        if group and entity.start >= max(member.end for member in group):
            merged.append(_merge_group(group))
            group = []
        group.append(entity)
    if group:
        merged.append(_merge_group(group))
    return merged


def _merge_group(group: list[Entity]) -> Entity:
    best = max(group, key=lambda item: (item.score, item.end - item.start))
    return Entity(
        type=best.type,
        start=min(member.start for member in group),
        end=max(member.end for member in group),
        score=best.score,
        recognizer=best.recognizer,
    )


def _to_entity(result: RecognizerResult, span: tuple[int, int]) -> Entity:
    metadata = result.recognition_metadata or {}
    recognizer = metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY)
    if recognizer is None and result.analysis_explanation is not None:
        recognizer = result.analysis_explanation.recognizer
    return Entity(result.entity_type, span[0], span[1], round(result.score, 4), recognizer or "unknown")


def _replace(text: str, entities: list[Entity], replacements: list[str]) -> str:
    """Replace each entity span, working from the end so earlier offsets stay valid."""
    pieces: list[str] = []
    position = len(text)
    for entity, replacement in sorted(
        zip(entities, replacements, strict=True), key=lambda pair: pair[0].start, reverse=True
    ):
        pieces.append(text[entity.end : position])
        pieces.append(replacement)
        position = entity.start
    pieces.append(text[:position])
    return "".join(reversed(pieces))


def _check_language(language: str) -> str:
    """Return the supported language code for language ("vi-VN" -> "vi"), or raise."""
    code = language.replace("_", "-").split("-", 1)[0].lower() if isinstance(language, str) else ""
    if code not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageError(str(language), SUPPORTED_LANGUAGES)
    return code
