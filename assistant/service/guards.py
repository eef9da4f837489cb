"""Guards on what users send: personal data is redacted before anything is logged, stored or sent
to a language model, and instruction-like input (prompt injection) is recognised and flagged.

PII patterns (documented, offline; candidates are validated with python-stdnum where a checksum
exists, so an order number is not mistaken for a card):
- e-mail addresses;
- payment card numbers: 13-19 digits, optionally grouped by spaces or dashes, passing the Luhn check;
- US social security numbers (``123-45-6789``, valid area/group/serial) and IBANs (checksum);
- phone numbers: an optional ``+``, then 8-15 digits grouped by spaces, dots, dashes or parentheses;
- API keys and tokens (``sk-…``, ``xox?-…``, ``ghp_…``, ``AKIA…``).

Injection patterns: requests to ignore or replace the instructions, to reveal the system prompt,
role-play as another system, "developer mode"/jailbreak wording, and fake chat-role markup.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
from pathlib import Path

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SECRET = re.compile(r"\b(?:sk|xox[abprs]|ghp|gho|AKIA)[-_A-Za-z0-9]{10,}\b")
_DIGIT_RUN = re.compile(r"(?<![\w-])\d+(?:[ -]\d+)*(?![\w-])")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(
    r"(?<![\w$€£+])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\d{2,4})[ .-]?\d{3,4}[ .-]?\d{3,5}"
    r"(?![\w%])(?![ .-]\d)"
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _redact_cards(text: str, found: list[str]) -> str:
    """Card numbers inside runs of digit groups ("… 555-0132 4111 1111 1111 1111 …"): any run of
    whole groups with 13-19 digits that passes the Luhn check."""

    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", run)]
        for i in range(len(groups)):
            for j in range(i, len(groups)):
                candidate = run[groups[i][0] : groups[j][1]]
                digits = _digits(candidate)
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _is_card(candidate):
                    found.append("card")
                    inner = run[: groups[i][0]] + "[card]" + run[groups[j][1] :]
                    return _DIGIT_RUN.sub(repl, inner) if inner != run else inner
        return run

    return _DIGIT_RUN.sub(repl, text)


def _is_card(candidate: str) -> bool:
    from stdnum import luhn

    digits = _digits(candidate)
    return 13 <= len(digits) <= 19 and luhn.is_valid(digits)


def _is_ssn(candidate: str) -> bool:
    from stdnum.us import ssn

    return bool(ssn.is_valid(candidate))


def _is_iban(candidate: str) -> bool:
    from stdnum import iban

    return bool(iban.is_valid(candidate))


def _is_phone(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 8 <= len(digits) <= 15:
        return False
    # A range, a year span ("2024-2025") or a date ("2026-11-22") is not a phone number.
    stripped = candidate.strip()
    return not (re.fullmatch(r"\d{1,4}\s*[-–]\s*\d{1,4}", stripped) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped))


def redact_pii(text: str) -> tuple[str, list[str]]:
    """The text with personal data replaced by ``[email]``, ``[card]``, ``[ssn]``, ``[iban]``,
    ``[phone]``, ``[secret]``; and the kinds found."""
    found: list[str] = []

    def sub(pattern: re.Pattern[str], label: str, check: object = None) -> None:
        nonlocal text

        def repl(m: re.Match[str]) -> str:
            if check is not None and not check(m.group(0)):  # type: ignore[operator]
                return m.group(0)
            found.append(label)
            return f"[{label}]"

        text = pattern.sub(repl, text)

    sub(_EMAIL, "email")
    sub(_SECRET, "secret")
    sub(_SSN, "ssn", _is_ssn)
    sub(_IBAN, "iban", _is_iban)
    text = _redact_cards(text, found)
    sub(_PHONE, "phone", _is_phone)
    return text, found


def redact(text: str) -> str:
    return redact_pii(text)[0]


_PLACEHOLDER = re.compile(r"\[(?:email|card|ssn|iban|phone|secret)\]")
# Where a question's clauses meet: sentence ends, semicolons, dashes, commas.
_CLAUSE_BREAK = re.compile(r"((?<=[.!?;:,])\s+|\s+[—–-]+\s+|\s*[()]\s*)")


def without_personal_data(text: str) -> str:
    """The question with the clauses that carry personal data left out ("My email is …, how long
    should our pilot run?" → "how long should our pilot run?"), so that an address or a phone number
    does not steer what is searched for. When every clause carries some, the placeholders are dropped."""
    redacted, found = redact_pii(text)
    if not found:
        return text
    parts = _CLAUSE_BREAK.split(redacted)
    kept = "".join(p for i, p in enumerate(parts) if i % 2 or not _PLACEHOLDER.search(p)).strip(" ,;:—–-()")
    if not _CLAUSE_BREAK.sub("", kept).strip():
        kept = _PLACEHOLDER.sub("", redacted)
    kept = " ".join(re.sub(r"\(\s*\)", " ", kept).split())
    return re.sub(r"\s+([,;:.?!])", r"\1", kept)


_VERBS = r"(reveal|print|show|repeat|output|display|tell me|give me|what (is|are))"
_INJECTION = (
    (
        "override",
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}"
        r"\b(instructions?|rules?|prompts?|guidelines|guardrails|directions)\b",
    ),
    ("override", r"\bnew (instructions?|rules?)\s*:"),
    ("override", r"\b(ignore|disregard)\b.{0,20}\b(sources?|context|passages|above|system)\b"),
    (
        "prompt-leak",
        _VERBS + r"\b.{0,40}\b(system|hidden|initial|original|developer)\s+(prompt|instructions?|message)",
    ),
    ("prompt-leak", r"\byour (system )?(prompt|instructions)\b"),
    (
        "role-play",
        r"\b(you are now|from now on,? you|pretend (to be|you are)|act as (a|an|if)|role-?play|roleplay as)\b",
    ),
    ("jailbreak", r"\b(developer mode|jailbreak|DAN mode|do anything now|no restrictions|unfiltered)\b"),
    (
        "markup",
        r"<\|?/?(system|assistant|im_start|im_end)\|?>|^\s*(system|assistant)\s*:|\[/?INST\]|###\s*(system|instruction)",
    ),
)
_INJECTION_RE = [(name, re.compile(p, re.I | re.M)) for name, p in _INJECTION]


def injection_flags(text: str) -> list[str]:
    """The kinds of instruction-like content in a message ("override", "prompt-leak", ...)."""
    flags: list[str] = []
    for name, pattern in _INJECTION_RE:
        if pattern.search(text) and name not in flags:
            flags.append(name)
    return flags


class Pseudonyms:
    """Who asked, as it is stored: a keyed hash of the login name, Slack id or session ("u-3f9c…"), so
    the interaction log, feedback and checklist runs count and tell users apart without holding a name
    or an e-mail address."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    # What a stored pseudonym looks like, for SQLite's GLOB: rows from before pseudonyms are told apart.
    GLOB = "u-" + "[0-9a-f]" * 20

    def __call__(self, user: str) -> str:
        if not user or is_pseudonym(user):
            return user
        return "u-" + hmac.new(self._key, user.encode("utf-8"), hashlib.sha256).hexdigest()[:20]

    def rewrite_stored(self, db: sqlite3.Connection) -> int:
        """Replace the names stored before users were kept as pseudonyms (the interaction log, feedback and
        checklist runs, with each run's saved state). Returns how many rows changed."""
        db.create_function("pseudonym", 1, self, deterministic=True)
        # The old text is overwritten, not only unlinked: freed pages would still hold the names.
        db.execute("PRAGMA secure_delete = ON")
        changed = 0
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        with db:
            if "interactions" in tables:
                changed += db.execute(
                    "UPDATE interactions SET user = pseudonym(user) WHERE user != '' AND user NOT GLOB ?", (self.GLOB,)
                ).rowcount
            if "feedback" in tables:
                changed += db.execute(
                    "UPDATE OR REPLACE feedback SET user = pseudonym(user) WHERE user NOT GLOB ?", (self.GLOB,)
                ).rowcount
            if "checklist_runs" in tables:
                changed += db.execute(
                    "UPDATE checklist_runs SET user = pseudonym(user), state = json_set(state, '$.user', "
                    "pseudonym(user)) WHERE user != '' AND user NOT GLOB ?",
                    (self.GLOB,),
                ).rowcount
        if changed:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the log of the old pages is emptied
        return changed


def is_pseudonym(user: str) -> bool:
    return bool(re.fullmatch(r"u-[0-9a-f]{20}", user))


def user_key(configured: str | None, data_dir: Path) -> bytes:
    """The key users are hashed with: ``COACH_USER_KEY`` when set (the same on every machine that shares
    a database), else a random one kept in ``DATA_DIR/user.key`` (owner-only), made on first use."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / "user.key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_bytes().strip()
