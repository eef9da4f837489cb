"""Multi-machine mode: the index in a real Chroma server (``chroma run``) shared by two app
instances, each with its own data dir; a dead server gives a message naming host and port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import StoreError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("the chroma CLI is not installed next to this Python")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("chroma run did not start")
    yield proc, port
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=20)


def test_two_instances_share_one_chroma_server(chroma_server, settings, embedder, tmp_path):
    from assistant.config import ChromaSettings
    from assistant.index.vectorstore import build_vector_store, open_collection
    from assistant.ingest.pipeline import Ingestor
    from assistant.service.coach import Coach

    proc, port = chroma_server
    chroma = ChromaSettings(host="127.0.0.1", port=port)
    a = settings.model_copy(update={"data_dir": tmp_path / "a", "chroma": chroma})
    report = Ingestor(a, embedder, build_vector_store(a)).run(progress=False)
    assert len(report.added) == 5
    first = Coach(a, *_parts(a, embedder))
    answer_a = first.ask("How long should a pilot run?")
    assert answer_a.citations and not answer_a.abstained

    # A second instance: its own data dir (SQLite store), the index files copied from the first,
    # the vectors in the shared server. Its ingest finds nothing to do.
    b = settings.model_copy(update={"data_dir": tmp_path / "b", "chroma": chroma})
    shutil.copytree(a.index_dir, b.index_dir)
    again = Ingestor(b, embedder, build_vector_store(b)).run(progress=False)
    assert again.added == [] and again.updated == [] and len(again.unchanged) == 5
    second = Coach(b, *_parts(b, embedder))
    answer_b = second.ask("How long should a pilot run?")
    assert answer_b.answer == answer_a.answer
    assert open_collection(b).count() == first.corpus.manifest.vectors

    proc.terminate()
    proc.wait(timeout=20)
    with pytest.raises(StoreError, match=f"127.0.0.1:{port} cannot be reached"):
        second.ask("What does a prototype cost?")


def _parts(settings, embedder):
    from assistant.index.corpus import load_corpus
    from assistant.index.retrieval import HybridRetriever
    from assistant.index.vectorstore import build_vector_store

    corpus = load_corpus(settings)
    return corpus, embedder, HybridRetriever(settings, corpus, embedder, build_vector_store(settings))
