"""The starter gold set: well-formed, anchored to the documents, and the retrieval and answer quality
it measures stays above a floor (the figures themselves are reported by `make bench`)."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from assistant.evaluation.gold import evidence_spans, facts_present, hit_rank, load_gold

GOLD = Path(__file__).resolve().parent.parent / "eval" / "gold_starter.jsonl"


@pytest.fixture(scope="module")
def cases():
    return load_gold(GOLD)


def test_gold_set_shape(cases):
    answerable = [c for c in cases if c.answerable]
    assert len(cases) >= 40 and len(answerable) >= 40
    assert {c.split for c in cases} == {"dev", "test"}
    assert len({c.id for c in cases}) == len(cases)
    docs = {e.doc for c in answerable for e in c.evidence}
    assert len(docs) == 5  # every document is covered
    assert all(c.key_facts for c in answerable)


def test_every_evidence_quote_resolves_to_a_span(coach, cases):
    for case in cases:
        for doc, start, end in evidence_spans(coach.corpus, case):
            assert 0 <= start < end <= len(coach.corpus.texts[doc])


def test_retrieval_and_key_facts_stay_above_floor(coach, cases):
    hits, facts, declined = [], [], []
    for case in (c for c in cases if c.split == "dev"):  # the test split is for reporting only
        answer = coach.ask(case.question)
        if not case.answerable:
            declined.append(answer.abstained)
            continue
        _, retrieved = coach.retrieve(case.question)
        hits.append(hit_rank(retrieved[:5], evidence_spans(coach.corpus, case)) is not None)
        facts.append(0.0 if answer.abstained else facts_present(answer.answer, case.key_facts))
    # Floors a little under the measured figures: a regression guard, not the target.
    assert statistics.mean(hits) >= 0.90
    assert statistics.mean(facts) >= 0.90
    assert all(declined)


def test_the_whole_eval_dataset_is_well_formed_and_anchored(coach):
    """Every gold file: unique ids, both splits, key facts on every answerable question, every
    evidence quote found in the cleaned documents, and the sizes the eval is meant to have."""
    from collections import Counter

    from assistant.evaluation.dataset import gold_files, load_dataset

    cases = [c for path in gold_files() for c in load_gold(path)]
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.split in {"dev", "test"}
        if case.answerable:
            assert case.key_facts and case.evidence, case.id
            assert all(len(f) >= 1 for f in case.key_facts) and len(case.key_facts) <= 5, case.id
        evidence_spans(coach.corpus, case)  # raises on a quote that is not in its document
    items = load_dataset()
    kinds = Counter(i.kind for i in items)
    assert kinds["answerable"] + kinds["disagreement"] >= 150
    assert kinds["disagreement"] >= 10 and kinds["out_of_scope"] >= 30
    assert kinds["adversarial"] >= 20 and kinds["multi_turn"] >= 20
    docs = Counter(e.doc for c in cases for e in c.evidence)
    assert len(docs) == 5


def test_a_key_fact_is_found_in_its_acronym_and_nothing_looser():
    facts = (("Subject Matter Expert",), ("Daily active users", "Usage Metrics"))
    assert facts_present("Champion + Technical Lead + SME + 5-10 users", facts) == 0.5
    assert facts_present("Track DAU weekly; the SME signs off.", facts) == 1.0
    assert facts_present("Return on investment in year one", (("ROI",),)) == 1.0
    # a word that merely contains the acronym's letters is not the acronym
    assert facts_present("a smell of daunting work", facts) == 0.0
    assert facts_present("the subject matter", facts) == 0.0


def test_the_user_worded_splits_are_well_formed_and_anchored(coach):
    """Every split of eval/users: each kind of user, every answerable turn with key facts and evidence
    found in the documents, every false premise with the figure it gets wrong."""
    from pathlib import Path

    from assistant.evaluation.users import USER_TYPES, load_users

    users = Path(__file__).resolve().parent.parent / "eval" / "users"
    for path in sorted(users.glob("*.jsonl")):
        cases = load_users(path.stem, users)
        assert {c.user for c in cases} == set(USER_TYPES), path.name
        for case in cases:
            if case.item.kind == "false_premise":
                assert case.wrong, case.item.id
            for turn in case.item.turns:
                if turn.case.answerable:
                    assert turn.case.key_facts and turn.case.evidence, turn.case.id
                evidence_spans(coach.corpus, turn.case)
