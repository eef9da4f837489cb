"""Checklist walkthroughs: a resumable state machine, one item at a time, kept in SQLite under
``COACH_DATA_DIR`` so a person can stop and come back and a team can see its past runs.

Commands at each step: yes / no / partial / unsure / skip (and their short forms), ``back``,
``note <text>`` (kept with the current item), ``stop`` (pause; resume later), ``restart``.
A run remembers its items' texts: if the document changes between sessions, answers follow their
items by text and items that are new are asked.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.errors import StoreError
from assistant.service.store import open_db, redact
from assistant.tools.coaching import ANSWERS, normalise_answer
from assistant.tools.models import Checklist, Item

HELP = f"Answer {' / '.join(ANSWERS)}; or say back, note <text>, stop, restart."


class Run(BaseModel):
    run_id: str
    checklist: str
    user: str
    team: str = ""
    session: str | None = None
    items: list[str]  # item texts when the run started: answers follow them if the document changes
    answers: list[str | None]
    notes: dict[int, str] = Field(default_factory=dict)
    position: int = 0
    started: float
    updated: float
    finished: bool = False
    score: float | None = None
    band: str | None = None

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)


class Step(BaseModel):
    """Where a walkthrough is, for any interface to show."""

    run_id: str
    checklist: str
    title: str
    position: int  # 0-based index of the current item; == total when every item has an answer
    total: int
    progress: str  # "7 of 15"
    item: Item | None = None
    answer: str | None = None  # the answer already given to the current item, when going back
    message: str = ""
    done: bool = False
    paused: bool = False


_SCHEMA = """
CREATE TABLE IF NOT EXISTS checklist_runs (
    run_id TEXT PRIMARY KEY,
    checklist TEXT NOT NULL,
    user TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    session TEXT,
    state TEXT NOT NULL,
    started REAL NOT NULL,
    updated REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    score REAL,
    band TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_user ON checklist_runs (user, checklist, finished);
CREATE INDEX IF NOT EXISTS runs_by_session ON checklist_runs (session, finished);
"""


class RunStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_db(path, "checklist store", lambda db: db.executescript(_SCHEMA))

    def save(self, run: Run) -> None:
        run.updated = time.time()
        with self._lock:
            try:
                with self._db:
                    self._db.execute(
                        "INSERT OR REPLACE INTO checklist_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            run.run_id,
                            run.checklist,
                            run.user,
                            run.team,
                            run.session,
                            run.model_dump_json(),
                            run.started,
                            run.updated,
                            int(run.finished),
                            run.score,
                            run.band,
                        ),
                    )
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot write to the checklist store {self.path}: {exc}.") from exc

    def _query(self, sql: str, args: tuple[object, ...]) -> list[Run]:
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [Run.model_validate(json.loads(r[0])) for r in rows]

    def get(self, run_id: str) -> Run | None:
        runs = self._query("SELECT state FROM checklist_runs WHERE run_id = ?", (run_id,))
        return runs[0] if runs else None

    def unfinished(self, user: str, checklist: str) -> Run | None:
        runs = self._query(
            "SELECT state FROM checklist_runs WHERE user = ? AND checklist = ? AND finished = 0 "
            "ORDER BY updated DESC LIMIT 1",
            (user, checklist),
        )
        return runs[0] if runs else None

    def for_session(self, session: str) -> Run | None:
        runs = self._query(
            "SELECT state FROM checklist_runs WHERE session = ? AND finished = 0 ORDER BY updated DESC LIMIT 1",
            (session,),
        )
        return runs[0] if runs else None

    def history(self, checklist: str, *, team: str | None = None, user: str | None = None) -> list[Run]:
        sql = "SELECT state FROM checklist_runs WHERE checklist = ?"
        args: list[object] = [checklist]
        if team:
            sql += " AND team = ?"
            args.append(team)
        if user:
            sql += " AND user = ?"
            args.append(user)
        return self._query(sql + " ORDER BY started", tuple(args))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def new_run(checklist: Checklist, user: str, team: str = "", session: str | None = None) -> Run:
    now = time.time()
    return Run(
        run_id=uuid.uuid4().hex[:12],
        checklist=checklist.id,
        user=user,
        team=team,
        session=session,
        items=[i.text for i in checklist.items],
        answers=[None] * len(checklist.items),
        started=now,
        updated=now,
    )


def reconcile(run: Run, checklist: Checklist) -> str:
    """Fit a stored run to the checklist as it is now. Returns a message when the list changed."""
    current = [i.text for i in checklist.items]
    if current == run.items:
        return ""
    by_text = {t: (run.answers[k], run.notes.get(k)) for k, t in enumerate(run.items) if k < len(run.answers)}
    answers: list[str | None] = []
    notes: dict[int, str] = {}
    for k, t in enumerate(current):
        answer, note = by_text.get(t, (None, None))
        answers.append(answer)
        if note:
            notes[k] = note
    kept = sum(a is not None for a in answers)
    run.items, run.answers, run.notes = current, answers, notes
    run.position = next((k for k, a in enumerate(answers) if a is None), len(answers))
    return (
        f"The checklist changed in the playbook since this run started; {kept} of your answers still match "
        "its items and the rest will be asked."
    )


def step(run: Run, checklist: Checklist, message: str = "", *, paused: bool = False) -> Step:
    total = len(checklist.items)
    done = run.position >= total
    item = None if done else checklist.items[run.position]
    progress = f"{min(run.position + 1, total)} of {total}" if not done else f"{total} of {total}"
    return Step(
        run_id=run.run_id,
        checklist=checklist.id,
        title=checklist.title,
        position=run.position,
        total=total,
        progress=progress,
        item=item,
        answer=None if done else run.answers[run.position],
        message=message,
        done=done,
        paused=paused,
    )


_NOTE = re.compile(r"^\s*note\s*[:\-]?\s*(.*)$", re.I | re.S)


def parse_command(text: str) -> tuple[str, str] | None:
    """(command, argument) for a walkthrough reply, or None when it is not one."""
    stripped = text.strip()
    if m := _NOTE.match(stripped):
        return "note", m.group(1).strip()
    low = " ".join(stripped.lower().strip(".!").split())
    if low in ("back", "previous", "prev", "go back", "undo"):
        return "back", ""
    if low in ("stop", "pause", "later", "quit", "exit", "done for now"):
        return "stop", ""
    if low in ("restart", "start over", "reset"):
        return "restart", ""
    if low in ("help", "?help", "commands"):
        return "help", ""
    answer = normalise_answer(low)
    if answer is not None:
        return "answer", answer
    return None


def apply(run: Run, checklist: Checklist, command: str, argument: str = "") -> Step:
    """Advance the state machine by one command; the caller saves the run."""
    total = len(checklist.items)
    if command == "answer":
        if run.position >= total:
            return step(run, checklist, "Every item has an answer. Say back to change one, or restart.")
        run.answers[run.position] = argument
        given = f"Item {run.position + 1} ({checklist.items[run.position].text}): {argument}."
        run.position += 1
        # Skip forward over items already answered (after going back and changing one).
        while run.position < total and run.answers[run.position] is not None:
            run.position += 1
        return step(run, checklist, given)
    if command == "back":
        if run.position == 0:
            return step(run, checklist, "This is the first item.")
        run.position -= 1
        return step(run, checklist, f"Back to item {run.position + 1}.")
    if command == "note":
        if not argument:
            return step(run, checklist, "Write the note after the word, e.g. 'note: budget approved for Q3 only'.")
        k = min(run.position, total - 1)
        run.notes[k] = redact(argument)[:1000]
        return step(run, checklist, f"Note kept with item {k + 1}.")
    if command == "stop":
        return step(run, checklist, "Paused. Start the same checklist again to continue.", paused=True)
    if command == "restart":
        run.answers = [None] * total
        run.notes = {}
        run.position = 0
        run.finished = False
        return step(run, checklist, "Started again from the first item.")
    if command == "help":
        return step(run, checklist, HELP)
    raise ValueError(f"unknown walkthrough command {command!r}")
