"""Replayed strong-model answers: hand-written stand-ins for what a GPT-4-class model writes from the
playbook (``eval/strong/answers.jsonl``), served for whatever prompt the coach sends.

Each sentence of a recorded answer carries the verbatim spans that support it. For a prompt, a
sentence is cited by the number of the source *in that prompt* which holds its spans, so the data
survives changes in retrieval; a sentence whose spans no source holds is left out (a model cannot
cite what it was not shown). The planted copy swaps in sentences with one labelled error each.

``python -m assistant.testing.replay [--planted] [--port N]`` serves them as an OpenAI-compatible endpoint on
loopback; ``coach eval --provider openai`` then runs against it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ANSWERS = Path(__file__).resolve().parents[2] / "eval" / "strong" / "answers.jsonl"
PLANTED_TYPES = ("number", "added_claim", "negation", "swap", "wrong_source", "blend")

_MARKUP = re.compile(r"\*\*|__|`|\*")
_SOURCE_HEAD = re.compile(r"^\[(\d+)\] .*$", re.M)


@dataclass(frozen=True)
class Sentence:
    text: str
    spans: tuple[tuple[str, str], ...]  # (doc, verbatim text)


@dataclass(frozen=True)
class Planted:
    sentence: int
    kind: str
    text: str


@dataclass(frozen=True)
class Recorded:
    id: str
    split: str
    sentences: tuple[Sentence, ...]
    planted: tuple[Planted, ...]
    batch: int = 1
    question: str | None = None  # asked as written here; else the gold question of ``id``


@dataclass(frozen=True)
class Line:
    """One sentence as the replay model writes it for a prompt."""

    text: str
    markers: tuple[int, ...]
    planted: str | None = None  # the error's kind, for a planted sentence


def load_recorded(path: Path = ANSWERS) -> list[Recorded]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        sentences = tuple(Sentence(s["text"], tuple((d, q) for d, q in s["spans"])) for s in row["sentences"])
        planted = tuple(Planted(p["sentence"], p["type"], p["text"]) for p in row.get("planted", []))
        for p in planted:
            if p.kind not in PLANTED_TYPES or not 0 <= p.sentence < len(sentences):
                raise ValueError(f"{row['id']}: bad planted error {p}")
        out.append(Recorded(row["id"], row["split"], sentences, planted, int(row.get("batch", 1)), row.get("question")))
    return out


def flat(text: str) -> str:
    """Text compared for holding a span: no markup, one space, lower case, fences undone."""
    text = _MARKUP.sub("", text.replace("‹", "<").replace("›", ">"))
    return " ".join(text.split()).lower()


def passages_holding(span: str, sources: Sequence[str]) -> list[int]:
    """Indexes of the sources that hold ``span``; a span over several lines may be spread across
    neighbouring passages, each line held by one of them."""
    want = flat(span)
    whole = [k for k, s in enumerate(sources) if want in s]
    if whole:
        return whole[:1]
    found: list[int] = []
    for piece in (flat(p) for p in span.splitlines()):
        if not piece:
            continue
        hit = next((k for k, s in enumerate(sources) if piece in s), None)
        if hit is None:
            return []
        if hit not in found:
            found.append(hit)
    return found


def compose(recorded: Recorded, sources: Sequence[str], *, planted: bool = False) -> list[Line]:
    """The answer for a prompt whose numbered sources have these texts."""
    flat_sources = [flat(s) for s in sources]
    swaps = {p.sentence: p for p in recorded.planted} if planted else {}
    lines: list[Line] = []
    for k, sentence in enumerate(recorded.sentences):
        markers: list[int] = []
        for _doc, span in sentence.spans:
            holders = passages_holding(span, flat_sources)
            if not holders:
                markers = []
                break
            markers += [h + 1 for h in holders if h + 1 not in markers]
        if not markers:
            continue
        swap = swaps.get(k)
        if swap is None:
            lines.append(Line(sentence.text, tuple(markers)))
            continue
        if swap.kind == "wrong_source":
            others = [n for n in range(1, len(sources) + 1) if n not in markers]
            if others:
                lines.append(Line(swap.text, (others[0],), swap.kind))
            else:
                lines.append(Line(sentence.text, tuple(markers)))
            continue
        lines.append(Line(swap.text, tuple(markers), swap.kind))
    return lines


def render(lines: Sequence[Line]) -> str:
    """One paragraph, each sentence ending with its markers, as a model writes it."""
    return " ".join(f"{ln.text} {''.join(f'[{n}]' for n in ln.markers)}" for ln in lines)


def parse_prompt(content: str) -> tuple[str, list[str]]:
    """The question and the numbered source texts of a prompt rendered from ``answer@N``."""
    question = content.split("<question>", 1)[-1].split("</question>", 1)[0].strip()
    block = content.split("<sources>", 1)[-1].split("</sources>", 1)[0]
    heads = list(_SOURCE_HEAD.finditer(block))
    sources = [block[h.end() : heads[i + 1].start() if i + 1 < len(heads) else len(block)] for i, h in enumerate(heads)]
    return question, sources


class Replay:
    """The replay model: answers a prompt with the recorded answer for its question."""

    def __init__(self, by_question: dict[str, Recorded], *, planted: bool = False) -> None:
        self.by_question = dict(by_question)
        self._lookup = {" ".join(q.lower().split()): r for q, r in by_question.items()}
        self.planted = planted

    def reply(self, body: dict[str, Any]) -> str:
        content = str(body.get("messages", [{}])[-1].get("content", ""))
        question, sources = parse_prompt(content)
        recorded = self._lookup.get(" ".join(question.lower().split()))
        if recorded is None:
            return "The playbook does not cover that."
        lines = compose(recorded, sources, planted=self.planted)
        return render(lines) or "The playbook does not cover that."


def replay_for_gold(gold_dir: Path, path: Path = ANSWERS, *, planted: bool = False) -> Replay:
    from assistant.evaluation.dataset import load_dataset

    questions = {item.id: item.turns[0].question for item in load_dataset(gold_dir) if len(item.turns) == 1}
    asked = ((r.question or questions.get(r.id), r) for r in load_recorded(path))
    return Replay({q: r for q, r in asked if q}, planted=planted)


def main(argv: list[str] | None = None) -> None:
    import argparse
    import time

    from assistant.testing.fake_llm import FakeLLM

    parser = argparse.ArgumentParser(prog="python -m assistant.testing.replay", description=__doc__)
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--planted", action="store_true", help="serve the copies with planted errors")
    parser.add_argument("--gold", default=str(ANSWERS.parents[1]), help="folder of the gold set (questions by id)")
    args = parser.parse_args(argv)
    replay = replay_for_gold(Path(args.gold), planted=args.planted)
    with FakeLLM(reply=replay.reply, port=args.port) as server:
        print(f"Replaying {len(replay.by_question)} answers at {server.base_url} (Ctrl-C stops)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
