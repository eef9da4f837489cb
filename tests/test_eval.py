"""The eval harness on a small slice of every eval file (the full run is ``make eval``): report
shape, metric sanity against the copy-top baseline, the judge, Wilson intervals, the gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import wilson
from assistant.evaluation.report import check_gate, write_report
from assistant.evaluation.run import run_eval

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def slice_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("eval-slice")
    picks = {
        "gold_starter.jsonl": lambda rows: rows[:6] + [r for r in rows if r["kind"] == "out_of_scope"][:3],
        "gold_more.jsonl": lambda rows: rows[:2],
        "adversarial.jsonl": lambda rows: rows[:2],
        "redteam.jsonl": lambda rows: rows[:3],
        "multiturn.jsonl": lambda rows: rows[:2],
    }
    for name, pick in picks.items():
        rows = [json.loads(line) for line in (ROOT / "eval" / name).read_text("utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if r.get("split", "dev") == "dev"]  # the test split is for reporting only
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in pick(rows)), "utf-8")
    return out


@pytest.fixture(scope="module")
def report(coach, slice_dir):
    return run_eval(
        coach, systems=["coach", "baseline-copy-top"], eval_dir=slice_dir, progress=False, mutations_per_kind=10
    )


def test_report_has_the_contract_keys(report):
    assert set(report["dataset"]) == {"answerable", "out_of_scope", "adversarial", "multi_turn", "disagreement"}
    assert report["dataset"]["multi_turn"] == 2 and report["dataset"]["adversarial"] == 5
    for name in ("coach", "baseline-copy-top"):
        m = report["systems"][name]
        for key in ("hallucination_rate", "acceptance_rate", "citation_precision", "citation_recall",
                    "unsupported_statement_rate", "key_fact_recall", "abstention_accuracy", "false_abstention_rate",
                    "hit_at_1", "hit_at_5", "mrr_at_10", "ndcg_at_10", "latency_ms_p50", "latency_ms_p95"):  # fmt: skip
            assert key in m, key
        lo, hi = m["acceptance_rate"]["ci95"]
        assert lo <= m["acceptance_rate"]["value"] <= hi
    # The coach states a confidence for every answer; the copy-top baseline states none.
    assert report["systems"]["coach"]["calibration"]["n"] > 0
    assert report["systems"]["baseline-copy-top"]["calibration"]["n"] == 0
    assert {"labels", "mutations", "paraphrase"} <= set(report["judge"])
    assert report["judge"]["paraphrase"]["labels"] >= 150  # the strong-model answers, labelled as written
    # Each case says where retrieval found its evidence, so a miss can be looked into.
    assert all({"hit_rank", "hit_rank_facts"} <= set(c) for c in report["cases"]["coach"])


def test_metrics_tell_the_systems_apart(report):
    coach, copy = report["systems"]["coach"], report["systems"]["baseline-copy-top"]
    # Copying the top passage cites perfectly and answers badly: the metrics must see both.
    assert copy["citation_precision"]["value"] >= 0.95
    assert copy["acceptance_failures"].get("answered out of scope", 0) == 5  # 3 + 2 out-of-scope questions
    assert coach["abstention_accuracy"]["value"] == 1.0 and coach["prompt_leaks"] == 0
    assert coach["acceptance_rate"]["value"] > copy["acceptance_rate"]["value"]
    assert coach["hallucination_rate"]["value"] <= copy["hallucination_rate"]["value"]


def test_breakdowns_add_up_to_the_totals(report, tmp_path):
    for name in ("coach", "baseline-copy-top"):
        total, parts = report["systems"][name], report["breakdowns"][name]
        for key in ("kind", "stage", "doc"):
            for metric in ("acceptance_rate", "hallucination_rate"):
                assert sum(g[metric]["k"] for g in parts[key].values()) == total[metric]["k"], (name, key, metric)
                assert sum(g[metric]["n"] for g in parts[key].values()) == total[metric]["n"], (name, key, metric)
    # Answering an out-of-scope question is a hallucination in a breakdown as in the total.
    assert report["breakdowns"]["baseline-copy-top"]["kind"]["out_of_scope"]["hallucination_rate"]["k"] == 5
    write_report(json.loads(json.dumps(report, default=float)), tmp_path, {})
    text = (tmp_path / "report.md").read_text()
    for heading in ("## coach by question kind", "## coach by stage", "## coach by document of the gold evidence"):
        assert heading in text


def test_the_judge(coach):
    judge = Judge.of(coach)
    passage = "**Duration:** 6-8 weeks\\nThe pilot should not include more than 25 users."
    passage = passage.replace("\\n", "\n")
    assert judge.support(passage, "The pilot duration is 6-8 weeks.")
    assert not judge.support(passage, "The pilot duration is 10-12 weeks.")
    assert not judge.support(passage, "The pilot should include more than 25 users.")
    assert not judge.support(passage, "Production rollouts need a change advisory board.")


def test_the_judge_holds_a_figure_to_the_lines_the_claim_is_about(coach):
    judge = Judge.of(coach)
    passage = (
        "Latency target: under 3 seconds at the 95th percentile.\n"
        "Latency is measured at the load balancer.\n"
        "Slow answers are traced to the retrieval step first.\n"
        "Error budgets are reviewed every week.\n"
        "Response time alerts go to the on-call channel.\n"
        "Champions hold office hours on Fridays.\n"
        "The training deck is refreshed each quarter.\n"
        "New hires shadow a champion before using the tool.\n"
        "Invoices go out 1 day after each month ends."
    )
    assert judge.support(passage, "The latency target is under 3 seconds at the 95th percentile.")
    # "1" is a figure of the passage, in a line about invoices, not about latency.
    assert not judge.support(passage, "The latency target is under 1 second at the 95th percentile.")


def test_the_judge_holds_a_range_to_a_range_the_passage_states(coach):
    judge = Judge.of(coach)
    passage = "Recruit 15-25 testers even if you only need 10.\nPlan for 30-40% dropout.\nMost shops score 8-12."
    assert judge.support(passage, "Recruit 15 to 25 testers even if you only need 10.")
    assert judge.support(passage, "Most shops land at 8-12.")
    assert judge.support(passage, "Plan for 30–40% of testers dropping out.")
    # each end is a figure of the passage, but not the range
    assert not judge.support(passage, "Plan for 10-15% of testers dropping out.")
    assert not judge.support(passage, "Most shops land at 12-15.")


_CODE = 'const costs = {\n    "Platform build": 890_000,\n    total_28_months: 2_417_000,\n};'
_SHARES = "Caching is an extra step, and 50% of queries are repeats."
_LESSONS = "Lesson one: plan the rollout in waves, not all at once.\nLoad test at 3x your expected capacity, not 1.5x."
_TRAINING = "Good champions are bakers motivated by recognition (not just compensation)."
_ADOPTERS = "Starting with the most enthusiastic adopters is exactly wrong: they forgive too much."
_NOT_TO_DO = "- ❌ Unnecessary complexity in the first trial of the ordering tool\n- ✅ One narrow use case"
_OVENS = (
    "- Bake the sourdough in the deck oven at dawn\n- Keep the convection oven for pastries and cookies\n"
    "- Send rush orders by the quicker, pricier courier"
)
_COURSE = "- Live decorating class (60 min)\n- Self-paced module: 30 min\n- Till response time cut from 1.8s to 0.9s"
_CHANNEL = "Champions answer questions in the team channel and hold office hours every Friday."
_SAFETY = "Food safety by default: bake in the checks on day one. Don't retrofit them after opening."
_TURNED = (
    "Decide the success measures before the trial begins.\nSwitches turn off high-risk features at once.\n"
    "Bakers underestimate how long the oven upgrade takes.\nComplaints about late orders fell by 40%."
)
_QUIET = "Pushback is often not voiced openly; it shows up as low use of the order screen or a return to paper pads."
_RISKS = (
    "**Staff Risks:**\n- Sick days\n- Holiday cover\n- Skill gaps\n- Late starts\n- High turnover\n- Training time\n"
    "- Uniform costs\nOrders are taken at the counter, and the ovens are cleaned each night."
)
_FLOUR = "**Flour costs:**\n- Set spending limits\n- Optimize continuously\n- Log every order"
_SHOP_RISKS = (
    "**Common Risks:**\n\n1. **Flour Risks:**\n   - Mill doesn't deliver\n   - Prices rise\n\n"
    "2. **Oven Risks:**\n   - Thermostat fails\n   - Gas cut\n   - Door seal wears\n\n"
    "3. **Staff Risks:**\n   - Sick days\n   - Skill gaps\n   - Holiday cover\n\n"
    "4. **Customer Risks:**\n   - Low footfall\n   - Bad reviews\n   - Allergy complaints\n\n"
    "**Mitigation:**\n- Spot risks early\n- Keep spare stock\n- Review weekly"
)
_MILESTONES = (
    "- Week 2: Starter culture ready\n- Week 4: Oven installed\n- Week 6: Staff trained\n"
    "- Week 8: Online sales above 50%\n- Deliveries started 3 months after opening"
)


@pytest.mark.parametrize(
    "passage, statement, supported",
    [
        # digits grouped by underscores, and a name that joins words and a figure, in code
        (_CODE, "The platform build cost $890,000, and the total over 28 months was $2,417,000.", True),
        (_CODE, "The platform build cost $980,000, and the total over 28 months was $2,417,000.", False),
        (_CODE, '"Platform build": 890_000,', True),  # the line quoted as it is
        # a share as its fraction; "one" counts nothing; a figure of a document's name ("the 90-day roadmap")
        (_SHARES, "Caching is one extra step, and half of queries are repeats.", True),
        (_SHARES, "The 90-day roadmap says caching is an extra step, as 50% of queries are repeats.", True),
        (_SHARES, "The 60-day roadmap says caching is an extra step, as 50% of queries are repeats.", False),
        (_SHARES, "Caching is an extra step, and 20% of queries are repeats.", False),
        # a contrast turned round: what the passage sets aside put first
        (_LESSONS, "The lesson is to load test at 3x expected capacity, not 1.5x.", True),
        (_LESSONS, "Load test at 1.5x your expected capacity, not 3x.", False),
        (_LESSONS, "Plan the rollout all at once rather than in waves.", False),
        (_TRAINING, "Good champions are bakers motivated by recognition more than by pay.", True),
        (_TRAINING, "Good champions are bakers motivated by compensation rather than recognition.", False),
        # a reply to the asker ("No: …") denies nothing of the passage
        (_ADOPTERS, "No: starting with the most enthusiastic adopters is exactly wrong.", True),
        (_ADOPTERS, "Not really: the most enthusiastic adopters forgive too much.", True),
        (_ADOPTERS, "No: starting with the most enthusiastic adopters is not wrong.", False),
        # a line marked ❌ denies, as "warns against" does
        (_NOT_TO_DO, "The guide warns against unnecessary complexity in the first trial of the ordering tool.", True),
        (_NOT_TO_DO, "The guide calls for unnecessary complexity in the first trial of the ordering tool.", False),
        # two of the passage's words each put in the other's place; two side by side are a list
        (_OVENS, "Bake the sourdough at dawn in the deck oven, and keep the convection one for pastries.", True),
        (_OVENS, "Bake the sourdough at dawn in the convection oven, and keep the deck one for pastries.", False),
        (_OVENS, "Rush orders are sent by the pricier, quicker courier.", True),
        # a figure said of what the passage gives another figure in that unit, or in another unit of time
        (_MILESTONES, "Online sales should pass 50% by week 8.", True),
        (_MILESTONES, "Online sales should pass 50% by week 6.", False),
        (_MILESTONES, "Deliveries started three months after opening.", True),
        (_MILESTONES, "Deliveries started 3 weeks after opening.", False),
        # a word whose opposite the closest lines say, where they never say the word itself
        (_TURNED, "Decide the success measures before the trial begins.", True),
        (_TURNED, "Complaints about late orders fell by 40%.", True),
        (_TURNED, "Decide the success measures after the trial begins.", False),
        (_TURNED, "Switches turn off low-risk features at once.", False),
        (_TURNED, "Bakers overestimate how long the oven upgrade takes.", False),
        (_TURNED, "Complaints about late orders rose by 40%.", False),
        # a denial of the line about what the statement leaves out is not one the statement must make
        (_QUIET, "It often shows up as low use of the order screen, or a return to paper pads.", True),
        (_QUIET, "Pushback is often voiced openly.", False),
        # a claim that draws on a list reads it whole, however long
        (_RISKS, "Staff risks are sick days, holiday cover, skill gaps, late starts, high turnover, training time "
                 "and uniform costs.", True),
        (_RISKS, "Staff risks are sick days, holiday cover, skill gaps, late starts, rent rises, flour shortages "
                 "and van repairs.", False),
        # a claim drawn from two lists reads both, where the lines closest to it hold only one
        (_SHOP_RISKS, "Staff risks cover sick days, skill gaps and holiday cover, while customer risks are low "
                      "footfall, bad reviews and allergy complaints.", True),
        (_SHOP_RISKS, "Staff risks cover sick days, skill gaps and holiday cover, while customer risks are low "
                      "footfall, burnt loaves and late vans.", False),
        # a light verb a writer puts a claim in ("keep a log") is how it is put, not a claim
        (_FLOUR, "Keep a log that records every order.", True),
        (_FLOUR, "Keep a log that records every delivery.", False),
        # figures with their units as a writer shortens them ("60 min", "1.8s")
        (_COURSE, "The self-paced module takes 30 minutes.", True),
        (_COURSE, "The self-paced module takes 60 minutes.", False),
        # "leads at" says which comes first, and names no lead
        (_COURSE, "The live decorating class leads at 60 min, against 30 min for the self-paced module.", True),
        (_COURSE, "The till's response time fell from 1.8s to 0.9s.", True),
        (_COURSE, "The till's response time fell from 1.8s to 0.5s.", False),
        # a writer's own words pass; an aside after a comma must be half in the passage, as a clause must
        (_CHANNEL, "Champions field questions in the team channel, and they keep office hours going on Fridays.", True),
        (_CHANNEL, "Champions answer team channel questions and hold office hours on Fridays, paid by a bonus.", False),
        # a word the passage only ever denies, asserted; denied or set aside by the statement too, it is not
        (_SAFETY, "Food-safety checks can be retrofitted after opening rather than baked in on day one.", False),
        (_SAFETY, "Bake in the food-safety checks on day one rather than retrofit them after opening.", True),
        (_SAFETY, "Food safety checks are baked in by default, not retrofitted after opening.", True),
    ],
)  # fmt: skip
def test_the_judge_reads_a_paraphrase_as_a_writer_puts_it(coach, passage, statement, supported):
    assert Judge.of(coach).support(passage, statement) is supported


def test_the_judge_reads_a_sentence_that_ends_inside_quotes_as_one_sentence(coach):
    judge = Judge.of(coach)
    passage = (
        "Stakeholders are enthusiastic. Someone announces that the organization is “moving fast on AI.” "
        "Six months later, nothing has shipped to real users."
    )
    # The next sentence's "nothing" is not this one's negation.
    assert judge.support(passage, "Someone announces that the organization is “moving fast on AI.”")
    assert not judge.support(passage, "Six months later, the system has shipped to real users.")


def test_a_table_row_that_cites_its_own_source_is_judged_against_it():
    from assistant.evaluation.judge import answer_statements

    text = (
        "| Issue | Fix |\n|---|---|\n| Low adoption | Re-training session [2] |\n"
        "| Slow latency | Cache queries | [3] |\n(table: [1])"
    )
    rows = answer_statements(text)
    assert [(r.text, r.markers) for r in rows] == [
        ("Issue ; Fix", (1,)),
        ("Low adoption ; Re-training session", (2,)),
        ("Slow latency ; Cache queries", (3,)),
    ]


def test_wilson_intervals():
    lo, hi = wilson(0, 10)
    assert lo == 0 and 0.27 < hi < 0.29
    lo, hi = wilson(45, 50)
    assert 0.78 < lo < 0.79 and 0.95 < hi < 0.97


def test_report_files_and_gate(report, tmp_path):
    thresholds = {
        "coach": {"acceptance_rate": {"min": 1.01}, "hit_at_5": {"min": 0.0}, "balanced_accuracy": {"min": 0.9}}
    }
    gate = write_report(json.loads(json.dumps(report, default=float)), tmp_path, thresholds)
    assert any(g.startswith("acceptance_rate") for g in gate)
    assert "balanced_accuracy: not measured" in gate
    assert not any(g.startswith("hit_at_5") for g in gate)
    assert (tmp_path / "report.md").read_text().startswith("# Evaluation report")
    assert (tmp_path / "metrics.png").stat().st_size > 1000
    assert (tmp_path / "reliability.png").stat().st_size > 1000  # the reliability diagram
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["gate"]["failed"] == gate and check_gate(saved, thresholds) == gate


def test_judge_agrees_with_the_hand_labels(coach):
    """eval/judge_labels.jsonl: at least 200 pairs with both labels, from both generators; the judge's
    balanced accuracy on them meets the gate in eval/thresholds.json."""
    from assistant.evaluation.judge import judge_validation

    rows = [json.loads(line) for line in (ROOT / "eval" / "judge_labels.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) >= 200
    assert {r["supported"] for r in rows} == {True, False}
    assert {r["generator"].split("/")[0] for r in rows} == {"extractive", "openai"}
    judge = Judge.of(coach)
    result = judge_validation(judge, ROOT / "eval")
    gate = json.loads((ROOT / "eval" / "thresholds.json").read_text("utf-8"))["coach"]["balanced_accuracy"]["min"]
    assert result["labels"] == len(rows)
    assert result["balanced_accuracy"] >= gate, result


def test_an_answer_is_relevant_when_its_citations_state_the_key_facts(coach):
    """The gold evidence marks one place; an answer citing another passage that states every key fact
    is on topic, one citing a passage that states none is not, and the strict rate counts both out."""
    from assistant.evaluation.dataset import EvalItem, Turn
    from assistant.evaluation.gold import Evidence, GoldCase, evidence_spans
    from assistant.evaluation.metrics import score_turn
    from assistant.evaluation.systems import Passage, SystemAnswer

    judge = Judge.of(coach)
    marked = Evidence("smb-ai-journey.md", "**Pilot:** 4-8 weeks (proof of concept)")
    case = GoldCase("t1", "How long should a pilot run?", "answerable", "dev", None, (("4-8 weeks",),), (marked,))
    item = EvalItem("t1", "answerable", "dev", [Turn(case.question, case)])
    (doc, start, end), *_ = evidence_spans(coach.corpus, case)
    chunks = [c for c in coach.corpus.chunks.values() if not (c.doc == doc and c.start < end and start < c.end)]
    other = next(c for c in chunks if "4-8 weeks" in c.text)
    unrelated = next(c for c in chunks if "4-8 weeks" not in c.text and "hallucination" in c.text.lower())

    def answer(chunk):
        lines = chunk.text.splitlines()
        sentence = next(line for line in lines if ("4-8 weeks" in line) == ("4-8 weeks" in chunk.text))
        cited = Passage(chunk.doc, chunk.text, chunk.start, chunk.end)
        return SystemAnswer(f"{sentence.strip()} [1]", False, {1: cited}, [cited], 1.0)

    on_topic = score_turn(judge, coach, item, item.turns[0], answer(other))
    assert "irrelevant" not in on_topic.failed and on_topic.strict_irrelevant
    off_topic = score_turn(judge, coach, item, item.turns[0], answer(unrelated))
    assert "irrelevant" in off_topic.failed and off_topic.strict_irrelevant
    # Retrieval, too, is reported both ways: the marked evidence only, or any passage stating every key fact.
    assert on_topic.hit_rank is None and on_topic.hit_rank_facts == 1
    assert off_topic.hit_rank is None and off_topic.hit_rank_facts is None


def test_retrieval_is_scored_on_the_passages_the_answer_was_drawn_from(coach):
    import sqlite3

    from assistant.evaluation.systems import CoachSystem

    # The question names a stage, so the answer's search favours that stage's passages.
    question = "What metrics matter in the pilot?"
    assert coach.retrieve(question)[1] != coach.retrieve(question, stage="pilot")[1]
    got = CoachSystem(coach).answer(question, None)
    db = sqlite3.connect(coach.ledger.path)
    (logged,) = db.execute("SELECT chunks FROM interactions ORDER BY rowid DESC LIMIT 1").fetchone()
    db.close()
    drawn = [coach.corpus.chunks[cid] for cid, _ in json.loads(logged)]
    assert [(p.doc, p.start) for p in got.retrieved] == [(c.doc, c.start) for c in drawn]


def test_a_case_that_errors_is_a_failed_case_and_the_run_goes_on(coach, slice_dir, monkeypatch):
    from assistant.evaluation.dataset import load_dataset
    from assistant.evaluation.systems import CoachSystem

    first = load_dataset(slice_dir)[0]
    real = CoachSystem.answer

    def answer(self, question, session):
        if question == first.turns[0].question:
            raise RuntimeError("broken generator")
        return real(self, question, session)

    monkeypatch.setattr(CoachSystem, "answer", answer)
    report = run_eval(coach, systems=["coach"], eval_dir=slice_dir, limit=3, progress=False, mutations_per_kind=2)
    cases = {c["id"]: c for c in report["cases"]["coach"]}
    assert cases[first.id]["failed"] == ["error (RuntimeError)"] and not cases[first.id]["accepted"]
    assert len(cases) == 3 and report["systems"]["coach"]["acceptance_failures"]["error (RuntimeError)"] == 1


def test_the_judge_rejects_a_joined_clause_the_passage_does_not_state(coach):
    judge = Judge.of(coach)
    passage = next(c for c in coach.corpus.chunks.values() if "Model strategy: General-purpose LLM" in c.text).text
    line = "Model strategy: General-purpose LLM vs domain-tuned; open vs hosted; fallback models for resilience"
    assert judge.support(passage, f"{line}.")
    assert not judge.support(passage, f"{line}, and solution: Start simple, plan early.")


def test_user_eval_scores_each_kind_of_user_and_premise(coach, tmp_path):
    from assistant.evaluation.users import corrects, run

    rows = [
        {"id": "a", "user": "smb", "kind": "answerable", "question": "how long is a pilot for us",
         "key_facts": [["4-8 weeks"]], "evidence": [{"doc": "smb-ai-journey.md", "quote": "**Pilot:** 4-8 weeks"}]},
        {"id": "b", "user": "slack", "kind": "out_of_scope", "question": "best pizza topping?"},
        {"id": "c", "user": "consultant", "kind": "follow_up", "turns": [
            {"question": "What does the prototype stage cost?", "key_facts": [["$15K-$50K"]]},
            {"question": "And how long does it take?", "key_facts": [["8-16 weeks", "Week 11-12"]]}]},
    ]  # fmt: skip
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    report = run(coach, "dev", tmp_path)
    assert report["questions"] == 4
    assert {c["id"] for c in report["cases"]} == {"a", "b", "c.1", "c.2"}
    assert report["by_user"]["consultant"]["n"] == 2 and report["by_user"]["smb"]["n"] == 1
    assert report["out_of_scope_declined"]["n"] == 1
    assert report["premises_corrected"]["n"] == 0
    # A correction names the asker's figure beside a denial; stating only the right one is not a correction.
    assert corrects("Not 100 users: the playbook gives 5-10 users.", "100")
    assert corrects("The pilot runs 4-8 weeks, not six months.", "six-month")
    assert corrects("The pilot runs 4-8 weeks, not 6 months.", "6 months")
    assert not corrects("The playbook gives 5-10 users.", "100")


def test_robustness_rewrites_questions_the_way_people_type_and_compares_key_facts(coach, tmp_path):
    from assistant.evaluation.robustness import REWRITES, run

    q = "How much does a pilot cost for a small business?"
    variants = {name: rewrite(q, 0) for name, rewrite in REWRITES.items()}
    assert variants["lowercase"] == "how much does a pilot cost for a small business"
    assert variants["situation"].endswith(q) and variants["situation"] != q
    assert "price" in variants["synonym"] and "cost" not in variants["synonym"]
    assert variants["typo"] != q and len(variants["typo"]) == len(q)
    assert len(variants["terse"]) < len(q) and "pilot" in variants["terse"]
    rows = [
        {"id": "r1", "split": "dev", "kind": "answerable", "question": q, "key_facts": [["$5K-$15K"]]},
        {"id": "r2", "split": "test", "kind": "answerable", "question": "How long is a pilot?", "key_facts": [["x"]]},
    ]
    (tmp_path / "gold_starter.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    report = run(coach, "dev", tmp_path)
    assert report["consistency"]["n"] == len(REWRITES)  # one question of the split, each rewrite once
    assert set(report["by_rewrite"]) == set(REWRITES)


def test_calibration_error_is_the_weighted_gap_between_confidence_and_acceptance():
    from assistant.evaluation.metrics import calibration

    assert calibration([])["ece"] is None
    # Said 0.9 and right 9 times in 10: calibrated. Said 0.9 and right half the time: 0.4 off.
    assert calibration([(0.9, True)] * 9 + [(0.9, False)])["ece"] == pytest.approx(0.0)
    assert calibration([(0.9, True)] * 5 + [(0.9, False)] * 5)["ece"] == pytest.approx(0.4)
    mixed = calibration([(0.95, True)] * 2 + [(0.25, False)] * 2)
    assert mixed["ece"] == pytest.approx(0.5 * 0.05 + 0.5 * 0.25)
    assert [b["n"] for b in mixed["bins"]] == [2, 2]


def test_confidence_is_a_fitted_model_of_acceptance():
    from assistant.answer.extractive import calibrated
    from assistant.config import AnswerSettings
    from assistant.evaluation.calibrate import fit

    # Answers accepted when their best line answers well, less often when the question's words are not
    # the playbook's: the fitted weights say so, and the stated confidence follows them.
    rows = [({"support": s / 20, "unseen": u / 4}, s / 20 - u / 8 > 0.45) for s in range(6, 18) for u in range(4)]
    weights = fit(rows)
    assert weights["support"] > 0 > weights["unseen"]
    assert (
        calibrated({"support": 0.8, "unseen": 0.0}, weights)
        > 0.8
        > 0.2
        > calibrated({"support": 0.35, "unseen": 0.5}, weights)
    )
    # The settings' weights, fitted on the dev splits: an answer whose best line answers better is more
    # often accepted (what the question's unheard words add beyond that, the fit says, not the test).
    default = AnswerSettings().confidence_weights
    assert calibrated({"support": 0.7, "unseen": 0.0}, default) > calibrated({"support": 0.45, "unseen": 0.0}, default)
    assert calibrated({"support": 0.7, "unseen": 0.4}, default) > calibrated({"support": 0.45, "unseen": 0.4}, default)


def test_the_judge_reads_naming_a_source_as_framing_and_still_checks_the_claim(coach):
    """'The SMB guide puts…' says where a claim comes from: the documents' names are framing to the
    judge, as 'the playbook says' is; the claim itself is still held to the passage."""
    from assistant.evaluation.judge import Judge

    judge = Judge.of(coach)
    passage = "**Timeline:**\n- **Pilot:** 4-8 weeks (proof of concept)\n- **Prototype:** 8-16 weeks (refined solution)"
    assert judge.support(passage, "The SMB guide puts the pilot at 4-8 weeks, as a proof of concept.")
    assert not judge.support(passage, "The SMB guide puts the pilot at 6-8 weeks.")
    assert not judge.support(passage, "The SMB guide puts the prototype at 4-8 weeks.")
    # A name that is no document's is not framing (one the playbook never uses: a name it uses in one line
    # of code, "Grafana", weighs a little less and leaves the claim at the edge of covered).
    assert not judge.support(passage, "Tableau puts the pilot at 4-8 weeks.")


def test_the_judge_reads_denials_as_a_paraphrase_writes_them(coach):
    """A denial is a hard fact to the judge, read the way a paraphrase writes it: 'unmeasurable' is
    'could not be measured'; 'can and can't' denies nothing; a question is read with its answer;
    'advises against' denies; 'no-go' does not."""
    from assistant.evaluation.judge import Judge

    judge = Judge.of(coach)
    goodwill = "- **Customer goodwill**: Unmeasurable but significant"
    assert judge.support(goodwill, "Customer goodwill could not be measured but was significant.")
    assert not judge.support(goodwill, "Customer goodwill could be measured and was significant.")
    limits = "Leaders should understand what AI can and can't do for the team."
    assert judge.support(limits, "Leaders should understand what AI can and can't do for the team.")
    assert judge.support(limits, "Leaders need to understand what AI can and cannot do for the team.")
    asked = "Do we need a dedicated data engineer for the pilot? For most small pilots, no."
    assert judge.support(asked, "For most small pilots you do not need a dedicated data engineer.")
    assert not judge.support(asked, "For most small pilots you do need a dedicated data engineer.")
    routing = "Route simple queries to faster, cheaper models."
    assert not judge.support(routing, "The guide advises against routing simple queries to faster, cheaper models.")
    # a denial another line makes; a figure written as words, a symbol as a word, a compound's parts
    form = "Our first tool: a pre-order form.\nNot fancy.\nNot new.\nWaste rate <3%.\nSpoiled stock costs 2-3x more."
    assert judge.support(form, "Our first tool was a pre-order form, which was not fancy or new.")
    assert not judge.support(form, "Our first tool was not a pre-order form.")
    assert judge.support(form, "Keep the waste rate below 3%.")
    assert judge.support(form, "Spoiled stock costs two to three times more.")
    # what goes wrong, named by a line, is advice against it when a statement denies it, in its words or the line's
    pitfalls = (
        "**Pitfall 2: No Tasting Panel**\n- **Problem:** Baking without customer tasting\n"
        "- **Solution:** Weekly tasting sessions with regulars\n**Pitfall 3: Stale Stock**\n"
        "- **Problem:** Unsold loaves pile up\n- **Solution:** Bake to pre-orders"
    )
    assert judge.support(
        pitfalls, "Hold weekly tasting sessions with regulars, so you are not baking without customer tasting."
    )
    assert judge.support(pitfalls, "Bake to pre-orders so that unsold loaves don't pile up.")
    assert not judge.support(pitfalls, "Don't bake to pre-orders.")
    # each claim joined by ", and" answers to the closest part of a line: a denial in each is not an assertion
    labels = "Keep in mind:\n- Labels for sorting loaves\n- Update frequency matters"
    assert judge.support(labels, "Add labels for sorting loaves, and how often things are updated matters.")
    assert not judge.support(
        labels, "You don't need labels for sorting loaves, and how often things are updated doesn't matter."
    )
    # a part of a line, not the whole line: its denial is another part's
    openness = (
        "Staff trust the oven only with openness: explaining how it works, what it is not meant for, and how "
        "bakers can tell when a loaf is burnt."
    )
    assert judge.support(openness, openness)
    # said both ways, or beside lines that say the same but for a denial: either line may be the one
    basics = (
        "**Oven basics:**\n- What the oven can do\n- What the oven can't do\n- Where it saves time\n"
        "- Where it doesn't save time"
    )
    assert judge.support(basics, "Bakers should know what the oven can and can't do, and where it saves time.")
    assert judge.support(basics, "Bakers should know what the oven can do, and where it doesn't save time.")
    outcome = "The redesign outcome of a go/no-go decision is the most common."
    assert judge.support(outcome, "Redesign is the most common outcome of a go/no-go decision.")
