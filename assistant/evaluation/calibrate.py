"""Fitting the model of an answer's acceptance that its stated confidence comes from.

``python -m assistant.evaluation.calibrate [--splits dev,users:dev,users:sealed-1]`` asks every question of the
named splits (gold splits by name; ``users:NAME`` for a split of eval/users), records the features of
each answer it gives (``ExtractiveGenerator.answer_features``) and whether the eval's gates accept it,
fits a logistic regression, and prints the weights for ``answer.confidence_weights`` with the expected
calibration error in and out of fold. Fit on dev splits only: the test split and any sealed split
measure the result.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from assistant.evaluation.dataset import EvalItem, load_dataset
from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import calibration, score_turn
from assistant.evaluation.systems import CoachSystem

if TYPE_CHECKING:
    from assistant.answer.extractive import Draft
    from assistant.service.coach import Coach

FEATURES = ("support", "unseen")


def _items(split: str) -> list[tuple[EvalItem, str | None]]:
    if split.startswith("users:"):
        from assistant.evaluation.users import load_users

        return [(c.item, c.stage) for c in load_users(split.split(":", 1)[1])]
    return [(it, None) for it in load_dataset() if it.split == split and not it.attack]


def collect(coach: Coach, splits: list[str]) -> list[tuple[dict[str, float], bool]]:
    """(features, accepted) for every answered turn of the splits."""
    judge = Judge.of(coach)
    system = CoachSystem(coach)
    drafts: list[Draft] = []
    generate = coach.generator.generate

    def recording(*args: Any, **kwargs: Any) -> Draft:
        draft = generate(*args, **kwargs)
        drafts.append(draft)
        return draft

    coach.generator.generate = recording  # type: ignore[method-assign]
    rows: list[tuple[dict[str, float], bool]] = []
    for split in splits:
        for item, stage in _items(split):
            session = f"calibrate-{split}-{item.id}" if len(item.turns) > 1 else None
            for turn in item.turns:
                drafts.clear()
                ans = system.answer(turn.question, session, stage=stage or turn.case.stage)
                used = [d for d in drafts if not d.abstained]
                if ans.abstained or not used:
                    continue
                rows.append((used[-1].features, score_turn(judge, coach, item, turn, ans).accepted))
    return rows


def fit(rows: list[tuple[dict[str, float], bool]], c: float = 10.0) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    x = [[f.get(name, 0.0) for name in FEATURES] for f, _ in rows]
    y = [ok for _, ok in rows]
    model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    weights = {"bias": round(float(model.intercept_[0]), 3)}
    weights.update({name: round(float(w), 3) for name, w in zip(FEATURES, model.coef_[0], strict=True)})
    return weights


def _probability(features: dict[str, float], weights: dict[str, float]) -> float:
    z = weights["bias"] + sum(weights[n] * features.get(n, 0.0) for n in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.evaluation.calibrate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--splits", default="dev,users:dev,users:sealed-1")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    from assistant.config import Settings
    from assistant.service.coach import Coach

    settings = Settings()
    settings.limits.cache_size = 0
    coach = Coach.open(settings)
    rows = collect(coach, args.splits.split(","))
    if len(rows) < 2 * args.folds or len({ok for _, ok in rows}) < 2:
        print("Too few answers, or all of one outcome, to fit.", file=sys.stderr)
        return 1
    weights = fit(rows)
    before = calibration([(_old(f), ok) for f, ok in rows])
    held: list[tuple[float, bool]] = []
    for k in range(args.folds):
        train = [r for j, r in enumerate(rows) if j % args.folds != k]
        test = [r for j, r in enumerate(rows) if j % args.folds == k]
        w = fit(train)
        held += [(_probability(f, w), ok) for f, ok in test]
    fitted = calibration([(_probability(f, weights), ok) for f, ok in rows])
    print(f"answers: {len(rows)}, accepted: {sum(ok for _, ok in rows)}")
    print(f"ECE with the settings' weights: {before['ece']:.3f}")
    out_of_fold = calibration(held)["ece"]
    print(f"ECE fitted, in sample: {fitted['ece']:.3f}; out of fold ({args.folds} folds): {out_of_fold:.3f}")
    print(f"AUC: settings' weights {_auc(rows, _old):.3f}; fitted {_auc(rows, lambda f: _probability(f, weights)):.3f}")
    print(json.dumps(weights))
    return 0


def _auc(rows: list[tuple[dict[str, float], bool]], score: Any) -> float:
    """How well the confidence ranks accepted answers above the others (0.5 is chance)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([ok for _, ok in rows], [score(f) for f, _ in rows]))


def _old(features: dict[str, float]) -> float:
    from assistant.answer.extractive import calibrated
    from assistant.config import AnswerSettings

    return calibrated(features, AnswerSettings().confidence_weights)


if __name__ == "__main__":
    raise SystemExit(main())
