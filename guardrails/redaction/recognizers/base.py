"""Base class of the Vietnamese recognizers: regular expressions with context and validation.

Presidio's PatternRecognizer only raises a score when a context word is
near, and it cannot require one. Several Vietnamese identifiers are plain
digit runs: a 9-digit old ID card, a 10-digit social insurance number, a
bank account. They are personal data only when a word such as "CMND" or
"số tài khoản" names them, so the rules here can demand context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

# A number must not continue a longer number, word, reference ("1234/QĐ")
# or amount ("12.500.000"), so these guards surround every digit pattern.
NUMBER_START = r"(?<![\w/\-.,+])"
NUMBER_END = r"(?![\w/\-]|[.,]\d)"


@dataclass(frozen=True)
class Rule:
    """One pattern of a recognizer.

    group selects the part of the match that is the entity. A rule with
    context_required yields nothing unless the recognizer's context pattern
    matches within context_window characters before the entity.
    """

    name: str
    regex: re.Pattern[str]
    score: float
    context_required: bool = False
    context_window: int = 40
    group: int = 1


class OneEntityRecognizer(LocalRecognizer):
    """A recognizer of one entity type that needs no model: subclasses set ENTITY and write find()."""

    ENTITY: str = ""

    def __init__(self, supported_language: str = "vi") -> None:
        super().__init__(
            supported_entities=[self.ENTITY],
            supported_language=supported_language,
            name=type(self).__name__,
            context=[],
        )

    def load(self) -> None:
        """Load nothing: patterns and word lists are defined in the modules."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Return find(text), or nothing when the caller asked for other entities."""
        if entities and self.ENTITY not in entities:
            return []
        return self.find(text)

    def find(self, text: str) -> list[RecognizerResult]:
        raise NotImplementedError


class RegexRecognizer(OneEntityRecognizer):
    """Recognizer built from Rules, an optional context pattern and a validate() hook.

    Subclasses set ENTITY, RULES and, when needed, CONTEXT and override
    validate(). A validated match scores at least VALID_SCORE, context adds
    CONTEXT_BOOST, and validate() returning False drops the match.
    """

    RULES: tuple[Rule, ...] = ()
    CONTEXT: re.Pattern[str] | None = None
    CONTEXT_BOOST = 0.15
    VALID_SCORE = 0.85
    # When True, a match that validate() cannot confirm (returns None) needs context.
    UNCONFIRMED_NEEDS_CONTEXT = False

    def validate(self, value: str) -> bool | None:
        """Check a matched value: True confirms it, False rejects it, None cannot tell."""
        return None

    def find(self, text: str) -> list[RecognizerResult]:
        """Return a result for every rule match that passes validation and context checks."""
        results: list[RecognizerResult] = []
        for rule in self.RULES:
            for match in rule.regex.finditer(text):
                result = self._result_for(text, match, rule)
                if result is not None:
                    results.append(result)
        return results

    def _result_for(self, text: str, match: re.Match[str], rule: Rule) -> RecognizerResult | None:
        start, end = match.span(rule.group)
        validation = self.validate(text[start:end])
        if validation is False:
            return None
        has_context = self.has_context(text, start, rule.context_window)
        needs_context = rule.context_required or (validation is None and self.UNCONFIRMED_NEEDS_CONTEXT)
        if needs_context and not has_context:
            return None
        score = max(rule.score, self.VALID_SCORE) if validation else rule.score
        if has_context:
            score += self.CONTEXT_BOOST
        score = min(score, 1.0)
        explanation = AnalysisExplanation(
            recognizer=self.name,
            original_score=rule.score,
            pattern_name=rule.name,
            pattern=rule.regex.pattern,
            validation_result=validation,
            textual_explanation=f"rule {rule.name}, context {'found' if has_context else 'absent'}",
        )
        return RecognizerResult(self.ENTITY, start, end, score, analysis_explanation=explanation)

    def has_context(self, text: str, start: int, window: int) -> bool:
        """Tell whether the context pattern matches in the window before start."""
        if self.CONTEXT is None:
            return False
        return self.CONTEXT.search(text, max(0, start - window), start) is not None
