"""Reading a message the way it was meant: slips of spelling read as the playbook's words, courtesy
set aside. Small texts written here stand in for the playbook."""

from __future__ import annotations

from assistant.answer.message import without_courtesy
from assistant.index.spelling import Speller

PLAYBOOK = (
    "Production readiness needs guardrails, monitoring and a rollback plan. Track the metrics weekly. "
    "The prototype stage adds integrations. Handles real data volumes."
)


def test_a_slip_of_spelling_reads_as_the_playbooks_word():
    speller = Speller([PLAYBOOK])
    assert speller.correct("What goes into prodcution readiness?") == "What goes into production readiness?"
    assert speller.correct("Which mertics matter?") == "Which metrics matter?"
    assert speller.correct("Do we need guarrdails?") == "Do we need guardrails?"  # a letter doubled
    assert speller.correct("Prottoype first?") == "Prototype first?"  # capital kept


def test_a_hyphenated_word_typed_closed_up_reads_as_the_playbook_writes_it():
    speller = Speller(["Alert Tier 1 pages the on-call engineer. Plan a follow-up review."])
    assert speller.correct("error rate that pages oncall?") == "error rate that pages on-call?"
    assert speller.correct("when is the followup") == "when is the follow-up"
    assert speller.correct("who is on call") == "who is on call"  # already apart: left as typed


def test_a_word_cut_short_reads_as_the_one_playbook_word_it_starts():
    speller = Speller(["The audit found 27 vulnerabilities. Confidence in the configuration grew. Plan training."])
    assert speller.correct("security audit: # of vulns?") == "security audit: # of vulnerabilities?"
    # "conf" starts two words of different families: which one is meant is not known.
    assert speller.correct("confs reviewed?") == "confs reviewed?"
    # A word of common English is what was meant, though a playbook word starts with it.
    assert speller.correct("who will train staff") == "who will train staff"


def test_a_short_plural_cut_short_reads_as_the_playbook_word_it_starts():
    speller = Speller(["Big bang suits small organizations. Organizational change takes time. Ask the bakers."])
    assert speller.correct("best for orgs under 1000 users?") == "best for organizations under 1000 users?"
    # four letters are a cut word only in the plural, and never a slip of a longer word
    assert speller.correct("an org chart") == "an org chart"
    assert speller.correct("ask the baker") == "ask the baker"


def test_words_the_playbook_does_not_have_are_left_as_written():
    speller = Speller([PLAYBOOK])
    # "candles" is one letter from "handles", but a changed letter in a short word is a word of its own.
    assert speller.correct("a store for my candles") == "a store for my candles"
    assert speller.correct("the okta setup for pagerduty") == "the okta setup for pagerduty"
    assert speller.correct("monitoring weekly") == "monitoring weekly"
    # Another form of a playbook word is a word: an edit at either end is not a slip.
    other = Speller(["Keep the approval on one side until leadership is convinced."])
    assert other.correct("It keeps approvals aside to convince them") == "It keeps approvals aside to convince them"
    # A word in common English use is what was meant, though a playbook word is a slip away.
    tuned = Speller(["Prompt tuning and retraining."])
    assert tuned.correct("It is turning into a nightmare") == "It is turning into a nightmare"
    assert tuned.correct("Is retrainng needed?") == "Is retraining needed?"


def test_courtesy_is_not_part_of_the_question():
    assert (
        without_courtesy("Hi! Could you please tell me: what criteria decide a go? Thanks so much!")
        == "What criteria decide a go?"
    )
    assert without_courtesy("hey team, pilot budget? thx") == "Pilot budget?"
    assert without_courtesy("@coach p95 latency target?") == "P95 latency target?"
    # Thanks that is what the question is about stays.
    assert without_courtesy("How do we say thank you to champions?") == "How do we say thank you to champions?"
    assert without_courtesy("hi") == "hi"


def test_a_name_the_playbook_never_uses_is_what_the_question_is_about():
    from assistant.answer.wording import unknown_names
    from assistant.index.corpus import tokens

    vocabulary = set(tokens(PLAYBOOK)) | {"sso", "ai", "act", "set", "bot", "gpt"}

    def known(word: str) -> bool:
        return all(t in vocabulary for t in tokens(word))

    assert unknown_names("How do we set up SSO with Okta for the bot?", known) == ["Okta"]
    assert unknown_names("What does the EU AI Act require?", known) == ["EU"]
    assert unknown_names("Okta's setup: what does monitoring need?", known) == []  # a sentence's first word
    assert unknown_names("Can we use Okta's login?", known) == ["Okta"]  # a possessive names its owner
    # Everyday words, slips, contractions and figures are not names, whatever the playbook lacks.
    assert unknown_names("we're tiny and scared it flops, what about monitering", known) == []
    assert unknown_names("Is GPT-4o ok for a p95 of 12s?", known) == []
    assert unknown_names("Production readiness. Monitoring: weekly?", known) == []
    # Written in lower case, a word rare in English is a name; a slip of a common word or a contraction
    # without its apostrophe is not.
    assert unknown_names("jira workflow for the monitoring?", known) == ["jira"]
    assert unknown_names("monitoring we havent conifrmed, users shouldn t see it", known) == []


def test_the_coach_declines_a_question_about_something_the_playbook_never_names(coach):
    known = coach.ask("How do we set up monitoring for the pilot?", check_rate=False)
    assert not known.abstained
    named = coach.ask("How do we set up monitoring in Zorblatt for the pilot?", check_rate=False)
    assert named.abstained and "“Zorblatt”" in named.answer


def test_best_lines_from_one_passage_answer_a_question_worded_unlike_the_playbook():
    from types import SimpleNamespace

    from assistant.answer.extractive import ExtractiveGenerator
    from assistant.answer.scoring import Scored
    from assistant.config import AnswerSettings

    gen = ExtractiveGenerator(
        SimpleNamespace(units=[SimpleNamespace(chunk_id=f"c{i % 3}") for i in range(12)]), AnswerSettings()
    )

    def lines(units: list[int], support: float) -> list[Scored]:
        return [Scored(u, support - k / 100, support - k / 100, k) for k, u in enumerate(units)]

    # Six best lines, four of the next five in the best one's passage (c0): one place speaks to it.
    assert gen._coherent(lines([0, 3, 6, 9, 1, 2], 0.3))
    # Scattered over passages, or too weak, or too few lines: the playbook does not speak to it.
    assert not gen._coherent(lines([0, 1, 2, 4, 5, 3], 0.3))
    assert not gen._coherent(lines([0, 3, 6, 9, 1, 2], 0.2))
    assert not gen._coherent(lines([0, 3, 6], 0.3))


def test_an_askers_contractions_are_not_words_the_playbook_lacks(coach):
    """How much of a question is in words the playbook never uses leaves out "we're" and "they've", as
    it leaves out "we" and "they": they say how the asker talks."""
    gen = coach.generator
    assert gen.unheard("we're stuck: they've stalled the pilot, haven't they") == gen.unheard(
        "we stuck: they stalled the pilot, have they"
    )


def test_a_compound_of_playbook_words_is_not_a_word_the_playbook_lacks(written):
    """ "31-60" is in the playbook's words where it writes "Days 31–60", as "60-day" is where it writes
    "60-Day Plan"; a compound with a part it never uses is not."""
    roadmap = "# Harbour Roadmap: A 60-Day Plan\n\n## Launch\n\nIn days 31–60, open in one shop.\n"
    gen = written({"roadmap.md": roadmap}).generator
    assert gen._known("31") and gen._known("60") and gen._known("day")
    assert gen._known("31-60") and gen._known("60-day")
    assert not gen._known("31-zorbex")


def test_a_question_that_names_a_document_is_answered_from_it(tmp_path, embedder):
    """Only one of two documents has "phases" in its headings; asked about the phases of the other,
    by its title, the answer comes from the one named."""
    from assistant.config import Settings
    from assistant.index.vectorstore import build_vector_store
    from assistant.ingest.pipeline import Ingestor
    from assistant.service.coach import Coach

    kb = tmp_path / "knowledge"
    kb.mkdir()
    (kb / "plan.md").write_text(
        "# Harbour Bakery: A 30-Day Plan\n\n## Stage one (days 1-10): choose the task\n\nPick the order sheet to "
        "automate and name an owner.\n\n## Stage two (days 11-30): try it at the counter\n\nTwo counter staff "
        "use the tool every morning and log what it gets wrong.\n",
        "utf-8",
    )
    (kb / "method.md").write_text(
        "# Kitchen Tools Method\n\n## Phase 1: Discovery\n\nInterview the bakers about their phases of work "
        "and their ovens.\n\n## Phase 2: Build\n\nConfigure the phases of the ordering tool.\n",
        "utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb)
    Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
    coach = Coach.open(settings, auto_ingest=False)
    answer = coach.ask("What are the phases of the 30-day plan?", check_rate=False)
    assert answer.citations and {c.doc for c in answer.citations} == {"plan.md"}
    # Without the name, both documents are searched.
    assert coach.settings.retrieval.named_document_only
    coach.settings.retrieval.named_document_only = False
    unnamed = coach.retrieve("What are the phases of the 30-day plan?")[1]
    assert {h.chunk.doc for h in unnamed} == {"plan.md", "method.md"}


def test_a_document_is_named_by_words_of_its_title_and_file_name_that_fit_no_other():
    from types import SimpleNamespace

    from assistant.index.retrieval import HybridRetriever, _name_words

    titles = {
        "genai-implementation-guide.txt": "Generative AI implementation: from pilot to production",
        "agent-implementation.md": "AI Agent Implementation: From Pitch to Production",
        "smb-journey.md": "SMB AI Journey: Pilot to Production Complete Guide",
        "method.md": "Methodology: Pilot-to-Production Playbook",
    }
    names, common = _name_words(titles)
    assert {"ai", "production"} <= common  # words most names share name none of them
    retriever = SimpleNamespace(name_words=names, common_name_words=common)

    def named(question: str) -> set[str]:
        return HybridRetriever._named_by_words(retriever, question.lower())

    # "implementation" is in two titles and "guide" in a title and a file name: together, one document.
    assert named("What obstacles does the implementation guide describe?") == {"genai-implementation-guide.txt"}
    assert named("In the SMB guide, what's the budget?") == {"smb-journey.md"}
    # Words of no one name, or of several, name nothing.
    assert named("How does the guide define the implementation team?") == set()
    assert named("What does the pilot to production guide say?") == set()


def test_words_for_any_document_do_not_name_one():
    from assistant.index.retrieval import _distinctive_title_words

    titles = {"a.md": "SMB Journey: Complete Guide", "b.md": "Methodology Playbook"}
    assert _distinctive_title_words(titles, frozenset())["a.md"] == {"smb", "journey", "complete", "guide"}
    # The vocabulary's document nouns ("the guide") name no document.
    assert _distinctive_title_words(titles, frozenset({"guide", "complete", "playbook"})) == {
        "a.md": {"smb", "journey"},
        "b.md": {"methodology"},
    }


def test_another_documents_line_joins_only_when_it_answers_about_as_well(tmp_path, embedder):
    """Two documents; the question is about one thing in one of them. A line of the other document that
    shares a word with the question ("time") and gives a figure of the same measure is not shown beside
    the answer; with the gate off (any support), it is."""
    from assistant.config import Settings
    from assistant.index.vectorstore import build_vector_store
    from assistant.ingest.pipeline import Ingestor
    from assistant.service.coach import Coach

    kb = tmp_path / "knowledge"
    kb.mkdir()
    (kb / "team.md").write_text(
        "# Bakery Team Notes\n\n## Onboarding with the assistant\n\nNew bakers became productive in 3 weeks "
        "instead of 8 weeks. The assistant answered their recipe questions at any hour.\n\n"
        "## Shifts\n\nEach shift starts with a ten-minute huddle at the ovens.\n",
        "utf-8",
    )
    (kb / "money.md").write_text(
        "# Money Guide\n\n## Payback\n\n- Time to positive return: 3-12 months depending on the shop\n"
        "- Hiring a baker costs $30K-$40K a year\n\n## Suppliers\n\nFlour prices change every season.\n",
        "utf-8",
    )
    question = "How much did the new bakers' ramp-up time shrink?"
    answers = {}
    for joins_below in (0.1, 1.0):
        settings = Settings(data_dir=tmp_path / f"data-{joins_below}", knowledge_dir=kb)
        settings.answer.joins_below = joins_below
        Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
        answers[joins_below] = Coach.open(settings, auto_ingest=False).ask(question, check_rate=False)
    gated, ungated = answers[0.1], answers[1.0]
    assert "3 weeks instead of 8 weeks" in gated.answer, gated.answer
    assert {c.doc for c in gated.citations} == {"team.md"}, gated.answer
    assert "money.md" in {c.doc for c in ungated.citations}, ungated.answer  # what the gate keeps out


def test_a_span_of_time_in_words_is_searched_as_the_playbook_writes_one(coach):
    reader = coach.answering.reader
    assert "weeks 3-4" in reader.search_text("what happens in weeks 3 and 4 of the trial")
    assert "days 31-60" in reader.search_text("days 31 to 60?")
    assert "3 and 4 people" in reader.search_text("is it for 3 and 4 people")  # not a span of time
