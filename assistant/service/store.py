"""Conversation history in SQLite under ``COACH_DATA_DIR``: sessions survive a restart and are shared
by every process on the machine. Questions are stored with e-mail addresses, phone numbers and
key-like strings redacted."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from assistant.errors import StoreError
from assistant.service.guards import redact

__all__ = ["SessionStore", "open_db", "redact"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    session TEXT NOT NULL,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    standalone TEXT NOT NULL,
    answer_id TEXT,
    abstained INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    PRIMARY KEY (session, n)
);
"""


def open_db(path: Path, what: str, setup: Callable[[sqlite3.Connection], object]) -> sqlite3.Connection:
    """A connection shared by the threads of one process (callers hold their own lock), in WAL mode
    so the web app, Slack and the CLI can write to the same file; ``setup`` creates the tables."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        setup(db)
        return db
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"Cannot open the {what} {path}: {exc}. Check COACH_DATA_DIR.") from exc


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_db(path, "session store", lambda db: db.executescript(_SCHEMA))

    def history(self, session: str, limit: int = 20) -> list[str]:
        """The session's standalone questions, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT standalone FROM turns WHERE session = ? ORDER BY n DESC LIMIT ?", (session, limit)
            ).fetchall()
        return [r[0] for r in reversed(rows)]

    def add(self, session: str, question: str, standalone: str, answer_id: str | None, abstained: bool) -> None:
        with self._lock:
            try:
                with self._db:
                    (n,) = self._db.execute(
                        "SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE session = ?", (session,)
                    ).fetchone()
                    self._db.execute(
                        "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (session, n, redact(question), redact(standalone), answer_id, int(abstained), time.time()),
                    )
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot write to the session store {self.path}: {exc}.") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()
