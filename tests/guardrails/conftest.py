"""Fixtures for the guardrails tests; the network guard is in tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import blocked_network


@pytest.fixture
def network_blocker():  # noqa: ANN201 - returns the blocked_network context manager
    """Return blocked_network, for tests that check that the guard itself records attempts."""
    return blocked_network
