"""The verifier: statement splitting, the individual checks, and the mutation suite built from the
corpus (number, negation, entity, re-pointed citation, appended clause)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evaluation.mutations import KINDS, build_cases
from assistant.model.facts import negated, numbers, stated_numbers
from assistant.model.statements import split_statements
from assistant.model.verify import Verifier


@pytest.fixture(scope="module")
def verifier(coach):
    return Verifier(coach.corpus, coach.embed_texts)


def test_statements_keep_their_markers():
    text = "A pilot runs 4-8 weeks [1]. Budget $5K-$15K. [2][3]\n- Champion: owner [1, 2]\n\nShort."
    got = split_statements(text)
    assert [s.markers for s in got] == [(1,), (2, 3), (1, 2), ()]
    assert got[0].text == "A pilot runs 4-8 weeks." and got[2].item and got[2].text == "Champion: owner"


def test_numbers_are_read_as_values():
    assert stated_numbers("$50K to $150K") == {50_000.0, 150_000.0}
    assert {50_000.0, 150_000.0} <= numbers("between $50,000 and $150,000")
    assert 4.0 in numbers("four to eight weeks") and 65.0 in numbers("65%+ acceptance")
    assert negated("Do not skip stages") and not negated("Start small")


def test_mutation_suite_meets_its_targets(coach, verifier):
    cases = build_cases(coach.corpus)
    vectors = verifier.embed([c.statement for c in cases])
    outcome: dict[str, list[bool]] = {k: [] for k in KINDS}
    for case, vec in zip(cases, vectors, strict=True):
        outcome[case.kind].append(verifier.check(case.statement, np.asarray(vec), case.cited).ok)
    assert all(len(v) >= 80 for v in outcome.values()), {k: len(v) for k, v in outcome.items()}
    kept = np.mean(outcome["supported"])
    detected = {k: 1 - np.mean(v) for k, v in outcome.items() if k != "supported"}
    print({"kept": round(float(kept), 3), **{k: round(float(v), 3) for k, v in detected.items()}})
    assert kept >= 0.95
    for kind in ("number", "negation", "entity"):
        assert detected[kind] >= 0.95, (kind, detected[kind])
    assert detected["repoint"] >= 0.85
    assert detected["clause"] >= 0.85


def test_verification_is_deterministic(coach, verifier):
    _, hits = coach.retrieve("How long should our AI pilot run?")
    sources = [h.chunk for h in hits[:5]]

    # A line of one source with a figure another source does not state, in digits or words, cited to
    # that other source: it is re-cited to its own.
    def lines(k: int) -> list[str]:
        units = coach.corpus.units_by_chunk[sources[k].id]
        return [coach.corpus.unit_text(u) for u in units if coach.corpus.units[u].kind == "sentence"]

    def stated(k: int) -> set[float]:
        return numbers(sources[k].text) | stated_numbers(sources[k].text)

    text, other = next(
        (t, b + 1)
        for a in range(len(sources))
        for t in lines(a)
        if stated_numbers(t) and "19" not in t
        for b in range(len(sources))
        if not stated_numbers(t) & stated(b)
    )
    answer = f"{text} [{other}]. Pilots last 19 years [1]."
    first, second = verifier.verify(answer, sources), verifier.verify(answer, sources)
    assert first == second
    assert first.kept == 1 and first.removed == 1 and first.recited == 1


def test_a_joined_clause_the_passage_does_not_speak_of_is_caught(coach, verifier):
    chunk = next(c for c in coach.corpus.chunks.values() if "Model strategy: General-purpose LLM" in c.text)
    line = "Model strategy: General-purpose LLM vs domain-tuned; open vs hosted; fallback models for resilience"
    for statement, ok in (
        (f"{line}.", True),
        (f"{line}, and solution: Start simple, plan early.", False),
    ):
        check = verifier.check(statement, verifier.embed([statement])[0], chunk)
        assert check.ok is ok, (statement, check)
    assert check.reason == "clause"


def test_a_short_fragment_is_the_passages_only_in_its_order(coach, verifier):
    chunk = next(c for c in coach.corpus.chunks.values() if "**Political Landscape Mapping**" in c.text)
    for statement, ok in (
        ("Political landscape mapping", True),  # a heading of the passage, as written
        ("Budget reality check", True),
        ("Project roadmap", False),  # its words are there ("project", the section's "Roadmap"), not it
        ("Technical budget mapping", False),
        ("Real implementation roadmap", False),  # a heading above the passage, not in it
    ):
        check = verifier.check(statement, verifier.embed([statement])[0], chunk)
        assert check.ok is ok, (statement, check)
    chunk = next(c for c in coach.corpus.chunks.values() if "**Common Week 1 Issues & Fixes:**" in c.text)
    for statement, ok in (("Common Week 1 Issues & Fixes:", True), ("Common Week 2 Issues & Fixes:", False)):
        check = verifier.check(statement, verifier.embed([statement])[0], chunk)
        assert check.ok is ok, (statement, check)


# "but" ends a denial: what follows it is asserted.
_ADVICE = "Don't wait for perfect sales data—start with what you have and improve the menu iteratively."


@pytest.mark.parametrize(
    "statement, passage, agrees",
    [
        ("The advice is not to wait for perfect sales data, but to start with what you have and improve the menu "
         "iteratively.", _ADVICE, True),
        ("The advice is to wait for perfect sales data and improve the menu iteratively.", _ADVICE, False),
    ],
)  # fmt: skip
def test_a_denial_is_read_where_it_is_made(statement, passage, agrees):
    from assistant.model.meaning import polarity_agrees

    assert polarity_agrees(statement, passage) is agrees


# A reply to the asker ("Not really:", "No —") answers the question; it does not deny the statement.
_TRIAL = "A trial is designed to fail fast and cheap. Minimal investment lost."


@pytest.mark.parametrize(
    "statement, passage, agrees",
    [
        ("Not really: the guide says a trial is designed to fail fast and cheap.", _TRIAL, True),
        ("No — a trial is designed to fail fast and cheap.", _TRIAL, True),
        ("Nope, the trial is designed to fail fast and cheap.", _TRIAL, True),
        ("Not really designed to fail fast and cheap, the trial.", _TRIAL, False),
        ("No trial is designed to fail fast and cheap.", _TRIAL, False),
        ("Not really: the guide says a trial is not designed to fail fast and cheap.", _TRIAL, False),
    ],
)  # fmt: skip
def test_a_reply_to_the_asker_is_not_a_denial(statement, passage, agrees):
    from assistant.model.meaning import polarity_agrees

    assert polarity_agrees(statement, passage) is agrees


# A clause set off by ", because" or ", even though" is read as a clause of its own, against the line
# that speaks of it, not the one the sentence opens with.
_BOT = (
    'Customer asked: "My card was declined in Lisbon. Is this fraud?"\n'
    'The bot answered: "Your card is fine, there\'s no fraud."\n'
    "In fact a relative had used the card. Not fraud, but nobody mentioned it.\n"
    "The problem: the bot couldn't access live transaction data, couldn't ask clarifying questions."
)
_TOLD = "The bot told a customer whose card was declined in Lisbon that there was no fraud"


@pytest.mark.parametrize(
    "statement, agrees",
    [
        (f"{_TOLD}, because it could not access live transaction data or ask clarifying questions.", True),
        (f"{_TOLD}, even though it could access live transaction data.", False),
        (f"{_TOLD}, although it could ask clarifying questions.", False),
    ],
)
def test_a_denial_in_a_clause_of_reason_is_read_in_that_clause(statement, agrees):
    from assistant.model.meaning import polarity_agrees

    assert polarity_agrees(statement, _BOT) is agrees


def test_a_denial_repeated_down_a_list_is_one_denial():
    from assistant.model.meaning import polarity_agrees

    said = "It couldn't access the transaction data, couldn't ask clarifying questions."
    assert polarity_agrees("It could not access the transaction data or ask clarifying questions.", said)
    assert polarity_agrees(said, "It could not access the transaction data or ask clarifying questions.")
    assert not polarity_agrees("It could access the transaction data and ask clarifying questions.", said)


def test_one_word_of_a_joined_clause_may_be_said_otherwise(coach, verifier):
    """In a sentence that says what the line says, one word of a joined clause in other words is kept
    ("far" for "vastly"); a clause of words the line does not have is not."""
    chunk = next(c for c in coach.corpus.chunks.values() if "harder to hear and vastly more useful" in c.text)
    for statement, ok in (
        ("Their feedback is harder to hear but far more useful.", True),
        ("Their feedback is harder to hear but seldom acted upon.", False),
    ):
        check = verifier.check(statement, verifier.embed([statement])[0], chunk)
        assert check.ok is ok, (statement, check)


# ", since" sets off a clause of reason, read against the line that speaks of it; "lacked" and "the
# absence of" deny what follows them as "without" does; "most" is the opposite of "minimal".
_VOLUNTEERS = "- **Steer Clear (Avoid):** Volunteers who praise every tool (unreliable feedback)"
_TICKETS = (
    "The archive held tickets without a customer ID. The absence of logging means you hear of faults from customers."
)


@pytest.mark.parametrize(
    "statement, passage, agrees",
    [
        ("Avoid volunteers who praise every tool, since their feedback is unreliable.", _VOLUNTEERS, True),
        ("Include volunteers who praise every tool, since their feedback is reliable.", _VOLUNTEERS, False),
        ("The archive's tickets lacked a customer ID.", _TICKETS, True),
        ("Without logging, you hear of faults from customers.", _TICKETS, True),
        ("Minimal investment is lost.", _TRIAL, True),
        ("Most of the investment is lost.", _TRIAL, False),  # "most" for "minimal"
    ],
)  # fmt: skip
def test_a_reason_and_a_lack_are_read_for_what_they_deny(statement, passage, agrees):
    from assistant.model.meaning import polarity_agrees

    assert polarity_agrees(statement, passage) is agrees
