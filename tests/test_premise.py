"""A premise the quotes contradict is named before them; a figure they hold, a question that asks
rather than asserts, and a figure of another kind are left alone."""

from __future__ import annotations

from assistant.answer.figures import figures
from assistant.answer.premise import figure_question, premise_note

ANSWER = """From *Field Guide: A 90-Day Plan* (Trial > Length):
- **Trial:** 4-8 weeks [1]
- **Testers:** 5-10 people [1]
- **Budget:** $5K-$15K [1]

From *Rollout Notes* (Adoption):
- **Signed up:** 80% target [2]
- **Weekly use:** 60% target, reviewed when under 50% [2]"""


def test_a_figure_the_quotes_contradict_is_named_first():
    assert "not give 6 months" in premise_note("the trial should run ~6 months, right?", ANSWER)
    assert "not give $1k" in premise_note("we only need to budget $1k for the trial, correct?", ANSWER)
    assert "not give 100 people" in premise_note("I read we need 100 people testing it", ANSWER)
    # The line about what the figure is of decides: 50% is in the answer, but not as the sign-up target.
    assert "not give 50%" in premise_note("The sign-up target is 50%, right?", ANSWER)


def test_what_the_quotes_hold_or_do_not_speak_to_is_left_alone():
    assert premise_note("the trial is 6 weeks, right?", ANSWER) is None  # inside 4-8 weeks
    assert premise_note("How long is the trial? 6 months?", ANSWER) is None  # asks, does not assert
    assert premise_note("the trial costs 3x what we planned, right?", ANSWER) is None  # no multiple quoted
    assert premise_note("The 90-day plan says the trial is 4-8 weeks, right?", ANSWER) is None  # a title
    # A document's title names it, also when the answer quotes another document.
    other = ANSWER.replace("Field Guide: A 90-Day Plan", "Field Guide")
    assert "90-day" in premise_note("The 90-day plan opens with a 6-month phase, right?", other)
    note = premise_note("The 90-day plan opens with a 6-month phase, right?", other, ("A 90-Day Plan",))
    assert note is not None and "90-day" not in note and "6-month" in note


def test_figures_are_read_as_values_of_one_kind():
    kinds = {(f.kind, f.low, f.high) for f in figures("a six-month phase, $10k a year, 20-50 users, Days 1–30")}
    assert ("weeks", 26.0, 26.0) in kinds
    assert ("$", 10_000.0, 10_000.0) in kinds
    assert ("count", 20.0, 50.0) in kinds
    assert ("weeks", 30 / 7, 30 / 7) in kinds
    assert not any(f.kind == "count" for f in figures("Tier 1 support and Phase 2"))


def test_a_part_of_a_line_gives_its_own_figure():
    whole = "From *Notes* (Plan):\n**Duration:** 16-32 weeks (Trial: 4-8 weeks | Rollout: 4-12 weeks) [1]"
    # 26 weeks is inside the whole's 16-32 weeks, not the trial's 4-8.
    assert "not give 6 months" in premise_note("the trial should run ~6 months, right?", whole)
    assert premise_note("the whole duration is 6 months, right?", whole) is None


def test_figures_joined_as_steps_are_each_a_figure_not_a_range():
    steps = "From *Notes* (Rollout):\n- Canary: 5% to 25% to 50% of users, with a check at each step [1]"
    assert [(f.low, f.high) for f in figures(steps)] == [(5.0, 5.0), (25.0, 25.0), (50.0, 50.0)]
    assert "not give 10%" in premise_note("the canary goes 10%, then 50%, right?", steps)
    assert premise_note("the canary starts at 5%, right?", steps) is None
    assert [(f.low, f.high) for f in figures("a pilot of 5% to 25% of users")] == [(5.0, 25.0)]


def test_a_figure_to_confirm_is_searched_as_what_it_asks():
    assert figure_question("the trial should run ~6 months right?") == "the trial should run how long?"
    assert figure_question("so it's only like $10k a year, yeah?") == "so it's how much a year?"
    assert figure_question("I read we need about 100 people testing it. Is that right?") == (
        "we need how many people testing it?"
    )
    assert figure_question("The sign-up target is 50%, correct? Who owns it?") == (
        "The sign-up target is what percentage? Who owns it?"
    )
    # A title's figure stays; a question that asks, or has no figure, is not rewritten.
    assert figure_question("The 90-day plan's trial is 4 weeks, right?", ("A 90-Day Plan",)) == (
        "The 90-day plan's trial is how long?"
    )
    assert figure_question("How long is the trial? 6 months?") is None
    assert figure_question("Is the trial worth it, right?") is None


def test_a_terse_statement_with_a_question_mark_asks_to_confirm_its_figure():
    from assistant.answer.premise import asks_to_confirm

    assert asks_to_confirm("testers get $1000 a quarter?")
    assert "not give $1000" in premise_note("testers get $1000 a quarter?", ANSWER.replace("5-10 people", "$100-250"))
    # The figure is the asker's situation when the question is another one; a question that asks is asked.
    assert not asks_to_confirm("trial takes 12s to answer, people complaining. fixes?")
    assert not asks_to_confirm("How long is the trial? 6 months?")
    assert not asks_to_confirm("Is the trial worth $1000?")
    # A tag typed without its question mark or apostrophe still asks to confirm.
    assert asks_to_confirm("the trial is only like 10% of the work, isnt it")
    assert asks_to_confirm("testers get $1000 a quarter, right")
    assert not asks_to_confirm("testers get $1000 a quarter, right after the trial")


def test_a_number_naming_a_position_is_no_figure_of_what_follows():
    # "phase 2 days?" asks which days phase 2 spans: the 2 names the phase, it is no duration to confirm
    assert premise_note("trial phase 2 days?", ANSWER) is None
    assert premise_note("week 3 hours for testers?", ANSWER) is None
    assert "not give 3 days" in premise_note("the trial takes 3 days?", ANSWER)


def test_a_figure_set_as_a_condition_is_not_claimed():
    from assistant.answer.premise import claimed

    # "at 1000 users" is when the cost is asked of, not a figure the asker states
    assert claimed("trial cost at 1000 testers vs now?") == ()
    assert claimed("what does it cost with 50 testers?") == ()
    assert premise_note("trial budget at 1000 testers?", ANSWER) is None
    assert [f.text for f in claimed("trial needs 1000 testers?")] == ["1000 testers"]
    assert [f.text for f in claimed("the notes put the sign-up target at 50%, right?")] == ["50%"]
    # a message that asks to confirm in so many words states its count, "at" or not
    assert [f.text for f in claimed("the oven failed at 40 loaves an hour, didn't it?")] == ["40 loaves"]


def test_a_situation_told_before_a_question_is_not_claimed():
    from assistant.answer.premise import asks_to_confirm, claimed

    # The asker's situation, then a clause that asks: nothing to confirm.
    assert not asks_to_confirm("our recipes live in like 5 different apps, is that a problem for the trial?")
    assert premise_note("our recipes live in 5 different apps, is that a problem for the trial?", ANSWER) is None
    # A tag of a word or two after the comma still asks to confirm the figure before it.
    assert [f.text for f in claimed("the trial takes 3 days, is it?")] == ["3 days"]
    assert [f.text for f in claimed("trial has 40 testers, is that right?")] == ["40 testers"]


def test_a_terse_span_of_positions_names_what_is_asked_about():
    from assistant.answer.premise import claimed

    # "and months 5 to 8?" asks what those months hold; "5 to 8 months?" states a length.
    assert claimed("and months 5 to 8?") == ()
    assert premise_note("and weeks 3 to 6?", ANSWER) is None
    assert [f.text for f in claimed("the trial takes 5 to 8 months?")] == ["5 to 8 months"]
    # Asked in so many words, the span is the asker's claim.
    assert [f.text for f in claimed("i read the trial is months 9-12 of the plan, is that right?")] == ["months 9-12"]


def test_short_durations_are_compared_in_seconds():
    latency = "From *Notes* (Latency):\n- Target: <3 seconds for the 95th percentile [1]"
    assert "not give 10s" in premise_note("p95 target is 10s for prod right?", latency)
    assert premise_note("p95 target is 3s for prod right?", latency) is None
    # a duration written as an adjective ("a 24-hour SLA"), or in business hours, is one as well
    sla = "From *Notes* (Support):\n- Response SLA: 4 business hours [1]"
    assert "not give 24-hour" in premise_note("champion support has a 24-hour SLA, correct?", sla)
    assert premise_note("champion support answers within 4 hours, right?", sla) is None
    assert {(f.kind, f.low, f.high) for f in figures("20-40 hours, 90 minutes")} == {
        ("seconds", 72_000.0, 144_000.0),
        ("seconds", 5_400.0, 5_400.0),
    }


def test_what_someone_else_read_or_heard_asks_to_confirm_it():
    """ "My client heard…" and "Is that what it reports?" ask to confirm the figure as "I read…" does."""
    heard = "My client heard the trial budget is $1k. Is that what the plan reports?"
    assert "not give $1k" in premise_note(heard, ANSWER)
    assert "not give 6 months" in premise_note("Our CFO read that the trial runs 6 months.", ANSWER)
    assert premise_note("What should we read before the trial? 6 months of notes?", ANSWER) is None


def test_figures_read_in_two_places_ask_which_holds_and_claim_nothing():
    """ "One guide says 5-10 and another says 3-4" reports what the asker has read, to ask which holds; so
    does "I've read 90 days and I've read a year". One figure the asker heard is still theirs to confirm."""
    assert premise_note("how many testers? one guide says 5-10 and another says 3-4", ANSWER) is None
    assert premise_note("trial length: one doc says 4-8 weeks, the other 6 months?", ANSWER) is None
    assert premise_note("how long is the trial? i've read 4-8 weeks and i've read a year", ANSWER) is None
    assert "not give 6 months" in premise_note("i heard the trial runs 6 months, is that what it says?", ANSWER)
    assert "not give 3-4" in premise_note("one guide says 3-4 testers, right?", ANSWER)


def test_half_and_twice_are_figures_in_words():
    """ "Half the testers" is a share of 50% and "twice the budget" a multiple of 2x; "half an hour" and
    "twice a week" are neither."""
    assert "not give half" in premise_note("the weekly use target is about half, right?", ANSWER)
    review = "From *Rollout Notes* (Adoption):\n- **Review:** when weekly use is under 50% [1]"
    assert premise_note("weekly use is reviewed when under half, right?", review) is None
    assert {(f.kind, f.low) for f in figures("half the team, twice the time")} == {("%", 50.0), ("x", 2.0)}
    assert figures("half an hour, twice a week") == []


def test_a_follow_ups_opening_word_comes_before_what_it_asks():
    """ "And by when should over half be on it?" asks when, as "by when…" does; so does a last clause that
    opens with a question word, however short ("…, which week?")."""
    assert premise_note("and by when should over half the testers be signed up?", ANSWER) is None
    assert premise_note("and for 50% weekly use, which week?", ANSWER) is None
    assert "not give 50%" in premise_note("signed up target 50%?", ANSWER)


def test_what_the_subject_is_set_beside_is_not_what_the_figure_is_of():
    """ "The build should cost the same as the trial, so $5k-15k?" claims the build's cost: the trial is what
    it is set beside. A range that only touches the quoted one at an end is another range."""
    costs = "From *Field Guide* (Costs):\n- **Trial:** $5K-$15K [1]\n- **Build:** $15K-$50K [1]"
    beside = "the build should cost about the same as the trial, so $5k-15k again?"
    assert "not give $5k-15k" in premise_note(beside, costs)
    assert premise_note("the build costs $15k-50k, right?", costs) is None
    assert premise_note("the build is about $20k, right?", costs) is None
    assert premise_note("the trial costs $5k-15k, right?", costs) is None


def test_a_figure_in_a_table_is_of_its_row_and_its_column():
    """A quoted table's cells are read with their row and column: the 80% target is the sign-up target,
    the 50% beside it a symptom in another table."""
    tables = (
        "From *Rollout Notes* (Dashboard):\n| Metric | Week 2 | Target |\n|---|---|---|\n| Sign-ups | 12/15 | 80% |\n"
        "(table: [1])\n\n| Issue | Symptom | Fix |\n|---|---|---|\n| Low use | Sign-ups < 50% | Retrain |\n(table: [2])"
    )
    assert "not give 50%" in premise_note("the sign-ups target is 50% yeah?", tables)
    assert premise_note("the sign-ups target is 80% yeah?", tables) is None


def test_a_timelines_parts_are_read_as_the_whole_unless_a_part_is_asked_of():
    """ "Week 1-2", "Week 3-6", "Week 7-10" make up ten weeks: a stage "only 2 weeks long" is not what they
    say. A question about "phase 1" is about its part."""
    timeline = (
        "From *Guide* (Trial > Timeline):\n**Week 1-2: Set up** [1]\n**Week 3-6: Build** [1]\n**Week 7-10: Test** [1]"
    )
    assert "not give 2 weeks" in premise_note("so the trial only takes 2 weeks right?", timeline)
    assert premise_note("so the trial takes 10 weeks right?", timeline) is None
    phases = "From *Plan* (Plan):\n**Phase 1 (Days 1–30): Discover** [1]\n**Phase 2 (Days 31–60): Build** [1]"
    assert premise_note("phase 1 is 30 days right?", phases) is None


def test_how_often_is_a_figure_to_confirm():
    """ "Meets quarterly, doesn't it?" asks to confirm how often; the quotes say monthly."""
    cadence = "From *Plan* (Governance):\n**Review board:** [1]\n- Meets monthly to review incidents [1]"
    question = "The review board meets quarterly, doesn't it?"
    assert "not give quarterly" in premise_note(question, cadence)
    assert premise_note("The review board meets monthly, doesn't it?", cadence) is None
    assert figure_question(question) == "The review board meets how often?"


def test_a_multiple_is_a_figure_of_its_own_kind():
    assert {(f.kind, f.low, f.high) for f in figures("load test at 1.5x, not 3×; a 2-3x overrun")} == {
        ("x", 1.5, 1.5),
        ("x", 3.0, 3.0),
        ("x", 2.0, 3.0),
    }
    answer = ANSWER + "\n- **Cleanup:** often costs 2-3x more than expected [2]"
    assert "not give 10x" in premise_note("cleanup costs 10x more than expected, right?", answer)
    assert premise_note("cleanup costs 3x more than expected, right?", answer) is None  # inside 2-3x
    assert figure_question("cleanup costs 10x more than expected, right?") == (
        "cleanup costs how many times more than expected?"
    )


TIERS = """From *Rollout Notes* (Support):
**Tier 2: Desk Help (handle 30% of questions)** [1]
- Shared channel watched by helpers [1]
- Reply within: 4 business hours [1]
**Tier 3: Core Team (handle 10% of questions)** [1]
- Phone line for urgent issues [1]
- Reply within: 1 business hour for urgent, 8 hours for normal [1]"""


def test_a_figure_is_of_the_label_it_is_quoted_under():
    # 1 business hour is in the answer, but as the third tier's figure, not the second's.
    assert "not give 1 business hour" in premise_note("Tier 2 replies within 1 business hour, right?", TIERS)
    assert premise_note("Tier 2 replies within 4 business hours, right?", TIERS) is None
    assert "not give 4h" in premise_note("tier 3 urgent reply is 4h right", TIERS)
    assert premise_note("tier 3 urgent reply is 1 hour right", TIERS) is None
    # A label's reach ends at the next source's block.
    other = TIERS.replace("- Phone line", "From *Other Notes* (Help):\n- Phone line")
    assert premise_note("Tier 2 replies within 4 business hours, right?", other) is None


def test_a_duration_written_with_an_article_is_a_figure_to_confirm():
    months = "From *Notes* (Returns):\n- **Support desk:** 3-6 months [1]"
    assert "not give a year" in premise_note("the support desk pays off after about a year, yeah?", months)
    assert "not give a month" in premise_note("the support desk pays off after a month or so, right?", months)
    assert premise_note("the trial takes about a month, right?", ANSWER) is None  # inside 4-8 weeks
    assert premise_note("we review it once a week, right?", months) is None  # how often, not how long
    assert figure_question("the support desk pays off after about a year, yeah?") == (
        "the support desk pays off after how long?"
    )


def test_a_tag_without_a_comma_or_question_mark_asks_to_confirm():
    assert figure_question("tier 3 urgent reply is 4h right") == "tier 3 urgent reply is how long?"
    assert figure_question("the pilot is 6 weeks yeah") == "the pilot is how long?"
    # After a share or an amount as after a word ("…was 74% right").
    assert figure_question("the sign-up target is 50% right") == "the sign-up target is what percentage?"


def test_a_how_often_word_before_a_name_is_part_of_the_name():
    assert figure_question("the daily standup should be 30 minutes, right?") == "the daily standup should be how long?"
    assert figure_question("the weekly report lists 20 metrics right?") == "the weekly report lists how many metrics?"
    # After its verb, or before the tag, it is the figure stated.
    assert figure_question("the committee meets quarterly, right?") == "the committee meets how often?"
    assert figure_question("the review is quarterly right?") == "the review is how often?"
    standup = "From *Notes* (Meetings):\n- Daily standups (15 min) [1]\n- Weekly demos [1]"
    assert "not give 30 minutes" in premise_note("the daily standup should be 30 minutes, right?", standup)


# A label quoted without a marker of its own, as a block of items is quoted: one marker per item.
GOALS = """2 playbook documents speak to this; each is quoted with its source.

From *Field Guide* (Success Indicators):
**Trial Success:**
- ✅ 70%+ crew adoption [1]
- ✅ Positive return [1]

From *Other Notes* (Examples):
- A 90% useful rate suits a low-stakes tool [2]"""


def test_a_label_quoted_without_its_own_marker_still_labels_the_items_under_it():
    # "Trial" is the label's word: the 70% line is the one about the trial, and 90% is not its figure.
    assert "not give 90%" in premise_note("for the trial to count we need 90% of them on it, right?", GOALS)
    assert premise_note("for the trial to count we need 70% of them on it, right?", GOALS) is None


def test_a_line_in_the_playbooks_words_for_what_is_asked_is_about_the_figure():
    # "staff" and "using it" are the playbook's "crew" and "adoption" (what the vocabulary adds): the
    # adoption line is the one the figure is of, not a line that shares the asker's word "use".
    plain = GOALS.replace("**Trial Success:**\n", "")
    asked = "we need like 90% of staff using it right?"
    assert premise_note(asked, plain) is None  # no line is more about it than the one with 90%
    assert "not give 90%" in premise_note(asked, plain, playbook_words=("crew", "adoption"))


MILESTONES = """From *Field Guide* (Key Milestones):
**Rollout Milestones:**
- Month 2: Servers ready [1]
- Month 6: Every seat onboarded [1]
- Month 9-10: Return positive [1]"""


def test_a_point_in_time_the_asker_puts_something_at_is_a_figure_to_confirm():
    from assistant.answer.premise import claimed

    # "by month 2" is what the asker states; the line about onboarding puts it at month 6.
    assert "not give month 2" in premise_note("every seat onboarded by month 2, right?", MILESTONES)
    assert premise_note("every seat onboarded by month 6, right?", MILESTONES) is None
    assert premise_note("return positive in month 10, right?", MILESTONES) is None  # inside Month 9-10
    # It is searched as written: the lines of a timeline name its points.
    assert figure_question("every seat onboarded by month 2, right?") == "every seat onboarded by month 2?"
    # Beside another figure, a point says when that figure holds; a terse message names what it asks about.
    assert [f.text for f in claimed("we need 50% onboarded by month 3, right?")] == ["50%"]
    assert claimed("onboarded by month 2?") == ()
    assert claimed("what happens in week 6?") == ()


def test_a_titles_figure_written_without_its_hyphen_still_names_the_document():
    from assistant.answer.premise import claimed

    titles = ("Field Guide: A 90-Day Plan",)
    assert claimed("90 day plan phase 3 deliverables?", titles) == ()
    assert [f.text for f in claimed("90 day plan trial is 8 weeks?", titles)] == ["8 weeks"]


def test_a_year_is_a_date_not_a_figure_to_confirm():
    """ "the jan 2026 oven work" and "in 2024" date what is asked about; a count of the same size
    ("2026 loaves, right?") is still a figure the asker claims."""
    from assistant.answer.premise import claimed

    assert claimed("bakery case: bake time after the jan 2026 oven work?") == ()
    assert claimed("bakery case: what broke in 2024?") == ()
    assert [f.text for f in claimed("the trial sold 2026 loaves right?")] == ["2026 loaves"]
