"""A strong model's answers (hand-written stand-ins, replayed over a real OpenAI-compatible endpoint on
loopback) through the coach's own model path: faithful paraphrase is kept, planted errors are removed.
Dev split only; the test split is for reporting."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.evaluation.strong import run
from assistant.testing.fake_llm import FakeLLM
from assistant.testing.replay import compose, load_recorded, parse_prompt, render, replay_for_gold


def test_the_replay_cites_each_sentence_by_the_source_that_holds_it_in_this_prompt():
    rec = load_recorded()[0]
    (_doc, span), *_ = next(s.spans for s in rec.sentences if s.spans)
    prompt = f"<sources>\n[1] A — x\nnothing here\n\n[2] B — y\n**{span}**\n</sources>\n<question>\nq\n</question>"
    question, sources = parse_prompt(prompt)
    assert question == "q" and len(sources) == 2
    lines = compose(rec, sources)
    assert lines and all(ln.markers == (2,) for ln in lines)
    assert render(lines).endswith("[2]")
    # a sentence whose span no source of the prompt holds is not written
    assert compose(rec, ["nothing", "here either"]) == []
    # the planted copy cites a wrong source where it plants one, and otherwise swaps the sentence's text
    planted = compose(rec, sources, planted=True)
    assert {ln.planted for ln in planted} - {None}


def test_verification_keeps_a_strong_models_faithful_answer_and_removes_planted_errors(coach):
    report = run(coach, "dev")
    faithful, planted = report["faithful"], report["planted"]
    print(faithful, planted)
    assert faithful["answers"] >= 20 and faithful["faithful_sentences"] >= 60
    assert faithful["faithful_kept"] >= 0.94, report["faithful_misses"]
    assert faithful["answers_whole"] >= 0.8
    assert faithful["fallbacks"] <= 0.06
    assert planted["planted"] >= 30
    # Dev keeps growing by batches written to find what the verifier still misses (eval/strong/README.md),
    # so its floor sits below the 0.95.
    assert planted["planted_caught"] >= 0.94, report["planted_misses"]


def test_a_faithful_answer_is_served_as_the_models_and_a_planted_one_says_what_was_removed(coach_with):
    recorded = {r.id: r for r in load_recorded() if r.split == "dev"}
    for planted in (False, True):
        replay = replay_for_gold(Path(__file__).resolve().parent.parent / "eval", planted=planted)
        with FakeLLM(reply=replay.reply) as server:
            c = coach_with(server.base_url, model="replay", max_retries=0)
            answers = [c.ask(q, check_rate=False) for q, r in replay.by_question.items() if r.id in recorded]
        served = [a for a in answers if a.generator == "openai/replay"]
        if not planted:
            assert len(served) >= 0.85 * len(answers), [a.notice for a in answers]
            assert sum(a.notice is None for a in served) >= 0.7 * len(served)
        else:
            # one sentence left of three does not answer: those fall back to the offline answer
            assert len(served) >= 0.6 * len(answers), [a.notice for a in answers]
            notices = [a.notice or "" for a in served]
            assert sum("removed: the playbook does not support" in n for n in notices) >= 0.6 * len(served)
        for a in served:
            assert a.citations and all(c.verified for c in a.citations)


def test_a_recorded_answer_with_a_question_of_its_own_is_served_for_that_question(tmp_path):
    row = {
        "id": "own-1",
        "split": "dev",
        "question": "how long is the pilot?",
        "batch": 8,
        "sentences": [{"text": "It runs for a few weeks.", "spans": [["a.md", "a few weeks"]]}],
    }
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps(row) + "\n", "utf-8")
    replay = replay_for_gold(Path(__file__).resolve().parent.parent / "eval", path)
    assert [r.id for r in replay.by_question.values()] == ["own-1"]
    body = {"messages": [{"content": "<sources>\n[1] A — x\nIt takes a few weeks.\n</sources>\n"
                          "<question>\nHow long is the PILOT?\n</question>"}]}  # fmt: skip
    assert replay.reply(body) == "It runs for a few weeks. [1]"
