"""The interaction log and feedback, in SQLite under ``COACH_DATA_DIR``: every answer (redacted
question, route, generator, verifier counts, latency, tokens, cost, retrieved passages) and every
thumbs up / down with its reason. The dashboard and ``coach stats`` read their figures from here.

Schema changes are named migrations, applied once each, in order, and recorded in
``schema_migrations``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import InputError, StoreError
from assistant.service.store import open_db, redact

log = logging.getLogger("assistant.service.ledger")

REASONS = ("wrong", "not in the playbook", "missing information", "wrong source", "unclear")

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "001_interactions",
        """
        CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            ts REAL NOT NULL,
            user TEXT NOT NULL DEFAULT '',
            session TEXT,
            channel TEXT NOT NULL DEFAULT '',
            question TEXT NOT NULL DEFAULT '',
            standalone TEXT,
            route TEXT NOT NULL DEFAULT 'question',
            abstained INTEGER NOT NULL DEFAULT 0,
            generator TEXT,
            prompt_version TEXT,
            sentences INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            recited INTEGER NOT NULL DEFAULT 0,
            fallback INTEGER NOT NULL DEFAULT 0,
            latency_ms INTEGER NOT NULL DEFAULT 0,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL,
            chunks TEXT NOT NULL DEFAULT '[]',
            error TEXT
        );
        CREATE INDEX interactions_by_time ON interactions (ts);
        """,
    ),
    (
        "002_feedback",
        """
        CREATE TABLE feedback (
            answer_id TEXT NOT NULL,
            user TEXT NOT NULL,
            session TEXT,
            vote INTEGER NOT NULL,
            reason TEXT,
            comment TEXT,
            ts REAL NOT NULL,
            PRIMARY KEY (answer_id, user)
        );
        CREATE INDEX feedback_by_time ON feedback (ts);
        """,
    ),
    ("003_injection_flag", "ALTER TABLE interactions ADD COLUMN flags TEXT NOT NULL DEFAULT '';"),
)

# The playbook's alert thresholds for a production AI system.
ALERTS = {"error_rate": 0.02, "latency_ms_p95": 5000, "thumbs_down_share": 0.30}


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet applied; returns their names."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
    done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        db.executescript(f"BEGIN; {sql} INSERT INTO schema_migrations VALUES ('{name}', {time.time()}); COMMIT;")
        applied.append(name)
    return applied


class Stats(BaseModel):
    since: str | None = None
    until: str | None = None
    queries: int = 0
    users: int = 0
    sessions: int = 0
    returning_users: int = 0
    rated: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    online_acceptance: float | None = None
    abstention_rate: float | None = None
    error_rate: float | None = None
    verifier_removals: int = 0
    verifier_removal_rate: float | None = None
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    cost_usd: float = 0.0
    tokens: int = 0
    down_reasons: list[tuple[str, int]] = Field(default_factory=list)
    routes: dict[str, int] = Field(default_factory=dict)
    per_day: list[dict[str, Any]] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)


def _pct(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, math.ceil(q * len(ordered)) - 1)
    return float(ordered[k])


def _day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


class Ledger:
    def __init__(self, path: Path, pseudonym: Callable[[str], str] | None = None) -> None:
        """``pseudonym`` turns who asked into what is stored (``guards.Pseudonyms``); a ledger that is
        only read from (``coach stats``) needs none."""
        self.path = path
        self.pseudonym = pseudonym or (lambda user: user)
        self._lock = threading.Lock()
        self._db = open_db(path, "interaction log", migrate)

    def rewrite_users(self) -> int:
        """Rows stored before users were pseudonymised get their pseudonym (a no-op once done)."""
        rewrite = getattr(self.pseudonym, "rewrite_stored", None)
        if rewrite is None:
            return 0
        with self._lock:
            try:
                changed = int(rewrite(self._db))
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot update the users in {self.path}: {exc}.") from exc
        if changed:
            log.info("stored users replaced by their pseudonyms: %d rows", changed)
        return changed

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        with self._lock:
            try:
                with self._db:
                    self._db.execute(sql, args)
            except sqlite3.Error as exc:
                raise StoreError(f"Cannot write to the interaction log {self.path}: {exc}.") from exc

    def log(
        self,
        answer: Any,
        *,
        question: str,
        user: str = "",
        channel: str = "",
        chunks: list[tuple[str, float]] | None = None,
        flags: str = "",
    ) -> None:
        """One answered message. The question is stored redacted; the answer text is not stored."""
        usage = answer.usage
        v = answer.verification
        self._write(
            "INSERT OR REPLACE INTO interactions (id, ts, user, session, channel, question, standalone, route, "
            "abstained, generator, prompt_version, sentences, removed, recited, fallback, latency_ms, "
            "prompt_tokens, completion_tokens, cost_usd, chunks, error, flags) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                answer.id,
                time.time(),
                self.pseudonym(user),
                answer.session,
                channel,
                redact(question),
                redact(answer.standalone_question) if answer.standalone_question else None,
                answer.route,
                int(answer.abstained),
                answer.generator,
                answer.prompt_version,
                v.sentences,
                v.removed,
                v.recited,
                int(v.fallback),
                answer.latency_ms,
                usage.prompt_tokens if usage else 0,
                usage.completion_tokens if usage else 0,
                usage.cost_usd if usage else None,
                json.dumps([[c, round(s, 4)] for c, s in (chunks or [])]),
                answer.error,
                flags,
            ),
        )

    def log_error(
        self, error_id: str, *, question: str, user: str = "", session: str | None = None, channel: str = ""
    ) -> None:
        """A message that failed unexpectedly: counted in the error rate."""
        self._write(
            "INSERT OR REPLACE INTO interactions (id, ts, user, session, channel, question, route, error) "
            "VALUES (?, ?, ?, ?, ?, ?, 'error', ?)",
            (
                f"error-{error_id}",
                time.time(),
                self.pseudonym(user),
                session,
                channel,
                redact(question)[:2000],
                f"error {error_id}",
            ),
        )

    def feedback(
        self,
        answer_id: str,
        vote: str,
        *,
        user: str,
        session: str | None = None,
        reason: str | None = None,
        comment: str | None = None,
    ) -> None:
        """Record or change a vote ("up" or "down"); a down vote may carry a reason code and a comment."""
        if vote not in ("up", "down"):
            raise InputError("A vote is 'up' or 'down'.")
        if not answer_id:
            raise InputError("Feedback needs the id of the answer it is about.")
        if reason and reason not in REASONS:
            raise InputError(f"Unknown reason '{reason}'. Choose one of: {', '.join(REASONS)}.")
        self._write(
            "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                answer_id,
                self.pseudonym(user),
                session,
                1 if vote == "up" else -1,
                reason if vote == "down" else None,
                redact(comment)[:2000] if comment else None,
                time.time(),
            ),
        )

    def retract(self, answer_id: str, *, user: str) -> None:
        """Take a user's vote on an answer back (they unselected it)."""
        self._write("DELETE FROM feedback WHERE answer_id = ? AND user = ?", (answer_id, self.pseudonym(user)))

    def votes(self, answer_id: str) -> list[dict[str, Any]]:
        """The votes on an answer; ``user`` is the stored pseudonym."""
        with self._lock:
            rows = self._db.execute(
                "SELECT user, vote, reason, comment FROM feedback WHERE answer_id = ?", (answer_id,)
            ).fetchall()
        return [{"user": u, "vote": "up" if v > 0 else "down", "reason": r, "comment": c} for u, v, r, c in rows]

    def stats(self, since: float | None = None, until: float | None = None) -> Stats:
        lo, hi = since if since is not None else 0.0, until if until is not None else 1e12
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, user, session, route, abstained, sentences, removed, latency_ms, cost_usd, "
                "prompt_tokens + completion_tokens, error FROM interactions WHERE ts >= ? AND ts < ?",
                (lo, hi),
            ).fetchall()
            votes = self._db.execute(
                "SELECT ts, vote, reason FROM feedback WHERE ts >= ? AND ts < ?", (lo, hi)
            ).fetchall()
        s = Stats(
            since=_day(since) if since is not None else None,
            until=_day(until - 1) if until is not None else None,
        )
        s.queries = len(rows)
        days_of: dict[str, set[str]] = {}
        per_day: dict[str, dict[str, Any]] = {}
        latencies: list[int] = []
        answered = abstained = errors = sentences = 0
        routes: Counter[str] = Counter()
        for ts, user, _session, route, abst, sent, removed, latency, cost, toks, error in rows:
            day = _day(ts)
            if user:
                days_of.setdefault(user, set()).add(day)
            d = per_day.setdefault(day, {"day": day, "questions": 0, "latencies": [], "up": 0, "down": 0})
            d["questions"] += 1
            routes[route] += 1
            if error:
                errors += 1
                continue
            latencies.append(latency)
            d["latencies"].append(latency)
            if route == "question":
                answered += 1
                abstained += abst
            sentences += sent
            s.verifier_removals += removed
            s.cost_usd += cost or 0.0
            s.tokens += toks or 0
        s.users = len(days_of)
        s.sessions = len({r[2] for r in rows if r[2]})
        s.returning_users = sum(1 for days in days_of.values() if len(days) > 1)
        s.routes = dict(routes)
        reasons: Counter[str] = Counter()
        for ts, vote, reason in votes:
            d = per_day.setdefault(_day(ts), {"day": _day(ts), "questions": 0, "latencies": [], "up": 0, "down": 0})
            if vote > 0:
                s.thumbs_up += 1
                d["up"] += 1
            else:
                s.thumbs_down += 1
                d["down"] += 1
                reasons[reason or "no reason given"] += 1
        s.rated = s.thumbs_up + s.thumbs_down
        s.online_acceptance = s.thumbs_up / s.rated if s.rated else None
        s.abstention_rate = abstained / answered if answered else None
        s.error_rate = errors / s.queries if s.queries else None
        s.verifier_removal_rate = s.verifier_removals / sentences if sentences else None
        s.latency_ms_p50 = _pct(latencies, 0.5)
        s.latency_ms_p95 = _pct(latencies, 0.95)
        s.down_reasons = reasons.most_common()
        s.per_day = [
            {
                "day": d["day"],
                "questions": d["questions"],
                "latency_ms_p95": _pct(d["latencies"], 0.95) or 0.0,
                "thumbs_up": d["up"],
                "thumbs_down": d["down"],
            }
            for d in sorted(per_day.values(), key=lambda x: x["day"])
        ]
        if s.error_rate is not None and s.error_rate > ALERTS["error_rate"]:
            s.alerts.append(f"Error rate {s.error_rate:.1%} is above the {ALERTS['error_rate']:.0%} alert threshold.")
        if s.latency_ms_p95 is not None and s.latency_ms_p95 > ALERTS["latency_ms_p95"]:
            s.alerts.append(
                f"p95 latency {s.latency_ms_p95 / 1000:.1f} s is above {ALERTS['latency_ms_p95'] / 1000:.0f} s."
            )
        if s.rated and s.thumbs_down / s.rated > ALERTS["thumbs_down_share"]:
            s.alerts.append(
                f"Thumbs-down share {s.thumbs_down / s.rated:.0%} is above {ALERTS['thumbs_down_share']:.0%}."
            )
        return s

    def close(self) -> None:
        with self._lock:
            self._db.close()


def parse_day(text: str | None, *, end: bool = False) -> float | None:
    """A YYYY-MM-DD date as a UTC timestamp (the end of that day with ``end``); empty is None."""
    if not text or not str(text).strip():
        return None
    try:
        day = dt.datetime.strptime(str(text).strip()[:10], "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise InputError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.") from exc
    if end:
        day += dt.timedelta(days=1)
    return day.timestamp()
