"""The city's departments, read from departments.toml: the only list of department ids."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import InputError

DEPARTMENTS_FILE = Path(__file__).with_name("departments.toml")


@dataclass(frozen=True)
class Department:
    """A city-level body: its stable id and its names in Vietnamese and English."""

    id: str
    vi: str
    en: str


@lru_cache(maxsize=1)
def departments() -> dict[str, Department]:
    """Return the departments by id, in the file's order."""
    with DEPARTMENTS_FILE.open("rb") as handle:
        entries = tomllib.load(handle)["department"]
    return {entry["id"]: Department(**entry) for entry in entries}


def check_department(department_id: str) -> str:
    """Return department_id if it names a department, else raise InputError listing the ids."""
    if department_id not in departments():
        raise InputError(
            f"unknown department {department_id!r}; use one of: {', '.join(departments())}"
        )
    return department_id
