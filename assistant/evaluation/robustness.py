"""Robustness: every gold question rewritten mechanically, the way people actually type, must give the
key facts its plain form gives. The rewrites are generic (no word of the playbook in them):

- ``situation``: the asker's situation first ("We're a 20-person firm and short on time.");
- ``lowercase``: lower case without punctuation;
- ``terse``: a Slack message: question words and fillers dropped;
- ``typo``: two letters of the longest word swapped;
- ``polite``: a greeting, "could you tell me", thanks;
- ``synonym``: common words swapped for everyday ones ("cost" → "price").

Consistency is the share of (question, rewrite) pairs whose answer states every key fact the plain
form's answer states, over the questions whose plain form states at least one.
``python -m assistant.evaluation.robustness --split dev [--show]``."""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evaluation.dataset import EVAL_DIR, gold_files
from assistant.evaluation.gold import GoldCase, load_gold, normalize, with_acronyms
from assistant.evaluation.metrics import rate_of

if TYPE_CHECKING:
    from assistant.service.coach import Coach

_SITUATIONS = (
    "We're a 20-person accounting firm and short on time.",
    "I run a small online shop with 6 staff.",
    "Our team of 40 at a regional insurer is just getting started with AI.",
)
_FILLER = re.compile(
    r"\b(?:what|what's|whats|how(?!\s+(?:long|much|many|often))|which|who|when|where|why|should|would|could|can|"
    r"do|does|did|is|are|the|a|an|we|our|us|i|my|me|you|your|to|of|for|on|in|at|with|has|have|there|it|be|"
    r"need|please)\b",
    re.I,
)
_SYNONYMS = {
    "cost": "price",
    "costs": "prices",
    "budget": "spend",
    "team": "crew",
    "users": "people",
    "start": "kick off",
    "long": "much time",
    "criteria": "requirements",
    "need": "require",
    "measure": "track",
    "biggest": "largest",
    "mistakes": "errors",
    "company": "business",
    "quickly": "fast",
    "problem": "issue",
    "problems": "issues",
    "help": "support",
}


def situation(q: str, k: int) -> str:
    return f"{_SITUATIONS[k % len(_SITUATIONS)]} {q}"


def lowercase(q: str, k: int) -> str:
    return " ".join(re.sub(r"[^\w\s$%-]", " ", q.lower()).split())


def terse(q: str, k: int) -> str:
    words = _FILLER.sub(" ", q.rstrip("?.!")).split()
    return (" ".join(words) + "?") if words else q


def typo(q: str, k: int) -> str:
    words = q.split()
    longest = max(range(len(words)), key=lambda i: (len(re.sub(r"\W", "", words[i])), -i))
    w = words[longest]
    if len(w) >= 5:
        mid = len(w) // 2
        words[longest] = w[: mid - 1] + w[mid] + w[mid - 1] + w[mid + 1 :]
    return " ".join(words)


def polite(q: str, k: int) -> str:
    return f"Hi! Could you please tell me: {q[0].lower()}{q[1:]} Thanks so much!"


def synonym(q: str, k: int) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        new = _SYNONYMS[word.lower()]
        return new.capitalize() if word[0].isupper() else new

    pattern = r"\b(?:" + "|".join(sorted(_SYNONYMS, key=len, reverse=True)) + r")\b"
    return re.sub(pattern, swap, q, flags=re.I)


REWRITES: dict[str, Callable[[str, int], str]] = {
    "situation": situation,
    "lowercase": lowercase,
    "terse": terse,
    "typo": typo,
    "polite": polite,
    "synonym": synonym,
}


def _found(text: str, case: GoldCase) -> set[int]:
    norm = with_acronyms(normalize(text))
    return {k for k, variants in enumerate(case.key_facts) if any(normalize(v) in norm for v in variants)}


def run(coach: Coach, split: str, eval_dir: Path = EVAL_DIR, limit: int | None = None) -> dict[str, Any]:
    cases = [c for p in gold_files(eval_dir) for c in load_gold(p) if c.split == split and c.key_facts]
    cases = cases[:limit] if limit else cases
    kept: dict[str, list[bool]] = defaultdict(list)
    misses: list[dict[str, Any]] = []
    for k, case in enumerate(cases):
        plain = coach.ask(case.question, channel="eval", check_rate=False)
        base = set() if plain.abstained else _found(plain.answer, case)
        if not base:
            continue
        for name, rewrite in REWRITES.items():
            variant = rewrite(case.question, k)
            if variant == case.question:
                continue
            ans = coach.ask(variant, channel="eval", check_rate=False)
            ok = not ans.abstained and base <= _found(ans.answer, case)
            kept[name].append(ok)
            if not ok:
                misses.append({"id": case.id, "rewrite": name, "question": variant, "answer": ans.answer})
    every = [ok for oks in kept.values() for ok in oks]
    return {
        "split": split,
        "consistency": rate_of(sum(every), len(every)),
        "by_rewrite": {name: rate_of(sum(oks), len(oks)) for name, oks in kept.items()},
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.service.coach import Coach

    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.robustness", description=__doc__)
    parser.add_argument("--split", choices=["dev", "test"], required=True)
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--show", action="store_true", help="print each rewrite that lost a key fact")
    parser.add_argument("--out", help="write the report as JSON here")
    args = parser.parse_args(argv)
    report = run(Coach.open(Settings()), args.split, limit=args.limit)
    from assistant.evaluation.users import format_rate, write_json

    print(f"key-fact consistency: {format_rate(report['consistency'])}")
    for name, rate in report["by_rewrite"].items():
        print(f"  {name}: {format_rate(rate)}")
    if args.show:
        for m in report["misses"]:
            print(f"\n--- {m['id']} [{m['rewrite']}] {m['question']}\n{m['answer'][:600]}")
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
