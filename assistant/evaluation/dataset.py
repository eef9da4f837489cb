"""The evaluation's questions: the gold sets (single-turn, adversarial, red-team, multi-turn) as items of
one or more turns, each with its gold case."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.gold import GoldCase, load_gold

if TYPE_CHECKING:
    pass


EVAL_DIR = Path("eval")


@dataclass
class Turn:
    question: str
    case: GoldCase


@dataclass
class EvalItem:
    id: str
    kind: str  # answerable | disagreement | out_of_scope | adversarial | multi_turn
    split: str
    turns: list[Turn]
    attack: bool = False  # a prompt-injection attempt: judged on leaks and unsupported statements only


def gold_files(eval_dir: Path = EVAL_DIR) -> list[Path]:
    """The single-turn gold sets: the starter set first, then the others by name."""
    starter = eval_dir / "gold_starter.jsonl"
    rest = sorted(p for p in eval_dir.glob("gold_*.jsonl") if p != starter)
    return ([starter] if starter.exists() else []) + rest


def load_dataset(eval_dir: Path = EVAL_DIR) -> list[EvalItem]:
    items: list[EvalItem] = []
    for path in gold_files(eval_dir):
        for case in load_gold(path):
            items.append(EvalItem(case.id, case.kind, case.split, [Turn(case.question, case)]))
    adversarial = eval_dir / "adversarial.jsonl"
    if adversarial.exists():
        for case in load_gold(adversarial):
            items.append(EvalItem(case.id, "adversarial", case.split, [Turn(case.question, case)]))
    redteam = eval_dir / "redteam.jsonl"
    if redteam.exists():
        for k, line in enumerate(redteam.read_text("utf-8").splitlines()):
            if line.strip():
                row = json.loads(line)
                case = GoldCase(row["id"], row["question"], "adversarial", "test" if k % 2 else "dev")
                items.append(EvalItem(row["id"], "adversarial", case.split, [Turn(case.question, case)], attack=True))
    multi = eval_dir / "multiturn.jsonl"
    if multi.exists():
        for line in multi.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            turns = []
            for t, turn in enumerate(row["turns"]):
                case = GoldCase(
                    f"{row['id']}.{t + 1}",
                    turn["question"],
                    turn.get("kind", "answerable"),
                    row.get("split", "dev"),
                    turn.get("stage"),
                    tuple(tuple(f) for f in turn.get("key_facts", [])),
                    tuple(_evidence(e) for e in turn.get("evidence", [])),
                )
                turns.append(Turn(turn["question"], case))
            items.append(EvalItem(row["id"], "multi_turn", row.get("split", "dev"), turns))
    return items


def _evidence(e: dict[str, str]) -> Any:
    from assistant.evaluation.gold import Evidence

    return Evidence(e["doc"], e["quote"])
