"""The answer to one question: the follow-up rewritten with the session's history, what to search for,
retrieval, the offline answer, the model's verified answer when one is configured, a premise the quotes
contradict named first, and the answer logged and cached."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.asking import read_question, wants_figure
from assistant.answer.extractive import Draft, ExtractiveGenerator
from assistant.answer.followup import condense, is_follow_up
from assistant.answer.passage import named_part
from assistant.answer.premise import premise_note
from assistant.answer.reading import Reader, Reading
from assistant.answer.scoring import reranked_top
from assistant.answer.siblings import sibling_words
from assistant.config import Settings
from assistant.errors import InputError, ProviderError
from assistant.index.corpus import Corpus, tokens
from assistant.index.embeddings import QueryEmbedder
from assistant.index.retrieval import HybridRetriever
from assistant.index.spelling import Speller
from assistant.service.guards import injection_flags, redact
from assistant.service.ledger import Ledger
from assistant.service.store import SessionStore
from assistant.types import STAGES, Answer, AnswerBlock, Chunk, Hit, Usage, Verification

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.index.lexicon import Vocabulary
    from assistant.model.generation import LLMGenerator

MAX_HISTORY = 20
log = logging.getLogger("assistant.answer.answering")
Cached = tuple[Answer, list[tuple[str, float]]]


class Answering:
    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        embedder: BaseEmbedding,
        retriever: HybridRetriever,
        store: SessionStore,
        ledger: Ledger,
        llm: LLMGenerator | None,
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.embedder = embedder
        self.queries = QueryEmbedder(embedder)
        self.retriever = retriever
        self.store = store
        self.ledger = ledger
        self.llm = llm
        self.generator = ExtractiveGenerator(corpus, settings.answer)
        self.speller = Speller(list(corpus.texts.values()))
        self.reader = Reader(corpus, self.speller, retriever.named_documents, retriever.as_named)
        self.siblings = sibling_words(corpus)  # names the playbook lays out side by side, for follow-ups
        self.cache = AnswerCache()

    # -- search ----------------------------------------------------------------------------------
    def embed_query(self, text: str) -> np.ndarray:
        return self.queries.embed([text])[0]

    def search(
        self, question: str, *, stage: str | None = None, vectors: tuple[np.ndarray, np.ndarray] | None = None,
        top_k: int | None = None,
    ) -> tuple[np.ndarray, list[Hit], list[Hit]]:  # fmt: skip
        """The question's vector, the passages to answer from (``top_k`` of them, else the setting's), and
        those they displaced (``reranked_top``)."""
        q_vec, whole = vectors or question_vectors(
            self.queries.embed, self.corpus.vocabulary, question, self.retriever.without_names
        )
        rs = self.settings.retrieval
        k = top_k or rs.top_k
        pool = max(rs.rerank_pool, k) if rs.rerank_pool else None
        hits = self.retriever.retrieve(question, q_vec.tolist(), stage=stage, top_k=pool)
        displaced: list[Hit] = []
        if pool:
            asked, scoring = read_question(question, self.corpus.vocabulary), self.settings.answer.scoring
            hits, displaced = reranked_top(self.corpus, asked, q_vec, hits, scoring, rs.rerank_prior, k)
        hits = named_part(question, hits)
        named = self.retriever.named_documents(question) if rs.named_document_only else set()
        if rs.figures_per_document and wants_figure(question, self.corpus.vocabulary) and len(named) != 1:
            # Each document's own figure for what is asked, when the search did not reach it (a
            # question that names one document is answered from it alone).
            have = {h.chunk.id for h in hits}
            floor = min((h.score for h in hits), default=1.0) * 0.5
            found = self.generator.figures.passages(question, whole, have, rs.figures_per_document)
            if len(named) > 1:
                # Documents the question sets against each other are each looked in for their figure,
                # however weakly their best line answers: the asker said they give one.
                weak = self.generator.figures.passages(question, whole, have | set(found), 0.0)
                found += [cid for cid in weak if self.corpus.chunks[cid].doc in named]
            for cid in found:
                hits.append(Hit(self.corpus.chunks[cid], floor, 0.0, len(hits), looked_up=True))
        return q_vec, hits, displaced

    def search_text(self, question: str) -> str:
        return self.reader.search_text(question)

    def read(self, standalone: str, stage: str | None = None) -> Reading:
        return self.reader.read(standalone, stage)

    def search_plan(self, standalone: str, stage: str | None = None) -> tuple[str, str | None]:
        """What a standalone question is searched for, and with which stage: the one the user picked,
        else the one stage the question names."""
        reading = self.reader.read(standalone, stage)
        return reading.query, reading.stage

    def condense(self, question: str, history: list[str]) -> str:
        """A follow-up rewritten into a standalone question: by the model when one is configured and
        it gives a sensible rewrite, else deterministically."""
        if not history or not is_follow_up(question):
            return question
        if self.llm is not None:
            try:
                rewritten = self.llm.condense(redact(question), history)
                known = set(tokens(" ".join([question, *history[-2:]])))
                if known & set(tokens(rewritten)):
                    return rewritten
            except ProviderError as exc:
                log.warning("follow-up rewrite by the model failed: %s", exc)
        return condense(question, history, self.corpus.vocabulary.held, self.siblings)

    # -- the answer ------------------------------------------------------------------------------
    def answer(
        self,
        text: str,
        *,
        started: float,
        session: str | None,
        stage: str | None,
        id: str | None,
        on_delta: Callable[[str], None] | None,
        user: str | None,
        channel: str,
    ) -> Answer:
        """Answer a validated question. ``on_delta`` gets the model's text as it streams in (the answer
        that is returned is the verified one, which may differ)."""
        if stage is not None and stage not in STAGES:
            raise InputError(f"Unknown stage '{stage}'. Choose one of: {', '.join(STAGES)}.")
        flags = injection_flags(text)
        history = self.store.history(session, MAX_HISTORY) if session else []
        standalone = self.condense(text, history)
        reading = self.reader.read(standalone, stage)
        query, effective_stage = reading.query, reading.stage
        # What was asked, not what is searched: the answer also says what it makes of the asker's own
        # figures and situation, which the search text leaves out.
        key = self.cache_key(standalone, effective_stage)
        cached = self.cache.get(key) if on_delta is None else None
        if cached is not None:
            answer, chunks = cached[0].model_copy(deep=True), cached[1]
            answer.id, answer.session = id or uuid.uuid4().hex[:12], session
            answer.standalone_question = standalone if standalone != text else None
            if session:
                self.store.add(session, text, standalone, answer.id, answer.abstained)
            self._finish(answer, text, started, user, channel, chunks, ["cached", *flags])
            return answer
        vectors = question_vectors(self.queries.embed, self.corpus.vocabulary, query, self.retriever.without_names)
        q_vec, hits, displaced = self.search(query, stage=effective_stage, vectors=vectors)
        each = [(part, self.embed_query(part.text)) for part in reading.each]
        draft = self.generator.generate(query, q_vec, hits, reading.asked, each, vectors[1], displaced)
        # What else the asker tells ("Our books are in QuickBooks.") can hide a question the playbook does
        # cover, as can the topic a follow-up took from the question before when it brings its own ("and
        # when do we see our money back?"): the bare question and the follow-up as asked are looked up too.
        own = text if standalone != text else None
        for other in (reading.bare, own):
            if not draft.abstained or flags or not other or other == query:
                continue
            other_vectors = question_vectors(
                self.queries.embed, self.corpus.vocabulary, other, self.retriever.without_names
            )
            other_vec, other_hits, other_displaced = self.search(other, stage=effective_stage, vectors=other_vectors)
            retry = self.generator.generate(other, other_vec, other_hits, None, None, other_vectors[1], other_displaced)
            if not retry.abstained:
                q_vec, hits, draft, query = other_vec, other_hits, retry, other
                standalone = text if other is own else standalone
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
            blocks=draft.blocks,
        )
        # The playbook's coverage decides abstention for every provider: a model is not asked about
        # what the playbook does not cover.
        if self.llm is not None and not draft.abstained and flags:
            # Instructions aimed at the assistant: the model is not given them; the playbook answers.
            answer.notice = "This message contains instructions for the assistant; it answers from the playbook only."
        elif self.llm is not None and not draft.abstained:
            self._with_model(
                answer, redact(standalone), model_sources(self, query, effective_stage, hits), draft, on_delta
            )
        if not answer.abstained:
            # A figure the asker wants confirmed that the quotes contradict is named first.
            # What the playbook calls what the message names, read from the message as written: the query
            # asks for the figure ("how long"), and the words for its kind say nothing of what it is of.
            words = tuple(self.reader.corpus.vocabulary.expansion_words(standalone))
            note = premise_note(standalone, answer.answer, self.reader.titles, reading.claims, words)
            if note:
                answer.answer = f"{note}\n\n{answer.answer}"
                if answer.blocks:
                    answer.blocks.insert(0, AnswerBlock(kind="framing", text=note))
        if session:
            self.store.add(session, text, standalone, answer.id, answer.abstained)
        self._finish(answer, text, started, user, channel, [(h.chunk.id, h.score) for h in hits], flags)
        if not (answer.notice or answer.error):  # an answer given while the model failed is not worth repeating
            kept = (answer.model_copy(deep=True), [(h.chunk.id, h.score) for h in hits])
            self.cache.put(key, kept, self.settings.limits.cache_size)
        return answer

    def _finish(self, answer: Answer, text: str, started: float, user: str | None, channel: str,
                chunks: list[tuple[str, float]], flags: list[str]) -> None:  # fmt: skip
        """Time the answer and log it (the question is redacted by the log)."""
        answer.latency_ms = round((time.perf_counter() - started) * 1000)
        who = user or (f"session:{answer.session}" if answer.session else "")
        self.ledger.log(answer, question=text, user=who, channel=channel, chunks=chunks, flags=",".join(flags))

    def _with_model(
        self,
        answer: Answer,
        question: str,
        sources: list[Chunk],
        draft: Draft,
        on_delta: Callable[[str], None] | None,
    ) -> None:
        assert self.llm is not None
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
        from assistant.model.generation import keeps_model_answer, verification_notice

        v = done.verified
        keep = keeps_model_answer(v)
        said = verification_notice(v, keep)
        if said:
            answer.notice = f"{answer.notice} {said}" if answer.notice else said
        if not keep:
            answer.verification = Verification(
                sentences=v.statements, removed=v.removed, recited=v.recited, fallback=True
            )
            return
        answer.answer = v.text
        answer.blocks = []  # the model's text has no structure of its own
        answer.citations = v.citations
        answer.generator = f"openai/{c.model}"
        answer.verification = Verification(sentences=v.statements, removed=v.removed, recited=v.recited)
        answer.confidence = round(draft.confidence * (v.kept / max(v.statements, 1)), 2)

    # -- the cache -----------------------------------------------------------------------------
    def cache_key(self, standalone: str, stage: str | None) -> tuple[str, ...]:
        norm = " ".join(standalone.lower().split()).rstrip("?.! ")
        llm = self.settings.llm
        return (norm, stage or "", self.corpus.index_version, llm.provider, llm.model or "", llm.prompt_version or "")

    def clear_cache(self) -> None:
        self.cache.clear()


class AnswerCache:
    """Answers by what was asked, the least recently used dropped first."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, ...], Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Cached | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: tuple[str, ...], value: Cached, size: int) -> None:
        if size <= 0:
            return
        with self._lock:
            self._items[key] = value
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def model_sources(answering: Answering, query: str, stage: str | None, hits: list[Hit]) -> list[Chunk]:
    """The passages the model is given as numbered sources: the offline answer's, then the search's next
    best up to ``llm.sources``. A model reads more than the offline answer quotes from, and a passage
    just below the offline answer's few often holds what a fluent answer draws on."""
    n = answering.settings.llm.sources
    chunks = [h.chunk for h in hits[:n]]
    if len(chunks) < n:
        have = {c.id for c in chunks}
        _, wider, _ = answering.search(query, stage=stage, top_k=n)
        chunks += [h.chunk for h in wider if h.chunk.id not in have][: n - len(chunks)]
    return chunks


def question_vectors(
    embed: Callable[[list[str]], np.ndarray],
    vocabulary: Vocabulary,
    question: str,
    names: Callable[[str], str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The question's meaning, read whole and read half without the words for what every document is
    about ("ai"). Those words match every passage and favour one whose headings repeat them over one
    that answers, yet they may be what a phrase is about ("override the AI"). The search ranks by the
    second; each document's own figure is looked for by the first, since documents that disagree on
    a figure may share little with the question but its subject ("8% of enterprise AI projects").
    The second is read without what names a document by its title's words too (``names``:
    ``HybridRetriever.without_names``): "the gen AI implementation guide" is where to look, and a line
    that repeats it is no closer for that; the first keeps it, and finds that document's passages."""
    plain = vocabulary.without_document_names(question) or question
    meaning = vocabulary.meaning_of((names(question) or question) if names else question)
    if not meaning or meaning == plain:
        whole = embed([plain])[0]
        return whole, whole
    whole, without = embed([plain, meaning])
    both = whole + without
    return (both / np.linalg.norm(both)).astype(np.float32), whole
