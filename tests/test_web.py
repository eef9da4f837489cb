"""The web app's handlers, in-process (the browser test is in test_browser.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from assistant.interfaces.web import build_app
from assistant.interfaces.web_forms import WebForms
from assistant.interfaces.web_handlers import WebHandlers, parse_auth, user_id


def test_each_answer_carries_its_own_highlighted_sources(coach):
    handlers = WebHandlers(coach)
    cleared, history, session, answer_id = handlers.respond("How long should a pilot run?", [], "", "pilot")
    assert cleared == "" and session and answer_id
    assert history[-2] == {"role": "user", "content": "How long should a pilot run?"}
    reply = history[-1]["content"]
    key = re.search(r"\(#coach-src-([a-z0-9]+)-1\)", reply).group(1)
    assert f'id="coach-src-{key}-1"' in reply and "<mark>" in reply and "Confidence:" in reply
    answer = coach.ask("How long should a pilot run?", stage="pilot")
    first = " ".join(answer.citations[0].quote.split())
    marked = reply.split(f'id="coach-src-{key}-1"')[1].split("<mark>")[1].split("</mark>")[0]
    shown = html.unescape(marked.replace("<br>", " "))
    assert " ".join(shown.split()) == " ".join(first.replace("**", "").split())  # the quote, as text
    # The sources are one block of HTML inside the message: no blank line may end it early.
    assert "\n" not in reply[reply.index('<div class="coach-sources">') :]

    # A second answer's markers open the second answer's passages, never the first one's.
    _, history, _, _ = handlers.respond("What does a prototype cost?", history, session, "")
    other = re.findall(r"\(#coach-src-([a-z0-9]+)-\d+\)", history[-1]["content"])
    assert other and key not in other and len(set(other)) == 1
    assert f'id="coach-src-{other[0]}-1"' in history[-1]["content"]


def test_passages_are_shown_as_text_not_markdown():
    from assistant.interfaces.web_view import passage_html

    shown = passage_html(
        ("### Checklist\n**Q:** Ready?\n- [ ] Data ", False),
        ("owner named", True),
        (" today\n| a | b |\n|---|---|\n", False),
    )
    assert "###" not in shown and "**" not in shown and "[ ]" not in shown and "---" not in shown
    assert shown == "Checklist<br>Q: Ready?<br>☐ Data <mark>owner named</mark> today<br>| a | b |<br>"


def test_respond_keeps_the_conversation_and_rewrites_follow_ups(coach):
    handlers = WebHandlers(coach)
    _, history, session, _ = handlers.respond("What does a prototype cost?", [], "", "")
    _, history, _, _ = handlers.respond("And for production?", history, session, "")
    assert len(history) == 4
    assert "Answering:" in history[-1]["content"]


def test_bad_input_is_a_message_not_an_error(coach):
    handlers = WebHandlers(coach)
    _, history, _, answer_id = handlers.respond("   ", [], "", "")
    assert "empty" in history[-1]["content"] and "coach-src" not in history[-1]["content"] and answer_id == ""
    _, history, _, _ = handlers.respond("x" * 5000, [], "", "")
    assert "limit is 2,000" in history[-1]["content"]
    assert "error" in handlers.ask("")


def test_unexpected_failure_never_shows_a_traceback(coach, monkeypatch):
    handlers = WebHandlers(coach)

    def boom(*a, **k):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(coach.answering, "answer", boom)
    _, history, _, _ = handlers.respond("How long is a pilot?", [], "", "")
    assert "something went wrong" in history[-1]["content"]
    assert "exploded" not in history[-1]["content"] and "Traceback" not in history[-1]["content"]


def test_api_returns_the_answer_contract(coach):
    data = WebHandlers(coach).ask("How many pilot users do we need?", "s1", "")
    assert data["session"] == "s1" and data["citations"]


def test_feedback_is_stored_and_can_be_changed(coach):
    handlers = WebHandlers(coach)
    _, _, session, answer_id = handlers.respond("Who should be on a pilot team?", [], "", "", user="web-tester")
    assert "👍" in handlers.feedback(answer_id, "up", None, None, "web-tester", session)
    status = handlers.feedback(
        answer_id, "down", "wrong source", "cites the wrong doc, mail me at a@b.co", "web-tester", session
    )
    assert "wrong source" in status
    (vote,) = coach.ledger.votes(answer_id)
    assert vote["vote"] == "down" and vote["reason"] == "wrong source" and "a@b.co" not in vote["comment"]
    assert "Unknown reason" in handlers.feedback(answer_id, "down", "boring", None, "web-tester", session)
    # Each answer's own menu: 👍, 👎, a reason (a 👎 with that reason), or unselected (the vote taken back).
    assert "👍" in handlers.rate(answer_id, True, "web-tester", session)
    assert "reason" in handlers.rate(answer_id, False, "web-tester", session)
    assert "unclear" in handlers.rate(answer_id, "unclear", "web-tester", session)
    assert [(v["vote"], v["reason"]) for v in coach.ledger.votes(answer_id)] == [("down", "unclear")]
    assert "taken back" in handlers.rate(answer_id, "", "web-tester", session)
    assert coach.ledger.votes(answer_id) == []
    assert "no answer" in handlers.rate("", True, "web-tester", session)
    assert handlers.api_feedback(answer_id, "up", user="api-user")["ok"]
    assert "error" in handlers.api_feedback("", "up")


def test_checklist_tab_runs_scores_and_exports(coach):
    handlers = WebForms(coach)
    choices = handlers.checklist_choices()
    assert choices[0][1].endswith("readiness")  # scored assessments first
    item, progress, result, run_id = handlers.checklist_start("before-production", "tab-user", restart=True)
    assert progress == "Item 1 of 10" and "Prototype validated" in item and run_id
    item, progress, _, _ = handlers.checklist_command(run_id, "answer", "yes")
    assert progress.startswith("Item 2 of 10 · 1 yes")
    _, progress, _, _ = handlers.checklist_command(run_id, "answer", "no")
    assert progress.startswith("Item 3 of 10 · 1 yes, 1 no")
    if coach.checklist("before-production").bands:  # a running score on the playbook's scale
        assert "→ 10/20 so far" in progress
    handlers.checklist_command(run_id, "back")
    handlers.checklist_command(run_id, "note", "infra is on the old cluster")
    for _ in range(9):
        item, progress, result, _ = handlers.checklist_command(run_id, "answer", "no")
    assert progress == "10 of 10" and "Gaps (9)" in result and "2/20" in result
    exported = Path(handlers.checklist_export(run_id))
    text = exported.read_text("utf-8")
    assert "| 2 |" in text and "infra is on the old cluster" in text and "## Sources" in text
    assert handlers.checklist_history("before-production", "tab-user")[-1][2] == "2/20"


def test_tools_tab_forms_take_empty_fields_as_unknown(coach):
    handlers = WebForms(coach)
    assert "Decision: GO" in handlers.gonogo(75, 70, 4.1, "no", "positive")
    assert "Decision: ITERATE" in handlers.gonogo(75, 70, None, "unknown", "positive")
    untouched = handlers.gonogo(None, None, None, "unknown", "unknown")  # the form as it first appears
    assert "Decision:" in untouched and "?" in untouched
    assert "from 0 to 100; you entered 150" in handlers.gonogo(75, 150, 4, "no", "positive")
    assert "from 1 to 5; you entered 0" in handlers.gonogo(75, 70, 0, "no", "positive")
    assert "Decision: GO" in handlers.gonogo("75%", " 70 ", "4.1", "no", "positive")  # as people type them
    assert "should be a number" in handlers.gonogo("lots", "", "", "unknown", "unknown")
    example = handlers.roi_example()
    assert example == ["45", "5", "8", "15", "240", "35"]
    assert "19,200 hours" in handlers.roi(*example)
    assert "fill in: users." in handlers.roi(45, 5, 8, None, 240, 35)
    untouched = handlers.roi(*[""] * 6)
    assert "fill in" in untouched and "$0" not in untouched
    other = handlers.roi("30", "10", "12", "6", "230", "$40")
    assert "5,520 hours" in other and "28,800" not in other and "1,008,000" not in other


def test_dashboard_reads_the_log(coach):
    handlers = WebHandlers(coach)
    _, _, session, answer_id = handlers.respond("What is a model card?", [], "", "", user="dash-user")
    handlers.feedback(answer_id, "down", "unclear", None, "dash-user", session)
    forms = WebForms(coach)
    summary, per_day, latency, reasons = forms.dashboard("", "")
    assert "Questions" in summary and "unclear" in summary
    # The charts draw with the data there is: bars from zero with their height, the day's point visible.
    (bar, *_), (ax,) = per_day.axes[0].patches, per_day.axes
    assert ax.get_ylim()[0] == 0 and bar.get_height() >= 1
    (line,) = latency.axes[0].get_lines()
    assert line.get_marker() == "o" and len(line.get_xdata()) >= 1
    assert "unclear" in [t.get_text() for t in reasons.axes[0].get_yticklabels()]
    empty = forms.dashboard("1999-01-01", "1999-01-02")[1]
    assert "No data" in empty.axes[0].texts[0].get_text()
    assert "not a date" in forms.dashboard("yesterday", "")[0]


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
    from assistant.testing.fake_llm import FakeLLM

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
    assert "<mark>" in final


def test_the_web_chat_walks_a_checklist(coach):
    handlers = WebHandlers(coach)
    _, history, session, _ = handlers.respond("Let's check our data readiness", [], None, "")
    assert "item 1 of 18" in history[-1]["content"] and "Data Availability" in history[-1]["content"]
    assert "Do you have data for your use case?" in history[-1]["content"].split("coach-sources-title")[1]
    _, history, _, _ = handlers.respond("no", history, session, "")
    assert "item 2 of 18" in history[-1]["content"] and "Confidence" not in history[-1]["content"]
