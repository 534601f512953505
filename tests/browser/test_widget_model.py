"""The chat widget in headless Chromium against real servers with a language model,
and against real failures: the server's own 429, a model server that fails, and
a server killed while it streams an answer.

Each server runs serve.py over a copy of the bundled index. The first uses the
real llama.cpp model. The others use the openai backend pointed at a model
server on 127.0.0.1 that fails on purpose (tests.browser.harness.ModelServer).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.harness import HostSite, ModelServer, staff_token_issuer
from tests.conftest import REPO, Server

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api", reason="install playwright (requirements.lock)")
expect = playwright_api.expect

# The model generates a reply in about 30 s on two cores, and a loaded machine needs more.
ANSWER_TIMEOUT_MS = 300_000
BIRTH_QUESTION = "Trong bao nhiêu ngày kể từ khi trẻ sinh ra thì cha mẹ phải đăng ký khai sinh?"
SCREENSHOTS = REPO / "docs" / "screenshots"
# The rate limit of the model_server fixture: a staff member may send this many requests, then one a minute.
BURST = 12


def start_server(index_dir: Path, folder: Path, host: HostSite, env: dict[str, str]) -> Server:
    data_dir = folder / "data"
    shutil.copytree(index_dir, data_dir)
    server = Server(data_dir, folder / "server.log", env={"ASSISTANT_CORS_ORIGINS": host.url, **env})
    server.data_dir = data_dir
    return server


def point_host_at(host: HostSite, server: Server, subject: str) -> None:
    """Make the host site embed the widget of `server` and sign in staff member `subject`."""
    host.api_url = server.url
    host.issue_token = staff_token_issuer(server.url, server.key, subject=subject)


@pytest.fixture(scope="module")
def model_server(bundled_index_dir, host: HostSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """serve.py with the real llama.cpp model and a small rate limit."""
    index_dir, _ = bundled_index_dir
    server = start_server(index_dir, tmp_path_factory.mktemp("model-server"), host, {
        "ASSISTANT_LLM_BACKEND": "llamacpp",
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "1",
        "ASSISTANT_RATE_LIMIT_BURST": str(BURST),
    })
    yield server
    server.stop()


@pytest.fixture()
def failing_model(bundled_index_dir, host: HostSite, tmp_path: Path) -> Iterator:
    """Return a function that starts serve.py with a model server failing in `mode`, and
    points the host site at it; both stop after the test."""
    started: list[tuple[Server, ModelServer]] = []

    def start(mode: str, subject: str) -> tuple[Server, ModelServer]:
        model = ModelServer(mode)
        server = start_server(bundled_index_dir[0], tmp_path / mode, host, {
            "ASSISTANT_LLM_BACKEND": "openai", "ASSISTANT_OPENAI_BASE_URL": model.base_url,
            "ASSISTANT_OPENAI_MODEL": "qwen2.5-1.5b"})
        started.append((server, model))
        point_host_at(host, server, subject)
        return server, model

    yield start
    for server, model in started:
        server.stop()
        model.stop()


@pytest.fixture()
def open_page(browser, host: HostSite):  # noqa: ANN001, ANN201
    contexts = []

    def opened():  # noqa: ANN202
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.goto(host.url + "/")
        page.locator(".launcher").click()
        expect(page.locator(".panel")).to_be_visible()
        return page

    yield opened
    for context in contexts:
        context.close()


def ask(page, question: str) -> None:  # noqa: ANN001
    box = page.locator(".composer textarea")
    box.fill(question)
    box.press("Enter")


def test_generated_answer_streams_with_citation(open_page, host: HostSite, model_server: Server,
                                                tmp_path: Path) -> None:
    point_host_at(host, model_server, "nv-30112")
    page = open_page()
    ask(page, BIRTH_QUESTION)
    expect(page.locator(".msg.answer.pending .stage")).to_have_text("Đang soạn câu trả lời…",
                                                                    timeout=ANSWER_TIMEOUT_MS)
    answer = page.locator(".msg.answer:not(.pending)")
    expect(answer).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)

    expect(answer.locator(".mode")).to_have_text("Soạn từ tài liệu")
    expect(answer.locator(".text")).to_contain_text("60 ngày")
    expect(answer.locator(".text")).to_contain_text("[1]")
    page.screenshot(path=str(tmp_path / "widget-generated.png"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "widget-generated.png", SCREENSHOTS / "widget-generated.png")
    answer.locator(".source").first.click()
    sheet = page.locator(".sheet")
    expect(sheet.locator("blockquote")).to_contain_text("60")
    expect(sheet.locator(".meta")).to_contain_text("bundled/vi/thu-tuc-dang-ky-khai-sinh.md")
    assert page.locator(".msg.error").count() == 0


def test_server_rate_limit_shown(open_page, host: HostSite, model_server: Server) -> None:
    """The staff member's own requests use up the burst; the widget's next question gets the real 429."""
    point_host_at(host, model_server, "nv-30113")
    token = host.issue_token()["token"]
    statuses = [httpx.get(f"{model_server.url}/v1/conversations", headers={"Authorization": f"Bearer {token}"})
                .status_code for _ in range(BURST)]
    assert statuses == [200] * BURST

    page = open_page()
    ask(page, BIRTH_QUESTION)
    error = page.locator(".msg.error")
    expect(error).to_contain_text("Bạn đã gửi quá nhiều yêu cầu. Hãy thử lại sau")
    seconds = int(error.inner_text().split("thử lại sau ")[1].split(" ")[0])
    assert 1 <= seconds <= 60
    assert page.locator(".msg.answer").count() == 0


def test_model_failure_falls_back_to_quotation(open_page, failing_model) -> None:
    _, model = failing_model("fail", "nv-30114")
    page = open_page()
    ask(page, BIRTH_QUESTION)
    answer = page.locator(".msg.answer:not(.pending)")
    expect(answer).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)

    expect(answer.locator(".mode")).to_have_text("Trích nguyên văn tài liệu")
    expect(answer.locator(".text")).to_contain_text("60")
    assert model.requests >= 1
    assert page.locator(".msg.error").count() == 0


def test_server_killed_mid_answer_shown(open_page, failing_model) -> None:
    server, model = failing_model("hang", "nv-30115")
    page = open_page()
    ask(page, BIRTH_QUESTION)
    expect(page.locator(".msg.answer.pending .stage")).to_have_text("Đang soạn câu trả lời…",
                                                                    timeout=ANSWER_TIMEOUT_MS)
    assert model.waiting.wait(timeout=60), "the server never asked the model"
    server.process.kill()
    server.process.wait(timeout=30)

    expect(page.locator(".msg.error")).to_contain_text("Không kết nối được với máy chủ trợ lý")
    assert page.locator(".msg.answer").count() == 0
    assert page.locator(".msg.answer.pending .progress").count() == 0
    # The question comes back into the box, so the staff member can send it again.
    expect(page.locator(".composer textarea")).to_have_value(BIRTH_QUESTION)
