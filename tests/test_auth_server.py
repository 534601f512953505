"""Keys and document scopes through the real server on 127.0.0.1 and the command lines.

Slow: the server loads EmbeddingGemma and Presidio (no language model).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, create_key, ingest_json, run_cli

pytestmark = pytest.mark.slow

SERVER_ENV = {"ASSISTANT_LLM_BACKEND": "none"}
NOTICE = "# Thông báo lịch tiếp công dân\n\nBộ phận một cửa tiếp công dân từ thứ Hai đến thứ Sáu.\n"
PLAN = "# Kế hoạch thanh tra công chứng\n\nSở Tư pháp thanh tra chín văn phòng công chứng trong tháng Mười.\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("auth-server-data")
    sources = tmp_path_factory.mktemp("auth-server-sources")
    (sources / "public").mkdir()
    (sources / "tu-phap").mkdir()
    (sources / "public" / "thong-bao.md").write_text(NOTICE, encoding="utf-8")
    (sources / "tu-phap" / "thanh-tra.md").write_text(PLAN, encoding="utf-8")
    assert [r["status"] for r in ingest_json(folder, sources / "public")] == ["indexed"]
    done = run_cli("-m", "retrieval", "--data-dir", str(folder), "ingest", "--json", "--access", "so-tu-phap",
                   str(sources / "tu-phap"))
    assert done.returncode == 0, done.stderr[-2000:]
    listing = run_cli("-m", "retrieval", "--data-dir", str(folder), "list")
    assert "tu-phap/thanh-tra.md\t1 chunks\tso-tu-phap\t" in listing.stdout
    return folder


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(data_dir, tmp_path_factory.mktemp("logs") / "auth-server.log", env=SERVER_ENV)
    yield running
    running.stop()


def keys_cli(data_dir: Path, *args: str) -> str:
    done = run_cli("-m", "assistant", "keys", *args, "--data-dir", str(data_dir), timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_ingest_cli_rejects_unknown_access(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nNội dung.", encoding="utf-8")
    done = run_cli("-m", "retrieval", "--data-dir", str(tmp_path / "d"), "ingest", "--access", "so-khong-co",
                   str(tmp_path / "a.md"))
    assert done.returncode == 2
    assert "unknown department 'so-khong-co'" in done.stderr


def test_keys_cli_end_to_end(data_dir: Path, server: Server) -> None:
    output = keys_cli(data_dir, "create", "--department", "so-xay-dung", "--scope", "search", "--scope", "chat",
                      "--name", "permit-portal")
    key = output.strip().splitlines()[-1]
    assert key.startswith("hna_")
    key_id = key.split("_")[1]

    listed = [json.loads(line) for line in keys_cli(data_dir, "list", "--json").splitlines()]
    mine = next(r for r in listed if r["id"] == key_id)
    assert (mine["name"], mine["department"], mine["scopes"], mine["revoked_at"]) == (
        "permit-portal", "so-xay-dung", ["chat", "search"], None)
    table = keys_cli(data_dir, "list")
    assert key_id in table
    assert key.split("_", 2)[2] not in table
    with sqlite3.connect(data_dir / "assistant.sqlite3") as db:
        assert key not in str(db.execute("SELECT * FROM auth_keys").fetchall())

    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.post(f"{server.url}/v1/search", json={"query": "tiếp công dân"}, headers=headers).status_code == 200
    assert keys_cli(data_dir, "list", "--json").count('"last_used_at": null') < len(listed)

    assert f"revoked key {key_id}" in keys_cli(data_dir, "revoke", key_id)
    refused = httpx.post(f"{server.url}/v1/search", json={"query": "tiếp công dân"}, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.headers["content-type"] == "application/problem+json"

    unknown = run_cli("-m", "assistant", "keys", "revoke", "ffff", "--data-dir", str(data_dir))
    assert unknown.returncode == 2
    assert "no API key has the id 'ffff'" in unknown.stderr


# (method, path, required scope, other scope that must get 403, request keyword arguments)
ROWS = [
    ("POST", "/v1/search", "search", "chat", {"json": {"query": "công chứng", "k": 5}}),
    ("POST", "/v1/chat", "chat", "search", {"json": {"messages": [{"role": "user", "content": "Giờ tiếp dân?"}]}}),
    ("POST", "/v1/classify", "ingest", "chat", {"json": {"text": "Thông báo"}}),
    ("DELETE", "/v1/documents/khong-co.md", "admin", "ingest", {}),
]


@pytest.mark.parametrize(("method", "path", "scope", "other", "request_args"), ROWS, ids=[r[1] for r in ROWS])
def test_matrix_rows_over_http(data_dir: Path, server: Server, method: str, path: str, scope: str, other: str,
                               request_args: dict) -> None:
    url = f"{server.url}{path}"
    allowed = create_key(data_dir, "so-y-te", scope)
    denied = create_key(data_dir, "so-y-te", other)
    passed = httpx.request(method, url, headers={"Authorization": f"Bearer {allowed}"}, timeout=600, **request_args)
    assert passed.status_code == (404 if method == "DELETE" else 200), passed.text
    refused = httpx.request(method, url, headers={"Authorization": f"Bearer {denied}"}, **request_args)
    assert refused.status_code == 403
    assert httpx.request(method, url, **request_args).status_code == 401


@pytest.mark.parametrize(("department", "sees_plan"), [("so-tu-phap", True), ("so-y-te", False)])
def test_restricted_document_over_http(data_dir: Path, server: Server, department: str, sees_plan: bool) -> None:
    headers = {"Authorization": f"Bearer {create_key(data_dir, department, 'search', 'chat')}"}
    hits = httpx.post(f"{server.url}/v1/search", json={"query": "thanh tra văn phòng công chứng", "k": 10},
                      headers=headers).json()["hits"]
    assert ("tu-phap/thanh-tra.md" in {h["document_id"] for h in hits}) is sees_plan
    listed = httpx.get(f"{server.url}/v1/documents", headers=headers).json()
    assert listed["total"] == (2 if sees_plan else 1)


def test_log_lines_carry_request_id(server: Server) -> None:
    response = server.client.post("/v1/search", json={"query": "tiếp công dân"}, headers={"X-Request-ID": "kiem-tra-42"})
    assert response.headers["x-request-id"] == "kiem-tra-42"
    lines = [line for line in server.log_path.read_text(encoding="utf-8").splitlines() if "kiem-tra-42" in line]
    assert any("[kiem-tra-42]" in line and "/v1/search" in line for line in lines), lines
    assert server.key not in server.log_path.read_text(encoding="utf-8")
