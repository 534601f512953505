"""Fixtures of the browser tests: the host site and one Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.harness import HostSite, launch_chromium


@pytest.fixture(scope="module")
def host() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - Playwright's Browser
    sync_api = pytest.importorskip("playwright.sync_api", reason="install playwright (requirements.lock)")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
