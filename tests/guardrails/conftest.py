"""Fixtures for the guardrails tests; the network guard is in tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import blocked_network

@pytest.fixture(scope="session")
def redactor():  # noqa: ANN201 - the type is imported lazily, with Presidio
    """Build one Redactor for the session with the network blocked; loading spaCy takes seconds."""
    from guardrails import Redactor

    with blocked_network() as attempts:
        built = Redactor()
    assert attempts == [], f"building the Redactor tried to reach the network: {attempts}"
    return built


@pytest.fixture
def network_blocker():  # noqa: ANN201 - returns the blocked_network context manager
    """Return blocked_network, for tests that check that the guard itself records attempts."""
    return blocked_network
