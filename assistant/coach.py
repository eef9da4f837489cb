"""The Coach service: the one object every interface (CLI, web, Slack) calls.

It validates the question, rewrites follow-ups with the session's history, retrieves, generates and
returns the answer contract. Heavy pieces (embedder, vector store, corpus) are built once in
``Coach.open`` and reused for every question.
"""

from __future__ import annotations

import sys
import time
import unicodedata
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus
from assistant.errors import InputError, KnowledgeError
from assistant.extractive import ExtractiveGenerator
from assistant.followup import condense
from assistant.index_files import IndexFiles
from assistant.retrieval import Hit, HybridRetriever
from assistant.stages import stages_in
from assistant.types import STAGES, Answer, Verification

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

MAX_HISTORY = 20
MAX_SESSIONS = 5000  # conversations kept in memory; the oldest is forgotten first


def validate_question(question: object, max_chars: int) -> str:
    """Return the cleaned question, or raise ``InputError`` saying what is wrong with it."""
    if not isinstance(question, str):
        raise InputError("The question must be text. Type it as a sentence.")
    if "\x00" in question or sum(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in question) > 3:
        raise InputError("The question contains binary data, not text. Type the question as plain text.")
    text = " ".join(question.split())
    if not text:
        raise InputError(
            "The question is empty. Type a question about the playbook, e.g. 'How long should a pilot run?'"
        )
    if len(text) > max_chars:
        raise InputError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it to the part you want answered."
        )
    return text


class Coach:
    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        embedder: BaseEmbedding,
        retriever: HybridRetriever,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.embedder = embedder
        self.retriever = retriever
        self.generator = ExtractiveGenerator(corpus, settings.answer)
        self._history: OrderedDict[str, list[str]] = OrderedDict()

    @classmethod
    def open(cls, settings: Settings, *, auto_ingest: bool = True) -> Coach:
        """Build the service. With ``auto_ingest``, a missing index is built first (told on stderr)."""
        from assistant.embeddings import build_embedder
        from assistant.vectorstore import build_vector_store

        embedder = build_embedder(settings)
        store = build_vector_store(settings)
        if auto_ingest and IndexFiles(settings.index_dir).read_manifest() is None:
            from assistant.ingest import Ingestor

            print(f"Indexing the playbook in {settings.knowledge_dir} first…", file=sys.stderr)
            report = Ingestor(settings, embedder, store).run()
            print(report.summary(), file=sys.stderr)
            if not report.added and not report.unchanged:
                raise KnowledgeError(
                    f"No document in {settings.knowledge_dir} could be indexed. Add .md, .txt, .html or .pdf files."
                )
        corpus = load_corpus(settings)
        return cls(settings, corpus, embedder, HybridRetriever(settings, corpus, embedder, store))

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def retrieve(self, question: str, *, stage: str | None = None) -> tuple[np.ndarray, list[Hit]]:
        q_vec = self.embed_query(question)
        return q_vec, self.retriever.retrieve(question, q_vec.tolist(), stage=stage)

    def ask(
        self,
        question: object,
        *,
        session: str | None = None,
        stage: str | None = None,
        id: str | None = None,
    ) -> Answer:
        started = time.perf_counter()
        text = validate_question(question, self.settings.answer.max_question_chars)
        if stage is not None and stage not in STAGES:
            raise InputError(f"Unknown stage '{stage}'. Choose one of: {', '.join(STAGES)}.")
        history = self._history.get(session, []) if session else []
        standalone = condense(text, history)
        named = stages_in(standalone)
        effective_stage = stage or (named[0] if len(named) == 1 else None)
        q_vec, hits = self.retrieve(standalone, stage=effective_stage)
        draft = self.generator.generate(standalone, q_vec, hits)
        if session:
            self._history[session] = [*history, standalone][-MAX_HISTORY:]
            self._history.move_to_end(session)
            while len(self._history) > MAX_SESSIONS:
                self._history.popitem(last=False)
        return Answer(
            id=id or uuid.uuid4().hex[:12],
            answer=draft.answer,
            abstained=draft.abstained,
            citations=draft.citations,
            confidence=draft.confidence,
            generator=self.generator.name,
            verification=Verification(sentences=draft.statements, removed=0, fallback=False),
            stage=effective_stage,
            session=session,
            prompt_version=None,
            latency_ms=round((time.perf_counter() - started) * 1000),
            standalone_question=standalone if standalone != text else None,
            nearest_topics=draft.nearest_topics,
        )
