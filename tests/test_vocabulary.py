"""The vocabulary file: askers' words, expansions, acronyms and go/no-go words are data, read from a
file the test writes and from the documents' own text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.index.lexicon import Vocabulary, defined_acronyms

VOCAB = """
[[expansion]]
when = '\\bhow long\\b'
add = ["timeline"]

[askers_words]
"dry run" = "pilot"
"crew" = "team"

[acronyms]
mvp = "minimum viable product"

[decision.outcomes]
go = ["go", "proceed"]
stop = ["stop", "no-go"]
"""


def _load(tmp_path: Path, texts: list[str], body: str = VOCAB) -> Vocabulary:
    path = tmp_path / "vocabulary.toml"
    path.write_text(body, "utf-8")
    return Vocabulary.load(path, texts)


def test_askers_words_are_read_as_the_playbooks_unless_the_playbook_uses_them(tmp_path):
    vocab = _load(tmp_path, ["The pilot team meets weekly. Our crew is small."])
    # "dry run" is not the playbook's phrase: it is read as "pilot"; "crew" is, so it stays.
    assert vocab.in_playbook_words("How long is a dry run for our crew?") == "How long is a pilot for our crew?"
    assert vocab.in_playbook_words("Dry run budget") == "pilot budget"
    assert vocab.in_playbook_words("a dry running joke") == "a dry running joke"  # whole words only


def test_expansions_and_acronyms_only_add(tmp_path):
    vocab = _load(tmp_path, ["A Key Risk Indicator (KRI) is tracked.", "Shadow IT (IT) is not an acronym here."])
    assert vocab.expansion_words("How long does it take?") == ["timeline"]
    assert vocab.expand("Tell me about governance") == "Tell me about governance"
    # An acronym the documents define is known both ways, like one the file lists.
    assert "kri" in vocab.expansion_words("what is a key risk indicator")
    assert {"key", "risk", "indicator"} <= set(vocab.expansion_words("Which KRIs matter?"))
    assert {"minimum", "viable", "product"} <= set(vocab.expansion_words("an MVP"))


def test_defined_acronyms_need_matching_initials():
    found = defined_acronyms(["a successful proof-of-concept (POC) first", "the Retrieval Layer (RAG)"])
    assert found == {"proof of concept": "poc"}


def test_a_label_names_one_outcome_or_none(tmp_path):
    vocab = _load(tmp_path, [])
    assert vocab.outcome_of('Criteria for "GO" (Proceed to Production)') == "go"
    assert vocab.outcome_of("No-go criteria") == "stop"
    assert vocab.outcome_of("Go or stop: criteria") is None  # two outcomes: neither is assumed
    assert vocab.outcome_of("Selection criteria (go slow)") is None  # a remark in parentheses is not the label


def test_no_file_is_an_empty_vocabulary_and_a_broken_one_names_itself(tmp_path):
    empty = Vocabulary.load(tmp_path / "missing.toml")
    assert empty.expansion_words("How long?") == [] and empty.in_playbook_words("dry run") == "dry run"
    with pytest.raises(ConfigError, match=r"vocabulary\.toml"):
        _load(tmp_path, [], "[[expansion]]\nwhen = '(unclosed'\nadd = ['x']\n")
    with pytest.raises(ConfigError, match=r"vocabulary\.toml"):
        _load(tmp_path, [], "[decision.metrics.x]\nkind = 'ratio'\nwords = ['x']\n")
    with pytest.raises(ConfigError, match="could not be read"):
        _load(tmp_path, [], "[[expansion]\n")


def test_stage_terms_are_data(tmp_path):
    vocab = _load(tmp_path, [], '[stages]\npilot = ["pilot", "trial"]\nproduction = ["go-live", "productioniz"]\n')
    assert vocab.stages_in("How long is the trial?") == ["pilot"]
    assert vocab.stages_in("Before we productionize, after the pilot") == ["pilot", "production"]
    # A passage is about a stage its headings name, or one its text names more than once.
    assert vocab.infer_stages("Pilot > Budget", "Costs are low.") == ("pilot",)
    assert vocab.infer_stages("Budget", "The go-live date. After go-live, review.") == ("production",)
    assert vocab.infer_stages("Budget", "One pilot, once.") == ("general",)
    with pytest.raises(ConfigError, match="not one of"):
        _load(tmp_path, [], '[stages]\nlaunch = ["launch"]\n')


def test_a_short_stage_term_is_a_word_of_its_own(tmp_path):
    """An acronym among the stage terms names its stage as a word, not as the start of a longer one: an
    assistant that is slow to answer is not about SLOs, and a pocket is not a proof of concept."""
    vocab = _load(tmp_path, [], '[stages]\npilot = ["poc"]\nhardening = ["slo", "harden"]\n')
    assert vocab.stages_in("Our assistant is slow, and staff slowly drift back") == []
    assert vocab.stages_in("money out of pocket") == []
    assert vocab.stages_in("Which SLOs for the POC?") == ["pilot", "hardening"]
    assert vocab.stages_in("when do we harden it") == ["hardening"]
    assert vocab.infer_stages("Budget", "It is slow. Too slow.") == ("general",)


def test_the_house_vocabulary_reads_an_owners_words_as_the_playbooks():
    """The shipped file: those an owner answers to are the playbook's leadership, two stages set side by
    side ask for its comparison, and what a stage is for is its goal."""
    from conftest import KNOWLEDGE

    vocab = Vocabulary.load(KNOWLEDGE / "vocabulary.toml", [])
    for question in (
        "how often should i update the boss",
        "what goes in the monthly review with the owners",
        "how do I keep my business partner interested",
        "my co-owner has doubts",
    ):
        assert "leadership" in vocab.expansion_words(question), question
    assert "leadership" not in vocab.expansion_words("who are the data owners?")
    assert "buy-in" in vocab.expansion_words("how do i get them on board")
    for question in (
        "what data does the pilot use vs later stages",
        "how does the pilot compare to production",
        "what do we use in the pilot compared to later",
    ):
        assert "comparison" in vocab.expansion_words(question), question
    assert "goal" in vocab.expansion_words("what's the whole point of the prototype stage")
    assert "50" in vocab.expansion_words("by when should half our staff be on it")
    assert "hallucinate" in vocab.expansion_words("the AI keeps making stuff up, how do we fix that")
    assert "hallucinate" not in vocab.expansion_words("the team is made up of five people")
    assert "criteria" in vocab.expansion_words("how do i know the trial actually worked")
    for question in ("what do we need sorted before we roll it out?", "what do we need to have done before the pilot"):
        assert "readiness" in vocab.expansion_words(question), question
    assert "criteria" not in vocab.expansion_words("what worked for 8 users broke at 200")
    # What has to be in place before a stage is its readiness; putting something in place is not.
    assert "readiness" in vocab.expansion_words("what has to be in place before day 1?")
    assert "readiness" not in vocab.expansion_words("what cost monitoring should we put in place during hardening?")
    # "Different" sets things side by side only as "differ", "the difference" or "different from".
    assert "comparison" in vocab.expansion_words("what's the difference between a pilot and a prototype")
    assert "comparison" not in vocab.expansion_words("our customer info is in 4 different systems, where do we start")
    # What a list of options weighs each by: its trade-offs are its pros and cons.
    assert "pros and cons" in vocab.in_playbook_words("what are the trade-offs of a phased rollout?")
    assert "integration" in vocab.expansion_words("what if the AI can't hook into the software we already use")
    assert "integration" not in vocab.expansion_words("what hooks should the launch email use")
    for question in ("my staff are nervous and pushing back", "the team is scared AI will replace them"):
        assert "resistance" in vocab.expansion_words(question), question
    for question in ("staff just aren't using it, now what", "people stopped using it after launch"):
        assert "adoption" in vocab.expansion_words(question), question
    assert "adoption" not in vocab.expansion_words("which model are you using")
    for question in ("how long before we see our money back?", "when do we make that back"):
        assert "roi" in vocab.expansion_words(question), question
    assert "roi" not in vocab.expansion_words("can we get money for the pilot?")


def test_the_house_vocabulary_holds_who_does_the_work_as_it_holds_a_role(written):
    """The shipped file: hiring and external help, which the playbook sets against each other stage by
    stage, are held as roles are. A sentence that gives each the other's stages is not supported by lines
    that name both beside those stages."""
    from conftest import KNOWLEDGE

    guide = (
        "# Bakery Staffing Guide\n\n## Who builds it\n\n**Mixed route:**\n"
        "- **Trial:** External baker-consultant + internal shift lead\n"
        "- **Launch:** Internal team + external for one-off recipes\n\n**Costs:**\n"
        "- **External consultant:** $90/hour, $3K-$9K for the trial\n- **Internal hire:** $40K/year + benefits\n"
    )
    coach = written({"guide.md": guide, "vocabulary.toml": (KNOWLEDGE / "vocabulary.toml").read_text("utf-8")})
    chunk = next(c for c in coach.corpus.chunks.values() if "Mixed route" in c.text)
    verifier = coach.verifier

    def check(statement: str):
        return verifier.check(statement, verifier.embed([statement])[0], chunk)

    faithful = "The mixed route uses an external consultant for the trial, and an internal team at launch."
    assert check(faithful).ok, check(faithful)
    for swapped in (
        "Hire for the trial and bring in external help for the launch.",
        "Many take a mixed route: internal hire for the trial, external consultant for the launch.",
    ):
        assert check(swapped).reason == "entity", swapped


def test_a_question_the_vocabulary_reads_as_asking_a_duration_wants_one(tmp_path):
    from assistant.answer.asking import read_question

    timed = '[[expansion]]\nwhen = \'\\blength\\b|\\blast\\b\'\nadd = ["duration", "weeks"]\n'
    vocab = _load(tmp_path, ["The trial runs 6-8 weeks."], timed)
    asked = read_question("trial length?", vocab)
    assert asked.asks_duration and asked.wants_figure
    assert any(shape.search("6-8 weeks") for shape in asked.figure_shapes)
    assert not any(shape.search("$2K-$4K") for shape in asked.figure_shapes)
    # The vocabulary says which words ask for one: without its entry, "length" is a word like any other.
    plain = read_question("trial length?", _load(tmp_path, []))
    assert not plain.asks_duration and not plain.figure_shapes
    assert read_question("how long is the trial?", _load(tmp_path, [])).asks_duration
