"""The Coach service: the one object every interface (CLI, web, Slack) calls.

A facade: the answer to a question (``answering``), the playbook's tools (``tools``), chat routing
(``chat``), the session store and the ledger. Heavy pieces (embedder, vector store, corpus) are built
once in ``Coach.open`` and reused for every question; questions are validated and rate-limited here,
once for every interface.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.answering import Answering, model_sources
from assistant.answer.message import validate_question
from assistant.config import Settings
from assistant.errors import ConfigError, KnowledgeError, ProviderError, RateLimitError
from assistant.index.corpus import Corpus, load_corpus
from assistant.index.files import IndexFiles
from assistant.index.lexicon import Vocabulary
from assistant.index.retrieval import HybridRetriever
from assistant.model.verify import Verifier
from assistant.service.chat import Chat
from assistant.service.guards import Pseudonyms, user_key
from assistant.service.ledger import Ledger
from assistant.service.store import SessionStore
from assistant.tools.catalog import read_catalog
from assistant.tools.coaching import Decision, GoNoGoInputs, RoiInputs, RoiResult, Score
from assistant.tools.models import Catalog, Checklist, Source
from assistant.tools.service import Tools
from assistant.tools.walkthrough import Run, RunStore, Step
from assistant.types import Answer, Chunk, Hit

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.model.generation import LLMGenerator


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
        self.verifier = Verifier(corpus, self.embed_texts)
        self.store = SessionStore(settings.data_dir / "sessions.sqlite3")
        self.runs = RunStore(settings.data_dir / "sessions.sqlite3")
        key = settings.user_key.get_secret_value() if settings.user_key else None
        # Who asked is stored as a keyed hash, never as a login name or an e-mail address.
        self.pseudonym = Pseudonyms(user_key(key, settings.data_dir))
        self.ledger = Ledger(settings.data_dir / "sessions.sqlite3", self.pseudonym)
        self.ledger.rewrite_users()
        self.catalog = read_catalog(settings.index_dir) or Catalog()
        from limits import parse as parse_limit
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        try:
            self._rate = parse_limit(settings.limits.per_user)
        except ValueError as exc:
            raise ConfigError(
                f"COACH_LIMITS__PER_USER '{settings.limits.per_user}' is not a rate like 60/minute."
            ) from exc
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.llm: LLMGenerator | None = None
        if settings.llm.provider == "openai":
            from assistant.model.generation import LLMGenerator

            try:
                self.llm = LLMGenerator(settings, self.verifier)
            except ProviderError as exc:
                raise ConfigError(str(exc)) from exc
        self.answering = Answering(settings, corpus, embedder, retriever, self.store, self.ledger, self.llm)
        self.generator = self.answering.generator
        self.tools = Tools(self.catalog, self.runs, self.pseudonym, self.answering)
        self._chat = Chat(self.tools, self.ledger, self.ask)

    @classmethod
    def open(cls, settings: Settings, *, auto_ingest: bool = True) -> Coach:
        """Build the service. With ``auto_ingest``, a missing index is built first (told on stderr)."""
        from assistant.index.embeddings import build_embedder
        from assistant.index.vectorstore import build_vector_store

        embedder = build_embedder(settings)
        store = build_vector_store(settings)
        catalog = read_catalog(settings.index_dir)
        if auto_ingest and (
            IndexFiles(settings.index_dir).read_manifest() is None
            or catalog is None
            or catalog.vocabulary != Vocabulary.load(settings.vocabulary_path).digest
        ):
            from assistant.ingest.pipeline import Ingestor

            print(f"Indexing the playbook in {settings.knowledge_dir} first…", file=sys.stderr)
            report = Ingestor(settings, embedder, store).run()
            print(report.summary(), file=sys.stderr)
            if not (report.added or report.updated or report.unchanged):
                raise KnowledgeError(
                    f"No document in {settings.knowledge_dir} could be indexed. Add .md, .txt, .html or .pdf files."
                )
        corpus = load_corpus(settings)
        return cls(settings, corpus, embedder, HybridRetriever(settings, corpus, embedder, store))

    def check_rate(self, user: str, channel: str) -> None:
        """Per-user budget for the web app and the API (Slack has its own, with a polite reply)."""
        if channel in ("web", "api") and user and not self._limiter.hit(self._rate, channel, user):
            raise RateLimitError(
                f"You're sending questions faster than {self.settings.limits.per_user}. Wait a moment and try again."
            )

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)

    # -- questions -------------------------------------------------------------------------------
    def ask(
        self,
        question: object,
        *,
        session: str | None = None,
        stage: str | None = None,
        id: str | None = None,
        on_delta: Callable[[str], None] | None = None,
        user: str | None = None,
        channel: str = "api",
        check_rate: bool = True,
    ) -> Answer:
        """Answer one question. ``on_delta`` gets the model's text as it streams in (the answer that
        is returned is the verified one, which may differ)."""
        started = time.perf_counter()
        text = validate_question(question, self.settings.answer.max_question_chars)
        if check_rate:
            self.check_rate(user or (f"session:{session}" if session else ""), channel)
        return self.answering.answer(
            text, started=started, session=session, stage=stage, id=id, on_delta=on_delta, user=user, channel=channel
        )

    def chat(
        self,
        message: object,
        *,
        session: str | None = None,
        user: str | None = None,
        team: str = "",
        stage: str | None = None,
        id: str | None = None,
        on_delta: Callable[[str], None] | None = None,
        channel: str = "chat",
    ) -> Answer:
        """One chat turn: continue a checklist walkthrough, or route the message to a walkthrough,
        the go/no-go evaluator, the ROI calculator or a playbook answer."""
        started = time.perf_counter()
        text = validate_question(message, self.settings.answer.max_question_chars)
        who = user or (f"session:{session}" if session else "anonymous")
        self.check_rate(who, channel)
        return self._chat.turn(
            text,
            started=started,
            who=who,
            session=session,
            team=team,
            stage=stage,
            id=id,
            on_delta=on_delta,
            channel=channel,
        )

    def retrieve(self, question: str, *, stage: str | None = None) -> tuple[np.ndarray, list[Hit]]:
        q_vec, hits, _ = self.answering.search(question, stage=stage)
        return q_vec, hits

    def model_sources(self, standalone: str, stage: str | None = None) -> list[Chunk]:
        """The passages a configured model is given for a standalone question, as ``ask`` gives them."""
        query, stage = self.search_plan(standalone, stage)
        _, hits = self.retrieve(query, stage=stage)
        return model_sources(self.answering, query, stage, hits)

    def search_plan(self, standalone: str, stage: str | None = None) -> tuple[str, str | None]:
        return self.answering.search_plan(standalone, stage)

    # -- the playbook's tools --------------------------------------------------------------------
    def checklist(self, checklist_id: str) -> Checklist:
        return self.tools.checklist(checklist_id)

    def guidance(self, checklist: Checklist, item_text: str) -> tuple[str, list[Source]]:
        return self.tools.guidance(checklist, item_text)

    def score(self, checklist_id: str, answers: list[str | None], *, guidance: bool = True) -> Score:
        return self.tools.score(checklist_id, answers, guidance=guidance)

    def start_checklist(
        self, checklist_id: str, *, user: str, team: str = "", session: str | None = None, restart: bool = False
    ) -> Step:
        return self.tools.start_checklist(checklist_id, user=user, team=team, session=session, restart=restart)

    def checklist_reply(self, run_id: str, command: str, argument: str = "") -> tuple[Step, Score | None]:
        return self.tools.checklist_reply(run_id, command, argument)

    def history(self, checklist_id: str, *, team: str | None = None, user: str | None = None) -> list[Run]:
        return self.tools.history(checklist_id, team=team, user=user)

    def gonogo(self, inputs: GoNoGoInputs) -> Decision:
        return self.tools.gonogo(inputs)

    def roi(self, inputs: RoiInputs) -> RoiResult:
        return self.tools.roi(inputs)
