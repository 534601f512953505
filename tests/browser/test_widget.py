"""The chat widget in headless Chromium against the real server over the bundled corpus.

A host site on its own loopback port embeds the widget under hostile CSS and
hands out staff tokens from the real POST /v1/auth/token. The server runs
serve.py with the extractive answer path (ASSISTANT_LLM_BACKEND=none).
Screenshots go to the test's tmp folder; the final ones are copied to
docs/screenshots/. test_widget_model.py runs the widget against
the real language model and against real failures.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import HostSite, staff_token_issuer
from tests.conftest import REPO, Server, free_port

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api", reason="install playwright (requirements.lock)")
expect = playwright_api.expect
expect.set_options(timeout=90_000)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}
SCREENSHOTS = REPO / "docs" / "screenshots"
BIRTH_QUESTION = "Trong bao nhiêu ngày kể từ khi trẻ sinh ra thì cha mẹ phải đăng ký khai sinh?"
BIRTH_QUESTION_EN = "How many days do parents have to register a child's birth?"
MARKED_QUESTION = "TỐI MẬT\nKế hoạch bố trí lực lượng bảo vệ hội nghị."

# Records the progress labels and the answer's text pieces as the widget draws them.
RECORD_DRAWING = """() => {
  const root = document.querySelector('hanoi-assistant').shadowRoot;
  const seen = window.__seen = {stages: [], pieces: 0};
  const note = (label) => { if (label && seen.stages[seen.stages.length - 1] !== label) seen.stages.push(label); };
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target.nodeType === 3 ? record.target.parentNode : record.target;
      if (target && target.classList && target.classList.contains('stage')) note(target.textContent);
      for (const node of record.addedNodes) {
        if (node.querySelector && node.querySelector('.stage')) note(node.querySelector('.stage').textContent);
      }
      if (target && target.classList && target.classList.contains('text') && target.closest('.pending')) {
        seen.pieces += record.addedNodes.length;
      }
    }
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""


# ---------- fixtures ----------


@pytest.fixture(scope="module")
def server(bundled_index_dir, host: HostSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from assistant.auth.keys import KeyStore
    from assistant.db import Database

    source, _ = bundled_index_dir
    data_dir = tmp_path_factory.mktemp("widget-server") / "data"
    shutil.copytree(source, data_dir)
    database = Database(data_dir)
    _, admin_key = KeyStore(database).create("van-phong-ubnd", ["admin"], "widget test host site")
    database.close()
    env = {
        "ASSISTANT_LLM_BACKEND": "none",
        "ASSISTANT_CORS_ORIGINS": host.url,
        "ASSISTANT_DEMO_LOGIN": "true",
        # The tests send a few dozen requests a minute under one staff token.
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "6000",
        "ASSISTANT_RATE_LIMIT_BURST": "500",
    }
    running = Server(data_dir, tmp_path_factory.mktemp("logs") / "widget-server.log", env=env)
    running.data_dir = data_dir
    host.api_url = running.url
    host.dead_api_url = f"http://127.0.0.1:{free_port()}"
    host.issue_token = staff_token_issuer(running.url, admin_key)
    yield running
    running.stop()


@pytest.fixture()
def new_page(browser, host: HostSite, server: Server):  # noqa: ANN001, ANN201
    """Return a function that opens a host page in a fresh browser context."""
    contexts = []
    host.lang = "vi"
    host.bad_tokens = 0

    def open_page(path: str = "/", viewport: dict = DESKTOP, **options: object):  # noqa: ANN202
        context = browser.new_context(viewport=viewport, **options)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=host.url)
        contexts.append(context)
        page = context.new_page()
        page.goto(host.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def keep_screenshot(page, shots: Path, name: str) -> None:  # noqa: ANN001
    page.screenshot(path=str(shots / name))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shots / name, SCREENSHOTS / name)


# ---------- helpers ----------


def open_widget(page) -> None:  # noqa: ANN001
    page.locator(".launcher").click()
    expect(page.locator(".panel")).to_be_visible()


def ask(page, question: str) -> None:  # noqa: ANN001
    box = page.locator(".composer textarea")
    box.fill(question)
    box.press("Enter")


def wait_for_answer(page, count: int = 1):  # noqa: ANN001, ANN201
    answers = page.locator(".msg.answer:not(.pending)")
    expect(answers).to_have_count(count)
    return answers.last


def feedback_rows(server: Server) -> list[dict]:
    with sqlite3.connect(server.data_dir / "assistant.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM feedback_ratings ORDER BY id")]


def stored_state(page) -> dict:  # noqa: ANN001
    raw = page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('hanoi-assistant:'))"
                        ".map(k => sessionStorage.getItem(k))[0]")
    return json.loads(raw)


def focused_in_widget(page) -> str | None:  # noqa: ANN001
    """Return the class of the focused element inside the widget, or None when focus is elsewhere."""
    return page.evaluate("""() => {
      const host = document.querySelector('hanoi-assistant');
      if (document.activeElement !== host) return null;
      const inner = host.shadowRoot.activeElement;
      return inner ? (inner.className || inner.tagName.toLowerCase()) : null;
    }""")


def focus_inside_panel(page) -> bool:  # noqa: ANN001
    return page.evaluate("""() => {
      const root = document.querySelector('hanoi-assistant').shadowRoot;
      return !!root.activeElement && root.querySelector('.panel').contains(root.activeElement);
    }""")


# ---------- the main flow ----------


def test_question_answer_citation_feedback(new_page, server: Server, shots: Path) -> None:
    page = new_page()
    open_widget(page)
    page.evaluate(RECORD_DRAWING)
    ask(page, BIRTH_QUESTION)
    answer = wait_for_answer(page)

    seen = page.evaluate("() => window.__seen")
    assert "Đang tìm trong tài liệu…" in seen["stages"]
    assert seen["pieces"] > 3, "the answer was not drawn piece by piece"
    expect(answer.locator(".text")).to_contain_text("60")
    expect(answer.locator(".mode")).to_have_text("Trích nguyên văn tài liệu")
    expect(answer.locator(".source").first).to_contain_text("[1]")
    assert page.locator(".msg.answer[aria-busy]").count() == 0
    keep_screenshot(page, shots, "widget-desktop.png")

    answer.locator(".source").first.click()
    sheet = page.locator(".sheet")
    expect(sheet.locator("h3")).to_contain_text("[1]")
    expect(sheet.locator("blockquote")).to_contain_text("60")
    expect(sheet.locator(".meta")).to_contain_text("bundled/vi/thu-tuc-dang-ky-khai-sinh.md")
    page.screenshot(path=str(shots / "passage.png"))
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)
    expect(page.locator(".panel")).to_be_visible()

    answer.locator(".copy").click()
    expect(answer.locator(".copy .label")).to_have_text("Đã sao chép")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "60" in copied
    assert "[1] " in copied

    answer.locator(".down").click()
    answer.locator(".feedback textarea").fill("Thiếu thông tin về lệ phí")
    answer.locator(".feedback button").click()
    expect(answer.locator(".note")).to_have_text("Cảm ơn bạn đã đánh giá.")
    row = feedback_rows(server)[-1]
    assert row["rating"] == "down"
    assert row["comment"] == "Thiếu thông tin về lệ phí"
    assert row["department"] == "so-tu-phap"
    assert row["principal"] == "staff:nv-20417@so-tu-phap"
    assert row["message_index"] == 1
    assert row["answer_mode"] == "extractive"
    assert row["conversation_id"] == stored_state(page)["messages"][1]["conversationId"]
    assert BIRTH_QUESTION not in json.dumps(row, ensure_ascii=False)


def test_conversation_survives_reload(new_page) -> None:
    page = new_page()
    open_widget(page)
    ask(page, BIRTH_QUESTION)
    wait_for_answer(page)
    page.locator(".msg.answer .up").click()
    page.locator(".feedback button").click()
    expect(page.locator(".msg.answer .note")).to_have_text("Cảm ơn bạn đã đánh giá.")

    page.reload()
    open_widget(page)
    expect(page.locator(".msg.user")).to_contain_text(BIRTH_QUESTION)
    expect(page.locator(".msg.answer .text")).to_contain_text("60")
    expect(page.locator(".msg.answer .note")).to_have_text("Cảm ơn bạn đã đánh giá.")
    expect(page.locator(".msg.answer .up")).to_be_disabled()

    page.locator(".new").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    expect(page.locator(".msg.answer")).to_have_count(0)
    expect(page.locator(".msg.welcome")).to_have_count(1)
    assert stored_state(page)["messages"] == []


def test_switch_to_english(new_page) -> None:
    page = new_page()
    expect(page.locator(".launcher")).to_contain_text("Hỏi trợ lý")
    open_widget(page)
    page.locator(".language").click()
    expect(page.locator(".launcher")).to_contain_text("Ask the assistant")
    expect(page.locator(".composer textarea")).to_have_attribute("placeholder", "Type a question, Enter to send")
    expect(page.locator(".panel")).to_be_visible()
    ask(page, BIRTH_QUESTION_EN)
    answer = wait_for_answer(page)
    expect(answer.locator(".text")).to_contain_text("60 days")
    expect(answer.locator(".mode")).to_have_text("Quoted from the documents")
    expect(answer.locator(".copy .label")).to_have_text("Copy")

    page.reload()
    expect(page.locator(".launcher")).to_contain_text("Ask the assistant")


@pytest.mark.parametrize(
    ("html_lang", "launcher_text"), [("vi", "Hỏi trợ lý"), ("en", "Ask the assistant"), ("vi-VN", "Hỏi trợ lý")]
)
def test_language_from_host_page(new_page, host: HostSite, html_lang: str, launcher_text: str) -> None:
    host.lang = html_lang
    page = new_page(locale="en-US")
    expect(page.locator(".launcher")).to_contain_text(launcher_text)


# ---------- errors ----------


def test_gate_rejection_shown(new_page) -> None:
    page = new_page()
    open_widget(page)
    ask(page, MARKED_QUESTION)
    error = page.locator(".msg.error")
    expect(error).to_contain_text("dấu mức độ mật")
    expect(page.locator(".msg.answer")).to_have_count(0)
    # The rejected question comes back into the box for editing.
    expect(page.locator(".composer textarea")).to_have_value(MARKED_QUESTION)


def test_server_unreachable_shown(new_page, shots: Path) -> None:
    page = new_page("/dead-api")
    open_widget(page)
    ask(page, BIRTH_QUESTION)
    expect(page.locator(".msg.error")).to_contain_text("Không kết nối được với máy chủ trợ lý")
    expect(page.locator(".msg.answer")).to_have_count(0)
    keep_screenshot(page, shots, "widget-error.png")


def test_expired_token_refreshed_once(new_page, host: HostSite) -> None:
    host.bad_tokens = 1
    page = new_page()
    open_widget(page)
    ask(page, BIRTH_QUESTION)
    expect(wait_for_answer(page).locator(".text")).to_contain_text("60")
    assert host.token_requests >= 2
    assert page.locator(".msg.error").count() == 0


def test_token_refused_twice_shown(new_page, host: HostSite) -> None:
    host.bad_tokens = 2
    page = new_page()
    open_widget(page)
    ask(page, BIRTH_QUESTION)
    expect(page.locator(".msg.error")).to_contain_text("chưa đăng nhập hoặc phiên làm việc đã hết hạn")


SSE = "text/event-stream"
MOCKED_FAILURES = [
    ("rate limited", 429, "application/problem+json",
     json.dumps({"title": "Too many requests", "status": 429, "detail": "slow down"}), {"Retry-After": "42"},
     "Hãy thử lại sau 42 giây"),
    ("server error", 503, "application/problem+json",
     json.dumps({"title": "Model not available", "status": 503, "detail": "x"}), {}, "Trợ lý đang gặp sự cố"),
    ("gate as 422", 422, "application/problem+json",
     json.dumps({"title": "Rejected by the classification gate", "status": 422, "detail": "x"}), {},
     "dấu mức độ mật"),
    ("error before first token", 200, SSE,
     'event: progress\ndata: {"stage": "retrieving"}\n\nevent: error\ndata: {"detail": "boom"}\n\n', {},
     "Trợ lý gặp lỗi khi trả lời"),
    ("stream ends without an answer", 200, SSE, 'event: progress\ndata: {"stage": "retrieving"}\n\n', {},
     "Trợ lý gặp lỗi khi trả lời"),
    ("stream cut after tokens", 200, SSE,
     'event: progress\ndata: {"stage": "retrieving"}\n\nevent: token\ndata: {"text": "Cha mẹ "}\n\n', {},
     "Câu trả lời bị ngắt giữa chừng"),
]


@pytest.mark.parametrize(("case", "status", "media_type", "body", "headers", "shown"), MOCKED_FAILURES,
                         ids=[c[0] for c in MOCKED_FAILURES])
def test_failure_responses_shown(new_page, host: HostSite, case: str, status: int, media_type: str, body: str,
                                 headers: dict, shown: str) -> None:
    """Answers the real server rarely gives, replayed by the browser's request interception."""
    page = new_page()
    cors = {"Access-Control-Allow-Origin": host.url, "Access-Control-Expose-Headers": "Retry-After",
            "Access-Control-Allow-Headers": "authorization, content-type", "Access-Control-Allow-Methods": "POST"}

    def reply(route) -> None:  # noqa: ANN001
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
        else:
            route.fulfill(status=status, content_type=media_type, body=body, headers={**cors, **headers})

    page.route("**/v1/chat", reply)
    open_widget(page)
    ask(page, BIRTH_QUESTION)
    expect(page.locator(".msg.error")).to_contain_text(shown)
    empty_bubbles = page.evaluate("""() => [...document.querySelector('hanoi-assistant').shadowRoot
        .querySelectorAll('.msg.answer')].filter(b => !b.querySelector('.text').textContent.trim()).length""")
    assert empty_bubbles == 0
    assert page.locator(".msg.answer.pending .progress").count() == 0


# ---------- styles, keyboard, phone ----------

HOST_STYLE = """(selector) => {
  const style = getComputedStyle(document.querySelector(selector));
  return [style.color, style.fontSize, style.fontFamily, style.backgroundColor, style.borderTopStyle,
          style.paddingTop, style.margin, style.letterSpacing];
}"""
WIDGET_STYLE = """(selector) => {
  const node = document.querySelector('hanoi-assistant').shadowRoot.querySelector(selector);
  const style = getComputedStyle(node);
  return {color: style.color, fontSize: style.fontSize, fontFamily: style.fontFamily, border: style.borderTopStyle,
          background: style.backgroundColor, letterSpacing: style.letterSpacing, textTransform: style.textTransform};
}"""


def test_styles_isolated_both_ways(new_page) -> None:
    plain = new_page("/plain")
    embedded = new_page("/")
    expect(embedded.locator(".launcher")).to_be_visible()
    for selector in ("#host-title", "#host-text", "#host-button", "body"):
        assert embedded.evaluate(HOST_STYLE, selector) == plain.evaluate(HOST_STYLE, selector), selector

    open_widget(embedded)
    launcher = embedded.evaluate(WIDGET_STYLE, ".launcher")
    assert launcher["color"] == "rgb(255, 255, 255)"
    assert launcher["fontSize"] == "15px"
    assert launcher["background"] in ("rgb(11, 74, 139)", "rgb(9, 60, 114)")  # normal or under the mouse
    assert launcher["border"] == "none"
    assert launcher["textTransform"] == "none"
    welcome = embedded.evaluate(WIDGET_STYLE, ".msg.welcome")
    assert welcome["color"] != "rgb(255, 0, 0)"
    assert welcome["fontSize"] == "15px"
    assert "serif" != welcome["fontFamily"]
    assert welcome["letterSpacing"] == "normal"
    box = embedded.evaluate(WIDGET_STYLE, ".composer textarea")
    assert box["background"] == "rgba(0, 0, 0, 0)" or box["background"] == "rgb(255, 255, 255)"


def test_keyboard_only(new_page) -> None:
    page = new_page()
    expect(page.locator(".launcher")).to_be_visible()
    for _ in range(6):
        page.keyboard.press("Tab")
        if focused_in_widget(page) == "launcher":
            break
    assert focused_in_widget(page) == "launcher"
    outline = page.evaluate("""() => getComputedStyle(document.querySelector('hanoi-assistant')
        .shadowRoot.querySelector('.launcher')).outlineStyle""")
    assert outline == "solid", "the focused launcher shows no focus ring"

    page.keyboard.press("Enter")
    expect(page.locator(".panel")).to_be_visible()
    assert focused_in_widget(page) == "textarea"
    page.keyboard.type(BIRTH_QUESTION)
    page.keyboard.press("Enter")
    wait_for_answer(page)

    for _ in range(14):
        page.keyboard.press("Tab")
        assert focus_inside_panel(page)
    for _ in range(14):
        page.keyboard.press("Shift+Tab")
        assert focus_inside_panel(page)

    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    assert focused_in_widget(page) == "launcher"
    page.keyboard.press("Space")
    expect(page.locator(".panel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()


def test_phone_layout(new_page, shots: Path) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_widget(page)
    panel = page.locator(".panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    ask(page, BIRTH_QUESTION)
    wait_for_answer(page)
    overflow = page.evaluate("""() => { const log = document.querySelector('hanoi-assistant').shadowRoot
        .querySelector('.log'); return log.scrollWidth - log.clientWidth; }""")
    assert overflow <= 0
    composer = page.locator(".composer").bounding_box()
    assert composer["y"] + composer["height"] <= PHONE["height"]
    keep_screenshot(page, shots, "widget-phone.png")


# ---------- the demo page ----------


def test_demo_page_sign_in(browser, server: Server) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(server.url + "/demo")
        page.locator("#name").fill("Lan")
        page.locator("#department").select_option("so-y-te")
        page.locator("#sign-in button").click()
        expect(page.locator("#who")).to_contain_text("Lan")
        expect(page.locator(".panel")).to_be_visible()
        ask(page, BIRTH_QUESTION)
        expect(wait_for_answer(page).locator(".text")).to_contain_text("60")

        page.reload()
        expect(page.locator("#who")).to_contain_text("Lan")
        page.locator(".launcher").click()
        ask(page, "Đăng ký khai sinh có mất lệ phí không?")
        wait_for_answer(page, count=2)

        page.locator("#sign-out").click()
        ask(page, BIRTH_QUESTION)
        expect(page.locator(".msg.error")).to_contain_text("chưa đăng nhập")
    finally:
        context.close()
