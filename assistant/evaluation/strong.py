"""What verification is worth on a strong model's text: the replayed answers (``assistant.testing.replay``)
sent through the coach's own model path — retrieval, the prompt, an OpenAI-compatible endpoint on
loopback, the verifier, and the choice between the model's answer and the offline one.

Faithful copy: the share of faithful sentences kept, answers kept whole, fallbacks to the offline
answer. Planted copy: the share of planted errors removed, by type (a sentence cited to the wrong
source counts as caught when it is removed or re-cited to a source that supports it), and the
faithful sentences kept beside them. ``python -m assistant.evaluation.strong --split dev``."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.index.corpus import tokens
from assistant.model.verify import Outcome
from assistant.testing.replay import ANSWERS, PLANTED_TYPES, Line, Recorded, compose, load_recorded, replay_for_gold


def _key(text: str) -> str:
    return " ".join(tokens(text))


@dataclass
class Tally:
    answers: int = 0
    whole: int = 0
    fallback: int = 0
    faithful: int = 0
    faithful_kept: int = 0
    unreachable: int = 0  # sentences whose spans no source of the prompt holds
    planted: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    removed_reasons: Counter[str] = field(default_factory=Counter)
    overhead_ms: list[int] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    erring: int = 0  # answers whose text as written holds a planted error
    erring_left: int = 0  # ...and still does after verification

    def add(self, rid: str, lines: list[Line], outcomes: list[Outcome], fallback: bool, expected: int) -> None:
        by_key = {_key(o.text): o for o in outcomes}
        self.answers += 1
        self.fallback += fallback
        self.unreachable += expected - len(lines)
        whole = not fallback
        left = False
        for line in lines:
            got = by_key.get(_key(line.text))
            kept = got is not None and got.kept and not fallback
            if line.planted is None:
                self.faithful += 1
                self.faithful_kept += kept
                whole = whole and kept
                if not kept:
                    reason = got.reason if got and not got.kept else ("fallback" if fallback else "unsplit")
                    self.removed_reasons[reason] += 1
                    self.misses.append({"id": rid, "sentence": line.text, "reason": reason})
            else:
                self.planted[line.planted] += 1
                caught = not kept or (line.planted == "wrong_source" and got is not None and got.recited)
                self.caught[line.planted] += caught
                left = left or not caught
                if not caught:
                    self.misses.append({"id": rid, "planted": line.planted, "sentence": line.text})
        self.whole += whole
        if any(line.planted for line in lines):
            self.erring += 1
            self.erring_left += left

    def summary(self) -> dict[str, Any]:
        def rate(k: int, n: int) -> float | None:
            return round(k / n, 3) if n else None

        oh = sorted(self.overhead_ms)
        out: dict[str, Any] = {
            "answers": self.answers,
            "faithful_sentences": self.faithful,
            "faithful_kept": rate(self.faithful_kept, self.faithful),
            "answers_whole": rate(self.whole, self.answers),
            "fallbacks": rate(self.fallback, self.answers),
            "unreachable_sentences": self.unreachable,
            "removed_reasons": dict(self.removed_reasons),
            "overhead_ms_p95": oh[min(len(oh) - 1, int(0.95 * len(oh)))] if oh else None,
        }
        if self.planted:
            n, k = sum(self.planted.values()), sum(self.caught.values())
            out["planted"] = n
            out["planted_caught"] = rate(k, n)
            out["caught_by_type"] = {t: f"{self.caught[t]}/{self.planted[t]}" for t in PLANTED_TYPES if self.planted[t]}
            # DESIGN.md's hallucination rate, of the text as the model wrote it and as the user gets it
            out["hallucination_raw"] = rate(self.erring, self.answers)
            out["hallucination_verified"] = rate(self.erring_left, self.answers)
        return out


def run(
    coach: Any,
    split: str | None,
    path: Path = ANSWERS,
    gold_dir: Path = ANSWERS.parents[1],
    variants: tuple[str, ...] = ("faithful", "planted"),
    batch: int | None = None,
) -> dict[str, Any]:
    """Both copies of each recorded answer of ``split`` through the coach's model path."""
    from assistant.config import LLMSettings
    from assistant.model.generation import LLMGenerator, fence, keeps_model_answer, sources_block
    from assistant.testing.fake_llm import FakeLLM

    recorded = [r for r in load_recorded(path) if split in (None, r.split) and batch in (None, r.batch)]
    report: dict[str, Any] = {"split": split or "all", "recorded": len(recorded)}
    for variant in variants:
        replay = replay_for_gold(gold_dir, path, planted=variant == "planted")
        questions = {r.id: q for q, r in replay.by_question.items()}
        tally = Tally()
        with FakeLLM(reply=replay.reply) as server:
            llm = LLMSettings(provider="openai", base_url=server.base_url, model="replay", max_retries=0)
            generator = LLMGenerator(coach.settings.model_copy(update={"llm": llm}), coach.verifier)
            for rec in recorded:
                question = questions.get(rec.id)
                if question is None:
                    continue
                sources = coach.model_sources(question)
                attempt = generator.answer(question, sources)  # the asker's question, as the coach sends it
                lines = _lines(rec, fence(sources_block(sources)), variant == "planted")
                expected = len(rec.sentences)
                if attempt.answer is None:
                    tally.add(rec.id, lines, [], True, expected)
                    continue
                verified = attempt.answer.verified
                tally.overhead_ms.append(attempt.overhead_ms)
                tally.add(rec.id, lines, verified.outcomes, not keeps_model_answer(verified), expected)
        report[variant] = tally.summary()
        report[f"{variant}_misses"] = tally.misses
    return report


def judge_pairs(corpus: Any, split: str | None = None, path: Path = ANSWERS) -> list[dict[str, Any]]:
    """Statement–passage pairs labelled by how they were written: each faithful sentence with the
    passage(s) holding its spans (supported), each planted sentence with the same passage(s) — or, for
    a wrong source, another document's passage — (not supported). The judge's accuracy on paraphrase."""
    from assistant.testing.replay import flat, passages_holding

    chunks = sorted(corpus.chunks.values(), key=lambda c: (c.doc, c.start))
    by_doc: dict[str, list[Any]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc, []).append(c)
    flats = {c.id: flat(c.text) for c in chunks}
    rows: list[dict[str, Any]] = []
    for rec in load_recorded(path):
        if split not in (None, rec.split):
            continue
        passages: list[str] = []
        for sentence in rec.sentences:
            found: list[Any] = []
            for doc, span in sentence.spans:
                pool = by_doc.get(doc, [])
                found += [pool[h] for h in passages_holding(span, [flats[c.id] for c in pool]) if pool[h] not in found]
            passage = "\n\n".join(f"{c.section}\n{c.text}" for c in found)
            passages.append(passage)
            if passage:
                rows.append({"case": rec.id, "statement": sentence.text, "passage": passage, "supported": True,
                             "kind": "faithful"})  # fmt: skip
        for p in rec.planted:
            passage = passages[p.sentence]
            if p.kind == "wrong_source":
                doc = rec.sentences[p.sentence].spans[0][0]
                other = next((c for c in chunks if c.doc != doc and len(c.text) > 200), None)
                passage = f"{other.section}\n{other.text}" if other is not None else ""
            if passage:
                rows.append({"case": rec.id, "statement": p.text, "passage": passage, "supported": False,
                             "kind": p.kind})  # fmt: skip
    return rows


def _lines(rec: Recorded, block: str, planted: bool) -> list[Line]:
    """The lines the replay wrote for this sources block (the same composition, read back here)."""
    from assistant.testing.replay import parse_prompt

    _, sources = parse_prompt(f"<sources>\n{block}\n</sources>")
    return compose(rec, sources, planted=planted)


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.service.coach import Coach

    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.strong", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test"])
    parser.add_argument("--show", action="store_true", help="list each faithful sentence removed, each error kept")
    parser.add_argument("--out", help="write the report as JSON here")
    parser.add_argument("--variant", choices=["faithful", "planted"], help="only this copy")
    parser.add_argument("--batch", type=int, help="only answers of this batch (see eval/strong)")
    args = parser.parse_args(argv)
    settings = Settings()
    coach = Coach.open(settings)
    variants = (args.variant,) if args.variant else ("faithful", "planted")
    report = run(coach, args.split, variants=variants, batch=args.batch)
    for variant in variants:
        print(variant, json.dumps(report[variant]))
        if args.show:
            for miss in report[f"{variant}_misses"]:
                print("   ", json.dumps(miss, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
