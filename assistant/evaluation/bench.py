"""``make bench``: speed and quality of this system and, in the same run, of a naive baseline
(llama-index VectorStoreIndex over the same documents, default chunking, top-k 2, top chunk as the
answer), with the ratios between them. Targets are judged here, never in tests."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.config import Settings, load_settings
from assistant.evaluation.gold import GoldCase, evidence_spans, facts_present, hit_rank, load_gold, normalize

GOLD = Path("eval/gold_starter.jsonl")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_timed(settings: Settings, args: list[str]) -> float:
    """Wall time of a whole ``coach`` process."""
    env = dict(os.environ, COACH_DATA_DIR=str(settings.data_dir), COACH_KNOWLEDGE_DIR=str(settings.knowledge_dir))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def bench_coach(settings: Settings, cases: list[GoldCase]) -> dict[str, float]:
    from assistant.service.coach import Coach

    # Both ingest timings are whole processes, as a user runs them: imports and model load included.
    full_ingest = run_timed(settings, ["ingest", "--quiet"])
    re_ingest = run_timed(settings, ["ingest", "--quiet"])

    coach = Coach.open(settings, auto_ingest=False)
    answerable = [c for c in cases if c.answerable]
    for case in answerable[:5]:
        coach.ask(case.question)  # warm-up
    latencies, hits, facts = [], [], []
    for case in answerable:
        started = time.perf_counter()
        answer = coach.ask(case.question)
        latencies.append((time.perf_counter() - started) * 1000)
        _, retrieved = coach.retrieve(case.question)
        hits.append(hit_rank(retrieved[:5], evidence_spans(coach.corpus, case)) is not None)
        facts.append(0.0 if answer.abstained else facts_present(answer.answer, case.key_facts))
    declined = [coach.ask(c.question).abstained for c in cases if not c.answerable]
    overhead = bench_model_overhead(coach, settings, answerable)
    first_token, full_http = bench_http(coach, answerable)
    dashboard = bench_dashboard(coach)
    return {
        "dashboard_10k_s": dashboard,
        "http_first_token_p95_ms": first_token,
        "http_full_answer_p95_ms": full_http,
        "model_overhead_p95_ms": overhead[0],
        "model_total_p95_ms": overhead[1],
        "cold_start_s": run_timed(settings, ["ask", "--json", answerable[0].question]),
        "warm_p50_ms": percentile(latencies, 0.5),
        "warm_p95_ms": percentile(latencies, 0.95),
        "full_ingest_s": full_ingest,
        "reingest_s": re_ingest,
        "hit_at_5": statistics.mean(hits),
        "key_fact_recall": statistics.mean(facts),
        "oos_declined": statistics.mean(declined) if declined else float("nan"),
    }


def bench_http(coach: object, cases: Sequence[GoldCase]) -> tuple[float, float]:
    """Through the web app's HTTP API, as a client sees it: p95 time to the first streamed piece of
    an answer (``/chat_stream``) and p95 time to the whole answer (``/ask``)."""
    import socket

    from gradio_client import Client

    from assistant.interfaces.web import build_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    demo = build_app(coach)  # type: ignore[arg-type]
    demo.queue(default_concurrency_limit=4).launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True
    )
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        first, full = [], []
        for k, case in enumerate([*cases[:3], *cases]):
            started = time.perf_counter()
            job = client.submit(case.question, "", "", api_name="/chat_stream")
            got_first = None
            for _ in job:
                if got_first is None:
                    got_first = time.perf_counter() - started
            started_ask = time.perf_counter()
            client.predict(case.question, "", "", api_name="/ask")
            if k >= 3 and got_first is not None:  # the first three warm up
                first.append(got_first * 1000)
                full.append((time.perf_counter() - started_ask) * 1000)
    finally:
        demo.close()
    nan = float("nan")
    return (percentile(first, 0.95) if first else nan, percentile(full, 0.95) if full else nan)


def bench_dashboard(coach: object, n: int = 10_000) -> float:
    """Seconds for the dashboard's figures (the web handler, tables and chart data) over ``n`` logged
    answers with feedback, in a fresh log."""
    import random

    from assistant.interfaces.web_forms import WebForms
    from assistant.service.coach import Coach
    from assistant.service.ledger import Ledger
    from assistant.types import Answer, Verification

    assert isinstance(coach, Coach)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="coach-dash-") as tmp:
        ledger = Ledger(Path(tmp) / "log.sqlite3")
        for i in range(n):
            answer = Answer(id=f"a{i}", answer="", session=f"s{i % 700}", latency_ms=rng.randint(15, 400),
                            abstained=rng.random() < 0.08, verification=Verification(sentences=3))  # fmt: skip
            ledger.log(answer, question="q", user=f"u{i % 300}", channel="web")
            if i % 4 == 0:
                ledger.feedback(f"a{i}", "up" if rng.random() < 0.8 else "down", user=f"u{i % 300}",
                                reason=None if rng.random() < 0.5 else "unclear")  # fmt: skip
        original = coach.ledger
        coach.ledger = ledger
        try:
            started = time.perf_counter()
            WebForms(coach).dashboard("", "")
            return time.perf_counter() - started
        finally:
            coach.ledger = original


def bench_load(
    settings: Settings, *, cache: bool, users: int = 50, seconds: int = 60
) -> tuple[dict[str, float], list[str]]:
    """50 simulated users for 60 s against ``app.py``'s JSON API (locust, headless): throughput,
    latency percentiles, errors and the app's peak memory; and what each kind of error was, with how
    often it happened."""
    import csv
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = dict(
        os.environ,
        COACH_DATA_DIR=str(settings.data_dir),
        COACH_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        GRADIO_SERVER_PORT=str(port),
        COACH_LIMITS__CACHE_SIZE="1024" if cache else "0",
    )
    app = subprocess.Popen([sys.executable, "app.py"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        with tempfile.TemporaryDirectory(prefix="coach-load-") as out:
            locust = Path(sys.executable).with_name("locust")
            subprocess.run(
                [str(locust), "-f", str(Path(__file__).with_name("loadtest.py")), "--headless", "-u", str(users),
                 "-r", "10", "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", f"{out}/load",
                 "--only-summary", "--loglevel", "WARNING"],
                check=False, capture_output=True, timeout=seconds + 120,
            )  # fmt: skip
            with open(f"{out}/load_stats.csv", encoding="utf-8") as fh:
                rows = {r["Name"]: r for r in csv.DictReader(fh)}
            failures: list[str] = []
            if Path(f"{out}/load_failures.csv").is_file():
                with open(f"{out}/load_failures.csv", encoding="utf-8") as fh:
                    failures = [
                        f"{r.get('Error', '')[:200]} (×{r.get('Occurrences', '?')})" for r in csv.DictReader(fh)
                    ]
        peak_kb = 0
        for line in Path(f"/proc/{app.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak_kb = int(line.split()[1])
    finally:
        app.terminate()
        app.wait(timeout=30)
    total = rows.get("Aggregated") or rows.get("/v1/ask") or {}
    requests = float(total.get("Request Count", 0) or 0)
    stats = {
        "requests": requests,
        "errors": float(total.get("Failure Count", 0) or 0),
        "rps": float(total.get("Requests/s", 0) or 0),
        "p50_ms": float(total.get("50%", 0) or 0),
        "p95_ms": float(total.get("95%", 0) or 0),
        "p99_ms": float(total.get("99%", 0) or 0),
        "peak_rss_mb": peak_kb / 1024,
    }
    return stats, failures


def bench_model_overhead(coach: object, settings: Settings, cases: Sequence[GoldCase]) -> tuple[float, float]:
    """p95 of the time an answer takes beyond its model call (prompt, verification, citations), with an
    instant local OpenAI-compatible endpoint that answers with a sentence of the top source."""
    from assistant.config import LLMSettings
    from assistant.service.coach import Coach
    from assistant.testing.fake_llm import FakeLLM

    assert isinstance(coach, Coach)
    overheads: list[float] = []
    beyond: list[float] = []
    with FakeLLM() as fake:
        llm = LLMSettings(provider="openai", base_url=fake.base_url, model="bench", max_retries=0)
        model_coach = Coach(settings.model_copy(update={"llm": llm}), coach.corpus, coach.embedder, coach.retriever)
        for k, case in enumerate([*cases[:3], *cases]):
            _, hits = coach.retrieve(case.question)
            units = coach.corpus.units_by_chunk.get(hits[0].chunk.id, [])
            fake.text = " ".join(f"{coach.corpus.unit_text(i)} [1]" for i in units[:3])
            answer = model_coach.ask(case.question)
            if k >= 3 and answer.usage is not None:  # the first three warm up
                overheads.append(answer.usage.overhead_ms)
                beyond.append(answer.latency_ms - answer.usage.latency_ms)
    nan = float("nan")
    return (percentile(overheads, 0.95) if overheads else nan, percentile(beyond, 0.95) if beyond else nan)


def bench_naive(settings: Settings, cases: list[GoldCase]) -> dict[str, float]:
    """The baseline a user would build from a tutorial. Its passages carry no offsets into our
    cleaned text, so a hit is a retrieved passage that contains the gold evidence quote."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    from assistant.index.embeddings import build_embedder

    embedder = build_embedder(settings)
    files = [str(p) for p in sorted(settings.knowledge_dir.iterdir()) if p.name != "README.md"]
    started = time.perf_counter()
    docs = SimpleDirectoryReader(input_files=files).load_data()
    index = VectorStoreIndex.from_documents(docs, embed_model=embedder)
    full_ingest = time.perf_counter() - started
    retriever = index.as_retriever(similarity_top_k=2)
    answerable = [c for c in cases if c.answerable]
    for case in answerable[:5]:
        retriever.retrieve(case.question)
    latencies, hits, facts = [], [], []
    for case in answerable:
        started = time.perf_counter()
        nodes = retriever.retrieve(case.question)
        answer = nodes[0].node.get_content() if nodes else ""
        latencies.append((time.perf_counter() - started) * 1000)
        texts = [normalize(n.node.get_content()) for n in nodes]
        hits.append(any(normalize(e.quote) in t for e in case.evidence for t in texts))
        facts.append(facts_present(answer, case.key_facts))
    return {
        "dashboard_10k_s": float("nan"),
        "http_first_token_p95_ms": float("nan"),
        "http_full_answer_p95_ms": float("nan"),
        "model_overhead_p95_ms": float("nan"),
        "model_total_p95_ms": float("nan"),
        "cold_start_s": float("nan"),
        "warm_p50_ms": percentile(latencies, 0.5),
        "warm_p95_ms": percentile(latencies, 0.95),
        "full_ingest_s": full_ingest,
        "reingest_s": float("nan"),
        "hit_at_5": statistics.mean(hits),
        "key_fact_recall": statistics.mean(facts),
        "oos_declined": 0.0,  # it always answers with its top chunk
    }


ROWS = [
    ("cold_start_s", "cold start, process → first answer (s)", "≤ 10"),
    ("warm_p50_ms", "warm ask p50 (ms)", ""),
    ("warm_p95_ms", "warm ask p95 (ms)", "≤ 100"),
    ("full_ingest_s", "full ingest (s)", "≤ 30"),
    ("reingest_s", "no-change re-ingest (s)", "≤ 2"),
    ("hit_at_5", "Hit@5 (baseline: top-2)", "≥ 0.95"),
    ("key_fact_recall", "key-fact recall", "≥ 0.85"),
    ("oos_declined", "out-of-scope declined", ""),
    ("dashboard_10k_s", "dashboard over 10,000 logged answers (s)", "≤ 2"),
    ("http_first_token_p95_ms", "web API: first streamed piece p95 (ms)", "≤ 300"),
    ("http_full_answer_p95_ms", "web API: whole answer (/ask) p95 (ms)", "≤ 500"),
    ("model_overhead_p95_ms", "openai: prompt + verification around the model call, p95 (ms)", "≤ 50"),
    ("model_total_p95_ms", "openai: whole answer minus the model call (retrieval too), p95 (ms)", ""),
]


def main() -> int:
    base = load_settings()
    cases = load_gold(GOLD)
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        settings = base.model_copy(update={"data_dir": Path(tmp) / "data"})
        print(f"Benchmarking on {len(cases)} gold questions ({GOLD}) …", file=sys.stderr)
        ours = bench_coach(settings, cases)
        naive = bench_naive(settings, cases)
        print("Load test: 50 users for 60 s, with and without the answer cache …", file=sys.stderr)
        loads = {"cache on": bench_load(settings, cache=True), "cache off": bench_load(settings, cache=False)}
    print("| metric | coach | baseline-naive | coach ÷ baseline | target |\n|---|---|---|---|---|")
    for key, label, target in ROWS:
        a, b = ours[key], naive[key]
        ratio = a / b if b and b == b and a == a else float("nan")
        print(f"| {label} | {a:.3f} | {b:.3f} | {ratio:.2f} | {target} |")
    print("\nLoad: 50 concurrent users, 60 s, POST /v1/ask (target: 0 errors, p95 ≤ 1000 ms)")
    print("| run | requests | errors | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (r, _) in loads.items():
        print(
            f"| {name} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.0f} | "
            f"{r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['peak_rss_mb']:.0f} |"
        )
    for name, (_, failures) in loads.items():
        for failure in failures:
            print(f"{name} error: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
