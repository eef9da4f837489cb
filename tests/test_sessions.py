"""Conversations are kept in SQLite: a follow-up is rewritten with the session's history, also by a
new process, and what is stored has personal data redacted."""

from __future__ import annotations

import sqlite3

from assistant.service.coach import Coach
from assistant.service.store import SessionStore, redact


def test_follow_up_survives_a_restart(coach, settings):
    coach.ask("How long does a pilot take?", session="restart-1")
    again = Coach(settings, coach.corpus, coach.embedder, coach.retriever)  # a new service on the same data
    answer = again.ask("And for production?", session="restart-1")
    assert answer.standalone_question and "production" in answer.standalone_question.lower()
    assert "long" in answer.standalone_question.lower()


def test_sessions_do_not_mix(coach):
    coach.ask("What does a pilot cost?", session="mix-a")
    coach.ask("Who should be on the pilot team?", session="mix-b")
    answer = coach.ask("And for production?", session="mix-a")
    assert "cost" in (answer.standalone_question or "").lower()


def test_personal_data_is_redacted_before_storage(coach, settings, tmp_path):
    coach.ask("My email is jane.doe@example.com and phone +1 415 555 0100; how long is a pilot?", session="pii")
    rows = sqlite3.connect(settings.data_dir / "sessions.sqlite3").execute("SELECT question, standalone FROM turns")
    stored = " ".join(" ".join(r) for r in rows)
    assert "jane.doe" not in stored and "555 0100" not in stored and "[email]" in stored
    assert redact("key sk-abcdefghijklmnop123") == "key [secret]"
    store = SessionStore(tmp_path / "s.sqlite3")
    store.add("x", "q1", "q1", None, False)
    store.add("x", "q2", "q2", None, False)
    assert store.history("x") == ["q1", "q2"]


def test_a_follow_up_about_that_stage_takes_the_stage_not_the_rest_of_the_question():
    from assistant.answer.followup import condense

    previous = ["what's in the readiness checklist before the prototype"]
    assert condense("whats the budget for that stage", previous) == "whats the budget for the prototype stage"
    assert condense("how long is this phase?", ["what does the pilot cost?"]) == "how long is the pilot stage?"
    # "At that point" and a closing "there" or "then" point back at the stage as well.
    assert condense("and who uses it at that point?", ["what's the goal of the prototype stage"]) == (
        "and who uses it at the prototype stage?"
    )
    assert condense("and what does success look like there?", ["what's the goal of the production stage"]) == (
        "and what does success look like in the production stage?"
    )
    assert "there" in condense("is there a checklist?", ["how long is the pilot"]).lower()
    # Another stage named swaps the stage; a follow-up with no stage word lends the whole topic.
    assert condense("and for production?", ["what does the pilot cost?"]) == "what does the production cost?"
    assert "checklist" in condense("how long does it take?", previous)
    # A bare phrase asks what the previous question asked, of it; a question of its own asks its own thing.
    assert "cost" in condense("and the training?", ["what does the pilot cost if we hire outside developers"])
    assert "cost" not in condense("and how long does it take?", ["what does the pilot cost?"])


def test_a_follow_up_naming_another_role_asks_the_same_of_it():
    from assistant.answer.followup import condense

    roles = frozenset(["expert", "lead", "champion", "user", "pilot", "prototype", "production"])
    previous = ["how many hours a week does the subject matter expert spend in the pilot"]
    # The role's whole phrase gives way to the one asked of, the rest of the question stays.
    assert (
        condense("and the tech lead?", previous, roles) == "how many hours a week does the tech lead spend in the pilot"
    )
    assert condense("what about the champion?", previous, roles) == (
        "how many hours a week does the champion spend in the pilot"
    )
    # A phrase naming no role is read as before: with the whole of the previous question.
    assert "subject matter expert" in condense("and the training?", previous, roles)


def test_a_follow_up_naming_another_item_of_a_series_asks_the_same_of_it():
    from assistant.answer.followup import condense

    # "phase 3?" after a question of phase 2 asks the same of phase 3, not of both.
    assert condense("phase 3?", ["roadmap phase 2 days?"]) == "roadmap phase 3 days?"
    assert (
        condense("And on day 3?", ["what happens on day 2 of launch week?"]) == "what happens on day 3 of launch week?"
    )
    assert condense("weeks 7?", ["who joins in week 5?"]) == "who joins in week 7?"
    # any counted series, not a list of them: "year 2" after a question of year 1
    assert condense("And in year 2?", ["What was the bakery's year 1 ROI?"]) == "What was the bakery's year 2 ROI?"
    # With a question of its own, or without a numbered item in the question before, it is read as before.
    assert "who joins" in condense("what about week 8, who joins then?", ["pilot milestones week 6?"]).lower()
    assert condense("and tier 2?", ["how much does the pilot cost?"]) != "how much does the pilot cost?"


SIDE_BY_SIDE = """# Oven Rollout Guide

## Timelines

| Shop size | Setup | Trial | Handover |
|---|---|---|---|
| Kiosk shop with one oven | 1 week | 2 weeks | 1 week |
| Bakery shop with three ovens | 2 weeks | 4 weeks | 2 weeks |
| Factory with a production line | 4 weeks | 8 weeks | 6 weeks |

## Cleaning the order data

**Small Archive (<1K orders):**
- Cleaning: 1 week

**Large Archive (1K+ orders):**
- Cleaning: 3 weeks

## Returns by department

- **By department:** Counter (4x), Delivery (3x), Catering (2x)
"""


def test_a_follow_up_naming_what_the_documents_set_beside_another_asks_the_same_of_it(written):
    """A table's columns and the names its rows start with, blocks whose labels differ in a word, and a run
    of named figures are things the guide sets side by side: a bare follow-up naming one asks the previous
    question of it, not of both."""
    from assistant.answer.followup import condense
    from assistant.answer.siblings import sibling_words

    coach = written({"oven.md": SIDE_BY_SIDE})
    siblings = sibling_words(coach.corpus)
    assert {"bakery", "factory"} <= siblings["kiosk"] and {"setup", "handover"} <= siblings["trial"]
    assert siblings["large"] == {"small"} and {"delivery", "catering"} <= siblings["counter"]
    assert condense("and the factory?", ["how long is the trial for a kiosk shop?"], frozenset(), siblings) == (
        "how long is the trial for a factory shop?"
    )
    assert condense("and setup?", ["how long is the trial for a kiosk shop?"], frozenset(), siblings) == (
        "how long is the setup for a kiosk shop?"
    )
    assert condense(
        "what about a large one?", ["how long does cleaning a small-sized archive take"], frozenset(), siblings
    ) == ("how long does cleaning a large-sized archive take")
    # Asked in a conversation, the answer is the other row's, not both.
    coach.ask("what return does the counter get?", session="side-1")
    answer = coach.ask("and delivery?", session="side-1")
    assert answer.standalone_question == "what return does the delivery get?", answer.standalone_question
    # A follow-up with a question of its own is read as before.
    assert "kiosk" in condense(
        "and how long does setup take?", ["how long is the trial for a kiosk shop?"], frozenset(), siblings
    )


FOLLOW_ON = """# Corner Bakery: Ordering Tool Guide

## When the bakers resist the change

- Show each baker the minutes the tool saves them at the morning count
- Let the head baker use it for a week before anyone else
- Keep the paper order sheet beside the tablet for the first month

## Getting the money back

The tool costs 900 pounds to set up. Most shops recover that outlay within 10-14 weeks, from flour not
over-ordered and from the hour a day no longer spent on the phone to the mill.

## Cleaning the proving cabinet

Wipe the shelves with warm water every evening and descale the steam tray on Sundays.
"""


def test_a_follow_up_with_a_topic_of_its_own_is_answered_from_it_when_the_borrowed_one_finds_nothing(written):
    """A follow-up that begins "and" reads as going on with the previous question, and takes its topic; when
    that finds nothing to quote but the follow-up as asked does, the follow-up as asked is answered (and
    is what a further follow-up goes on from)."""
    coach = written({"bakery.md": FOLLOW_ON}, abstain_below=0.6)
    first = coach.ask("what do we do if the bakers resist the change?", session="on-1")
    assert not first.abstained and "head baker" in first.answer
    answer = coach.ask("and how often do we descale the steam tray?", session="on-1")
    assert not answer.abstained and "Sundays" in answer.answer, answer.answer
    assert answer.standalone_question is None


DECISION = """# Bakery Trial Review

## Deciding after the trial

**Criteria for "GO" (Open the Second Shop):**
- Queue time under 4 minutes on Saturdays
- Waste below 6% of the morning bake

**Criteria for "ITERATE" (Extend Trial):**
- Extend 3 more weeks with a named baker on the tablet
- Queue time between 4 and 7 minutes

**Criteria for "STOP" (Close the Trial):**
- Waste above 15% of the morning bake despite iterations
- Bakers back on paper order sheets by choice
"""

OUTCOMES = """[decision.outcomes]
go = ["go", "proceed"]
iterate = ["iterate", "extend"]
stop = ["stop", "kill", "no-go"]
"""


def test_labels_that_differ_in_one_word_and_the_go_no_go_outcomes_are_set_side_by_side(written):
    """Labels that differ in one word wherever it stands ("Criteria for GO", "… for STOP") and the go/no-go
    outcomes the vocabulary names are set side by side: a bare follow-up naming one ("and STOP?" after a
    question on iterating) asks the previous question of it, and is answered from its list."""
    from assistant.answer.followup import condense
    from assistant.answer.siblings import sibling_words

    coach = written({"review.md": DECISION, "vocabulary.toml": OUTCOMES})
    siblings = sibling_words(coach.corpus)
    assert {"go", "iterate"} <= siblings.get("stop", set()) and {"extend", "kill"} <= siblings.get("proceed", set())
    previous = "what are the criteria for ITERATE after the trial?"
    said = condense("and STOP?", [previous], frozenset(), siblings)
    assert said.lower() == "what are the criteria for stop after the trial?", said
    coach.ask(previous, session="dec-1")
    answer = coach.ask("and STOP?", session="dec-1")
    assert "Waste above 15%" in answer.answer and "3 more weeks" not in answer.answer, answer.answer


LEVELS = """# Bakery Training Plan

## Training the counter staff

**The three-level curriculum:**

**Knead: The Basics (Required for all staff)**
- Self-paced recipe module (30 min)
- Oven safety walkthrough (15 min hands-on practice)

**Shape: Everyday Skills (Available to all)**
- Weekly tasting sessions
- Decorating clinic

**Bake: Head Baker Track (Optional)**
- Sourdough masterclass
- Monthly supplier visits

## Opening hours

The shop opens at seven every morning.
"""


def test_block_labels_named_in_a_word_before_a_colon_are_set_side_by_side(written):
    """Blocks each named in one word before a colon ("**Knead: The Basics**", "**Bake: Head Baker Track**")
    are laid out side by side: a bare follow-up naming one ("and the bake level?" after a question on the
    knead level) asks the previous question of it, and is answered from its block."""
    from assistant.answer.followup import condense
    from assistant.answer.siblings import sibling_words

    coach = written({"training.md": LEVELS})
    siblings = sibling_words(coach.corpus)
    assert {"shape", "bake"} <= siblings.get("knead", set())
    previous = "what's in the knead level of training?"
    assert condense("and the bake level?", [previous], frozenset(), siblings) == "what's in the bake level of training?"
    coach.ask(previous, session="levels-1")
    answer = coach.ask("and the bake level?", session="levels-1")
    assert "Sourdough masterclass" in answer.answer and "Self-paced recipe module" not in answer.answer, answer.answer
