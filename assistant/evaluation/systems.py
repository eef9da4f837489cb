"""The systems the eval compares, each answering a question with its cited passages: this Coach and two
baselines (a tutorial's vector index, and our retrieval's top passage verbatim)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.service.coach import Coach
    from assistant.types import AnswerBlock, Hit


SYSTEMS = ("coach", "baseline-naive", "baseline-copy-top")


@dataclass
class Passage:
    doc: str
    text: str
    start: int = -1  # offsets into the cleaned text; -1 when the passage is not from our index
    end: int = -1
    section: str = ""  # its section path, which the model's prompt and the answer's citation show

    @classmethod
    def of(cls, hit: Hit) -> Passage:
        return cls(hit.chunk.doc, hit.chunk.text, hit.chunk.start, hit.chunk.end, hit.chunk.section)

    @property
    def judged(self) -> str:
        """What the judge reads: the passage under its section path, as a reader of the answer sees it."""
        return f"{self.section}\n{self.text}" if self.section else self.text


@dataclass
class SystemAnswer:
    text: str
    abstained: bool
    citations: dict[int, Passage]  # marker → cited passage
    retrieved: list[Passage]
    latency_ms: float
    tokens: int = 0
    cost: float = 0.0
    cite_all: bool = False  # the answer is one cited passage: every statement cites [1]
    confidence: float | None = None  # what the system says of its own answer, when it says anything
    blocks: list[AnswerBlock] | None = None  # the answer's lines as structure, when it has them


class CoachSystem:
    name = "coach"

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def answer(self, question: str, session: str | None, stage: str | None = None) -> SystemAnswer:
        started = time.perf_counter()
        a = self.coach.ask(question, session=session, stage=stage, channel="eval")
        latency = (time.perf_counter() - started) * 1000
        # The passages the answer was drawn from: the same search, with the same stage.
        query, stage = self.coach.search_plan(a.standalone_question or question, stage)
        _, hits = self.coach.retrieve(query, stage=stage)
        corpus = self.coach.corpus
        cites = {}
        for c in a.citations:
            chunk = next(
                (ch for ch in corpus.chunks.values() if ch.doc == c.doc and ch.start <= c.start and c.end <= ch.end),
                None,
            )
            cites[c.n] = Passage(c.doc, chunk.text if chunk else c.quote, c.start, c.end, c.section)
        retrieved = [Passage.of(h) for h in hits]
        usage = a.usage
        return SystemAnswer(
            a.answer if not a.abstained else "",
            a.abstained,
            cites,
            retrieved,
            latency,
            (usage.prompt_tokens + usage.completion_tokens) if usage else 0,
            (usage.cost_usd or 0.0) if usage else 0.0,
            confidence=None if a.abstained else a.confidence,
            blocks=a.blocks or None,
        )


class CopyTopSystem:
    name = "baseline-copy-top"

    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def answer(self, question: str, session: str | None) -> SystemAnswer:
        started = time.perf_counter()
        _, hits = self.coach.retrieve(question)
        latency = (time.perf_counter() - started) * 1000
        retrieved = [Passage.of(h) for h in hits]
        top = retrieved[0] if retrieved else Passage("", "")
        return SystemAnswer(top.text, not retrieved, {1: top}, retrieved, latency, cite_all=True)


class NaiveSystem:
    name = "baseline-naive"

    def __init__(self, coach: Coach) -> None:
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

        files = [str(p) for p in sorted(coach.settings.knowledge_dir.iterdir()) if p.name != "README.md"]
        docs = SimpleDirectoryReader(input_files=files).load_data()
        self.retriever = VectorStoreIndex.from_documents(docs, embed_model=coach.embedder).as_retriever(
            similarity_top_k=2
        )

    def answer(self, question: str, session: str | None) -> SystemAnswer:
        started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        latency = (time.perf_counter() - started) * 1000
        retrieved = [Passage(str(n.node.metadata.get("file_name", "")), n.node.get_content()) for n in nodes]
        top = retrieved[0] if retrieved else Passage("", "")
        return SystemAnswer(top.text, not retrieved, {1: top}, retrieved, latency, cite_all=True)
