"""Shared fixtures: a network guard for every test, the real embedding model,
indexes in temporary folders, and the real server started on 127.0.0.1.

The guard replaces socket connect and name lookup in the test process. A
connection to anything but the loopback range raises, and each attempt is
recorded, so a test fails even when the library under test catches the error
and falls back quietly (as tldextract does). Servers started by the tests run
in their own processes with the offline switches of assistant/offline.py.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = REPO / "corpora" / "bundled"

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class NetworkAttempt(RuntimeError):
    """A test tried to reach a host outside the loopback range."""


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(address: object) -> object:
    if isinstance(address, tuple) and address:
        return address[0]
    return address


@contextmanager
def blocked_network() -> Iterator[list[str]]:
    """Block non-loopback connections and name lookups, yielding the list of attempts."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: object) -> None:
        if sock.family == socket.AF_UNIX or _is_loopback(_host_of(address)):
            return real_connect(sock, address)
        attempts.append(f"connect {address!r}")
        raise NetworkAttempt(f"network access blocked in tests: connect to {address!r}")

    def guarded_connect_ex(sock: socket.socket, address: object) -> int:
        if sock.family == socket.AF_UNIX or _is_loopback(_host_of(address)):
            return real_connect_ex(sock, address)
        attempts.append(f"connect_ex {address!r}")
        raise NetworkAttempt(f"network access blocked in tests: connect_ex to {address!r}")

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is None or _is_loopback(host):
            return real_getaddrinfo(host, *args, **kwargs)
        attempts.append(f"getaddrinfo {host!r}")
        raise socket.gaierror(f"name lookup blocked in tests: {host!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", guarded_connect)
        patch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
        patch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
        yield attempts


@pytest.fixture(autouse=True)
def network_guard() -> Iterator[list[str]]:
    """Block the network for one test and fail the test if it tried to connect."""
    with blocked_network() as attempts:
        yield attempts
    assert attempts == [], f"the test tried to reach the network: {attempts}"




def data_root() -> Path | None:
    """Return the real data folder named by DATA_DIR, or None when it is unset."""
    value = os.environ.get("DATA_DIR")
    return Path(value).resolve() if value else None


def require_data(relative: str) -> Path:
    root = data_root()
    if root is None:
        pytest.skip("DATA_DIR is not set; set it to the real data folder (../shared/data) to run this test")
    path = root / relative
    if not path.exists():
        pytest.fail(f"DATA_DIR is set but {path} does not exist")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def ingest_json(data_dir: Path, *paths: Path, env: dict[str, str] | None = None) -> list[dict]:
    """Run the ingest command with --json and return its results."""
    done = run_cli("-m", "retrieval", "--data-dir", str(data_dir), "ingest", "--json", *map(str, paths), env=env)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def create_key(data_dir: Path, department: str, *scopes: str, env: dict[str, str] | None = None) -> str:
    """Create an API key with the keys command and return it (the last line of its output)."""
    scope_args = [arg for scope in scopes for arg in ("--scope", scope)]
    done = run_cli("-m", "assistant", "keys", "create", "--data-dir", str(data_dir), "--department", department,
                   *scope_args, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


class Server:
    """serve.py running in a subprocess on a free loopback port.

    Its client sends an admin key created with the keys command, so the
    existing tests see every endpoint and every document."""

    def __init__(self, data_dir: Path, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.key = create_key(data_dir, "van-phong-ubnd", "admin", env=env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "serve.py", "--data-dir", str(data_dir), "--port", str(self.port)],
            cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
            # Tests send hundreds of searches in a row; the rate limit has its own tests.
            env={**os.environ, "ASSISTANT_RATE_LIMIT_BURST": "100000", **(env or {})},
        )
        self._wait_until_ready()
        self.client = httpx.Client(base_url=self.url, timeout=600, headers={"Authorization": f"Bearer {self.key}"})

    def _wait_until_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@contextmanager
def served_in_thread(app) -> Iterator[str]:  # noqa: ANN001 - a FastAPI app
    """Serve `app` with uvicorn on a free loopback port from a thread of this process; yield its URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def redactor():  # noqa: ANN201 - the type is imported lazily, with Presidio
    """Build one Redactor for the session with the network blocked; loading spaCy takes seconds."""
    from guardrails import Redactor

    with blocked_network() as attempts:
        built = Redactor()
    assert attempts == [], f"building the Redactor tried to reach the network: {attempts}"
    return built


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("real-data"))


@pytest.fixture(scope="session")
def real_embedder(real_settings):
    from assistant.components import build_embedder

    return build_embedder(real_settings)


@pytest.fixture(scope="session")
def bundled_index_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    """A data folder holding the bundled corpus, indexed with the real model by the CLI."""
    data_dir = tmp_path_factory.mktemp("bundled-index")
    return data_dir, ingest_json(data_dir, BUNDLED_CORPUS)


@pytest.fixture(scope="session")
def bundled_server(bundled_index_dir, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server with the real models over the bundled corpus."""
    data_dir, _ = bundled_index_dir
    server = Server(data_dir, tmp_path_factory.mktemp("logs") / "bundled-server.log")
    yield server
    server.stop()
