"""The Coach service: the one object every interface (CLI, web, Slack) calls.

It validates the question, rewrites follow-ups with the session's history, retrieves, generates and
returns the answer contract. Heavy pieces (embedder, vector store, corpus) are built once in
``Coach.open`` and reused for every question.
"""

from __future__ import annotations

import logging
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus, tokens
from assistant.errors import ConfigError, InputError, KnowledgeError, ProviderError
from assistant.extractive import Draft, ExtractiveGenerator
from assistant.followup import condense, is_follow_up
from assistant.index_files import IndexFiles
from assistant.retrieval import Hit, HybridRetriever
from assistant.stages import stages_in
from assistant.store import SessionStore
from assistant.types import STAGES, Answer, Usage, Verification
from assistant.verify import Verifier

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.generation import LLMGenerator

MAX_HISTORY = 20
log = logging.getLogger("assistant.coach")


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
        self.verifier = Verifier(corpus, self.embed_texts)
        self.store = SessionStore(settings.data_dir / "sessions.sqlite3")
        self.llm: LLMGenerator | None = None
        if settings.llm.provider == "openai":
            from assistant.generation import LLMGenerator

            try:
                self.llm = LLMGenerator(settings, self.verifier)
            except ProviderError as exc:
                raise ConfigError(str(exc)) from exc

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

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def retrieve(self, question: str, *, stage: str | None = None) -> tuple[np.ndarray, list[Hit]]:
        q_vec = self.embed_query(question)
        return q_vec, self.retriever.retrieve(question, q_vec.tolist(), stage=stage)

    def condense(self, question: str, history: list[str]) -> str:
        """A follow-up rewritten into a standalone question: by the model when one is configured and
        it gives a sensible rewrite, else deterministically."""
        if not history or not is_follow_up(question):
            return question
        if self.llm is not None:
            try:
                rewritten = self.llm.condense(question, history)
                known = set(tokens(" ".join([question, *history[-2:]])))
                if known & set(tokens(rewritten)):
                    return rewritten
            except ProviderError as exc:
                log.warning("follow-up rewrite by the model failed: %s", exc)
        return condense(question, history)

    def ask(
        self,
        question: object,
        *,
        session: str | None = None,
        stage: str | None = None,
        id: str | None = None,
        on_delta: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question. ``on_delta`` gets the model's text as it streams in (the answer that
        is returned is the verified one, which may differ)."""
        started = time.perf_counter()
        text = validate_question(question, self.settings.answer.max_question_chars)
        if stage is not None and stage not in STAGES:
            raise InputError(f"Unknown stage '{stage}'. Choose one of: {', '.join(STAGES)}.")
        history = self.store.history(session, MAX_HISTORY) if session else []
        standalone = self.condense(text, history)
        named = stages_in(standalone)
        effective_stage = stage or (named[0] if len(named) == 1 else None)
        q_vec, hits = self.retrieve(standalone, stage=effective_stage)
        draft = self.generator.generate(standalone, q_vec, hits)
        answer = Answer(
            id=id or uuid.uuid4().hex[:12],
            answer=draft.answer,
            abstained=draft.abstained,
            citations=draft.citations,
            confidence=draft.confidence,
            generator=self.generator.name,
            verification=Verification(sentences=draft.statements, removed=0, fallback=False),
            stage=effective_stage,
            session=session,
            standalone_question=standalone if standalone != text else None,
            nearest_topics=draft.nearest_topics,
        )
        # The playbook's coverage decides abstention for every provider: a model is not asked about
        # what the playbook does not cover.
        if self.llm is not None and not draft.abstained:
            self._with_model(answer, standalone, hits, draft, on_delta)
        if session:
            self.store.add(session, text, standalone, answer.id, answer.abstained)
        answer.latency_ms = round((time.perf_counter() - started) * 1000)
        return answer

    def _with_model(
        self,
        answer: Answer,
        question: str,
        hits: list[Hit],
        draft: Draft,
        on_delta: Callable[[str], None] | None,
    ) -> None:
        assert self.llm is not None
        sources = [h.chunk for h in hits[: self.settings.llm.sources]]
        attempt = self.llm.answer(question, sources, on_delta=on_delta)
        answer.prompt_version = attempt.prompt_version
        if attempt.answer is None:
            answer.notice = (
                f"The language model could not be reached ({attempt.notices[-1]}); this is the offline answer."
                if attempt.notices
                else None
            )
            return
        done = attempt.answer
        c = done.completion
        answer.usage = Usage(
            model=c.model,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            cost_usd=c.cost_usd(self.settings.llm.prices),
            estimated=c.estimated,
            latency_ms=c.latency_ms,
            overhead_ms=attempt.overhead_ms,
        )
        if attempt.failed_models:
            answer.notice = f"Answered by the fallback model {c.model}: {attempt.notices[-1]}"
        v = done.verified
        if not v.substantive:
            answer.verification = Verification(
                sentences=v.statements, removed=v.removed, recited=v.recited, fallback=True
            )
            answer.notice = "The model's answer was not supported by the playbook; this is the offline answer."
            return
        answer.answer = v.text
        answer.citations = v.citations
        answer.generator = f"openai/{c.model}"
        answer.verification = Verification(sentences=v.statements, removed=v.removed, recited=v.recited)
        answer.confidence = round(draft.confidence * (v.kept / max(v.statements, 1)), 2)
