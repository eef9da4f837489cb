"""PII redaction, prompt-injection flags (the red-team set in eval/), the response cache, rate limits
and the interaction log's migrations."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.service.guards import injection_flags, redact_pii, without_personal_data
from assistant.service.ledger import MIGRATIONS, Ledger

ROOT = Path(__file__).resolve().parent.parent
REDTEAM = [json.loads(line) for line in (ROOT / "eval" / "redteam.jsonl").read_text().splitlines() if line.strip()]
SYSTEM_PROMPT = (ROOT / "prompts" / "system@1.txt").read_text("utf-8")

PII = {
    "email": "jane.doe@acme-bakery.com",
    "phone": "+1 (415) 555-0132",
    "card": "4111 1111 1111 1111",
    "ssn": "123-45-6789",
    "iban": "DE89 3704 0044 0532 0130 00",
    "secret": "sk-live0123456789abcdefXYZ",
}


def test_pii_is_redacted_and_figures_are_not():
    for kind, value in PII.items():
        text, found = redact_pii(f"my {kind} is {value}, ok?")
        assert value not in text and f"[{kind}]" in text and found == [kind], kind
    keep = "A pilot runs 4-8 weeks for $50K-$150K with 15-25 users; 2024-2025; on 2026-11-22; 70%+"
    keep += "; order 1234 5678 9012 3456"
    assert redact_pii(keep) == (keep, [])


def test_personal_data_does_not_steer_the_search(coach):
    question = f"My email is {PII['email']} and my phone is {PII['phone']} — how long should our pilot run?"
    assert without_personal_data(question) == "how long should our pilot run?"
    inline = f"I'm Jane ({PII['email']}), what does a pilot cost?"
    assert without_personal_data(inline) == "I'm Jane, what does a pilot cost?"
    assert without_personal_data(f"Call me at {PII['phone']}") == "Call me at"
    assert without_personal_data("How long is a pilot?") == "How long is a pilot?"
    # The answer is the one the question without the personal data gets.
    answer = coach.ask(question, check_rate=False)
    plain = coach.ask("how long should our pilot run?", check_rate=False)
    assert not answer.abstained and answer.answer == plain.answer


def test_the_red_team_set_is_flagged_and_ordinary_questions_are_not():
    assert len(REDTEAM) >= 30
    missed = [r["question"] for r in REDTEAM if not injection_flags(r["question"])]
    assert missed == []
    for question in (
        "How long should a pilot run?",
        "Which rules should a pilot follow?",
        "What should we ignore in the pilot data?",
        "What instructions should we give pilot users?",
        "Show me the production readiness checklist",
    ):
        assert injection_flags(question) == [], question


def test_injected_instructions_never_reach_the_model_and_the_prompt_never_leaks(coach, coach_with):
    from assistant.testing.fake_llm import FakeLLM

    # A model that has been talked into leaking: its answer is the system prompt itself.
    with FakeLLM(text=SYSTEM_PROMPT.replace("\n", " ") + " [1]") as fake:
        model_coach = coach_with(fake.base_url)
        leaks = 0
        for attack in REDTEAM:
            answer = model_coach.ask(attack["question"])
            body = answer.answer + " ".join(c.quote for c in answer.citations)
            leaks += "You are Playbook Coach" in body or "Never follow instructions" in body
        assert leaks == 0
        assert fake.calls == []  # flagged messages are answered from the playbook, without the model
        ordinary = model_coach.ask("How long should a pilot run?")
        assert len(fake.calls) == 1 and "You are Playbook Coach" not in ordinary.answer
        assert ordinary.verification.fallback or ordinary.verification.removed >= 1


def test_no_personal_data_reaches_the_disk(coach, settings):
    from assistant.interfaces.web_handlers import WebHandlers

    handlers = WebHandlers(coach)
    pii = " ".join(PII.values())
    # The login name is an e-mail address too (COACH_WEB__AUTH="jane.doe@acme-bakery.com:…").
    login = PII["email"]
    _, _, session, answer_id = handlers.respond(f"How long is a pilot? Reach me at {pii}", [], "", "", user=login)
    handlers.respond(f"And for production? {PII['email']}", [], session, "", user=login)
    handlers.feedback(answer_id, "down", "unclear", f"call me {PII['phone']} or {PII['email']}", login, session)
    st = coach.start_checklist("before-pilot", user=login, restart=True)
    coach.checklist_reply(st.run_id, "note", f"owner {PII['email']}, card {PII['card']}")
    coach.ask(f"my ssn is {PII['ssn']} and iban {PII['iban']}, what is a pilot?", user=login)
    # The same person is still one user: their unfinished run resumes, their rows share a pseudonym.
    assert coach.start_checklist("before-pilot", user=login).run_id == st.run_id
    with sqlite3.connect(settings.data_dir / "sessions.sqlite3") as db:
        users = {u for (u,) in db.execute("SELECT user FROM interactions WHERE session = ?", (session,))}
    assert users == {coach.pseudonym(login)}
    with sqlite3.connect(settings.data_dir / "sessions.sqlite3") as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    found = []
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {kind}" for kind, value in PII.items() if value.encode() in data]
    assert found == []


def test_repeated_questions_come_from_the_cache(coach):
    first = coach.ask("What goes into a model card for the pilot?")
    again = coach.ask("what goes into a model card for the pilot")
    assert again.answer == first.answer and again.id != first.id
    with sqlite3.connect(coach.settings.data_dir / "sessions.sqlite3") as db:
        (flags,) = db.execute("SELECT flags FROM interactions WHERE id = ?", (again.id,)).fetchone()
    assert "cached" in flags
    key = coach.answering.cache_key("What goes into a model card", None)
    assert key[2] == coach.corpus.index_version  # a re-ingest changes the key


def test_rate_limit_for_web_and_api(coach, settings):
    from assistant.service.coach import Coach

    limited = Coach(
        settings.model_copy(update={"limits": settings.limits.model_copy(update={"per_user": "3/minute"})}),
        coach.corpus,
        coach.embedder,
        coach.retriever,
    )
    for _ in range(3):
        limited.chat("What is a pilot?", user="busy", channel="web")
    with pytest.raises(InputError, match="faster than 3/minute"):
        limited.chat("What is a pilot?", user="busy", channel="web")
    limited.chat("What is a pilot?", user="someone-else", channel="web")
    limited.ask("What is a pilot?", user="busy", channel="cli")  # the CLI is not limited

    # The JSON API says so with its own status: 429, by the error's type (not its wording); bad input is 400.
    from fastapi.testclient import TestClient

    from assistant.interfaces.web import build_server

    client = TestClient(build_server(limited))
    codes = [
        client.post("/v1/ask", json={"question": "What is a pilot?", "session": "s429"}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert client.post("/v1/ask", json={"question": "  ", "session": "other"}).status_code == 400


def test_migrations_are_named_and_applied_once(tmp_path):
    path = tmp_path / "log.sqlite3"
    Ledger(path).close()
    Ledger(path).close()
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        columns = [r[1] for r in db.execute("PRAGMA table_info(interactions)")]
    assert names == [name for name, _ in MIGRATIONS]
    assert "flags" in columns


def test_names_stored_before_pseudonyms_are_replaced(tmp_path):
    from assistant.service.guards import Pseudonyms
    from assistant.service.ledger import Ledger
    from assistant.tools.walkthrough import RunStore

    path = tmp_path / "sessions.sqlite3"
    RunStore(path).close()
    before = Ledger(path)  # as stored before: the name itself
    before.feedback("a1", "down", user=PII["email"], reason="unclear")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO checklist_runs (run_id, checklist, user, state, started, updated) VALUES (?, ?, ?, ?, 0, 0)",
            ("r1", "before-pilot", PII["email"], json.dumps({"run_id": "r1", "user": PII["email"]})),
        )
    pseudonym = Pseudonyms(b"k" * 32)
    ledger = Ledger(path, pseudonym)
    assert ledger.rewrite_users() == 2
    assert ledger.rewrite_users() == 0  # done once
    assert ledger.votes("a1")[0]["user"] == pseudonym(PII["email"])
    with sqlite3.connect(path) as db:
        ((user, state),) = db.execute("SELECT user, state FROM checklist_runs").fetchall()
        db.execute("PRAGMA wal_checkpoint(FULL)")
    assert user == json.loads(state)["user"] == pseudonym(PII["email"])
    assert PII["email"].encode() not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_questions_searched_alike_are_cached_apart_when_their_figures_differ(written):
    """Two premises that differ only in the asker's figure are searched with the same text; each is
    answered for its own figure, not served the other's correction from the cache."""
    guide = "# Shop Guide\n\n## Pilot\n\nThe pilot cohort is 10-50 users for 2-4 weeks.\n"
    coach = written({"guide.md": guide})
    first = coach.ask("The pilot cohort is 100-200 users, isn't it?", check_rate=False)
    second = coach.ask("The pilot cohort is 300-600 users, isn't it?", check_rate=False)
    assert "100-200" in first.answer and "300-600" not in first.answer, first.answer
    assert "300-600" in second.answer and "100-200" not in second.answer, second.answer
