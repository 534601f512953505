"""The API's endpoint groups, each a FastAPI router included by ``assistant.api``."""
