"""The system under evaluation: the in-process pipeline or a running deployment.

Suites call the same methods on both, so that one suite measures either.
``target_for(ctx)`` returns the target of a suite context. Chat results are
kept for the run, so two suites that send one question pay for one answer.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.errors import GateRejection, InputError
from retrieval.access import UNRESTRICTED
from retrieval.access import UNRESTRICTED

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 600.0
MAX_RATE_LIMIT_RETRIES = 30
SEARCH_AGAIN_K = 10
# Invalid input (400), too large (413) and rejected by the classification gate (422).
REJECTED_STATUSES = (400, 413, 422)


@dataclass
class StreamTiming:
    """Seconds to the first answer token and to the end of one streamed chat."""

    first_token: float
    total: float
    answered: bool


def rejected_result(reasons: Sequence[str]) -> dict[str, Any]:
    """Return a chat result for a question rejected before retrieval, by the gate or as invalid input."""
    return {"answer": "", "citations": [], "answered": False, "mode": "rejected", "reasons": list(reasons)}


class LocalTarget:
    """The assistant.service.Assistant of this process, read as the data folder's owner (every document)."""

    kind = "in-process"

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self._chats: dict[str, dict[str, Any]] = {}
        self._routing: Any = None

    @property
    def settings(self) -> Any:
        return self.assistant.settings

    def search(self, query: str, k: int, mode: str) -> list[str]:
        return [hit.document_id for hit in self.assistant.index.search(query, k, mode, reader=UNRESTRICTED)]

    def chat(self, question: str) -> dict[str, Any]:
        """Return the chat result for one question as the API's JSON would carry it."""
        if question not in self._chats:
            messages = [{"role": "user", "content": question}]
            try:
                self._chats[question] = self.assistant.chat.answer(messages, reader=UNRESTRICTED).to_dict()
            except GateRejection as exc:
                self._chats[question] = rejected_result(exc.reasons)
            except InputError as exc:  # the API responds 400 or 413, for example to a question above max_question_chars
                self._chats[question] = rejected_result([str(exc)])
        return self._chats[question]

    def cited_passages(self, question: str, result: dict[str, Any]) -> list[str]:
        """Return the full text of each passage a chat result cites."""
        chunk_ids = [citation["chunk_id"] for citation in result["citations"]]
        chunks = self.assistant.index.store.chunks_by_id(chunk_ids)
        return [chunks[i].text for i in chunk_ids if i in chunks]

    def chat_stream(self, question: str) -> StreamTiming:
        """Time one chat through the server's event-stream formatter."""
        # The formatter is private to the API module, but it is the streaming path the server runs.
        from assistant.api import _sse

        messages = [{"role": "user", "content": question}]
        started = time.perf_counter()
        return _timed_stream(_sse(self.assistant.chat.events(messages, reader=UNRESTRICTED)), started)

    def redact(self, text: str, language: str) -> list[dict[str, Any]]:
        result = self.assistant.redactor.redact(text, language)
        return [{"type": e.type, "start": e.start, "end": e.end} for e in result.entities]

    def ingest(self, paths: Sequence[Path]) -> list[dict[str, Any]]:
        return [result.to_dict() for result in self.assistant.ingest(list(paths))]

    def route(self, text: str) -> Any:
        """Route text as POST /v1/route does; raise NotImplementedError when assistant.routing is missing."""
        if self._routing is None:
            try:
                from assistant.routing.router import Router
                from assistant.routing.service import RoutingService
            except ImportError as exc:
                raise NotImplementedError(f"assistant.routing provides no router ({exc})") from None
            assistant = self.assistant
            router = Router.from_settings(assistant.settings, assistant.index.embedder)
            self._routing = RoutingService(router, gate=assistant.gate, redactor=assistant.redactor,
                                           audit=assistant.audit)
        return self._routing.route(text).to_dict()

    @contextmanager
    def scratch(self) -> Iterator[LocalTarget]:
        """Yield a target over an empty temporary index that shares this one's models."""
        from assistant.service import Assistant

        with tempfile.TemporaryDirectory(prefix="evals-index-") as folder:
            settings = self.settings.model_copy(update={"data_dir": Path(folder)})
            scratch = Assistant(settings, llm=self.assistant.llm, use_configured_llm=False)
            yield LocalTarget(scratch)


class HttpTarget:
    """A running deployment, reached through its HTTP API with a bearer key."""

    kind = "server"

    def __init__(self, url: str, api_key: str | None, client: httpx.Client | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key or ''}"}
        self.url = url.rstrip("/")
        self.client = client or httpx.Client(base_url=self.url, headers=headers, timeout=HTTP_TIMEOUT_SECONDS)
        self._chats: dict[str, dict[str, Any]] = {}
        self.uploaded: list[str] = []
        self.rate_limited = 0

    @property
    def settings(self) -> Any:
        return None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request, waiting and retrying while the server responds 429 (rate limited)."""
        for _ in range(MAX_RATE_LIMIT_RETRIES):
            response = self.client.request(method, path, **kwargs)
            if response.status_code != 429:
                return response
            self.rate_limited += 1
            time.sleep(_retry_after(response))
        return response

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self._request("POST", path, **kwargs)
        if response.status_code >= 400 and response.status_code != 422:
            raise RuntimeError(f"POST {self.url}{path} failed with HTTP {response.status_code}: {response.text[:300]}")
        return response

    def search(self, query: str, k: int, mode: str) -> list[str]:
        response = self._post("/v1/search", json={"query": query, "k": k, "mode": mode})
        response.raise_for_status()
        return [hit["document_id"] for hit in response.json()["hits"]]

    def chat(self, question: str) -> dict[str, Any]:
        if question not in self._chats:
            response = self._request("POST", "/v1/chat", json={"messages": [{"role": "user", "content": question}]})
            if response.status_code in REJECTED_STATUSES:
                self._chats[question] = rejected_result([response.json().get("detail", "rejected")])
            elif response.status_code >= 400:
                raise RuntimeError(f"POST {self.url}/v1/chat failed with HTTP {response.status_code}: "
                                   f"{response.text[:300]}")
            else:
                self._chats[question] = response.json()
        return self._chats[question]

    def cited_passages(self, question: str, result: dict[str, Any]) -> list[str]:
        """Return the full text of each cited passage, found again by searching for the question.

        The API serves no passage by chunk id. A cited chunk that the search
        does not return again is represented by its citation quote.
        """
        response = self._request("POST", "/v1/search", json={"query": question, "k": SEARCH_AGAIN_K})
        texts = {hit["chunk_id"]: hit["text"] for hit in response.json()["hits"]}
        return [texts.get(citation["chunk_id"], citation["quote"]) for citation in result["citations"]]

    def chat_stream(self, question: str) -> StreamTiming:
        body = {"messages": [{"role": "user", "content": question}], "stream": True}
        started = time.perf_counter()
        with self._stream_chat(body) as response:
            if response.status_code >= 400:
                raise RuntimeError(f"streaming chat failed with HTTP {response.status_code}")
            return _timed_stream(_event_blocks(response.iter_text()), started)

    @contextmanager
    def _stream_chat(self, body: dict[str, Any]) -> Iterator[httpx.Response]:
        """Open a streamed chat response, waiting and retrying while the server responds 429."""
        for attempt in range(MAX_RATE_LIMIT_RETRIES):
            with self.client.stream("POST", "/v1/chat", json=body) as response:
                if response.status_code != 429 or attempt == MAX_RATE_LIMIT_RETRIES - 1:
                    yield response
                    return
                self.rate_limited += 1
                time.sleep(_retry_after(response))

    def redact(self, text: str, language: str) -> list[dict[str, Any]]:
        response = self._post("/v1/redact", json={"text": text, "language": language})
        response.raise_for_status()
        return response.json()["entities"]

    def ingest(self, paths: Sequence[Path]) -> list[dict[str, Any]]:
        """Upload each file; the server names them uploads/<department>/<file name>,
        and a JSONL record uploads/<department>/<record id>."""
        results = []
        for path in paths:
            with path.open("rb") as handle:
                response = self._post("/v1/documents", files={"file": (path.name, handle)})
            response.raise_for_status()
            for result in response.json()["results"]:
                if result["status"] == "indexed" and result["document_id"]:
                    self.uploaded.append(result["document_id"])
                results.append(result)
        return results

    def route(self, text: str) -> Any:
        response = self._request("POST", "/v1/route", json={"text": text})
        if response.status_code in (404, 405):
            raise NotImplementedError(f"the server has no POST /v1/route (HTTP {response.status_code})")
        response.raise_for_status()
        return response.json()

    @contextmanager
    def scratch(self) -> Iterator[HttpTarget]:
        """Yield this target and remove the documents uploaded through it afterwards.

        A deployment has one index, so scratch documents sit beside the real
        ones until they are removed.
        """
        scratch = HttpTarget(self.url, None, client=self.client)
        try:
            yield scratch
        finally:
            for document_id in scratch.uploaded:
                response = self._request("DELETE", f"/v1/documents/{document_id}")
                if response.status_code >= 400:
                    log.warning("could not remove %s from the server: HTTP %d", document_id, response.status_code)


def _retry_after(response: httpx.Response) -> float:
    """Return the wait in seconds for a 429 response: its Retry-After header, else 1."""
    try:
        return max(float(response.headers.get("retry-after", "1")), 0.1)
    except ValueError:
        return 1.0


def _event_blocks(pieces: Iterable[str]) -> Iterator[str]:
    """Yield whole server-sent events, each ending in a blank line, from pieces of a text stream."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        while "\n\n" in buffer:
            event, buffer = buffer.split("\n\n", 1)
            yield event + "\n\n"


def _timed_stream(events: Iterable[str], started: float) -> StreamTiming:
    """Read a chat event stream to its end and time its first token and its whole, from `started`."""
    first_token = None
    answered = False
    for event in events:
        name, payload = _parse_event(event)
        if name == "token" and first_token is None:
            first_token = time.perf_counter() - started
        if name == "done":
            answered = bool(payload.get("answered"))
    total = time.perf_counter() - started
    return StreamTiming(first_token if first_token is not None else total, total, answered)


def _parse_event(event: str) -> tuple[str, dict[str, Any]]:
    """Return the name and JSON payload of one server-sent event."""
    name, data = "", "{}"
    for line in event.splitlines():
        if line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            data = line[len("data: "):]
    return name, json.loads(data)


_TARGETS: dict[tuple[Any, ...], Any] = {}


def target_for(ctx: Any) -> LocalTarget | HttpTarget:
    """Return the target of a suite context, the same one for every suite of a run."""
    key = (ctx.server, ctx.api_key, id(ctx.assistant))
    if key not in _TARGETS:
        if ctx.server:
            _TARGETS[key] = HttpTarget(ctx.server, ctx.api_key)
        else:
            _TARGETS[key] = LocalTarget(ctx.assistant)
    return _TARGETS[key]
