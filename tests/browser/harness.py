"""Chromium through Playwright, and a host site that embeds the widget.

The host site is a tiny HTTP server on 127.0.0.1 standing for a department's
intranet: its page has aggressive CSS, embeds the widget with one script tag,
and its POST /my/token asks the assistant for a staff token with an admin key,
as a real host page's server would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium keeps trying to reach its
# update, sync and field-trial services, which the test machines cannot reach.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

HOST_CSS = """
* { color: red !important; font-size: 40px; font-family: serif; line-height: 3; }
html { font-size: 30px; }
button { background: lime; border: 5px dashed purple; padding: 30px; border-radius: 0; text-transform: uppercase; }
div, p, span, ol, li { margin: 9px; padding: 9px; letter-spacing: 4px; }
textarea { background: yellow; border: 6px solid black; }
svg { width: 200px; height: 200px; }
"""

HOST_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thông tin nội bộ</title>
<style>{css}</style>
</head>
<body>
<h1 id="host-title">Cổng thông tin nội bộ</h1>
<p id="host-text">Thông báo của văn phòng: lịch trực tuần này đã được cập nhật.</p>
<button id="host-button" type="button">Nút của trang</button>
{script}
</body>
</html>
"""


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that sends whole bodies and keeps the test output clean."""

    def send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve_in_thread(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """Serve `handler` on a free loopback port from a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def launch_chromium(playwright):  # noqa: ANN001, ANN201 - Playwright's own types
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with 'apt-get install -y chromium' (make setup does)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class HostSite:
    """A host web site on a free loopback port; pages are chosen by path.

    GET /          the page with the widget (data-token-url="/my/token")
    GET /plain     the same page without the widget
    GET /dead-api  the widget pointed at an API port where nothing listens
    POST /my/token a staff token from issue_token(); bad_tokens first hands out that many wrong ones
    """

    def __init__(self, issue_token: Callable[[], dict] | None = None) -> None:
        self.issue_token = issue_token
        self.api_url = ""
        self.dead_api_url = ""
        self.lang = "vi"
        self.token_requests = 0
        self.bad_tokens = 0
        self._server = serve_in_thread(self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def page(self, path: str) -> str:
        if path == "/plain":
            script = ""
        else:
            api = f' data-api="{self.dead_api_url}"' if path == "/dead-api" else ""
            script = (f'<script src="{self.api_url}/widget.js" data-token-url="/my/token"'
                      f' data-title="Trợ lý thử nghiệm"{api}></script>')
        return HOST_PAGE.format(lang=self.lang, css=HOST_CSS, script=script)

    def token(self) -> dict:
        self.token_requests += 1
        if self.bad_tokens > 0:
            self.bad_tokens -= 1
            return {"token": "hnt_invalid.signature", "expires_at": "2099-01-01T00:00:00Z"}
        assert self.issue_token is not None
        return self.issue_token()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path.split("?")[0] not in ("/", "/plain", "/dead-api"):
                    self.send(404, "text/plain", b"not found")
                    return
                self.send(200, "text/html; charset=utf-8", site.page(self.path.split("?")[0]).encode())

            def do_POST(self) -> None:  # noqa: N802
                if self.path != "/my/token":
                    self.send(404, "text/plain", b"not found")
                    return
                self.send(200, "application/json", json.dumps(site.token()).encode())

        return Handler

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def staff_token_issuer(api_url: str, admin_key: str, department: str = "so-tu-phap",
                       subject: str = "nv-20417") -> Callable[[], dict]:
    """Return a function that asks the assistant for a staff token, as a host page's server does."""

    def issue() -> dict:
        response = httpx.post(
            f"{api_url}/v1/auth/token", headers={"Authorization": f"Bearer {admin_key}"},
            json={"subject": subject, "department": department, "scopes": ["chat"], "ttl_seconds": 900},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    return issue


class ModelServer:
    """A language model server on a free loopback port that fails in a chosen way.

    POST /v1/chat/completions returns HTTP 500 at once (mode "fail"), or keeps
    the request waiting until release() and then returns 500 (mode "hang").
    The assistant's openai backend points here.
    """

    def __init__(self, mode: str = "fail") -> None:
        self.mode = mode
        self.requests = 0
        self.waiting = threading.Event()
        self._released = threading.Event()
        self._server = serve_in_thread(self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v1"

    def release(self) -> None:
        self._released.set()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        model = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                model.requests += 1
                if model.mode == "hang":
                    model.waiting.set()
                    model._released.wait(timeout=600)
                self.send(500, "application/json", b'{"error": {"message": "model overloaded"}}')

        return Handler

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
