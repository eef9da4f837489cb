"""The Coach service: the one object every interface (CLI, web, Slack) calls.

It validates the question, rewrites follow-ups with the session's history, retrieves, generates and
returns the answer contract. Heavy pieces (embedder, vector store, corpus) are built once in
``Coach.open`` and reused for every question.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from assistant.checklists import Catalog, Checklist, Source, read_catalog
from assistant.coaching import (
    Decision,
    Gap,
    GoNoGoInputs,
    RoiInputs,
    RoiResult,
    Score,
    compute_roi,
    evaluate_gonogo,
    score_checklist,
)
from assistant.config import Settings
from assistant.corpus import Corpus, load_corpus, tokens
from assistant.errors import ConfigError, InputError, KnowledgeError, ProviderError, RateLimitError
from assistant.extractive import Draft, ExtractiveGenerator, wants_figure
from assistant.followup import INTENT_WORDS, condense, is_follow_up
from assistant.guards import Pseudonyms, injection_flags, redact, user_key, without_personal_data
from assistant.index_files import IndexFiles
from assistant.ledger import Ledger
from assistant.lexicon import Vocabulary
from assistant.premise import figure_question, premise_note
from assistant.presenters import ROI_NAMES, Cites, render_decision, render_roi, render_step
from assistant.retrieval import Hit, HybridRetriever
from assistant.router import route
from assistant.spelling import Speller
from assistant.store import SessionStore
from assistant.types import STAGES, Answer, Usage, Verification
from assistant.verify import Verifier
from assistant.walkthrough import Run, RunStore, Step, apply, new_run, parse_command, reconcile, step

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from assistant.generation import LLMGenerator

MAX_HISTORY = 20
log = logging.getLogger("assistant.coach")


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_BACK_REFERENCE = re.compile(r"\b(?:it|this|that|these|those|them)\b(?!\s+(?:is|are)\b)", re.I)
_FIRST_PERSON = re.compile(r"^(?:we|we're|we've|our|ours|i|i'm|i've|my|us)\b", re.I)


# A clause that asks after one that tells, in one sentence: "we're a 40-person broker — what checks…",
# "our bot takes 12 seconds, how do we fix it".
_CLAUSE_ASKS = re.compile(
    r"(?:\s+[—–-]+\s+|[,;:]\s+)(?=(?:what|how|which|who|when|where|why|should|can|could|do|does|is|are|will)\b)",
    re.I,
)
_ASK_START = re.compile(r"^(?:what|what's|how|which|who|when|where|why|should|can|could|do|does|is|are|will)\b", re.I)


# Who the asker is ("We're a 20-person firm", "I run a shop", "Our team of 40 at an insurer"), as
# against what their project, data or people do ("Our acceptance rate is under 40%"), which is asked about.
_IDENTITY = re.compile(
    r"^(?:hi[,!.]?\s+)?(?:we(?:'re| are)|i(?:'m| am)|(?:i|we) (?:run|own|manage|work (?:at|for|in))|"
    r"(?:our|my) (?:company|firm|business|shop|store|team|organi[sz]ation|practice|agency|studio|startup)\b"
    r"(?: [\w,-]+){0,6}? (?:is|are|of|has|have|does|runs|makes|sells)\b|"
    r"(?:i|we)'?m? (?:just )?(?:getting started|new to|starting))",
    re.I,
)


# Courtesy carries no question: a greeting or a mention first, "could you tell me", "please", thanks.
_COURTESY = (
    re.compile(
        r"^(?:(?:@[\w.-]+|hi|hello|hey|dear \w+|good (?:morning|afternoon|evening))\b"
        r"(?:\s+(?:there|team|all|coach|everyone|folks))?[\s,!.:;-]*)+",
        re.I,
    ),
    re.compile(
        r"^(?:(?:could|can|would) you(?: please)?|please)\s+(?:tell me|explain|let me know|help me understand)\b"
        r"(?:\s+(?:if|whether))?[\s,:;-]*|^i was wondering(?: if| whether)?\b[\s,:;-]*",
        re.I,
    ),
    re.compile(r"[\s,.!-]*\b(?:many |thanks|thank you|thx|cheers|ty)\b(?: so much| a lot| in advance)?[\s!.]*$", re.I),
    re.compile(r"\bplease\b[\s,]*", re.I),
)


def without_courtesy(question: str) -> str:
    """The message without its greeting, "could you please tell me" and thanks."""
    text = question.strip()
    for pattern in _COURTESY:
        text = pattern.sub("", text).strip()
    return text[:1].upper() + text[1:] if text else question


def _parts(question: str) -> tuple[list[str], list[int]]:
    parts = [p.strip() for s in _SENTENCE.split(question.strip()) for p in _CLAUSE_ASKS.split(s) if p.strip()]
    return parts, [k for k, p in enumerate(parts) if p.endswith("?") or _ASK_START.match(p)]


def _stands_alone(asked: str) -> bool:
    """ "What should we do?", "How do we fix it?" are about what was told before them."""
    return bool(set(tokens(asked)) - INTENT_WORDS) and not _BACK_REFERENCE.search(asked)


def bare_ask(question: str) -> str | None:
    """Only the sentences that ask, when they stand on their own and something else was told; else None."""
    parts, asks = _parts(question)
    asked = " ".join(parts[k] for k in asks)
    return asked if asks and len(asks) < len(parts) and _stands_alone(asked) else None


def asked_part(question: str) -> str | None:
    """What a message asks, without what the asker tells of who they are ("We're a 12-person firm.
    Where do we start?" asks "Where do we start?"); None when nothing is set aside. What their
    project or people do stays ("Staff are resisting.", "Our data is out of date."), and so does the
    line an ask refers back to or cannot stand without."""
    parts, asks = _parts(question)
    if not asks or len(asks) == len(parts):
        return None
    keep = set(asks) | {k for k, p in enumerate(parts) if not _IDENTITY.match(p)}
    if not _stands_alone(" ".join(parts[k] for k in asks)):
        if asks[0] == 0:
            return None
        keep.add(asks[0] - 1)
    if len(keep) == len(parts):
        return None
    return " ".join(parts[k] for k in sorted(keep))


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
        self.speller = Speller(list(corpus.texts.values()))
        self.store = SessionStore(settings.data_dir / "sessions.sqlite3")
        self.runs = RunStore(settings.data_dir / "sessions.sqlite3")
        key = settings.user_key.get_secret_value() if settings.user_key else None
        # Who asked is stored as a keyed hash, never as a login name or an e-mail address.
        self.pseudonym = Pseudonyms(user_key(key, settings.data_dir))
        self.ledger = Ledger(settings.data_dir / "sessions.sqlite3", self.pseudonym)
        self.ledger.rewrite_users()
        self.catalog = read_catalog(settings.index_dir) or Catalog()
        self._cache: OrderedDict[tuple[str, ...], tuple[Answer, list[tuple[str, float]]]] = OrderedDict()
        self._cache_lock = threading.Lock()
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
        catalog = read_catalog(settings.index_dir)
        if auto_ingest and (
            IndexFiles(settings.index_dir).read_manifest() is None
            or catalog is None
            or catalog.vocabulary != Vocabulary.load(settings.vocabulary_path).digest
        ):
            from assistant.ingest import Ingestor

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

    def _cache_key(self, standalone: str, stage: str | None) -> tuple[str, ...]:
        norm = " ".join(standalone.lower().split()).rstrip("?.! ")
        llm = self.settings.llm
        return (norm, stage or "", self.corpus.index_version, llm.provider, llm.model or "", llm.prompt_version or "")

    def _cached(self, key: tuple[str, ...]) -> tuple[Answer, list[tuple[str, float]]] | None:
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def _remember(self, key: tuple[str, ...], answer: Answer, chunks: list[tuple[str, float]]) -> None:
        size = self.settings.limits.cache_size
        if size <= 0 or answer.notice or answer.error:
            return  # an answer given while the model was failing is not worth repeating
        with self._cache_lock:
            self._cache[key] = (answer.model_copy(deep=True), chunks)
            while len(self._cache) > size:
                self._cache.popitem(last=False)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def retrieve(self, question: str, *, stage: str | None = None) -> tuple[np.ndarray, list[Hit]]:
        q_vec = self.embed_query(question)
        rs = self.settings.retrieval
        hits = self.retriever.retrieve(question, q_vec.tolist(), stage=stage)
        if rs.figures_per_document and wants_figure(question):
            # Each document's own figure for what is asked, when the search did not reach it.
            have = {h.chunk.id for h in hits}
            floor = min((h.score for h in hits), default=1.0) * 0.5
            for cid in self.generator.figure_passages(question, q_vec, have, rs.figures_per_document):
                hits.append(Hit(self.corpus.chunks[cid], floor, 0.0, len(hits), looked_up=True))
        return q_vec, hits

    def search_text(self, question: str) -> str:
        """What is searched for: the question without the clauses that carry personal data, its
        misspelled words and the askers' words of the vocabulary read as the playbook's."""
        return self.corpus.vocabulary.in_playbook_words(self.speller.correct(without_personal_data(question)))

    def search_plan(self, standalone: str, stage: str | None = None) -> tuple[str, str | None]:
        """What a standalone question is searched for, and with which stage: the one the user picked,
        else the one stage the question names."""
        # What the asker tells of themselves is context, not what to look up.
        plain = without_courtesy(standalone)
        # A figure the asker wants confirmed is what they ask about: the playbook's figure is looked up.
        plain = figure_question(plain, tuple(self.corpus.titles.values())) or plain
        query = self.search_text(asked_part(plain) or plain)
        named = self.corpus.vocabulary.stages_in(query)
        if stage and stage != "general" and not named:
            # "How long does this stage take?" with Production picked is asked of the production stage.
            query = f"{query} ({stage} stage)"
        return query, stage or (named[0] if len(named) == 1 else None)

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
        return condense(question, history)

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
        if stage is not None and stage not in STAGES:
            raise InputError(f"Unknown stage '{stage}'. Choose one of: {', '.join(STAGES)}.")
        flags = injection_flags(text)
        history = self.store.history(session, MAX_HISTORY) if session else []
        standalone = self.condense(text, history)
        query, effective_stage = self.search_plan(standalone, stage)
        key = self._cache_key(query, effective_stage)
        cached = self._cached(key) if on_delta is None else None
        if cached is not None:
            answer, chunks = cached[0].model_copy(deep=True), cached[1]
            answer.id, answer.session = id or uuid.uuid4().hex[:12], session
            answer.standalone_question = standalone if standalone != text else None
            if session:
                self.store.add(session, text, standalone, answer.id, answer.abstained)
            self._finish(answer, text, started, user, channel, chunks, ["cached", *flags])
            return answer
        q_vec, hits = self.retrieve(query, stage=effective_stage)
        draft = self.generator.generate(query, q_vec, hits)
        bare = bare_ask(standalone)
        if draft.abstained and bare and bare != query and not flags:
            # What else the asker tells ("Our books are in QuickBooks.") can hide a question the playbook
            # does cover: the question itself is looked up before declining.
            bare_vec, bare_hits = self.retrieve(bare, stage=effective_stage)
            retry = self.generator.generate(bare, bare_vec, bare_hits)
            if not retry.abstained:
                q_vec, hits, draft = bare_vec, bare_hits, retry
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
        if self.llm is not None and not draft.abstained and flags:
            # Instructions aimed at the assistant: the model is not given them; the playbook answers.
            answer.notice = "This message contains instructions for the assistant; it answers from the playbook only."
        elif self.llm is not None and not draft.abstained:
            self._with_model(answer, redact(query), hits, draft, on_delta)
        if not answer.abstained:
            # A figure the asker wants confirmed that the quotes contradict is named first.
            note = premise_note(standalone, answer.answer, tuple(self.corpus.titles.values()))
            if note:
                answer.answer = f"{note}\n\n{answer.answer}"
        if session:
            self.store.add(session, text, standalone, answer.id, answer.abstained)
        self._finish(answer, text, started, user, channel, [(h.chunk.id, h.score) for h in hits], flags)
        self._remember(key, answer, [(h.chunk.id, h.score) for h in hits])
        return answer

    def _finish(
        self,
        answer: Answer,
        text: str,
        started: float,
        user: str | None,
        channel: str,
        chunks: list[tuple[str, float]],
        flags: list[str],
    ) -> None:
        """Time the answer and log it (the question is redacted by the log)."""
        answer.latency_ms = round((time.perf_counter() - started) * 1000)
        who = user or (f"session:{answer.session}" if answer.session else "")
        self.ledger.log(answer, question=text, user=who, channel=channel, chunks=chunks, flags=",".join(flags))

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
        from assistant.generation import keeps_model_answer, verification_notice

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
        answer.citations = v.citations
        answer.generator = f"openai/{c.model}"
        answer.verification = Verification(sentences=v.statements, removed=v.removed, recited=v.recited)
        answer.confidence = round(draft.confidence * (v.kept / max(v.statements, 1)), 2)

    # -- checklists, go/no-go and ROI -------------------------------------------------------------
    def checklist(self, checklist_id: str) -> Checklist:
        """The checklist with this id, or an ``InputError`` naming the ones there are."""
        found = self.catalog.get(checklist_id.strip().lower())
        if found is not None:
            return found
        ids = [c.id for c in self.catalog.checklists]
        if not ids:
            raise InputError("No checklist was found in the playbook. Run: coach ingest")
        import difflib

        close = difflib.get_close_matches(checklist_id.lower(), ids, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(f"There is no checklist '{checklist_id}'.{hint} The checklists are: {', '.join(ids)}.")

    def guidance(self, checklist: Checklist, item_text: str) -> tuple[str, list[Source]]:
        """What the playbook says about an unmet item: an offline answer for the item, composed from
        passages that are not themselves checklists (a checklist restates the item, it does not advise).
        Empty when the playbook says nothing more about it."""
        q_vec, hits = self.retrieve(item_text)
        items = [(i.citation.doc, i.citation.start) for c in self.catalog.checklists for i in c.items]
        hits = [h for h in hits if not any(d == h.chunk.doc and h.chunk.start <= s < h.chunk.end for d, s in items)]
        draft = self.generator.generate(item_text, q_vec, hits)
        if draft.abstained:
            return "", []
        sources = [
            Source(doc=c.doc, title=c.title, section=c.section, quote=c.quote, start=c.start, end=c.end)
            for c in draft.citations
        ]
        return draft.answer, sources

    def score(self, checklist_id: str, answers: list[str | None], *, guidance: bool = True) -> Score:
        checklist = self.checklist(checklist_id)
        result = score_checklist(checklist, answers)
        if guidance:
            result.gaps = [self._with_guidance(checklist, gap) for gap in result.gaps]
        return result

    def _with_guidance(self, checklist: Checklist, gap: Gap) -> Gap:
        text, sources = self.guidance(checklist, gap.item)
        gap.guidance = text or "The playbook gives no advice on this item beyond the checklist itself."
        gap.citations = sources
        return gap

    def start_checklist(
        self,
        checklist_id: str,
        *,
        user: str,
        team: str = "",
        session: str | None = None,
        restart: bool = False,
    ) -> Step:
        """Begin a walkthrough, or resume this user's unfinished one of the same checklist."""
        checklist = self.checklist(checklist_id)
        user = self.pseudonym(user)  # runs are stored under the pseudonym
        run = None if restart else self.runs.unfinished(user, checklist.id)
        message = ""
        if run is None:
            run = new_run(checklist, user, team, session)
            message = f"Starting {checklist.title}: {len(checklist.items)} items. " + _walk_help()
        else:
            changed = reconcile(run, checklist)
            run.session = session or run.session
            message = f"Resuming where you left off: {run.answered} of {len(checklist.items)} answered. " + changed
        self.runs.save(run)
        return step(run, checklist, message.strip())

    def checklist_reply(self, run_id: str, command: str, argument: str = "") -> tuple[Step, Score | None]:
        """Apply one walkthrough command; when the last item is answered the run is scored."""
        run = self.runs.get(run_id)
        if run is None:
            raise InputError(f"There is no checklist run '{run_id}'. Start one with: coach checklist run ID")
        checklist = self.checklist(run.checklist)
        changed = reconcile(run, checklist)
        result = apply(run, checklist, command, argument)
        if changed:
            result.message = f"{changed} {result.message}"
        scored: Score | None = None
        if result.done:
            scored = self.score(checklist.id, list(run.answers))
            run.finished, run.score, run.band = True, scored.score, scored.band
        elif command == "restart":
            run.finished, run.score, run.band = False, None, None
        self.runs.save(run)
        return result, scored

    def history(self, checklist_id: str, *, team: str | None = None, user: str | None = None) -> list[Run]:
        return self.runs.history(
            self.checklist(checklist_id).id, team=team, user=self.pseudonym(user) if user else None
        )

    def gonogo(self, inputs: GoNoGoInputs) -> Decision:
        if self.catalog.decision is None:
            raise InputError(
                "The playbook in the knowledge folder has no GO / ITERATE / STOP criteria to evaluate against."
            )
        return evaluate_gonogo(self.catalog.decision, inputs)

    def roi(self, inputs: RoiInputs) -> RoiResult:
        return compute_roi(inputs, self.catalog.roi_example)

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
        active = self.runs.for_session(session) if session else None
        cites = Cites()
        answer: Answer | None = None
        if active is not None and (cmd := parse_command(text)) is not None:
            st, scored = self.checklist_reply(active.run_id, *cmd)
            checklist = self.checklist(active.checklist)
            tool: dict[str, object] = {"kind": "checklist", "step": st.model_dump(mode="json")}
            if scored is not None:
                tool["score"] = scored.model_dump(mode="json")
            answer = Answer(answer=render_step(st, checklist, cites, scored), route="checklist", tool=tool)
        else:
            r = route(text, self.catalog)
            if r.kind == "checklist" and r.checklist:
                st = self.start_checklist(r.checklist, user=who, team=team, session=session)
                checklist = self.checklist(r.checklist)
                tool = {"kind": "checklist", "step": st.model_dump(mode="json")}
                answer = Answer(answer=render_step(st, checklist, cites, None), route="checklist", tool=tool)
            elif r.kind == "gonogo" and self.catalog.decision is not None:
                if not r.values:
                    fw = self.catalog.decision
                    lines = [
                        "To evaluate go/no-go I need the pilot's measured figures: the share of target users "
                        "active weekly, the acceptance rate, satisfaction (1-5), whether critical security or "
                        "compliance issues were found, and whether the ROI projection is positive. The GO "
                        "criteria are:"
                    ]
                    lines += [f"- {c.text} [{cites.add(c.citation)}]" for c in fw.go]
                    lines.append(
                        "Say, for example: 'go/no-go: 75% weekly active, 70% acceptance, satisfaction 4.1, "
                        "no critical issues, positive ROI'."
                    )
                    answer = Answer(answer="\n".join(lines), route="gonogo", tool={"kind": "gonogo", "needs": True})
                else:
                    decision = self.gonogo(GoNoGoInputs(**r.values))  # type: ignore[arg-type]
                    answer = Answer(
                        answer=render_decision(decision, cites),
                        route="gonogo",
                        tool={"kind": "gonogo", **decision.model_dump(mode="json")},
                    )
            elif r.kind == "roi":
                missing = [k for k in ROI_NAMES if k not in r.values]
                if missing:
                    ex = self.catalog.roi_example
                    lines = [
                        "The ROI formula of the playbook's scope template: (minutes before − minutes after) × tasks "
                        "per day × users × work days ÷ 60 = hours saved per year; × the burdened hourly rate = "
                        "savings per year." + (f" Its worked example: [{cites.add(ex.citation)}]" if ex else ""),
                        "Still needed: " + ", ".join(ROI_NAMES[k] for k in missing) + ".",
                        "Say, for example: 'ROI: from 45 min to 5 min, 8 tasks a day, 15 users, "
                        "240 work days, $35/hour'.",
                    ]
                    answer = Answer(
                        answer="\n\n".join(lines),
                        route="roi",
                        tool={"kind": "roi", "needs": missing, "have": r.values},
                    )
                else:
                    result = self.roi(RoiInputs(**r.values))
                    answer = Answer(
                        answer=render_roi(result, cites),
                        route="roi",
                        tool={"kind": "roi", **result.model_dump(mode="json")},
                    )
        if answer is None and active is None and parse_command(text) is not None and len(text.split()) <= 2:
            answer = Answer(
                answer="There is no checklist in progress. Say, for example, 'let's check our pilot readiness'. "
                "Checklists: " + ", ".join(c.id for c in self.catalog.checklists) + ".",
                route="checklist",
            )
        if answer is None:
            answer = self.ask(
                text,
                session=session,
                stage=stage,
                id=id,
                on_delta=on_delta,
                user=who,
                channel=channel,
                check_rate=False,
            )
            if active is not None:
                paused = self.checklist(active.checklist)
                answer.notice = (
                    f"Your {paused.title} check is paused at item {min(active.position + 1, len(paused.items))} of "
                    f"{len(paused.items)}: reply yes / no / partial / unsure / skip to continue."
                )
            return answer
        answer.id = id or uuid.uuid4().hex[:12]
        answer.citations = cites.items
        answer.confidence = 1.0
        answer.generator = "coach"
        answer.session = session
        answer.verification = Verification(sentences=len(cites.items))
        answer.latency_ms = round((time.perf_counter() - started) * 1000)
        self.ledger.log(answer, question=text, user=who, channel=channel)
        return answer


def _walk_help() -> str:
    from assistant.walkthrough import HELP

    return HELP
