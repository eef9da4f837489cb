"""Words a sentence may put otherwise than its passage: the house vocabulary read the other way, and
the forms of a word that are the same word."""

import re

from assistant.model.meaning import covered
from assistant.model.synonyms import said_otherwise

ROLLOUT = (re.compile(r"\broll(?:ing|ed|s)?\b(?: \w+){0,3} out\b"), ("rollout",))
HOW_MUCH = (re.compile(r"^(?!.*\btime\b).*\bhow much\b"), ("cost",))


def test_an_askers_phrase_is_covered_where_the_passage_has_the_playbooks_word():
    assert said_otherwise("Rolling it out took 4 months.", {"rollout", "4", "month"}, [ROLLOUT]) == {"roll", "out"}
    # not where the passage lacks the word the vocabulary gives for it
    assert said_otherwise("Rolling it out took 4 months.", {"pilot", "4", "month"}, [ROLLOUT]) == set()


def test_a_pattern_that_runs_up_to_its_cue_covers_nothing():
    said = said_otherwise(
        "The guide says the pilot and the prototype differ in how much they cost.", {"cost"}, [HOW_MUCH]
    )
    assert said == set()


def test_another_form_of_a_word_is_the_word_but_who_does_it_is_not():
    assert covered("reduced", {"reduct"})  # "reduced" and "reduction"
    assert covered("overran", {"overrun"})
    assert not covered("claimants", {"claim", "letter"})  # a claimant is not a claim
