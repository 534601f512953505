"""Read labelled requests from a CSV file for training the router."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.routing.signals import URGENCY_LEVELS
from assistant.routing.taxonomy import Taxonomy

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("text", "department")


@dataclass(frozen=True)
class LabelledRequests:
    """Request texts with their department ids and, when the file has them, urgency levels."""

    texts: list[str]
    departments: list[str]
    urgency: list[str] | None


def read_labelled_csv(path: Path, taxonomy: Taxonomy) -> LabelledRequests:
    """Read a CSV with columns text, department and optionally urgency; other columns are ignored.

    Raises InputError naming the file, row and value for a missing column, an
    empty text, an unknown department id or urgency level, or a file without rows.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise InputError(
                    f"{path} lacks the column(s) {', '.join(missing)}; the first line must name the columns "
                    f"text,department[,urgency] (found: {', '.join(columns) or 'no header'})"
                )
            has_urgency = "urgency" in columns
            requests = LabelledRequests([], [], [] if has_urgency else None)
            for row in reader:
                cells = {key.strip(): (value or "") for key, value in row.items() if key}
                _add_row(path, reader.line_num, cells, taxonomy, requests)
    except FileNotFoundError:
        raise InputError(f"training file {path} does not exist; give the path of a CSV file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save the CSV as UTF-8") from None
    if not requests.texts:
        raise InputError(f"{path} has no labelled requests; add rows of text,department under the header")
    log.info("read %d labelled requests from %s", len(requests.texts), path.name)
    return requests


def _add_row(path: Path, line: int, row: dict[str, str], taxonomy: Taxonomy, requests: LabelledRequests) -> None:
    text, department = row.get("text", "").strip(), row.get("department", "").strip()
    if not text:
        raise InputError(f"{path}, line {line}: the text is empty; fill it in or delete the row")
    if department not in taxonomy.ids:
        raise InputError(
            f"{path}, line {line}: unknown department {department!r}; the taxonomy {taxonomy.name!r} knows "
            f"{', '.join(taxonomy.ids)}"
        )
    requests.texts.append(text)
    requests.departments.append(department)
    if requests.urgency is not None:
        level = row.get("urgency", "").strip() or "normal"
        if level not in URGENCY_LEVELS:
            raise InputError(
                f"{path}, line {line}: unknown urgency {level!r}; "
                f"use one of {', '.join(URGENCY_LEVELS)} or leave it empty"
            )
        requests.urgency.append(level)
