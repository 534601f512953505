"""The departments a router chooses from, read from a TOML file.

A taxonomy file has a ``name``, a ``fallback`` department id for requests
that fit no body, and a list of ``[[department]]`` tables. Each table has an
``id``, names and remit descriptions in Vietnamese, English or both,
``keywords``, and optional ``aliases``: other labels that denote the
department in a data set.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

DEPARTMENTS_DIR = Path(__file__).resolve().parent / "departments"
DEFAULT_TAXONOMY = DEPARTMENTS_DIR / "hanoi.toml"

_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,63}")
_FIELDS = {"id", "name_vi", "name_en", "description_vi", "description_en", "keywords", "aliases"}


@dataclass(frozen=True)
class Department:
    """One body that requests can be routed to."""

    id: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    keywords: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The Vietnamese name, or the English one when the taxonomy has none."""
        return self.name_vi or self.name_en

    def descriptions(self) -> list[str]:
        return [text for text in (self.description_vi, self.description_en) if text]


@dataclass(frozen=True)
class Taxonomy:
    """The departments of one city, in file order, and where unmatched requests go."""

    name: str
    fallback: str
    departments: tuple[Department, ...]

    @property
    def ids(self) -> list[str]:
        return [department.id for department in self.departments]

    def get(self, department_id: str) -> Department:
        for department in self.departments:
            if department.id == department_id:
                return department
        raise KeyError(department_id)

    def fingerprint(self) -> str:
        """Return a sha256 of the whole content, so a model trained on an edited file is detected."""
        payload = json.dumps(
            {"name": self.name, "fallback": self.fallback, "departments": [asdict(d) for d in self.departments]},
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def resolve_alias(self, label: str) -> str | None:
        """Return the id of the department that has label as its id or one of its aliases."""
        folded = label.strip().casefold()
        for department in self.departments:
            if folded == department.id or folded in (alias.casefold() for alias in department.aliases):
                return department.id
        return None


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file; the default is Hà Nội's departments."""
    path = path or DEFAULT_TAXONOMY
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"taxonomy file {path} does not exist; set ASSISTANT_ROUTING_TAXONOMY to a TOML file "
            f"such as {DEFAULT_TAXONOMY}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"taxonomy file {path} is not valid TOML: {exc}") from None
    departments = tuple(_department(path, position, table) for position, table in enumerate(data.get("department", [])))
    taxonomy = Taxonomy(str(data.get("name") or path.stem), str(data.get("fallback", "")), departments)
    _check(path, taxonomy)
    log.info("loaded taxonomy %s: %d departments", taxonomy.name, len(departments))
    return taxonomy


def _department(path: Path, position: int, table: dict) -> Department:
    where = f"{path.name}, department {position + 1}"
    unknown = set(table) - _FIELDS
    if unknown:
        raise ConfigurationError(f"{where} has unknown fields {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    department_id = str(table.get("id", ""))
    if not _ID.fullmatch(department_id):
        raise ConfigurationError(
            f"{where} has id {department_id!r}; use lower-case letters, digits and hyphens, e.g. 'so-xay-dung'"
        )
    department = Department(
        id=department_id,
        name_vi=str(table.get("name_vi", "")),
        name_en=str(table.get("name_en", "")),
        description_vi=" ".join(str(table.get("description_vi", "")).split()),
        description_en=" ".join(str(table.get("description_en", "")).split()),
        keywords=tuple(str(k) for k in table.get("keywords", [])),
        aliases=tuple(str(a) for a in table.get("aliases", [])),
    )
    if not department.name or not department.descriptions():
        raise ConfigurationError(f"{where} ({department_id}) needs a name and a description in Vietnamese or English")
    return department


def _check(path: Path, taxonomy: Taxonomy) -> None:
    ids = taxonomy.ids
    if len(ids) < 2:
        raise ConfigurationError(f"taxonomy file {path} lists {len(ids)} departments; a router needs at least 2")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigurationError(f"taxonomy file {path} repeats the department ids {duplicates}")
    if taxonomy.fallback not in ids:
        raise ConfigurationError(
            f"taxonomy file {path} has fallback {taxonomy.fallback!r}, which is not one of its departments: "
            f"{', '.join(ids)}"
        )
