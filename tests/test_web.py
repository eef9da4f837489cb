"""The web app's handlers, in-process (the browser test is in test_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.web import WebHandlers, build_app, parse_auth, user_id


def test_respond_shows_answer_and_highlighted_sources(coach):
    handlers = WebHandlers(coach)
    cleared, history, sources, session, answer_id = handlers.respond("How long should a pilot run?", [], "", "pilot")
    assert cleared == "" and session and answer_id
    assert history[-2] == {"role": "user", "content": "How long should a pilot run?"}
    assert "[[1]](#coach-src-1)" in history[-1]["content"] and "Confidence:" in history[-1]["content"]
    assert 'id="coach-src-1"' in sources and "<mark>" in sources
    answer = coach.ask("How long should a pilot run?", stage="pilot")
    first = " ".join(answer.citations[0].quote.split())
    marked = sources.split("<mark>")[1].split("</mark>")[0]
    assert " ".join(marked.split()).replace("&#x27;", "'").replace("&quot;", '"') == first


def test_respond_keeps_the_conversation_and_rewrites_follow_ups(coach):
    handlers = WebHandlers(coach)
    _, history, _, session, _ = handlers.respond("What does a prototype cost?", [], "", "")
    _, history, _, _, _ = handlers.respond("And for production?", history, session, "")
    assert len(history) == 4
    assert "Answering:" in history[-1]["content"]


def test_bad_input_is_a_message_not_an_error(coach):
    handlers = WebHandlers(coach)
    _, history, sources, _, answer_id = handlers.respond("   ", [], "", "")
    assert "empty" in history[-1]["content"] and sources == "" and answer_id == ""
    _, history, _, _, _ = handlers.respond("x" * 5000, [], "", "")
    assert "limit is 2,000" in history[-1]["content"]
    assert "error" in handlers.ask("")


def test_unexpected_failure_never_shows_a_traceback(coach, monkeypatch):
    handlers = WebHandlers(coach)

    def boom(*a, **k):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(coach, "ask", boom)
    _, history, _, _, _ = handlers.respond("How long is a pilot?", [], "", "")
    assert "something went wrong" in history[-1]["content"]
    assert "exploded" not in history[-1]["content"] and "Traceback" not in history[-1]["content"]


def test_api_returns_the_answer_contract(coach):
    data = WebHandlers(coach).ask("How many pilot users do we need?", "s1", "")
    assert data["session"] == "s1" and data["citations"]


def test_feedback_is_stored_and_can_be_changed(coach):
    handlers = WebHandlers(coach)
    _, _, _, session, answer_id = handlers.respond("Who should be on a pilot team?", [], "", "", user="web-tester")
    assert "👍" in handlers.feedback(answer_id, "up", None, None, "web-tester", session)
    status = handlers.feedback(
        answer_id, "down", "wrong source", "cites the wrong doc, mail me at a@b.co", "web-tester", session
    )
    assert "wrong source" in status
    (vote,) = coach.ledger.votes(answer_id)
    assert vote["vote"] == "down" and vote["reason"] == "wrong source" and "a@b.co" not in vote["comment"]
    assert "Unknown reason" in handlers.feedback(answer_id, "down", "boring", None, "web-tester", session)
    assert handlers.api_feedback(answer_id, "up", user="api-user")["ok"]
    assert "error" in handlers.api_feedback("", "up")


def test_checklist_tab_runs_scores_and_exports(coach):
    handlers = WebHandlers(coach)
    choices = handlers.checklist_choices()
    assert choices[0][1].endswith("readiness")  # scored assessments first
    item, progress, result, run_id = handlers.checklist_start("before-production", "tab-user", restart=True)
    assert progress == "Item 1 of 10" and "Prototype validated" in item and run_id
    item, progress, _, _ = handlers.checklist_command(run_id, "answer", "yes")
    assert progress == "Item 2 of 10"
    handlers.checklist_command(run_id, "note", "infra is on the old cluster")
    for _ in range(9):
        item, progress, result, _ = handlers.checklist_command(run_id, "answer", "no")
    assert progress == "10 of 10" and "Gaps (9)" in result and "2/20" in result
    exported = Path(handlers.checklist_export(run_id))
    text = exported.read_text("utf-8")
    assert "| 2 |" in text and "infra is on the old cluster" in text and "## Sources" in text
    assert handlers.checklist_history("before-production", "tab-user")[-1][2] == "2/20"


def test_tools_tab(coach):
    handlers = WebHandlers(coach)
    assert "Decision: GO" in handlers.gonogo(75, 70, 4.1, "no", "positive")
    assert "Decision: ITERATE" in handlers.gonogo(75, 70, None, "unknown", "positive")
    assert "between 0 and 1" in handlers.gonogo(750, 70, 4, "no", "positive")
    example = handlers.roi_example()
    assert example == [45, 5, 8, 15, 240, 35]
    assert "19,200 hours" in handlers.roi(*example)
    assert "Fill in: users" in handlers.roi(45, 5, 8, None, 240, 35)


def test_dashboard_reads_the_log(coach):
    handlers = WebHandlers(coach)
    _, _, _, session, answer_id = handlers.respond("What is a model card?", [], "", "", user="dash-user")
    handlers.feedback(answer_id, "down", "unclear", None, "dash-user", session)
    summary, per_day, latency, reasons = handlers.dashboard("", "")
    assert "Questions" in summary and "unclear" in summary
    assert per_day["questions"].sum() >= 1 and list(latency.columns) == ["day", "latency_ms_p95"]
    assert "unclear" in set(reasons["reason"])
    assert "not a date" in handlers.dashboard("yesterday", "")[0]


def test_users_and_auth():
    assert parse_auth("alice:pw1, bob:pw2") == [("alice", "pw1"), ("bob", "pw2")]
    assert parse_auth(None) is None
    with pytest.raises(Exception, match="must look like"):
        parse_auth("alice")

    class Req:
        username = "alice"

    assert user_id(Req(), "b1") == "alice" and user_id(None, "b1") == "anon:b1"


def test_app_builds(coach):
    assert build_app(coach) is not None


def test_the_chat_streams_the_model_draft_then_shows_the_verified_answer(coach, coach_with):
    from assistant.fake_llm import FakeLLM

    _, hits = coach.retrieve("How long should a pilot run?")
    unit = coach.corpus.units_by_chunk[hits[0].chunk.id][1]
    text = f"{coach.corpus.unit_text(unit)} [1] Pilots always take 19 years [1]."
    with FakeLLM(text=text) as fake:
        updates = list(
            WebHandlers(coach_with(fake.base_url)).respond_stream("How long should a pilot run?", [], "", "")
        )
    assert len(updates) > 3
    assert "Looking in the playbook" in updates[0][1][-1]["content"]
    assert "Drafting" in updates[1][1][-1]["content"]
    final = updates[-1][1][-1]["content"]
    assert "Drafting" not in final and "19 years" not in final and "[1]" in final
    assert 'id="coach-src-1"' in updates[-1][2]


def test_the_web_chat_walks_a_checklist(coach):
    handlers = WebHandlers(coach)
    _, history, sources, session, _ = handlers.respond("Let's check our data readiness", [], None, "")
    assert "item 1 of 18" in history[-1]["content"] and "Data Availability" in history[-1]["content"]
    assert "Do you have data for your use case?" in sources
    _, history, _, _, _ = handlers.respond("no", history, session, "")
    assert "item 2 of 18" in history[-1]["content"] and "Confidence" not in history[-1]["content"]
