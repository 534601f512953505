"""Server-sent events for the streaming endpoints (chat, minutes)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

# Turns one (event, data) pair of a service into the (name, payload) events sent to the client.
Render = Callable[[str, object], Iterable[tuple[str, dict]]]


def stream_events(events: Iterator[tuple[str, object]], render: Render, job: str, failure: str) -> Iterator[str]:
    """Format a service's events as server-sent events, ending with an "error" event when it fails.

    job names the work in the log line; failure is the message sent for an unexpected error.
    """
    try:
        for event, data in events:
            for name, payload in render(event, data):
                yield format_event(name, payload)
    except AssistantError as exc:
        yield format_event("error", {"detail": str(exc)})
    except Exception:
        log.exception("%s stream failed", job)
        yield format_event("error", {"detail": failure})


def format_event(name: str, payload: dict) -> str:
    """Return one server-sent event with a JSON payload."""
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
