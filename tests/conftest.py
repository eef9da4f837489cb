"""Shared fixtures: the real knowledge/ folder ingested once per test session into a temp data dir,
with the real embedder and an embedded Chroma store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant.config import Settings

    data = tmp_path_factory.mktemp("coach-data")
    return Settings(data_dir=data, knowledge_dir=KNOWLEDGE)


@pytest.fixture(scope="session")
def embedder(settings):
    from assistant.index.embeddings import build_embedder

    return build_embedder(settings)


@pytest.fixture(scope="session")
def coach(settings, embedder):
    from assistant.index.vectorstore import build_vector_store
    from assistant.ingest.pipeline import Ingestor
    from assistant.service.coach import Coach

    Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
    return Coach.open(settings, auto_ingest=False)


@pytest.fixture
def cli(coach, settings, monkeypatch):
    """``cli(*argv)`` runs the command line; it opens the session's coach rather than its own."""
    from assistant.interfaces.cli import run

    monkeypatch.setattr("assistant.service.coach.Coach.open", classmethod(lambda cls, s, **kw: coach))
    return lambda *argv: run(list(argv), load=lambda: settings)


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="session")
def coach_with(coach, settings):
    """A Coach on the same index that asks an OpenAI-compatible endpoint: ``coach_with(base_url, ...)``."""
    from assistant.config import LLMSettings
    from assistant.service.coach import Coach

    def make(base_url: str, model: str = "primary", **llm: object) -> Coach:
        llm_settings = LLMSettings(provider="openai", base_url=base_url, model=model, **llm)  # type: ignore[arg-type]
        custom = settings.model_copy(update={"llm": llm_settings})
        return Coach(custom, coach.corpus, coach.embedder, coach.retriever)

    return make


@pytest.fixture
def written(tmp_path, embedder):
    """``written({"name.md": text, ...}, **answer_settings)``: a Coach over small documents a test writes,
    ingested with the real embedder into the test's own data dir."""
    from assistant.config import Settings
    from assistant.index.vectorstore import build_vector_store
    from assistant.ingest.pipeline import Ingestor
    from assistant.service.coach import Coach

    made = 0

    def make(documents: dict[str, str], **answer: object) -> Coach:
        nonlocal made
        made += 1
        kb = tmp_path / f"knowledge-{made}"
        kb.mkdir()
        for name, text in documents.items():
            (kb / name).write_text(text, "utf-8")
        settings = Settings(data_dir=tmp_path / f"data-{made}", knowledge_dir=kb)
        for key, value in answer.items():
            setattr(settings.answer, key, value)
        Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
        return Coach.open(settings, auto_ingest=False)

    return make
