"""LLM backends: the OpenAI-compatible client against a local HTTP server that
speaks the chat completions stream, the factory, and llama.cpp on the real model."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.errors import ConfigurationError, LLMError, ModelNotFoundError
from assistant.llm import build_llm
from assistant.llm.openai_compat import OpenAICompatibleLLM
from assistant.settings import Settings


class _ChatCompletions(BaseHTTPRequestHandler):
    """Stream a fixed reply in three pieces, recording each request body."""

    requests: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - the handler's fixed name
        length = int(self.headers["Content-Length"])
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                    "body": json.loads(self.rfile.read(length))})
        self.send_response(type(self).status)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if type(self).status != 200:
            return
        for piece in ("Miễn ", "lệ phí ", "[1]."):
            event = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: not json\n\ndata: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def completion_server() -> Iterator[str]:
    _ChatCompletions.requests = []
    _ChatCompletions.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_backend_streams_reply(completion_server: str) -> None:
    llm = OpenAICompatibleLLM(completion_server, "qwen-test", "key-123", timeout=10)
    messages = [{"role": "user", "content": "Lệ phí?"}]
    assert list(llm.stream(messages, 50)) == ["Miễn ", "lệ phí ", "[1]."]
    [request] = _ChatCompletions.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer key-123"
    assert request["body"]["model"] == "qwen-test"
    assert request["body"]["messages"] == messages
    assert request["body"]["temperature"] == 0
    assert request["body"]["stream"] is True


def test_openai_backend_reports_http_error(completion_server: str) -> None:
    _ChatCompletions.status = 404
    llm = OpenAICompatibleLLM(completion_server, "missing-model", None, timeout=10)
    with pytest.raises(LLMError, match="returned HTTP 404"):
        llm.generate([{"role": "user", "content": "x"}], 10)


def test_openai_backend_reports_unreachable_server() -> None:
    from tests.conftest import free_port

    llm = OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}/v1", "m", None, timeout=5)
    with pytest.raises(LLMError, match="is the server running"):
        llm.generate([{"role": "user", "content": "x"}], 10)


def test_factory_builds_openai_backend_from_settings(completion_server: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, llm_backend="openai", openai_base_url=completion_server,
                        openai_model="qwen-test")
    assert build_llm(settings).generate([{"role": "user", "content": "x"}], 10) == "Miễn lệ phí [1]."


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"llm_backend": "openai"}, ConfigurationError, "ASSISTANT_OPENAI_BASE_URL"),
        ({"llm_backend": "llamacpp", "llm_model": "/nonexistent/model.gguf"}, ModelNotFoundError, "GGUF model not found"),
        ({"llm_backend": "transformers", "llm_model": "/nonexistent"}, ModelNotFoundError, "config.json missing"),
    ],
)
def test_factory_names_missing_configuration(tmp_path: Path, overrides: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build_llm(Settings(data_dir=tmp_path, **overrides))


def test_factory_none_means_quotations(tmp_path: Path) -> None:
    assert build_llm(Settings(data_dir=tmp_path, llm_backend="none")) is None


@pytest.mark.slow
def test_llamacpp_answers_from_passage(tmp_path: Path) -> None:
    from assistant.prompts import build_messages

    llm = build_llm(Settings(data_dir=tmp_path, llm_backend="llamacpp"))
    passage = ("Luật Cư trú, Điều 22", "2. Trong thời hạn 07 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ, "
               "cơ quan đăng ký cư trú có trách nhiệm thẩm định.")
    reply = llm.generate(build_messages("vi", "Thời hạn thẩm định hồ sơ thường trú là bao lâu?", [passage], []), 60)
    assert "07" in reply or "7" in reply
