"""Tests that the network guard of conftest.py catches what it must, so the offline tests prove something.

Each test first replaces the socket functions under the guard with stubs
that fail, so nothing can leave the machine even if the guard were broken.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import tldextract

from guardrails.redaction.recognizers.email import OfflineEmailRecognizer


@pytest.fixture
def unreachable_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace connect and name lookup with stubs that record the call and fail."""
    reached: list[str] = []

    def stub_connect(sock: socket.socket, address: object) -> None:
        reached.append(f"connect {address!r}")
        raise OSError("stub: no network in this test")

    def stub_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        reached.append(f"getaddrinfo {host!r}")
        raise socket.gaierror("stub: no name lookup in this test")

    monkeypatch.setattr(socket.socket, "connect", stub_connect)
    monkeypatch.setattr(socket, "getaddrinfo", stub_getaddrinfo)
    return reached


def test_guard_blocks_outside_connection(network_blocker, unreachable_network: list[str]) -> None:
    with network_blocker() as attempts:
        with socket.socket() as sock, pytest.raises(RuntimeError, match="blocked"):
            sock.connect(("192.0.2.1", 80))
    assert attempts == ["connect ('192.0.2.1', 80)"]
    assert unreachable_network == []


def test_guard_passes_loopback_through(network_blocker, unreachable_network: list[str]) -> None:
    with network_blocker() as attempts:
        with socket.socket() as sock, pytest.raises(OSError, match="stub"):
            sock.connect(("127.0.0.1", 9))
    assert attempts == []
    assert unreachable_network == ["connect ('127.0.0.1', 9)"]


def test_guard_sees_default_tldextract(network_blocker, unreachable_network: list[str], tmp_path: Path) -> None:
    # With an empty cache, tldextract's default extractor tries to download
    # the suffix list and quietly falls back to its snapshot.
    with network_blocker() as attempts:
        tldextract.TLDExtract(cache_dir=str(tmp_path))("can.bo@hanoi.gov.vn")
    assert attempts != []
    assert unreachable_network == []


def test_offline_email_extractor_makes_no_attempt(network_blocker, unreachable_network: list[str]) -> None:
    with network_blocker() as attempts:
        assert OfflineEmailRecognizer("vi").validate_result("can.bo@hanoi.gov.vn") is True
    assert attempts == []
    assert unreachable_network == []
