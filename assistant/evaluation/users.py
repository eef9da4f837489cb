"""Questions worded the way users type them (``eval/users``): acceptance by kind of user, out-of-scope
questions declined (most of them near misses), false premises corrected, and the hallucination rate,
each with its 95% Wilson interval. The gates are the gold sets' (``evaluation.score_turn``); a
question's picked stage is passed with it, and follow-ups are asked in one conversation.

``python -m assistant.evaluation.users --split dev [--show]``. A sealed split is evaluated once, at the end of
a piece of work (eval/users/README.md)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.dataset import EvalItem, Turn
from assistant.evaluation.gold import Evidence, GoldCase
from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import TurnResult, calibration, errored_turn, hallucinated, rate_of, score_turn
from assistant.evaluation.systems import CoachSystem
from assistant.model.facts import numbers

if TYPE_CHECKING:
    from assistant.service.coach import Coach

USERS_DIR = Path("eval/users")
USER_TYPES = ("smb", "consultant", "slack")
# A line that corrects a premise names the asker's figure beside a word that denies or contrasts it.
_CONTRAST = re.compile(r"\b(?:not|no|isn't|aren't|rather than|instead|but|actually)\b", re.I)


@dataclass
class UserCase:
    item: EvalItem
    user: str
    stage: str | None
    wrong: str | None


def _case(cid: str, row: dict[str, Any], kind: str) -> GoldCase:
    return GoldCase(
        cid,
        row["question"],
        kind,
        "users",
        row.get("picked_stage"),
        tuple(tuple(f) for f in row.get("key_facts", [])),
        tuple(Evidence(e["doc"], e["quote"]) for e in row.get("evidence", [])),
    )


def load_users(split: str, users_dir: Path = USERS_DIR) -> list[UserCase]:
    path = users_dir / f"{split}.jsonl"
    if not path.is_file():
        from assistant.errors import InputError

        known = ", ".join(sorted(p.stem for p in users_dir.glob("*.jsonl")))
        raise InputError(f"No split '{split}' in {users_dir}. Choose one of: {known}.")
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["kind"] == "follow_up":
            turns = [
                Turn(t["question"], _case(f"{row['id']}.{k + 1}", t, t.get("kind", "answerable")))
                for k, t in enumerate(row["turns"])
            ]
        else:
            turns = [Turn(row["question"], _case(row["id"], row, row["kind"]))]
        item = EvalItem(row["id"], row["kind"], split, turns)
        cases.append(UserCase(item, row["user"], row.get("picked_stage"), row.get("wrong")))
    return cases


def _words(text: str) -> str:
    """Words without case, hyphens or a plural s: "six-month" and "six months" read alike."""
    return " " + " ".join(re.sub(r"s$", "", w) for w in re.findall(r"[\w$%.]+", text.lower())) + " "


def corrects(text: str, wrong: str) -> bool:
    """Whether an answer says the asker's figure is not the playbook's: a line names it (as a value, or
    as written) next to a word that denies or contrasts it."""
    values = numbers(wrong)
    for line in text.splitlines():
        named = (bool(values) and values <= numbers(line)) or _words(wrong) in _words(line)
        if named and _CONTRAST.search(line):
            return True
    return False


def run(coach: Coach, split: str, users_dir: Path = USERS_DIR) -> dict[str, Any]:
    judge = Judge.of(coach)
    system = CoachSystem(coach)
    run_id = f"users-{int(time.time())}"
    rows: list[tuple[UserCase, TurnResult, str]] = []
    for case in load_users(split, users_dir):
        session = f"{run_id}-{case.item.id}" if len(case.item.turns) > 1 else None
        for turn in case.item.turns:
            try:
                ans = system.answer(turn.question, session, stage=case.stage)
                rows.append((case, score_turn(judge, coach, case.item, turn, ans), ans.text))
            except Exception as exc:  # a case that errors is a failed case, and the run goes on
                rows.append((case, errored_turn(case.item, turn, exc), ""))
    by_user: dict[str, list[TurnResult]] = defaultdict(list)
    for case, r, _ in rows:
        by_user[case.user].append(r)
    results = [r for _, r, _ in rows]
    oos = [r for r in results if not r.answerable]
    premises = [(case, r, text) for case, r, text in rows if case.wrong]
    answered = [r for r in results if not r.abstained]
    return {
        "split": split,
        "questions": len(results),
        "acceptance": rate_of(sum(r.accepted for r in results), len(results)),
        "by_user": {u: rate_of(sum(r.accepted for r in by_user[u]), len(by_user[u])) for u in USER_TYPES},
        "out_of_scope_declined": rate_of(sum(r.abstained for r in oos), len(oos)),
        "premises_corrected": rate_of(
            sum(r.accepted and corrects(text, case.wrong or "") for case, r, text in premises), len(premises)
        ),
        "hallucination": rate_of(sum(map(hallucinated, answered)), len(answered)),
        "calibration": calibration([(r.confidence, r.accepted) for r in answered if r.confidence is not None]),
        "cases": [
            {
                "id": r.id,
                "user": case.user,
                "kind": case.item.kind,
                "accepted": r.accepted,
                "failed": r.failed,
                "corrected": corrects(text, case.wrong) if case.wrong else None,
                "question": next(t.question for t in case.item.turns if t.case.id == r.id),
                "answer": text,
            }
            for case, r, text in rows
        ],
    }


def write_json(out: str | None, report: dict[str, Any]) -> None:
    """The report as JSON at ``out``, when one is given."""
    if out:
        Path(out).write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")


def format_rate(rate: dict[str, Any]) -> str:
    if rate["value"] is None:
        return "n/a"
    lo, hi = rate["ci95"]
    return f"{rate['value']:.3f} ({rate['k']}/{rate['n']}; 95% CI {lo:.2f}–{hi:.2f})"


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.service.coach import Coach

    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.users", description=__doc__)
    parser.add_argument("--split", required=True, help="a file of eval/users without .jsonl: dev, sealed-1, …")
    parser.add_argument("--show", action="store_true", help="print each failed case with its answer")
    parser.add_argument("--out", help="write the report as JSON here")
    args = parser.parse_args(argv)
    from assistant.errors import InputError

    try:
        report = run(Coach.open(Settings()), args.split)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"acceptance: {format_rate(report['acceptance'])}")
    for user, rate in report["by_user"].items():
        print(f"  {user}: {format_rate(rate)}")
    print(f"out of scope declined: {format_rate(report['out_of_scope_declined'])}")
    print(f"false premises corrected: {format_rate(report['premises_corrected'])}")
    print(f"hallucination: {format_rate(report['hallucination'])}")
    cal = report["calibration"]
    if cal["n"]:
        print(f"expected calibration error: {cal['ece']:.3f} over {cal['n']} answers")
    if args.show:
        for c in report["cases"]:
            if not c["accepted"] or c["corrected"] is False:
                print(f"\n--- {c['id']} [{c['user']}/{c['kind']}] {c['failed']} corrected={c['corrected']}")
                print(f"Q: {c['question']}\n{c['answer'] or '(declined)'}")
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
