"""The assistant's own database: conversations, feedback, drafts, keys.

One SQLite file in the data folder, reached through SQLAlchemy. Each part of
the assistant owns its tables and an ordered list of migrations. The
``schema_migrations`` table records which steps ran, so a newer release
upgrades an older data folder in place and keeps what is stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

DATABASE_FILE = "assistant.sqlite3"


@dataclass(frozen=True)
class Migration:
    """One schema step of one component: version 1, 2, ... in order."""

    version: int
    description: str
    apply: Callable[[Connection], None]


class Database:
    """A SQLite database in `data_dir`, shared by the components of one assistant.

    The audit log keeps its own file (`file_name`), so it can be copied and
    protected apart from the rest."""

    def __init__(self, data_dir: Path, file_name: str = DATABASE_FILE) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / file_name
        self.engine: Engine = create_engine(f"sqlite:///{self.path}", future=True)
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._lock = threading.Lock()
        with self.engine.begin() as conn:
            conn.execute(text(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " component TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
                " PRIMARY KEY (component, version))"
            ))

    def migrate(self, component: str, migrations: Sequence[Migration]) -> int:
        """Apply the steps of `component` not yet applied; return how many ran."""
        versions = [m.version for m in migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"migrations of {component!r} must be numbered 1, 2, ... in order; got {versions}")
        with self._lock, self.engine.begin() as conn:
            done = {row[0] for row in conn.execute(
                text("SELECT version FROM schema_migrations WHERE component = :c"), {"c": component})}
            applied = 0
            for step in migrations:
                if step.version in done:
                    continue
                step.apply(conn)
                conn.execute(
                    text("INSERT INTO schema_migrations (component, version, description) VALUES (:c, :v, :d)"),
                    {"c": component, "v": step.version, "d": step.description},
                )
                log.info("database %s: applied %s migration %d (%s)", self.path.name, component, step.version,
                         step.description)
                applied += 1
            return applied

    def schema_version(self, component: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT MAX(version) FROM schema_migrations WHERE component = :c"),
                               {"c": component}).first()
        return int(row[0] or 0)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
