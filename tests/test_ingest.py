"""Ingest with the real embedder and an embedded Chroma store: counts, metadata, incremental runs,
bad files."""

from __future__ import annotations

import shutil
from typing import Any, cast

import numpy as np
import pytest
from conftest import KNOWLEDGE

from assistant.config import Settings
from assistant.errors import KnowledgeError
from assistant.index.corpus import load_corpus
from assistant.index.embeddings import QueryEmbedder
from assistant.index.vectorstore import build_vector_store
from assistant.ingest.pipeline import Ingestor


def test_real_corpus_counts_and_metadata(coach):
    corpus = coach.corpus
    data = ("README.md", "vocabulary.toml")
    assert sorted(corpus.texts) == sorted(p.name for p in KNOWLEDGE.iterdir() if p.name not in data)
    assert 150 < len(corpus.chunks) < 600
    assert corpus.titles["pilot-to-production-methodology.md"] == "Methodology: Pilot-to-Production Playbook"
    for chunk in corpus.chunks.values():
        assert corpus.texts[chunk.doc][chunk.start : chunk.end] == chunk.text
        assert chunk.stages and chunk.section
    # The store holds one vector per unit the answer may quote plus one per passage heading; a read-only
    # unit's vector is kept with its document, for the citation check, and not searched.
    store = coach.retriever.dense._vector_store
    cells = sum(len(v) for v in corpus.row_cell_vectors.values())  # a table row's values, one vector each
    assert cells > 0
    assert 0 < len(corpus.quoted) < len(corpus.units) == len(corpus.unit_vectors)
    assert store._collection.count() == len(corpus.quoted) + cells + len(corpus.chunks)


@pytest.fixture
def small_kb(tmp_path, embedder):
    kb = tmp_path / "knowledge"
    kb.mkdir()
    for name in ("enterprise-ai-90-day-roadmap.txt", "genai-implementation-guide.txt"):
        shutil.copy(KNOWLEDGE / name, kb / name)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb)
    return settings, kb


def test_incremental_skip_change_delete(small_kb, embedder):
    settings, kb = small_kb
    store = build_vector_store(settings)
    first = Ingestor(settings, embedder, store).run(progress=False)
    assert sorted(first.added) == ["enterprise-ai-90-day-roadmap.txt", "genai-implementation-guide.txt"]
    count = store._collection.count()

    # No change: nothing is embedded, so the embedder is never even built.
    again = Ingestor(settings).run(progress=False)
    assert again.unchanged and not again.changed
    lazy = Ingestor(settings)
    lazy.run(progress=False)
    assert lazy._embedder is None

    # A changed document is replaced, not duplicated.
    path = kb / "enterprise-ai-90-day-roadmap.txt"
    path.write_text(path.read_text("utf-8") + "\nClosing note\nPilots should publish a weekly metrics digest.\n")
    changed = Ingestor(settings, embedder, store).run(progress=False)
    assert changed.updated == ["enterprise-ai-90-day-roadmap.txt"]
    assert "weekly metrics digest" in load_corpus(settings).texts["enterprise-ai-90-day-roadmap.txt"]
    assert count < store._collection.count() < count + 10

    # A removed document's passages leave the store and the corpus.
    (kb / "genai-implementation-guide.txt").unlink()
    removed = Ingestor(settings, embedder, store).run(progress=False)
    assert removed.removed == ["genai-implementation-guide.txt"]
    corpus = load_corpus(settings)
    assert list(corpus.texts) == ["enterprise-ai-90-day-roadmap.txt"]
    cells = sum(len(v) for v in corpus.row_cell_vectors.values())  # a table row's values, one vector each
    assert store._collection.count() == len(corpus.units) + cells + len(corpus.chunks)


def test_a_rebuild_starts_the_embedded_store_from_an_empty_collection(small_kb, embedder):
    # Deleted vectors stay in the store's search graph; after a few rebuilds that way its search missed
    # nearest neighbours. A rebuild makes the collection anew, and what was open on it follows.
    from assistant.index.vectorstore import open_collection
    from assistant.service.coach import Coach

    settings, _ = small_kb
    store = build_vector_store(settings)
    Ingestor(settings, embedder, store).run(progress=False)
    before = open_collection(settings).id
    count = store._collection.count()
    Ingestor(settings, embedder, store).run(rebuild=True, progress=False)
    assert open_collection(settings).id != before
    assert store._collection.id == open_collection(settings).id
    assert store._collection.count() == count
    coach = Coach.open(settings, auto_ingest=False)
    _, hits = coach.retrieve("how long is the pilot phase?")
    assert hits and max(h.dense for h in hits) > 0.3


def test_bad_files_are_skipped_with_reasons(small_kb, embedder):
    settings, kb = small_kb
    (kb / "empty.md").write_bytes(b"   \n")
    (kb / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (kb / "latin1.md").write_bytes("Caf\xe9 pilots".encode("latin-1"))
    (kb / "slides.pptx").write_bytes(b"PK\x03\x04")
    (kb / "README.md").write_text("# About this folder\n")
    report = Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
    reasons = dict(report.skipped)
    assert set(reasons) == {"empty.md", "binary.txt", "latin1.md", "slides.pptx"}
    assert "empty" in reasons["empty.md"] and "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.md"] and "unsupported" in reasons["slides.pptx"]
    assert len(report.added) == 2  # the good documents are all indexed; README is not a document
    assert "Skipped binary.txt:" in report.summary()


def test_the_vocabulary_file_is_data_and_a_change_to_it_is_read(small_kb, embedder):
    from assistant.errors import ConfigError
    from assistant.service.coach import Coach
    from assistant.tools.catalog import read_catalog

    settings, kb = small_kb
    vocab = kb / "vocabulary.toml"
    vocab.write_text('[[expansion]]\nwhen = "\\\\btrial\\\\b"\nadd = ["pilot"]\n', "utf-8")
    report = Ingestor(settings, embedder, build_vector_store(settings)).run(progress=False)
    assert not report.skipped and "vocabulary.toml" not in report.added  # not a document
    corpus = load_corpus(settings)
    assert corpus.vocabulary.expansion_words("How long is a trial?") == ["pilot"]
    first = read_catalog(settings.index_dir)
    assert first is not None and first.vocabulary == corpus.vocabulary.digest

    # An edited vocabulary is taken up by the next ingest, though no document changed.
    vocab.write_text('[decision.outcomes]\ngo = ["go"]\n', "utf-8")
    again = Ingestor(settings).run(progress=False)
    assert not again.changed
    second = read_catalog(settings.index_dir)
    assert second is not None and second.vocabulary not in ("", first.vocabulary)
    # New stage terms re-tag every passage: the documents are indexed again when the service opens.
    vocab.write_text('[stages]\nrollout = ["phase"]\n', "utf-8")
    coach = Coach.open(settings)
    assert coach.corpus.vocabulary.stages_in("the next phase") == ["rollout"]
    assert any("rollout" in c.stages for c in coach.corpus.chunks.values())
    assert not any("pilot" in c.stages for c in coach.corpus.chunks.values())

    # A file that cannot be read names itself; nothing already indexed is lost.
    vocab.write_text("[[expansion]\nwhen = 3", "utf-8")
    with pytest.raises(ConfigError, match=r"vocabulary\.toml"):
        load_corpus(settings)
    vocab.unlink()
    assert load_corpus(settings).texts == corpus.texts


def test_missing_knowledge_folder_says_what_to_do(tmp_path):
    settings = Settings(data_dir=tmp_path / "d", knowledge_dir=tmp_path / "nope")
    with pytest.raises(KnowledgeError, match="COACH_KNOWLEDGE_DIR"):
        Ingestor(settings).run(progress=False)


def test_an_interrupted_ingest_leaves_the_previous_index_usable(small_kb, embedder, monkeypatch):
    from assistant.service.coach import Coach

    settings, kb = small_kb
    store = build_vector_store(settings)
    Ingestor(settings, embedder, store).run(progress=False)
    before = load_corpus(settings)
    path = kb / "genai-implementation-guide.txt"
    path.write_text(path.read_text("utf-8") + "\nA new closing section\nPilots need a rollback plan.\n")

    def interrupted(self, texts):
        raise KeyboardInterrupt  # Ctrl-C while the changed document is being embedded

    monkeypatch.setattr(Ingestor, "_embed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(settings, embedder, store).run(progress=False)
    monkeypatch.undo()
    after = load_corpus(settings)
    assert after.index_version == before.index_version and after.texts == before.texts
    coach = Coach.open(settings, auto_ingest=False)
    answer = coach.ask("How long should a pilot run?")
    assert answer.citations and not answer.abstained
    # The next ingest picks the change up.
    resumed = Ingestor(settings, embedder, store).run(progress=False)
    assert resumed.updated == ["genai-implementation-guide.txt"]
    assert "rollback plan" in load_corpus(settings).texts["genai-implementation-guide.txt"]


def test_the_dense_search_returns_the_exact_nearest_passages(coach, settings):
    """The vector search is not approximate where answers come from: the neighbours it returns are the
    exact nearest ones (ties at the last rank aside), so a question is answered from the same passages
    on every build of the same documents."""
    import numpy as np

    from assistant.index.vectorstore import open_collection

    collection = open_collection(settings)
    got = collection.get(include=["embeddings"])
    ids, vectors = got["ids"], np.asarray(got["embeddings"])
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    k = settings.retrieval.dense_k * 8
    rng = np.random.default_rng(0)
    queries = vectors[rng.choice(len(ids), 40, replace=False)] + rng.normal(0, 0.05, (40, vectors.shape[1]))
    found = collection.query(query_embeddings=queries.tolist(), n_results=k)["ids"]
    index = {i: n for n, i in enumerate(ids)}
    for query, near in zip(queries, found, strict=True):
        scores = vectors @ (query / np.linalg.norm(query))
        kth = np.sort(scores)[::-1][k - 1]
        missed = [i for i in np.argsort(-scores)[:k] if ids[i] not in set(near)]
        assert all(scores[i] - kth < 1e-5 for i in missed), [(ids[i], scores[i] - kth) for i in missed]
        assert len(near) == k and all(scores[index[i]] >= kth - 1e-5 for i in near)


READINGS = [
    "what kind of return do customer service AI projects get",
    "what kind of return do customer service projects get",
]


def test_the_readings_of_a_question_embedded_together_are_what_each_gives_alone(embedder):
    together = QueryEmbedder(embedder).embed(READINGS)
    alone = np.array([embedder.get_query_embedding(text) for text in READINGS])
    assert together.shape == alone.shape
    assert np.allclose(together, alone, atol=1e-5)


def test_a_model_that_puts_an_instruction_before_a_query_embeds_each_reading_as_a_query(embedder):
    class Instructed:
        """A model whose queries carry an instruction its passages do not."""

        def get_query_embedding(self, text: str) -> list[float]:
            return embedder.get_query_embedding(f"Represent this question for retrieval: {text}")

        def get_text_embedding_batch(self, texts: list[str]) -> Any:
            return embedder.get_text_embedding_batch(texts)

    got = QueryEmbedder(cast(Any, Instructed())).embed(READINGS)
    want = [embedder.get_query_embedding(f"Represent this question for retrieval: {text}") for text in READINGS]
    assert np.allclose(got, np.array(want), atol=1e-5)
