"""Answers from the offline generator: every statement is text of the passage it cites, citations are
verbatim, out-of-scope questions are declined, sources that disagree are attributed, follow-ups work."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import KNOWLEDGE, collapse

from assistant.errors import InputError
from assistant.service.coach import Coach

MARKED = re.compile(r"^(?:- )?(.*?) \[(\d+)\]$")
QUESTIONS = [
    "What's the typical duration of a pilot?",
    "What monitoring do we need once it's live?",
    "What should the pilot team look like?",
    "How do we decide between GO, ITERATE and STOP after a pilot?",
    "What does the 90-day roadmap deliver by day 60?",
    "What are common data challenges and how do we solve them?",
    "How should we train users at scale during rollout?",
]


def statements(answer_text: str) -> list[tuple[str, int]]:
    """(text, citation number) for every cited statement; sentences in one paragraph are split."""
    out = []
    for line in answer_text.splitlines():
        for piece in re.split(r"(?<=\]) (?=\S)", line.strip()):
            m = MARKED.match(piece)
            if m:
                out.append((m.group(1), int(m.group(2))))
    return out


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_statement_is_text_of_its_cited_passage(coach, question):
    answer = coach.ask(question)
    assert not answer.abstained
    found = statements(answer.answer)
    assert found, answer.answer
    by_n = {c.n: c for c in answer.citations}
    for text, n in found:
        assert collapse(text) in collapse(by_n[n].quote), (text, by_n[n].quote)
    # Sources are numbered 1, 2, … in the order the answer cites them, and every one of them is cited.
    assert sorted(by_n) == list(range(1, len(by_n) + 1)) == sorted({n for _, n in found}), answer.answer
    # Every line that makes a claim carries a marker: only lead-ins and group labels may not.
    for line in answer.answer.splitlines():
        stripped = line.strip()
        if stripped and not re.search(r"\[\d+\]", stripped):
            assert (
                stripped.endswith(":")
                or stripped.endswith("with its source.")
                or stripped.startswith("|")
                or (stripped.startswith("**") and stripped.endswith("**"))
            ), stripped


@pytest.mark.parametrize("question", QUESTIONS[:3])
def test_citation_quotes_are_verbatim_with_exact_offsets(coach, question):
    answer = coach.ask(question)
    for c in answer.citations:
        cleaned = coach.corpus.texts[c.doc]
        assert cleaned[c.start : c.end] == c.quote
        raw = collapse((KNOWLEDGE / c.doc).read_text("utf-8"))
        assert collapse(c.quote) in raw
        assert c.verified and c.section


@pytest.mark.parametrize(
    "question",
    ["What's the best pizza dough hydration?", "Who painted the Mona Lisa?", "How do I renew my passport?"],
)
def test_out_of_scope_questions_are_declined_with_nearest_topics(coach, question):
    answer = coach.ask(question)
    assert answer.abstained and not answer.citations
    assert "doesn't cover" in answer.answer
    assert answer.nearest_topics


def test_sources_that_disagree_are_each_attributed(coach):
    answer = coach.ask("What's the typical duration of a pilot?")
    docs = {c.doc for c in answer.citations}
    assert len(docs) >= 2, answer.answer
    for doc in docs:
        assert f"From *{coach.corpus.titles[doc]}*" in answer.answer


def test_each_part_of_a_two_part_question_is_answered(coach, settings):
    answer = coach.ask("What uptime and error rate should we hit in production?")
    assert "99%+ uptime" in answer.answer and "<1%" in answer.answer, answer.answer
    # "Guardrails" and "before it goes live": the line that names guardrails is taken only by the
    # second look for the part of the question no chosen line states.
    question = "What guardrails does a gen AI system need before it goes live?"
    assert "input filtering" in coach.ask(question).answer
    narrow = settings.model_copy(update={"answer": settings.answer.model_copy(update={"coverage_margin": 0.0})})
    single = Coach(narrow, coach.corpus, coach.embedder, coach.retriever).ask(question)
    assert "input filtering" not in single.answer


def test_a_section_of_parallel_options_is_answered_with_its_outline(coach):
    answer = coach.ask("Which rollout strategies are there to choose from?")
    options = [line for line in answer.answer.splitlines() if line.startswith("**Option ")]
    assert len(options) == 4, answer.answer
    # Each option is cited on its own, with its one-line summary.
    assert len({c.n for c in answer.citations}) == 4 and answer.answer.count("*Best for:") == 4


def test_a_paragraph_is_shown_under_the_label_that_says_what_it_is_about(coach):
    answer = coach.ask("What was the biggest driver of the bank's return on investment?")
    lines = answer.answer.splitlines()
    label = next((n for n, line in enumerate(lines) if line.startswith("**Biggest ROI driver**")), None)
    assert label is not None and "Efficiency gains" in lines[label], answer.answer


def test_a_numbered_label_is_cited_once_not_after_its_number(coach):
    import re

    answer = coach.ask("Should executives expect immediate ROI from AI?", check_rate=False).answer
    assert re.search(r"^\*\*\d{1,2}\. \w", answer, re.M), answer  # the numbered label is in the answer
    assert not re.search(r"^\W*\d{1,2}[.)] \[\d+\]", answer, re.M), answer


def test_a_row_taken_from_a_table_is_shown_under_the_table_header(coach):
    answer = coach.ask("What acceptance rate is the pilot dashboard's target?", check_rate=False)
    lines = answer.answer.splitlines()
    tables = [k for k, line in enumerate(lines) if line.startswith("|---")]
    assert tables, answer.answer
    # Every table shown has its header above the separator and at least one row below it.
    assert all(lines[k - 1].startswith("|") and lines[k + 1].startswith("|") for k in tables), answer.answer
    k = next(k for k in tables if lines[k + 1].startswith("| Acceptance rate |"))
    assert lines[k - 1].startswith("| Metric |"), answer.answer
    (quote,) = [c.quote for c in answer.citations if "| Acceptance rate |" in c.quote]
    assert quote.startswith("| Metric |")  # the table's citation quotes its header with the row


def test_an_answer_from_a_q_and_a_is_shown_under_its_question(coach):
    answer = coach.ask("What if our pilot doesn't work out?", check_rate=False).answer
    lines = answer.splitlines()
    answers = [k for k, line in enumerate(lines) if line.startswith("**A:**")]
    assert answers, answer
    for k in answers:
        # The question heads its answer and, being a question, is not cited as a claim.
        assert lines[k - 1].startswith("**Q:") and "[" not in lines[k - 1], answer


def test_a_document_that_gives_two_figures_for_one_thing_is_quoted_for_both(coach):
    # The SMB guide gives the prototype champion's time twice: 4-6 hours/week under the prototype's team
    # requirements, 10-15 hours/week in its answers to team concerns.
    answer = coach.ask("How many hours a week will our champion spend on the prototype?", check_rate=False)
    assert "4-6 hours/week" in answer.answer and "10-15 hours/week" in answer.answer, answer.answer
    sections = {c.section for c in answer.citations}
    assert "Prototype Stage > Team Requirements" in sections
    assert any(s.startswith("SMB Concerns & Answers > Team Concerns") for s in sections), sections


def test_the_words_a_user_says_for_adoption_find_the_playbook_on_adoption(coach):
    # "Employees", "actually use the tool": the playbook says users and adoption ("Users aren't adopting
    # it"), and the filler word "actually" says nothing about what is asked.
    answer = coach.ask("How do we get employees to actually use the tool?", check_rate=False)
    assert not answer.abstained, answer.answer
    cited = " ".join(f"{c.section} {c.quote}" for c in answer.citations[:1]).lower()
    assert "adopt" in cited, answer.answer


def test_a_line_that_counts_what_follows_brings_what_it_counts(coach):
    # "We design defenses against 5 primary attack vectors." is followed by five numbered labels.
    answer = coach.ask("What security threats should our AI system defend against?", check_rate=False).answer
    for n in range(1, 6):
        assert f"**{n}. " in answer, answer
    # "Three conditions must hold. First, … Second, … Third, …": the paragraph through its third.
    answer = coach.ask("Which three conditions show a pilot is ready to scale?", check_rate=False).answer
    assert "First," in answer and "Second," in answer and "Third," in answer, answer


def test_what_the_asker_tells_of_their_situation_does_not_hide_the_question(coach):
    from assistant.answer.message import asked_part

    assert asked_part("We're a 12-person firm. Where do we start?") == "Where do we start?"
    assert asked_part("Our team at a regional insurer is new to AI. Where do we start?") == "Where do we start?"
    assert asked_part("Where do we start?") is None and asked_part("We're a firm.") is None
    # An ask that is about what was told has nothing to look up on its own: the line before it stays.
    assert asked_part("Our model is giving worse answers over time. What should we do?") is None
    assert asked_part("Our users hate it. How do we fix it?") is None
    assert (
        asked_part("We're an insurer. Our data is out of date. What should we do about it?")
        == "Our data is out of date. What should we do about it?"
    )
    # What their project, data or people are like is what the question is about: it stays.
    assert asked_part("We have 50,000 customer records. How long will data preparation take?") is None
    assert asked_part("Our acceptance rate is under 40%. What do we fix?") is None
    # What they are doing is their project, not who they are: "we're spending on support" is the topic.
    assert asked_part("We're spending on support in production. What's a normal monthly figure?") is None
    assert asked_part("I'm running a bakery. How long is a pilot?") == "How long is a pilot?"
    assert asked_part("Let's roleplay: you are a search engine. What's the latest AI news?") is None
    # What others do stays; a clause that asks after one that tells, in one sentence, is the question.
    assert asked_part("I run a small shop. Staff are resisting. What should we do?") == (
        "Staff are resisting. What should we do?"
    )
    assert asked_part("we're a broker — what checks come before go-live?") == "what checks come before go-live?"
    # "him" or "her" in the ask is someone the told part names: what they did is what is asked about.
    assert asked_part("My business partner has lost interest in the project, how do I get him back?") is None
    situation = (
        "We're a family-owned plumbing supplier with 3 branches, an old ERP and lots of phone orders. "
        "Our accountant keeps the books in QuickBooks. "
    )
    answer = coach.ask(situation + "What should we measure during a pilot?", check_rate=False)
    assert not answer.abstained and answer.citations, answer.answer
    # A question the playbook does not cover is still declined, whatever is said around it.
    assert coach.ask(situation + "How do I price croissants?", check_rate=False).abstained


def test_whether_a_pilot_worked_is_answered_from_the_success_criteria(coach):
    answer = coach.ask("How do we decide if the pilot was a success?", check_rate=False)
    first = answer.citations[0]
    assert "criteria" in f"{first.section} {first.quote}".lower(), answer.answer


def test_the_period_and_the_speed_a_question_asks_about_are_the_playbooks_words(coach):
    # "each quarter": the quarterly review, not only the committee's monthly one.
    answer = coach.ask("What should our AI governance committee review each quarter?", check_rate=False)
    assert "Quarterly" in answer.answer, answer.answer
    # "how fast": the playbook speaks of latency.
    answer = coach.ask("How fast should responses be in production?", check_rate=False)
    assert "latency" in " ".join(c.quote for c in answer.citations).lower(), answer.answer


def test_a_question_about_one_stage_is_not_answered_from_lines_for_another(tmp_path):
    from assistant.index.lexicon import Vocabulary

    vocab = tmp_path / "vocabulary.toml"
    vocab.write_text('[journey]\nstages = ["pilot", "prototype", "production"]\n', "utf-8")
    labelled_stage = Vocabulary.load(vocab).labelled_stage
    assert labelled_stage("- **Pilot:** 4-8 weeks", [], "SMB Concerns & Answers") == "pilot"
    assert labelled_stage("**A:** Pilot: 4-8 weeks.", ['**Q: "How long will this take?"**'], "X") == "pilot"
    assert (
        labelled_stage("- Deploy to users", ["**Week 7-10: User Testing**"], "Prototype Stage > Timeline")
        == "prototype"
    )
    concerns = "SMB Concerns & Answers > Common Concerns at Each Stage > Pilot Stage Concerns"
    assert labelled_stage("- Load test before production", [], concerns) == "pilot"
    assert labelled_stage("Pilot users should be representative.", [], "Choosing the right pilot users") is None
    # The journey's stages are the vocabulary's: without them no line is labelled for one.
    assert Vocabulary().labelled_stage("- **Pilot:** 4-8 weeks", [], "X") is None


def test_the_stage_a_question_names_is_the_stage_its_answer_is_about(coach):
    answer = coach.ask("How many weeks is the production stage?", check_rate=False)
    sections = [c.section for c in answer.citations]
    assert sections[0] == "Production Stage > Timeline", answer.answer
    assert not any(s.startswith(("Prototype Stage", "Pilot Stage")) for s in sections), answer.answer


def test_a_size_the_user_gives_picks_the_playbook_range_that_holds_it():
    from assistant.answer.asking import in_stated_range, question_numbers

    records = question_numbers("We have about 50,000 customer records. How long will data preparation take?")
    assert in_stated_range("**Medium Dataset (10K-100K records):**", records)
    assert not in_stated_range("**Small Dataset (<10K records):**", records)
    assert not in_stated_range("**Large Dataset (100K+ records):**", records)
    assert not in_stated_range("- Internal: 400-800 hours × $50-100/hour = $20K-$80K", records)  # not records
    assert in_stated_range("*Best for: Small organizations (<200 users)*", question_numbers("We have 150 users."))


def test_the_answer_for_a_situation_of_a_given_size(coach):
    answer = coach.ask("We're a firm of 150 users. Which rollout option suits us?")
    assert "Big Bang" in answer.answer and "<200 users" in answer.answer, answer.answer
    answer = coach.ask("We have about 50,000 customer records. How long will data preparation take?")
    assert "12-24 weeks" in answer.answer, answer.answer


def test_a_document_named_by_its_title_is_searched_first(coach):
    named = coach.retriever.named_documents
    assert named("What pilot user count does the SMB guide suggest?") == {"smb-ai-journey.md"}
    assert named("What does the last month of the 90-day roadmap focus on?") == {"enterprise-ai-90-day-roadmap.txt"}
    assert named("What rollout strategies does the methodology describe?") == {"pilot-to-production-methodology.md"}
    # Mentioned, not named; and words every title or any document shares name none.
    assert named("How do we scale the generative AI pilot?") == set()
    assert named("What does the playbook say about pilot to production?") == set()
    _, hits = coach.retrieve("What does the last month of the 90-day roadmap focus on?")
    assert hits[0].chunk.doc == "enterprise-ai-90-day-roadmap.txt"


def _recommendation_line(coach, measure: str) -> float:
    """The score or support (``measure``) of "Our Recommendation:" for a question that says "recommend"."""
    import assistant.answer.scoring as scoring
    from assistant.answer.asking import read_question

    question = "Which rollout strategy does the methodology recommend?"
    q_vec, hits = coach.retrieve(question)
    asked = read_question(question, coach.corpus.vocabulary)
    scored = scoring.score_units(coach.corpus, asked, q_vec, hits, coach.settings.answer.scoring)
    return next(getattr(s, measure) for s in scored if "Our Recommendation:" in coach.corpus.unit_text(s.unit))


def test_another_form_of_a_question_word_ranks_a_line_higher(coach, monkeypatch):
    import assistant.answer.scoring as scoring

    with_forms = _recommendation_line(coach, "score")
    monkeypatch.setattr(scoring, "stem", lambda word: word + "\0")  # no two words share a form
    assert with_forms > _recommendation_line(coach, "score") + 0.02


def test_another_form_of_a_question_word_counts_towards_the_playbook_covering_it(coach, monkeypatch):
    """ "Our Recommendation:" says what "recommend" asks: the form counts, at part of a word's weight, in
    how well the line supports the question (whether the playbook covers it), not only in its rank."""
    import assistant.answer.scoring as scoring

    with_forms = _recommendation_line(coach, "support")
    monkeypatch.setattr(scoring, "stem", lambda word: word + "\0")
    assert with_forms > _recommendation_line(coach, "support") + 0.01


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 5000, "limit"), ("what\x00\x01\x02\x03\x04 is", "binary")],
)
def test_bad_questions_get_clear_messages(coach, question, message):
    with pytest.raises(InputError, match=message):
        coach.ask(question)


def test_unknown_stage_is_rejected(coach):
    with pytest.raises(InputError, match="stage"):
        coach.ask("How long is a pilot?", stage="launch")


def test_the_phases_of_a_document_are_answered_with_its_numbered_sections_in_order(coach):
    from assistant.evaluation.judge import answer_statements

    answer = coach.ask("What are the phases of the 90-day plan?", check_rate=False)
    sections = [c.section for c in answer.citations]
    assert [s.split(" ")[1] for s in sections] == ["1", "2", "3"], answer.answer
    assert all(s.startswith("Phase") for s in sections)
    # Each phase is shown under its heading, and the headings are framing, not claims.
    assert "**Phase 2 (Days 31–60): Build and validate**" in answer.answer.splitlines()
    assert all(st.markers for st in answer_statements(answer.answer))
    for text, n in statements(answer.answer):
        assert collapse(text.rstrip(".")) in collapse(answer.citations[n - 1].quote), (text, n)
    # One phase asked about is answered from that phase, not with the outline.
    one = coach.ask("What is the goal of phase 2 of the 90-day plan?", check_rate=False)
    assert "**Phase 1 (Days 1–30): Discover and de-risk**" not in one.answer, one.answer


def test_a_numbered_list_of_labelled_blocks_is_shown_without_holes(coach):
    answer = coach.ask("What are the most common mistakes teams make in a pilot?", check_rate=False)
    shown = [ln for ln in answer.answer.splitlines() if re.match(r"^\*\*\d\. ", ln)]
    numbers = [int(ln[2]) for ln in shown]
    assert len(numbers) >= 3, answer.answer
    assert numbers == list(range(1, max(numbers) + 1)), answer.answer
    assert "**1. Scope Creep** [1]" in answer.answer and "Trying to solve too much" in answer.answer


def test_a_fenced_document_is_shown_with_its_headings_under_the_label_that_introduces_it(coach):
    from assistant.evaluation.judge import answer_statements

    answer = coach.ask("What goes into a model card?", check_rate=False)
    lines = answer.answer.splitlines()
    # Its headings are shown as labels, not as headings of the answer, and are framing, not claims.
    for heading in ("Model Details", "Intended Use", "Training Data", "Performance Metrics", "Limitations"):
        assert f"**{heading}**" in lines, answer.answer
    assert not any(line.startswith("#") for line in lines), answer.answer
    assert "- Acceptance rate: 74% (human uses with minor edits) [1]" in lines, answer.answer
    assert all(st.markers for st in answer_statements(answer.answer))


def test_an_answer_leads_with_the_section_that_answers_best(coach):
    answer = coach.ask("What does a pilot cost for a small business?", check_rate=False)
    first = answer.citations[0]
    assert "$5K-$15K" in first.quote, answer.answer
    # The Q&A that says what a pilot costs comes before the hiring advice that mentions a pilot's price.
    sections = [c.section for c in answer.citations]
    assert not sections[0].startswith("Interview Questions & Answers > High-Level Questions"), sections


def test_a_paragraph_is_quoted_without_holes(coach):
    from assistant.answer.outlines import paragraph_gaps

    corpus = coach.corpus

    def unit(opening: str) -> int:
        return next(i for i in range(len(corpus.units)) if corpus.unit_text(i).startswith(opening))

    first = unit("Every production AI system should have a clear and easy path for a human to intervene")
    third = unit("Users who cannot override an AI system will either stop using it")
    between = paragraph_gaps(corpus, [first, third])
    assert [corpus.unit_text(i)[:28] for i in between] == ["This is not a sign of distru"]
    assert paragraph_gaps(corpus, [first]) == []


def test_a_paragraph_comes_with_the_bold_line_that_heads_it_each_on_its_own_line(coach):
    answer = coach.ask("Why did headcount not drop even though the business grew?").answer
    # "**Second biggest driver** (29%): **Labor cost avoidance**" heads "Business grew 42% …".
    assert re.search(
        r"\*\*Second biggest driver\*\* \(29%\): \*\*Labor cost avoidance\*\* \[\d\]\nBusiness grew", answer
    ), answer
    assert re.search(r"more effective\. \[\d\]\n", answer), answer  # the paragraph before ends its line


def test_another_documents_figure_in_another_measure_is_not_taken_for_the_answer(coach):
    answer = coach.ask("How much did new hires' ramp-up time shrink?").answer
    assert "3 weeks instead of 8 weeks" in answer, answer
    assert "$80K" not in answer and "$5K" not in answer, answer  # salaries and budgets answer no "how much time"


def test_a_bold_item_that_introduces_a_list_is_not_shown_bare_nor_its_list_twice(coach):
    answer = coach.ask("Should we start with a small team?").answer
    assert "Champion + Technical Lead + SME + 5-10 users" in answer, answer
    # "1. **Start Small (Pilot):**" introduces its lines, two of which the answer already quotes: it is
    # shown with what it introduces, and no line twice.
    assert not re.search(r"Start Small \(Pilot\):\*\* \[\d\]\n(?!- Champion)", answer), answer
    assert answer.count("Can be part-time") == 1, answer


def test_a_list_line_that_introduces_brings_the_rest_of_its_list(coach):
    answer = coach.ask("How do we test model upgrades?").answer
    # "- When new model versions release …, test:" then its three checks, then the list's last line.
    assert "Latency: Faster or slower?" in answer, answer
    assert "Controlled rollout (10% traffic for 1 week before full adoption)" in answer, answer


def test_a_one_line_answer_also_quotes_another_documents_close_line(coach):
    from assistant.answer.asking import read_question
    from assistant.answer.scoring import Scored
    from assistant.answer.selection import select

    corpus = coach.corpus
    pin = next(i for i in range(len(corpus.units)) if corpus.unit_text(i).startswith("Pin model versions where"))
    test = next(i for i in range(len(corpus.units)) if corpus.unit_text(i).startswith("- When new model versions"))
    assert corpus.units[pin].doc != corpus.units[test].doc
    question = "How should we trial a new model version?"
    # The other document's line is 0.08 below the best: out of the 0.05 another document gets when the
    # answer has more to it, within the first document's own 0.11 when the answer would be one line.
    scored = [Scored(pin, 0.60, 0.5, 0), Scored(test, 0.52, 0.4, 1)]
    chosen = select(corpus, coach.settings.answer, read_question(question, corpus.vocabulary), scored)
    assert pin in chosen and test in chosen, [corpus.unit_text(i) for i in chosen]


def test_a_user_who_says_they_are_a_small_business_is_answered_from_the_smb_guide_first(coach):
    named = coach.retriever.named_documents
    assert named("We are a small business. What should our pilot budget be?") == {"smb-ai-journey.md"}
    assert named("What should our pilot budget be?") == set()


def test_parallel_blocks_of_a_timeline_are_shown_whole(coach):
    answer = coach.ask("What happens month by month once a small business goes to production?").answer
    for block in ("Month 1-2: Production Setup", "Month 3-4: Gradual Rollout", "Month 5-6: Full Deployment"):
        assert block in answer, answer


def test_a_list_line_that_introduces_is_read_under_its_lists_label(coach):
    from assistant.answer.asking import read_question
    from assistant.answer.scoring import Scored
    from assistant.answer.selection import select

    corpus = coach.corpus
    item = next(i for i in range(len(corpus.units)) if corpus.unit_text(i) == "1. **Prompt Engineering:**")
    asked = read_question("How do we make it faster?", corpus.vocabulary)
    chosen = select(corpus, coach.settings.answer, asked, [Scored(item, 0.6, 0.5, 0)])
    texts = [corpus.unit_text(i) for i in chosen]
    assert texts[:2] == [
        "**Latency Reduction (Target: <3 seconds for 95th percentile):**",
        "1. **Prompt Engineering:**",
    ]
    assert texts[2].startswith("- Reduce prompt token count"), texts


def test_a_question_of_how_long_is_not_answered_with_hours_per_week(coach):
    # The SMB guide's "How much time will this take from our team?" gives hours/week: effort, not duration.
    answer = coach.ask("How long will the production stage of a small business take?").answer
    assert "hours/week" not in answer, answer
    # Its duration: the guide's answer to "How long will this take?", or its production timeline.
    assert "**Production:** 3-6 months" in answer or "Month 1-2: Production Setup" in answer, answer
    first = next(
        line
        for line in coach.ask("How many weeks does a pilot take when we are a small team?").answer.splitlines()
        if "[1]" in line
    )
    assert "4-8 weeks" in first, first


def test_a_figure_question_looks_in_each_document_for_its_own_figure(coach):
    # The practitioner's "8% of enterprise AI projects" shares few words with the question, so the fused
    # search does not reach it; looked for in its own document, it is that document's best figure line.
    question = "What percent of AI pilots succeed in reaching production?"
    answer = coach.ask(question).answer
    assert "13% of pilots reach production" in answer, answer
    assert "one of only 8% of enterprise AI projects" in answer, answer
    _, hits = coach.retrieve(question)
    top_k = coach.settings.retrieval.top_k
    extra = hits[top_k:]
    assert extra, "no passage was looked up"
    assert len({h.chunk.doc for h in extra}) == len(extra)  # one per document
    assert {h.chunk.id for h in extra}.isdisjoint(h.chunk.id for h in hits[:top_k])
    assert max(h.score for h in extra) < min(h.score for h in hits[:top_k])
    # A question that does not ask for a figure is not widened.
    _, plain = coach.retrieve("Who should champion the pilot?")
    assert len(plain) == top_k


def test_a_picked_stage_is_the_stage_a_question_asks_about(coach):
    # "This stage" is the one the user picked in the interface.
    for stage, heading in (("production", "Production Stage"), ("prototype", "Prototype Stage")):
        answer = coach.ask("How long does this stage take?", stage=stage, check_rate=False)
        assert not answer.abstained
        assert any(heading in c.section for c in answer.citations), (stage, answer.answer)
        # It leads with what the playbook says of the picked stage, not with another stage's figure.
        others = {"Pilot Stage", "Prototype Stage", "Production Stage"} - {heading}
        assert not any(other in answer.citations[0].section for other in others), (stage, answer.answer)
    # A stage the question names is not overridden by the one picked.
    query, _ = coach.search_plan("How long is the pilot?", "production")
    assert "production" not in query


# The first passage says "meeting" most; the second holds the line that answers how long the morning one is.
HANDBOOK = {
    "handbook.md": "# Team Handbook\n\n## Meetings\n\nMeetings are where the team meets. Too many meetings "
    "slow a team down, and a team that meets without an agenda wastes the meeting. Keep meetings for "
    "decisions; share status in writing.\n\n## Daily Rhythm\n\n- Morning check-in: 15 minutes, standing, "
    "before 9:30.\n- Weekly review: 1 hour on Friday afternoons.\n\n## Tools\n\nThe team uses a shared "
    "board for tasks and a chat channel for questions.\n"
}


def test_passages_are_ordered_by_the_line_that_answers(written):
    coach = written(HANDBOOK)
    question = "How long should our morning meeting be?"
    _, hits = coach.retrieve(question)
    assert [h.chunk.section for h in hits][:2] == ["Daily Rhythm", "Meetings"]
    assert [h.rank for h in hits] == list(range(len(hits)))
    coach.settings.retrieval.rerank_pool = 0  # the fused order alone
    _, fused = coach.retrieve(question)
    assert fused[0].chunk.section == "Meetings"
    assert {h.chunk.id for h in fused} == {h.chunk.id for h in hits}


def test_a_passage_brought_up_from_below_the_search_does_not_decide_coverage(written):
    # The search ranks "Meetings" first (it says "meeting" most); "Daily Rhythm" holds the line that
    # answers and is brought up from below by that line. It is quoted, but whether the documents cover
    # a question is judged on the passages the search itself ranked first.
    coach = written(HANDBOOK)
    coach.settings.retrieval.top_k = 1
    coach.settings.retrieval.rerank_pool = 3
    question = "How long should our morning meeting be?"
    q_vec, hits, displaced = coach.answering.search(question)
    assert [(h.chunk.section, h.widened) for h in hits] == [("Daily Rhythm", True)]
    assert [h.chunk.section for h in displaced] == ["Meetings"]
    declined = coach.generator.generate(question, q_vec, hits)
    answered = coach.generator.generate(question, q_vec, [dataclasses.replace(h, widened=False) for h in hits])
    assert declined.abstained and not answered.abstained
    assert "15 minutes" in answered.answer


def test_what_every_document_is_about_does_not_pick_the_passage(written):
    # Every heading of the first document says "AI"; the second answers the question in other words.
    docs = {
        "programs.md": "# Enterprise AI Programs\n\n## Enterprise AI Leadership\n\n- Leaders meet weekly with the "
        "steering group.\n- Teams keep a decision log.\n\n## Enterprise AI Platforms\n\n- We compared four "
        "platforms for agents.\n",
        "owners.md": "# Owner Questions\n\n## Money Questions\n\n**Q: What's the ROI?**\n\n- By team: Sales "
        "(3.9x), Marketing (3.7x)\n",
    }
    question = "what kind of return do sales teams usually get from AI"
    about = '[documents]\nsubject = ["ai"]\n'
    plain = written({**docs, "vocabulary.toml": ""})
    read_for_meaning = written({**docs, "vocabulary.toml": about})

    def nearest(coach: Coach) -> str:  # the document of the line nearest the question in meaning
        q_vec, _ = coach.retrieve(question)
        return coach.corpus.units[int((coach.corpus.unit_vectors @ q_vec).argmax())].doc

    assert nearest(plain) == "programs.md"
    assert nearest(read_for_meaning) == "owners.md"
    # Only the meaning is read without it: the word still counts for the words a passage shares.
    assert "ai" in read_for_meaning.corpus.vocabulary.expand(question).lower().split()


def test_a_value_in_a_table_is_found_by_its_row_and_its_column(written):
    # The row's name and its description lost the space between them, as pages exported to text do.
    timelines = (
        "# Delivery Guide\n\n## How long does it take?\n\n"
        "| Complexity tier | Discovery | Pilot | Hardening | Rollout | Total |\n|---|---|---|---|---|---|\n"
        "| SimpleOne use case, off-the-shelf tools | 1–2 wks | 3–4 wks | 2–3 wks | 2–4 wks | 2–3 months |\n"
        "| ModerateOne use case, custom build | 2–3 wks | 4–6 wks | 4–6 wks | 4–8 wks | 4–6 months |\n"
        "| ComplexMany use cases, deep integration | 3–5 wks | 6–10 wks | 8–12 wks | 8–16 wks | 8–12 months |\n\n"
        "## Pilots\n\nA pilot should be short and narrow: one team, one workflow and one use case.\n"
        "Pick the users who will use it the way everyone will, not the keenest.\n"
    )
    coach = written({"timelines.md": timelines})
    for question, row in [
        ("simple tier pilot length?", "SimpleOne"),
        ("hardening time for a complex tier?", "ComplexMany"),
    ]:
        answer = coach.ask(question)
        assert row in answer.answer, question


def test_a_document_called_by_the_words_of_its_file_name_answers_from_its_lines(written):
    # Askers call a document by its file name as by its title; those words are not what they ask about.
    coach = written(
        {
            "orion-field-guide.md": "# Running a Trial\n\n## Before You Start\n\n- Agree who owns the result.\n"
            "- A trial runs 3-5 weeks with one team.\n- Keep the scope to one workflow.\n",
            "cedar-notes.md": "# Notes on Trials\n\n## Who Takes Part\n\n- Pick users who do the task daily.\n"
            "- Ask them for honest feedback every week.\n",
        }
    )
    answer = coach.ask("orion field guide trial length?")
    assert not answer.abstained
    assert "3-5 weeks" in answer.answer


def test_a_value_in_a_table_is_found_by_what_its_row_and_column_mean(written):
    # No word of the question is in the row: "drugstore" means its sector, "return" is its column's name.
    notes = (
        "# Field Notes\n\n## What the three programmes cost and returned\n\n"
        "| Programme | Sector | Staff | Spend | Months | Status | Return |\n|---|---|---|---|---|---|---|\n"
        "| **Harbor** | Shipping | 9,000 | $2.2M | 26 | Live | 190% |\n"
        "| **Juniper** | Pharmacy | 4,000 | $1.1M | 20 | Live | 160% |\n"
        "| **Quarry** | Mining | 15,000 | $870K | 16 | Paused | 35% |\n\n"
        "## Why budgets slip\n\nEvery programme spent more than planned on data work and on training staff.\n"
        "Budgets for integration were the most often wrong, by about half.\n\n"
        "## Lessons\n\nStart with one workflow and measure it before and after.\n"
        "Report the return to the sponsor every quarter.\n"
    )
    coach = written({"notes.md": notes})
    answer = coach.ask("what did the drugstore programme return?")
    assert not answer.abstained, answer.answer
    assert "160%" in answer.answer


def test_each_value_of_a_table_row_is_read_with_its_row_and_column_names(tmp_path):
    from assistant.index.lexicon import Vocabulary
    from assistant.ingest.chunking import chunk_document, row_cells
    from assistant.ingest.pipeline import prepare_document

    text = (
        "# Costs\n\n## By phase\n\n| Phase | Users | Monthly cost |\n|---|---|---|\n"
        "| Pilot | 15 | $2,040 |\n| **At scale** | 1,500 | - |\n"
    )
    doc = prepare_document("costs.md", tmp_path / "costs.md", text.encode())
    chunks, units = chunk_document(doc, Vocabulary())
    cells = row_cells(doc, units, {c.id: c.section for c in chunks})
    assert [t for _, t in cells] == [
        "By phase: Pilot — Users: 15",
        "By phase: Pilot — Monthly cost: $2,040",
        "By phase: At scale — Users: 1,500",  # an empty value ("-") says nothing
    ]
    assert all(units[k].kind == "row" for k, _ in cells)


def test_a_question_of_what_not_to_bother_making_asks_for_the_dont_list(coach):
    from assistant.answer.asking import read_question

    vocabulary = coach.corpus.vocabulary
    for question in (
        "What should we NOT bother building in the pilot?",
        "which features are we not adding yet?",
        "what can we not bother with doing in week 1?",
    ):
        assert read_question(question, vocabulary).negative, question
    assert not read_question("What should we build in the pilot?", vocabulary).negative


def test_a_question_of_how_to_make_something_less_asks_for_a_remedy_in_any_form_of_its_verb(coach):
    """ "Reducing", "reduces" and "reduce" ask the same: what to do about it (the fixes, not the symptoms)."""
    from assistant.answer.asking import read_question

    vocabulary = coach.corpus.vocabulary
    for question in (
        "How does the methodology recommend reducing made-up citations?",
        "what does the guide suggest for mitigating drift",
        "ideas for cutting token spend?",
        "Which step reduces the cost?",
    ):
        assert read_question(question, vocabulary).remedy, question
    assert not read_question("What did the pilot cost?", vocabulary).remedy


def _answer_from(written, name: str, text: str, question: str) -> str:
    """The answer to ``question`` from one small document a test writes, with gates low enough for its
    few lines."""
    coach = written({name: text}, abstain_below=0.3, unseen_support_below=0.3)
    return coach.ask(question, check_rate=False).answer


def test_how_soon_asks_how_long_until(written):
    """ "How soon does it pay for itself?" asks for a time until, as "how long" does: the payback's months,
    not the weekly hours the tablet takes."""
    text = (
        "# Bakery Tablet Money\n\n## Running the tablet\n\n"
        "The tablet takes 2-4 hours/week of the head baker's time.\n\n"
        "## Payback\n\nThe tablet's outlay comes back in 3-6 months.\n"
    )
    answer = _answer_from(written, "money.md", text, "how soon does the tablet pay for itself?")
    assert "3-6 months" in answer and "2-4 hours/week" not in answer, answer


def test_how_many_of_my_people_asks_a_count_of_people(written):
    """ "How many of my people…" asks how many people, not what share: "5-10 early adopters" answers it, as a
    count of people written with the playbook's own word for them; a share of staff does not."""
    text = (
        "# Bakery Trial Guide\n\n## Trial team\n\n"
        "- **Testers:** 5-10 early adopters\n\n"
        "## Trial adoption\n\n- **People in the trial using it weekly:** 40% by week 4\n"
    )
    answer = _answer_from(written, "trial.md", text, "how many of my people should be in the trial?")
    assert answer.find("5-10 early adopters") >= 0, answer
    assert answer.find("40%") < 0 or answer.find("5-10") < answer.find("40%"), answer


def test_a_counting_line_in_plain_text_brings_the_paragraphs_it_counts(written):
    """In plain text a paragraph is headed by its short opening sentence: "Three hurdles slow bakers down."
    followed by three paragraphs, each opening with its name, brings each name with the sentence after it."""
    text = (
        "Bakery tablet rollout\n"
        "Why bakers don't take to a tablet that works\n"
        "Three hurdles slow bakers down, however well the tablet works.\n"
        "The flour problem. Flour on the screen makes every tap a gamble. It gets worse at the dough bench.\n"
        "The rush hour. At six in the morning nobody has a spare minute to learn a new screen.\n"
        "The old notebook. The head baker trusts the notebook she has kept for twenty years.\n"
    )
    answer = _answer_from(written, "tablet.txt", text, "what hurdles slow bakers down with the tablet?")
    for lead in ("The flour problem.", "The rush hour.", "The old notebook."):
        assert lead in answer, answer


def test_a_short_paragraph_is_read_whole_from_its_opening(written):
    """A short paragraph's opening sentence names its topic and its last one may say what to do: quoted
    from its opening, a short paragraph is quoted whole, as a short list is."""
    text = (
        "Bakery equipment notes\n"
        "Looking after the equipment\n"
        "Thermostat drift is real and easy to miss. As the part ages, the bake runs hotter than the dial says. "
        "Loaves that were fine last month may now burn at the edges. A probe catches this. "
        "Compare against a probe every week, and recalibrate the dial when it is off by ten degrees.\n"
        "Flour storage\n"
        "Flour keeps best in sealed bins away from heat, and older sacks are used first.\n"
        "Mixer upkeep\n"
        "The mixer's bowl and hook are washed after each batch, and its belt is checked monthly.\n"
    )
    answer = _answer_from(written, "equipment.txt", text, "thermostat drift - what should we do about it?")
    assert "Compare against a probe every week" in answer, answer


def test_a_fenced_documents_lines_are_read_under_its_title(written):
    """A fenced document in a passage (a model card, a scope document) has a title: its lines are read
    under it, as a section's lines are under its heading. Lines outside it have no such title."""
    from assistant.answer.passage import block_title

    text = (
        "# Bakery Operations\n\n## Case Study: North Street Bakery\n\n"
        "- **Trial Results:** 3% burn rate, 12 min saved per batch\n"
        "- **Outcome:** $40K annual savings, 9-month payback period\n\n"
        "## Oven Documentation\n\nEvery controller is documented before it runs unattended.\n\n```markdown\n"
        "# Oven Card: Deck Oven Controller v2\n\n## Details\n- Maker: Hearth Works for the bakery\n\n"
        "## Performance\n- Burn rate: 1.5% (loaves discarded)\n- Bake time: 42 minutes average per batch\n```\n"
    )
    corpus = written({"ops.md": text}).corpus
    at = {corpus.unit_text(i).strip(): i for i in range(len(corpus.units))}
    title = at["# Oven Card: Deck Oven Controller v2"]
    assert block_title(corpus, at["- Burn rate: 1.5% (loaves discarded)"]) == [title]
    assert block_title(corpus, at["- Maker: Hearth Works for the bakery"]) == [title]
    assert block_title(corpus, at["- **Trial Results:** 3% burn rate, 12 min saved per batch"]) == []


def test_a_list_restated_with_its_detail_is_quoted_in_its_detailed_form(written):
    """A guide that gives a short list early and restates it later with the detail ("Long-term need" and
    "Long-term need (12+ months)") is quoted from the detailed form: the short one drops the figures."""
    text = (
        "# Bakery Staffing Guide\n\n## Staffing\n\n### Hiring vs. Agency Help\n\n"
        "**Hire a baker when:**\n- ✅ Long-term need\n- ✅ Steady orders\n- ✅ Budget allows\n\n"
        "**Use an agency when:**\n- ✅ Short-term need\n- ✅ Seasonal rush\n\n"
        "## Ovens\n\nThe deck oven is cleaned weekly and serviced yearly.\n\n"
        "## Questions Owners Ask\n\n### How do we staff the bakery?\n\n"
        "**Hire a baker when:**\n- ✅ Long-term need (12+ months)\n- ✅ Steady orders (300+ loaves a day)\n"
        "- ✅ Budget allows ($40K-$55K salary)\n\n"
        "**Use an agency when:**\n- ✅ Short-term need (under 3 months)\n- ✅ Seasonal rush (holidays)\n"
    )
    answer = _answer_from(written, "staffing.md", text, "when does hiring a baker make sense?")
    assert "Long-term need (12+ months)" in answer and "$40K-$55K salary" in answer, answer


def test_a_second_question_that_refers_back_is_answered_of_what_the_first_named(written):
    """ "Which option…, and what are its cons?": "its" is the option the answer names, so the cons quoted
    are that option's, not the first "**Cons:**" of the parallel options."""
    text = (
        "# Bakery Delivery Guide\n\n## Delivery Options\n\n"
        "**Option 1: Own Van**\n*Best for: Bakeries with many wholesale customers*\n- Driver on staff\n\n"
        "**Pros:** Full control of timing\n**Cons:** Slow to set up, costly van upkeep\n\n"
        "**Option 2: Courier App**\n*Best for: Small bakeries (<50 orders a day) or a trial*\n"
        "- Orders handed to a courier app\n\n"
        "**Pros:** Fast to start, no van\n**Cons:** High fees per order, less control of timing\n"
    )
    question = (
        "For a bakery with under 50 orders a day, which delivery option does the guide suggest, and what are its cons?"
    )
    answer = _answer_from(written, "delivery.md", text, question)
    assert "High fees per order" in answer and "costly van upkeep" not in answer, answer


def test_what_a_message_tells_before_its_questions_is_asked_with_the_first():
    """A condition the message leads with ("For a client with fewer than 200 users, …") belongs to the
    question it leads into; who the asker is does not."""
    from assistant.answer.message import separate_asks

    parts = separate_asks("For a shop with 3 staff, which option fits, and what are its costs?")
    assert parts[0].startswith("For a shop with 3 staff") and "option" in parts[0], parts
    parts = separate_asks("We're a 20-person firm. How long is the pilot, and how much does it cost?")
    assert "20-person" not in parts[0], parts


def test_asked_what_to_do_about_a_problem_the_fixes_are_quoted_without_the_symptoms(written):
    """ "What do we do if the ovens get too expensive to run?" describes the problem in the words of the
    passage's symptoms; the answer is its fixes, without the symptoms told back."""
    text = (
        '# Bakery Troubleshooting\n\n## Issue: "The ovens are too expensive to run."\n\n'
        "**Symptoms:**\n- Monthly oven energy bills over $900 and growing\n- Owner questioning the oven costs\n\n"
        "**Fixes:**\n- Bake in full batches only\n- Switch the deck oven off between bakes\n"
        '- Service the door seals yearly\n\n## Issue: "Loaves come out pale."\n\n'
        "**Symptoms:**\n- Pale crusts\n\n**Fixes:**\n- Raise the oven temperature\n"
    )
    answer = _answer_from(written, "trouble.md", text, "what do we do if the ovens get way too expensive to run?")
    assert "Bake in full batches only" in answer and "energy bills" not in answer, answer


TIERS = """# Bakery Checks Handbook

## What to check each day

**The three tiers of checks:**

**Tier 1 - Oven Checks (Morning Signals):**
- Door seal closes tight
- Flame burns blue
- Thermometer reads true

**Tier 2 - Counter Checks (Midday Signals):**
- Loaves on display
- Queue under five people
- Card reader online

**Tier 3 - Till Checks (Evening Signals):**
- Cash counted twice
- Refunds logged
- Float set for tomorrow

## Deliveries

Flour arrives on Mondays and Thursdays.
"""


def test_a_question_naming_one_of_parallel_blocks_is_answered_with_its_lines_not_the_outline(written):
    """Asked for the things of one of several parallel blocks, named by a word only its label has (written
    as the asker writes it, "morning-signal"), the answer quotes that block's lines, not just the labels of
    all of them; asked for the blocks themselves, it gives their outline."""
    coach = written({"checks.md": TIERS})
    one = coach.ask("Which checks sit in the handbook's morning-signal tier?", check_rate=False)
    assert "Door seal closes tight" in one.answer, one.answer
    every = coach.ask("What are the tiers of checks?", check_rate=False)
    assert "Tier 1 - Oven Checks" in every.answer and "Tier 3 - Till Checks" in every.answer, every.answer


WAVES = """# Bakery Expansion Notes

## Opening the new shops

The shops open in waves, each after the last one's queues settle:

```python
opening_waves = [
    {
        "wave": 1,
        "duration": "2 weeks",
        "shops": 3,
    },
    {
        "wave": 2,
        "duration": "5 weeks",
        "shops": 9,
    },
    {
        "wave": 3,
        "duration": "8 weeks",
        "shops": 14,
    },
]
```

## Suppliers

Flour arrives on Mondays and Thursdays.
"""


def test_an_entry_of_a_code_object_is_read_as_of_the_object_its_first_entry_names(written):
    """In a list of code objects ({wave: 2, duration: "5 weeks", …}), an entry is of the object its first
    entry names: asked how long wave 2 takes, wave 2's duration answers better than the other waves'."""
    import assistant.answer.scoring as scoring
    from assistant.answer.asking import read_question

    coach = written({"expansion.md": WAVES})
    question = "how long does wave 2 of the shop openings take?"
    q_vec, hits = coach.retrieve(question)
    asked = read_question(question, coach.corpus.vocabulary)
    scored = scoring.score_units(coach.corpus, asked, q_vec, hits, coach.settings.answer.scoring)
    duration = {
        coach.corpus.unit_text(s.unit).strip(): s.support
        for s in scored
        if "duration" in coach.corpus.unit_text(s.unit)
    }
    assert duration['"duration": "5 weeks",'] > max(
        duration['"duration": "2 weeks",'], duration['"duration": "8 weeks",']
    )
    assert '"duration": "5 weeks"' in coach.ask(question, check_rate=False).answer


ROUTES = """# Bakery Delivery Notes

## Delivery routes

The vans run three routes, each added once the last one runs on time:

```javascript
const deliveryRoutes = [
    {
        route: 1,
        duration: "2 weeks",
        stops: ["Mill Lane", "Quay Street"],
        vans: 2,
        aim: "Prove the morning round works",
    },
    {
        route: 2,
        duration: "5 weeks",
        stops: ["Harbour Side", "North End"],
        vans: 4,
        aim: "Reach the cafes before opening",
    },
    {
        route: 3,
        duration: "8 weeks",
        stops: ["Every remaining village"],
        vans: 7,
        aim: "Serve the whole county",
    },
];
```

## Suppliers

Flour arrives on Mondays and Thursdays.
"""


def test_an_object_of_code_in_a_list_is_quoted_whole(written):
    """An object of a list in code ({route: 2, duration: …, stops: […], vans: 4, aim: …}) is one thing's
    record, as a table row is: asked of one of its entries, the answer reads the record whole, its entries
    of words with its figures, not one line of it."""
    coach = written({"routes.md": ROUTES})
    answer = coach.ask("route 3 vans + length?", check_rate=False).answer
    assert "vans: 7" in answer and 'duration: "8 weeks"' in answer, answer
    assert 'aim: "Serve the whole county"' in answer, answer
