"""The web chat's handlers, in-process."""

from __future__ import annotations

from assistant.web import WebHandlers, build_app


def test_respond_shows_answer_and_sources(coach):
    handlers = WebHandlers(coach)
    cleared, history, sources, session = handlers.respond("How long should a pilot run?", [], "", "pilot")
    assert cleared == "" and session
    assert history[-2] == {"role": "user", "content": "How long should a pilot run?"}
    assert "[1]" in history[-1]["content"]
    assert sources.startswith("### Sources") and "[1]" in sources


def test_respond_keeps_the_conversation_and_rewrites_follow_ups(coach):
    handlers = WebHandlers(coach)
    _, history, _, session = handlers.respond("What does a prototype cost?", [], "", "")
    _, history, _, _ = handlers.respond("And for production?", history, session, "")
    assert len(history) == 4
    assert "Answering:" in history[-1]["content"]


def test_bad_input_is_a_message_not_an_error(coach):
    handlers = WebHandlers(coach)
    _, history, sources, _ = handlers.respond("   ", [], "", "")
    assert "empty" in history[-1]["content"] and sources == ""
    assert "error" in handlers.ask("")


def test_unexpected_failure_never_shows_a_traceback(coach, monkeypatch):
    handlers = WebHandlers(coach)

    def boom(*a, **k):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(coach, "ask", boom)
    _, history, _, _ = handlers.respond("How long is a pilot?", [], "", "")
    assert "something went wrong" in history[-1]["content"]
    assert "exploded" not in history[-1]["content"] and "Traceback" not in history[-1]["content"]


def test_api_returns_the_answer_contract(coach):
    data = WebHandlers(coach).ask("How many pilot users do we need?", "s1", "")
    assert data["session"] == "s1" and data["citations"]


def test_app_builds(coach):
    assert build_app(coach) is not None


def test_the_chat_streams_the_model_draft_then_shows_the_verified_answer(coach, coach_with):
    from assistant.fake_llm import FakeLLM
    from assistant.web import WebHandlers

    _, hits = coach.retrieve("How long should a pilot run?")
    unit = coach.corpus.units_by_chunk[hits[0].chunk.id][1]
    text = f"{coach.corpus.unit_text(unit)} [1] Pilots always take 19 years [1]."
    with FakeLLM(text=text) as fake:
        updates = list(
            WebHandlers(coach_with(fake.base_url)).respond_stream("How long should a pilot run?", [], "", "")
        )
    assert len(updates) > 2
    assert "Drafting" in updates[0][1][-1]["content"]
    final = updates[-1][1][-1]["content"]
    assert "Drafting" not in final and "19 years" not in final and "[1]" in final
    assert "### Sources" in updates[-1][2]


def test_the_web_chat_walks_a_checklist(coach):
    handlers = WebHandlers(coach)
    _, history, sources, session = handlers.respond("Let's check our data readiness", [], None, "")
    assert "item 1 of 18" in history[-1]["content"] and "Data Availability" in history[-1]["content"]
    assert "Do you have data for your use case?" in sources
    _, history, _, _ = handlers.respond("no", history, session, "")
    assert "item 2 of 18" in history[-1]["content"] and "confidence" not in history[-1]["content"]
