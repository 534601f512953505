"""Logging set-up shared by the server and the command-line tools.

Log lines hold ids, counts and timings, never document text or personal
data. unstructured's "unstructured.trace" logger writes the text it parses at
its DETAIL level, between DEBUG and INFO. So the loggers of the parsing
libraries stay at WARNING whatever level the caller asks for.
"""

from __future__ import annotations

import logging

# The parsing libraries, whose detailed log lines may quote what they read.
TEXT_LOGGERS = ("unstructured", "unstructured.trace", "pdfminer", "pypdf", "docx", "PIL")


def configure_logging(level: int | str, line_format: str = "%(levelname)s %(name)s: %(message)s") -> None:
    """Configure the root logger and keep document text out of library log lines."""
    logging.basicConfig(level=level, format=line_format)
    quiet_text_loggers()


def quiet_text_loggers() -> None:
    for name in TEXT_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Presidio warns about each recognizer of a language it was not asked to load.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
