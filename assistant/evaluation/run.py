"""``coach eval``: hallucination, citation and acceptance rates of this system and of two baselines,
in one run, with 95% Wilson intervals (metric definitions: DESIGN.md, "Measuring trust").

Systems:
- ``coach``: the Coach service as configured (offline, or ``--provider openai``);
- ``baseline-naive``: llama-index ``VectorStoreIndex`` over the raw files, default chunking, top-k 2,
  the top chunk as the answer (what a tutorial builds);
- ``baseline-copy-top``: our retrieval, the top passage verbatim as the answer. It cites perfectly
  and answers badly, so it must score high on citation metrics and fail acceptance: a check of the
  metrics themselves.

The judge ``support(passage, statement)`` is text-level and independent of how an answer was made:
every number the statement states is in the passage, negation agrees with the passage's best
sentence, the statement's stages/roles/names are there, and its content words (idf-weighted) and
meaning (MiniLM) match. Its agreement with hand labels is reported when ``eval/judge_labels.jsonl``
exists; the verifier's mutation suite is reported always.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.evaluation.dataset import EVAL_DIR, load_dataset
from assistant.evaluation.judge import Judge, judge_validation, score_labels
from assistant.evaluation.metrics import TurnResult, breakdown, errored_turn, score_turn, summarize
from assistant.evaluation.systems import SYSTEMS, CoachSystem, CopyTopSystem, NaiveSystem

if TYPE_CHECKING:
    from assistant.service.coach import Coach

log = logging.getLogger("assistant.evaluation.run")


# --------------------------------------------------------------------------------------- judge


# --------------------------------------------------------------------------------------- data


# --------------------------------------------------------------------------------------- answers


# --------------------------------------------------------------------------------------- scoring


# --------------------------------------------------------------------------------------- report


def mutation_results(coach: Coach, judge: Judge, per_kind: int = 30) -> dict[str, Any]:
    """The mutation suite (statements taken from a passage, then numbers swapped, negation flipped,
    stages/roles swapped, re-pointed to another passage, or given an unsupported clause): the share
    each of the verifier and the judge gets right, per kind."""
    from assistant.evaluation.mutations import build_cases

    cases = build_cases(coach.corpus, per_kind=per_kind)
    vectors = coach.embed_texts([c.statement for c in cases])
    verifier: dict[str, list[bool]] = defaultdict(list)
    judged: dict[str, list[bool]] = defaultdict(list)
    for case, vec in zip(cases, vectors, strict=True):
        expected = case.kind == "supported"
        verifier[case.kind].append(coach.verifier.check(case.statement, np.asarray(vec), case.cited).ok == expected)
        judged[case.kind].append(judge.support(case.cited.text, case.statement) == expected)
    return {
        "verifier": {k: round(statistics.mean(v), 3) for k, v in sorted(verifier.items())},
        "judge": {k: round(statistics.mean(v), 3) for k, v in sorted(judged.items())},
    }


def run_eval(
    coach: Coach,
    *,
    systems: Sequence[str] = SYSTEMS,
    split: str | None = None,
    eval_dir: Path = EVAL_DIR,
    limit: int | None = None,
    progress: bool | None = None,
    mutations_per_kind: int = 30,
    verification: bool = False,
) -> dict[str, Any]:
    items = load_dataset(eval_dir)
    if split:
        items = [i for i in items if i.split == split]
    if limit:
        items = items[:limit]
    judge = Judge.of(coach)
    builders: dict[str, Callable[[], Any]] = {
        "coach": lambda: CoachSystem(coach),
        "baseline-naive": lambda: NaiveSystem(coach),
        "baseline-copy-top": lambda: CopyTopSystem(coach),
    }
    unknown = [s for s in systems if s not in builders]
    if unknown:
        from assistant.errors import InputError

        raise InputError(f"Unknown system(s): {', '.join(unknown)}. Choose from: {', '.join(SYSTEMS)}.")
    show = sys.stderr.isatty() if progress is None else progress
    report: dict[str, Any] = {
        "dataset": {
            kind: sum(1 for i in items if i.kind == kind)
            for kind in ("answerable", "out_of_scope", "adversarial", "multi_turn", "disagreement")
        },
        "split": split or "all",
        "generator": coach.settings.llm.provider,
        "systems": {},
        "breakdowns": {},
        "cases": {},
    }
    run_id = f"eval-{int(time.time())}"
    for name in systems:
        system = builders[name]()
        results: list[TurnResult] = []
        todo = [(item, t, turn) for item in items for t, turn in enumerate(item.turns)]
        iterable: Any = todo
        if show:
            from tqdm import tqdm

            iterable = tqdm(todo, desc=name, unit="q", file=sys.stderr)
        for item, _t, turn in iterable:
            session = f"{run_id}-{item.id}" if item.kind == "multi_turn" else None
            try:
                ans = system.answer(turn.question, session)
                results.append(score_turn(judge, coach, item, turn, ans))
            except Exception as exc:  # a case that errors is a failed case, and the run goes on
                log.exception("eval case %s of %s failed", turn.case.id, name)
                results.append(errored_turn(item, turn, exc))
        report["systems"][name] = summarize(results)
        report["breakdowns"][name] = {k: breakdown(results, k) for k in ("kind", "stage", "doc")}
        report["cases"][name] = [
            {
                "id": r.id,
                "kind": r.kind,
                "accepted": r.accepted,
                "failed": r.failed,
                "facts": r.facts,
                "hit_rank": r.hit_rank,
                "hit_rank_facts": r.hit_rank_facts,
            }
            for r in results
        ]
        report.setdefault("pairs", {})[name] = [p for r in results for p in r.pairs]
    from assistant.evaluation.strong import judge_pairs

    if verification:
        from assistant.evaluation.strong import run as run_strong

        strong = run_strong(coach, split)
        report["verification"] = {k: strong[k] for k in ("recorded", "faithful", "planted")}
    report["judge"] = {
        **judge_validation(judge, eval_dir),
        "paraphrase": score_labels(judge, judge_pairs(coach.corpus, split)),
        "mutations": mutation_results(coach, judge, mutations_per_kind),
    }
    return report
