"""The checklist catalog parsed from the real documents, scoring, walkthroughs, go/no-go and ROI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.index.lexicon import Vocabulary
from assistant.ingest.pipeline import knowledge_files, prepare_document
from assistant.tools.catalog import merge
from assistant.tools.checklists import extract, slug
from assistant.tools.coaching import (
    GoNoGoInputs,
    RoiInputs,
    compute_roi,
    evaluate_gonogo,
    parse_answers,
    score_checklist,
)
from assistant.tools.criteria import parse_criterion
from assistant.tools.models import Catalog
from assistant.tools.walkthrough import RunStore, apply, new_run, parse_command, reconcile

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
VOCABULARY = Vocabulary.load(KNOWLEDGE / "vocabulary.toml")


REQUIRED = (
    "pilot-readiness",
    "prototype-readiness",
    "production-readiness",
    "data-readiness",
    "leadership-readiness",
    "before-pilot",
    "before-prototype",
    "before-production",
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return _catalog_of(KNOWLEDGE)


def _catalog_of(folder: Path, vocabulary: Vocabulary = VOCABULARY) -> Catalog:
    return merge([extract(prepare_document(p.name, p, p.read_bytes())) for p in knowledge_files(folder)], vocabulary)


def _raw_checkboxes(heading: str, label: str | None = None) -> int:
    """Count ``- [ ]`` lines in the raw SMB guide under a heading (and after a label), independently
    of the parser: from the heading line to the next heading of the same or a higher level."""
    lines = (KNOWLEDGE / "smb-ai-journey.md").read_text("utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if re.match(r"^#{1,%d}\s" % level, lines[i])  # noqa: UP031
        ),
        len(lines),
    )
    body = lines[start:end]
    if label is not None:
        at = next(i for i, ln in enumerate(body) if ln.strip() == label)
        body = body[at:]
    return sum(1 for ln in body if ln.strip().startswith("- [ ]"))


def test_catalog_has_the_required_ids_and_counts_match_the_document(catalog):
    ids = [c.id for c in catalog.checklists]
    assert set(REQUIRED) <= set(ids)
    assert len(ids) == len(set(ids)), "ids are unique"
    expected = {
        "pilot-readiness": _raw_checkboxes("### Pilot Readiness"),
        "prototype-readiness": _raw_checkboxes("### Prototype Readiness"),
        "production-readiness": _raw_checkboxes("### Production Readiness"),
        "data-readiness": _raw_checkboxes("### Data Readiness Assessment"),
        "leadership-readiness": _raw_checkboxes("### Leadership Readiness Assessment"),
    }
    for cid, count in expected.items():
        assert len(catalog.get(cid).items) == count, cid
    assert (expected["pilot-readiness"], expected["data-readiness"], expected["leadership-readiness"]) == (15, 18, 16)
    assert [len(catalog.get(c).items) for c in ("before-pilot", "before-prototype", "before-production")] == [8, 8, 10]


def test_groups_and_bands_are_parsed_exactly(catalog):
    pilot = catalog.get("pilot-readiness")
    assert pilot.groups == ["Business Readiness", "Technical Readiness", "Team Readiness"]
    assert [i.text for i in pilot.items[:3]] == [
        "Clear problem identified",
        "Business case defined",
        "Champion committed",
    ]
    assert [(b.low, b.high, b.label) for b in pilot.bands] == [
        (18, 20, "Ready to start"),
        (15, 17, "Minor gaps, can proceed"),
        (12, 14, "Address gaps first"),
        (0, 11, "Not ready, significant work needed"),
    ]
    data = catalog.get("data-readiness")
    assert data.groups == ["Data Availability", "Data Quality", "Data Organization", "Data Governance"]
    assert [(b.range, b.label) for b in data.bands][-1] == ("<8", "Data needs extensive work")
    assert [b.label for b in catalog.get("prototype-readiness").bands] == [
        "Ready to proceed",
        "Address gaps",
        "Not ready, fix pilot first",
    ]
    assert catalog.get("before-pilot").bands == [] and catalog.get("before-pilot").groups == []


def test_every_item_cites_its_verbatim_source(catalog):
    texts = {p.name: prepare_document(p.name, p, p.read_bytes()).text for p in knowledge_files(KNOWLEDGE)}
    for checklist in catalog.checklists:
        for item in checklist.items:
            c = item.citation
            assert texts[c.doc][c.start : c.end] == c.quote
            assert item.text.split()[0] in c.quote
        for band in checklist.bands:
            assert texts[band.citation.doc][band.citation.start : band.citation.end] == band.citation.quote


def test_an_edited_document_changes_the_checklist(tmp_path: Path):
    source = (KNOWLEDGE / "smb-ai-journey.md").read_text("utf-8")
    edited = source.replace("- [ ] Roles defined\n", "- [ ] Roles defined\n- [ ] Legal review booked\n", 1)
    edited = edited.replace("- **18-20:** Ready to start", "- **19-20:** Ready to launch", 1)
    path = tmp_path / "smb.md"
    path.write_text(edited, "utf-8")
    pilot = next(
        c for c in extract(prepare_document("smb.md", path, path.read_bytes())).checklists if c.id == "pilot-readiness"
    )
    assert len(pilot.items) == 16 and pilot.items[12].text == "Legal review booked"
    assert (pilot.bands[0].low, pilot.bands[0].label) == (19, "Ready to launch")


# Rewordings a writer might make that change no content: every tool must still find what it reads.
_EDITS = {
    "pilot-to-production-methodology.md": [
        ("# Methodology: Pilot-to-Production Playbook", "# How We Take AI From Pilot To Production"),
        ("### G. Pilot Evaluation (Week 8)", "### G. Judging the pilot, week 8"),
        ('**Criteria for "GO" (Proceed to Production):**', "**Go criteria (on to production):**"),
        ('**Criteria for "ITERATE" (Extend Pilot):**', "**When to iterate, criteria:**"),
        ('**Criteria for "STOP" (Kill Project):**', "**Kill criteria:**"),
        ("70%+ of target users", "At least 70% of target users"),
        ("65%+ acceptance rate", "An acceptance rate of 65% or more"),
        ("score 3.5+ out of 5", "score of at least 3.5/5"),
        ("Acceptance rate < 40%", "Acceptance rate below 40%"),
        ("User satisfaction < 2.5 out of 5", "User satisfaction under 2.5 out of 5"),
        ("8 letters/day", "8 letters per day"),
        ("$35/hour", "$35 per hour"),
    ],
    "smb-ai-journey.md": [
        ("# SMB AI Journey: Pilot to Production Complete Guide", "# Small Business AI, Start to Finish"),
    ],
    "enterprise-ai-90-day-roadmap.txt": [("Phase 1 (Days 1–30)", "Stage one (Days 1–30)")],
}


def test_tools_survive_a_reworded_playbook(catalog, tmp_path: Path):
    for path in knowledge_files(KNOWLEDGE):
        text = path.read_text("utf-8")
        for old, new in _EDITS.get(path.name, []):
            assert old in text, old  # the edit applies to the document as it is
            text = text.replace(old, new)
        (tmp_path / path.name).write_text(text, "utf-8")
    edited = _catalog_of(tmp_path)

    # The go/no-go framework is found from whatever label names each outcome, with the same thresholds.
    def rules(fw):
        return [[(c.metric, c.op, c.value) for c in part] for part in (fw.go, fw.iterate, fw.stop)]

    assert edited.decision is not None and catalog.decision is not None
    assert rules(edited.decision) == rules(catalog.decision)
    assert edited.decision.title == "G. Judging the pilot, week 8"
    for values in ({}, {"acceptance": 0.3}, {"satisfaction": 3.4}, {"active_users": 0.69}):
        assert _decide(edited, **values).decision == _decide(catalog, **values).decision
    # The worked ROI example is found by its formula's shape.
    fields = ("minutes_before", "minutes_after", "tasks_per_day", "users", "work_days", "hourly_rate", "stated_hours")
    assert edited.roi_example is not None and catalog.roi_example is not None
    assert [getattr(edited.roi_example, f) for f in fields] == [getattr(catalog.roi_example, f) for f in fields]
    assert "8 letters per day" in edited.roi_example.citation.quote
    # Every checklist is still there with its items and bands.
    assert [(len(c.items), len(c.bands), c.kind) for c in edited.checklists] == [
        (len(c.items), len(c.bands), c.kind) for c in catalog.checklists
    ]


def test_the_words_for_outcomes_and_inputs_are_data(catalog, tmp_path: Path):
    """A vocabulary that calls GO "launch" and acceptance "approval" reads criteria so worded."""
    vocab = tmp_path / "vocabulary.toml"
    vocab.write_text(
        '[decision.outcomes]\ngo = ["launch"]\nstop = ["halt"]\n'
        '[decision.metrics.acceptance]\nkind = "share"\nwords = ["approval"]\n',
        "utf-8",
    )
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# Review\n\n## Decision\n\n**Launch criteria:**\n- Approval of drafts at least 80%\n- Staff like it\n\n"
        "**Halt criteria:**\n- Approval under 30%\n",
        "utf-8",
    )
    vocabulary = Vocabulary.load(vocab)
    fw = merge([extract(prepare_document("doc.md", doc, doc.read_bytes()))], vocabulary).decision
    assert fw is not None
    assert [(c.metric, c.op, c.value) for c in fw.go] == [("acceptance", ">=", 0.8), (None, None, None)]
    assert [(c.metric, c.op, c.value) for c in fw.stop] == [("acceptance", "<", 0.3)]
    # Without those words the same document has no framework: nothing is assumed.
    assert merge([extract(prepare_document("doc.md", doc, doc.read_bytes()))], VOCABULARY).decision is None


def test_ids_come_from_titles():
    assert slug("Data Readiness Assessment") == "data-readiness"
    assert slug("Before Starting Pilot") == "before-pilot"
    assert slug('Criteria for "GO" (Proceed to Production)') == "go-criteria"


# ------------------------------------------------------------------------------------------ scoring


def test_scaling_to_twenty_is_said_in_the_result(catalog):
    pilot = catalog.get("pilot-readiness")
    result = score_checklist(pilot, ["yes"] * 12 + ["no"] * 3)
    assert (result.raw, result.answered, result.score, result.max) == (12, 15, 16.0, 20)
    assert "12 of 15 → 16/20" in result.scaling
    assert result.band == "Minor gaps, can proceed"
    assert [g.item for g in result.gaps] == [i.text for i in pilot.items[12:]]


def test_partials_skips_and_unsure(catalog):
    pilot = catalog.get("pilot-readiness")
    # 14 yes and one skip: the skipped item leaves the denominator, so this is a full score.
    full = score_checklist(pilot, ["yes"] * 14 + ["skip"])
    assert (full.score, full.answered, full.skipped, full.band) == (20.0, 14, 1, "Ready to start")
    halves = score_checklist(pilot, ["partial"] * 15)
    assert (halves.raw, halves.score, halves.band) == (7.5, 10.0, "Not ready, significant work needed")
    unsure = score_checklist(pilot, ["unsure"] + ["yes"] * 14)
    assert unsure.raw == 14 and [g.answer for g in unsure.gaps] == ["unsure"]
    nothing = score_checklist(pilot, ["skip"] * 15)
    assert nothing.score is None and nothing.band is None and "nothing to score" in nothing.scaling


def test_band_boundaries(catalog):
    pilot = catalog.get("pilot-readiness")
    # 13.5/15 → 18/20 exactly: the top band.
    assert score_checklist(pilot, ["yes"] * 13 + ["partial"] + ["no"]).band == "Ready to start"
    # 13/15 → 17.3/20: between bands counts in the lower one.
    edge = score_checklist(pilot, ["yes"] * 13 + ["no"] * 2)
    assert (edge.score, edge.band) == (17.3, "Minor gaps, can proceed")
    # 9/15 → 12/20: the bottom of "Address gaps first"; 8.5/15 → 11.3 is below it.
    assert score_checklist(pilot, ["yes"] * 9 + ["no"] * 6).band == "Address gaps first"
    assert score_checklist(pilot, ["yes"] * 8 + ["partial"] + ["no"] * 6).band == "Not ready, significant work needed"
    data = catalog.get("data-readiness")  # 18 items, "<8" band
    low = score_checklist(data, ["yes"] * 7 + ["no"] * 11)
    assert (low.score, low.band) == (7.8, "Data needs extensive work")


def test_answer_lists_are_checked():
    assert parse_answers("yes, No,partial,?,s", 5) == ["yes", "no", "partial", "unsure", "skip"]
    with pytest.raises(InputError, match="Expected 15 answers"):
        parse_answers("yes,no", 15)
    with pytest.raises(InputError, match="Answer 2 is 'perhaps'"):
        parse_answers("yes,perhaps", 2)


def test_gaps_carry_retrieved_citations_outside_checklists(coach):
    result = coach.score("pilot-readiness", ["yes", "yes", "no"] + ["yes"] * 12)
    (gap,) = result.gaps
    assert gap.item == "Champion committed" and gap.item_citation.quote.endswith("Champion committed")
    assert gap.citations and gap.guidance
    items = [(i.citation.doc, i.citation.start) for c in coach.catalog.checklists for i in c.items]
    for c in gap.citations:
        assert coach.corpus.texts[c.doc][c.start : c.end] == c.quote
        assert (c.doc, c.start) not in items
    assert "champion" in " ".join(c.quote.lower() for c in gap.citations)


# ---------------------------------------------------------------------------------- walkthroughs


def test_state_machine_moves_back_notes_and_skips(catalog):
    checklist = catalog.get("before-pilot")
    run = new_run(checklist, "u")
    st = apply(run, checklist, "answer", "yes")
    assert st.progress == "2 of 8" and st.item.text == "Problem well-defined"
    apply(run, checklist, "answer", "skip")
    st = apply(run, checklist, "back")
    assert st.position == 1 and st.answer == "skip"
    st = apply(run, checklist, "note", "owner is jane@example.com")
    assert run.notes[1] == "owner is [email]"
    st = apply(run, checklist, "answer", "partial")
    assert st.position == 2 and run.answers[:2] == ["yes", "partial"]
    assert parse_command("Note: call the CFO") == ("note", "call the CFO")
    assert parse_command("not sure") == ("answer", "unsure")
    assert parse_command("what is a pilot?") is None


def test_a_run_resumes_after_a_restart(coach, settings, tmp_path):
    from assistant.service.coach import Coach

    first = coach.start_checklist("pilot-readiness", user="resume-user", team="ops", restart=True)
    assert first.position == 0 and "Starting" in first.message
    for answer in ("yes", "no", "partial"):
        coach.checklist_reply(first.run_id, "answer", answer)
    # A new service over the same data dir, as after a process restart.
    again = Coach(settings, coach.corpus, coach.embedder, coach.retriever)
    resumed = again.start_checklist("pilot-readiness", user="resume-user", team="ops")
    assert resumed.run_id == first.run_id and resumed.position == 3 and resumed.progress == "4 of 15"
    assert "Resuming" in resumed.message
    st, scored = None, None
    for _ in range(12):
        st, scored = again.checklist_reply(resumed.run_id, "answer", "yes")
    assert st.done and scored is not None and scored.score == pytest.approx(13.5 / 15 * 20, abs=0.05)
    history = again.history("pilot-readiness", team="ops")
    assert history[-1].run_id == first.run_id and history[-1].finished and history[-1].score == scored.score


def test_a_changed_checklist_keeps_matching_answers(catalog, tmp_path):
    checklist = catalog.get("before-pilot")
    run = new_run(checklist, "u")
    run.items = ["Clear use case identified", "An item that was removed", *run.items[1:]]
    run.answers = ["yes", "no", "partial"] + [None] * 7
    message = reconcile(run, checklist)
    assert "changed" in message and run.answers[:2] == ["yes", "partial"] and run.position == 2
    store = RunStore(tmp_path / "runs.sqlite3")
    store.save(run)
    assert store.get(run.run_id).answers == run.answers


def test_chat_routes_a_walkthrough(coach):
    session = "chat-walk"
    start = coach.chat("let's check our pilot readiness", session=session)
    assert start.route == "checklist" and start.tool["step"]["progress"] == "1 of 15"
    assert start.citations[0].quote.endswith("Clear problem identified")
    question = coach.chat("How long should a pilot run?", session=session)
    assert question.route == "question" and "paused at item 1 of 15" in question.notice
    last = None
    for _ in range(15):
        last = coach.chat("yes", session=session)
    assert last.tool["score"]["score"] == 20 and last.tool["score"]["band"] == "Ready to start"
    assert coach.chat("What is on the pilot readiness checklist?", session="other").route == "question"


# ----------------------------------------------------------------------------------- go / no-go


def test_criteria_and_thresholds_come_from_the_methodology(catalog):
    fw = catalog.decision
    assert fw is not None and fw.citation.doc == "pilot-to-production-methodology.md"
    assert [(c.metric, c.op, c.value) for c in fw.go] == [
        ("active_users", ">=", 0.7),
        ("acceptance", ">=", 0.65),
        ("critical_issues", "==", False),
        ("roi_positive", "==", True),
        ("satisfaction", ">=", 3.5),
    ]
    assert ("acceptance", "<", 0.4) in [(c.metric, c.op, c.value) for c in fw.stop]
    assert ("satisfaction", "<", 2.5) in [(c.metric, c.op, c.value) for c in fw.stop]
    edited = parse_criterion("75%+ of target users actively using it weekly", fw.go[0].citation, VOCABULARY)
    assert (edited.metric, edited.value) == ("active_users", 0.75)


def _decide(catalog, **values):
    base = dict(active_users=0.7, acceptance=0.65, satisfaction=3.5, critical_issues=False, roi_positive=True)
    base.update(values)
    return evaluate_gonogo(catalog.decision, GoNoGoInputs(**base))


def test_gonogo_boundaries(catalog):
    assert _decide(catalog).decision == "GO"  # every threshold exactly met
    assert _decide(catalog, active_users=0.69).decision == "ITERATE"
    assert _decide(catalog, acceptance=0.64).decision == "ITERATE"
    assert _decide(catalog, satisfaction=3.4).decision == "ITERATE"
    assert _decide(catalog, critical_issues=True).decision == "ITERATE"
    assert _decide(catalog, acceptance=0.40).decision == "ITERATE"  # "< 40%" is the STOP line
    assert _decide(catalog, acceptance=0.39).decision == "STOP"
    assert _decide(catalog, satisfaction=2.49).decision == "STOP"
    assert _decide(catalog, roi_positive=False).decision == "STOP"
    unknown = _decide(catalog, roi_positive=None)
    assert unknown.decision == "ITERATE" and unknown.missing == ["roi_positive"]
    statuses = {r.text: r.status for r in unknown.criteria}
    assert statuses["Positive ROI projection (benefits > costs over 3 years)"] == "unknown"
    assert evaluate_gonogo(catalog.decision, GoNoGoInputs()).decision == "ITERATE"
    with pytest.raises(InputError, match="between 0 and 1"):
        _decide(catalog, acceptance=70)


# ------------------------------------------------------------------------------------------ ROI


def test_roi_worked_example_is_computed_and_checked(catalog):
    ex = catalog.roi_example
    assert ex is not None and (ex.minutes_before, ex.minutes_after, ex.tasks_per_day) == (45, 5, 8)
    assert (ex.users, ex.work_days, ex.hourly_rate, ex.stated_hours, ex.stated_savings) == (
        15,
        240,
        35,
        28800,
        1008000,
    )
    inputs = RoiInputs(minutes_before=45, minutes_after=5, tasks_per_day=8, users=15, work_days=240, hourly_rate=35)
    result = compute_roi(inputs, ex)
    # (45 - 5) × 8 × 15 × 240 ÷ 60 = 19,200 hours; the example's stated 28,800 is flagged, not copied.
    assert (result.hours_saved_per_year, result.savings_per_year) == (19200, 672000)
    assert "28,800" in result.notes[0] and "19,200" in result.notes[0]
    assert result.citation is not None and "28,800 hours" in result.citation.quote
    other = compute_roi(inputs.model_copy(update={"users": 10}), ex)
    assert other.hours_saved_per_year == 12800 and other.notes == []
    # Other inputs cite the formula's line, not the worked example's stated (and inconsistent) figures.
    assert other.citation is not None and "× 240 work days" in other.citation.quote
    assert "28,800" not in other.citation.quote and "1,008,000" not in other.citation.quote
    with pytest.raises(InputError, match="cannot be negative"):
        compute_roi(inputs.model_copy(update={"minutes_after": -5}))


@pytest.mark.parametrize(
    "message, expected",
    [
        (
            "30 minutes before, 10 after, 12 tasks a day, 6 users, 230 days a year, $40 an hour: what's our ROI?",
            (30, 10, 12, 6, 230, 40),
        ),
        (
            "Estimate the savings: a quote takes 20 minutes now and 5 minutes with AI, 10 quotes a day, "
            "3 staff, 250 working days, hourly rate $30",
            (20, 5, 10, 3, 250, 30),
        ),
        ("ROI from 45 min to 5 min, 8 tasks a day, 15 users, 240 work days, $35/hour", (45, 5, 8, 15, 240, 35)),
    ],
)
def test_chat_roi_reads_the_ways_people_give_their_figures(coach, message, expected):
    answer = coach.chat(message, session=f"roi-{expected[0]}")
    assert answer.route == "roi" and "needs" not in answer.tool, answer.answer
    before, after, tasks, users, days, rate = expected
    hours = (before - after) * tasks * users * days / 60
    assert answer.tool["hours_saved_per_year"] == pytest.approx(hours)
    assert answer.tool["savings_per_year"] == pytest.approx(hours * rate)
    assert f"{hours:,.0f} hours" in answer.answer
    if expected != (45, 5, 8, 15, 240, 35):  # the worked example's stated figures are not repeated
        assert answer.citations and all("28,800" not in c.quote for c in answer.citations)


# ------------------------------------------------------------------------------------------- CLI


def test_cli_checklist_commands(cli, capsys):
    assert cli("checklist", "list", "--json") == 0
    ids = [c["id"] for c in json.loads(capsys.readouterr().out)["checklists"]]
    assert set(REQUIRED) <= set(ids)
    assert cli("checklist", "show", "pilot-readiness", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert len(shown["items"]) == 15
    assert {"text", "group", "citation"} <= set(shown["items"][0])
    answers = ",".join(["yes"] * 12 + ["no"] * 3)
    assert cli("checklist", "score", "pilot-readiness", "--answers", answers, "--json") == 0
    scored = json.loads(capsys.readouterr().out)
    assert (scored["score"], scored["max"], scored["raw"], scored["answered"]) == (16, 20, 12, 15)
    assert scored["band"] == "Minor gaps, can proceed" and len(scored["gaps"]) == 3
    assert {"item", "guidance", "citations"} <= set(scored["gaps"][0])


def test_cli_bad_input_says_what_was_expected(cli, capsys):
    assert cli("checklist", "score", "pilot-readiness", "--answers", "yes,no") == 2
    assert "Expected 15 answers" in capsys.readouterr().err
    assert cli("checklist", "show", "pilot-readyness") == 2
    assert "Did you mean 'pilot-readiness'" in capsys.readouterr().err
    assert cli("gonogo", "--acceptance", "1.7") == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert cli("roi", "--minutes-before", "-3", "--minutes-after", "1", "--tasks-per-day", "1", "--users", "1",
               "--work-days", "1", "--hourly-rate", "1") == 2  # fmt: skip
    assert "cannot be negative" in capsys.readouterr().err
    assert cli("roi", "--users", "3") == 2
    assert "Missing --minutes-before" in capsys.readouterr().err


def test_cli_gonogo_and_roi(cli, capsys):
    argv = ["gonogo", "--active-users", "0.75", "--acceptance", "0.7", "--satisfaction", "4.1"]
    assert cli(*argv, "--no-critical-issues", "--roi-positive", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decision"] == "GO" and len(data["criteria"]) >= 5
    assert cli(*argv, "--json") == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "ITERATE"
    assert cli("roi", "--minutes-before", "45", "--minutes-after", "5", "--tasks-per-day", "8", "--users", "15",
               "--work-days", "240", "--hourly-rate", "35", "--json") == 0  # fmt: skip
    roi = json.loads(capsys.readouterr().out)
    assert (roi["hours_saved_per_year"], roi["savings_per_year"]) == (19200, 672000)
    assert "formula" in roi and "÷ 60" in roi["formula"]


def test_cli_checklist_run_is_resumable(cli, capsys, monkeypatch):
    replies = iter(["yes", "no", "stop"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert cli("checklist", "run", "before-production", "--user", "cli-tester", "--restart") == 0
    assert "Paused at 3 of 10" in capsys.readouterr().out
    replies = iter(["yes"] * 8)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert cli("checklist", "run", "before-production", "--user", "cli-tester", "--json") == 0
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert steps[0]["step"]["progress"] == "3 of 10"
    assert steps[-1]["score"]["answered"] == 10 and steps[-1]["score"]["raw"] == 9
