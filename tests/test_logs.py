"""Library log lines hold no document text, whatever level the server logs at."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.logs import TEXT_LOGGERS, quiet_text_loggers
from retrieval.loaders import load_file

MARKED_LINE = "Lịch trực của phòng PLUGHWORD được cập nhật hằng tuần."


@pytest.fixture()
def restore_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in TEXT_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_unstructured_trace_quiet(tmp_path: Path, caplog: pytest.LogCaptureFixture, restore_levels: None) -> None:
    page = tmp_path / "thong-bao.html"
    page.write_text(f"<html><body><h2>Thông báo</h2><p>{MARKED_LINE}</p></body></html>",
                    encoding="utf-8")
    for name in TEXT_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level(1)
    load_file(page, "thong-bao.html")
    assert "PLUGHWORD" in caplog.text, "the library no longer logs text, so this test checks nothing"

    quiet_text_loggers()
    caplog.clear()
    load_file(page, "thong-bao.html")
    assert "PLUGHWORD" not in caplog.text
