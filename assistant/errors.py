"""The project's exception tree.

Every error a user can meet derives from AssistantError and says what failed,
on which value, and what to do next.
"""


class AssistantError(Exception):
    """Base class for errors raised by the assistant."""


class ConfigurationError(AssistantError):
    """A setting is missing or invalid."""


class ModelNotFoundError(ConfigurationError):
    """A model file or folder is not where the settings say."""


class InputError(AssistantError, ValueError):
    """A request or file is empty, too large, of the wrong type or unreadable."""


class IncompleteDocumentError(InputError):
    """Part of a document could not be read, so the gate cannot vouch for all of it."""


class DocumentNotFoundError(AssistantError, KeyError):
    """No indexed document has the given id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "document not found"


class LLMError(AssistantError):
    """The language model backend failed or timed out."""


class GateRejection(AssistantError):
    """The classification gate rejected a message because it carries a secrecy mark."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(
            f"rejected by the classification gate: {'; '.join(reasons)}. The assistant accepts only "
            "non-confidential material; remove the marked content and ask again"
        )
