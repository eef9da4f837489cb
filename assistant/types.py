"""Values that cross module boundaries: document structure, chunks, answer units and the answer
JSON contract (see DESIGN.md, "The answer contract")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

Stage = Literal["pilot", "prototype", "production", "hardening", "rollout", "governance", "general"]
STAGES: tuple[str, ...] = (
    "pilot",
    "prototype",
    "production",
    "hardening",
    "rollout",
    "governance",
    "general",
)

BlockKind = Literal["heading", "paragraph", "list", "label", "table", "code", "rule", "excluded"]


@dataclass(frozen=True)
class Block:
    """A structural piece of a cleaned document: ``text[start:end]`` of the cleaned text."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0  # heading level; 0 for other blocks
    reason: str = ""  # why an ``excluded`` block is not answer material


@dataclass(frozen=True)
class CleanDocument:
    """A document after loading and cleaning; ``text`` is the offset space for every span."""

    doc_id: str
    title: str
    text: str
    blocks: tuple[Block, ...]
    meta: dict[str, str] = field(default_factory=dict)


UnitKind = Literal["sentence", "item", "label", "row", "header"]


@dataclass(frozen=True)
class Unit:
    """The smallest quotable piece: a sentence, a list item, a group label or a table row. A line the
    offline answer never quotes (``read_only``: an entry of code whose value is words, a comment in
    words) is still one a cited sentence is checked against."""

    doc: str
    chunk_id: str
    kind: UnitKind
    start: int
    end: int
    group: int  # units of one list or table share a group number within their document
    read_only: bool = False


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: one section, or part of one, of a document."""

    id: str
    doc: str
    title: str
    section: str
    stages: tuple[str, ...]
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score after the stage boost
    dense: float  # cosine similarity of the query and the passage (0 when only BM25 found it)
    rank: int
    # Looked up in its document for a figure the search did not reach: its line is shown only as another
    # document's figure for the same thing, never as the answer itself.
    looked_up: bool = False
    # Ranked below the search's own first ``top_k`` and brought up by its best line: it may be quoted,
    # but whether the playbook covers the question is judged on the passages the search ranked first.
    widened: bool = False


class Citation(BaseModel):
    n: int
    doc: str
    title: str
    section: str
    quote: str
    start: int
    end: int
    verified: bool = True
    support: float = 1.0


class Verification(BaseModel):
    sentences: int = 0
    removed: int = 0
    recited: int = 0
    fallback: bool = False


class Usage(BaseModel):
    """Tokens the model call took, and its estimated price when the model is in the price table."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    estimated: bool = False  # counted from text length: the endpoint reported no usage
    latency_ms: int = 0  # the model call alone
    overhead_ms: int = 0  # prompt, verification and citations around the model call


class AnswerBlock(BaseModel):
    """One line of an answer as its reader meets it: framing that says where the quotes come from (or
    that a figure is not the playbook's), a label or heading over what follows, or a statement (a
    sentence, a list item, a table row) with the citation numbers it carries. ``text`` is as shown,
    without citation markers."""

    kind: Literal["framing", "label", "statement"]
    text: str
    cites: list[int] = Field(default_factory=list)


class Answer(BaseModel):
    """The answer contract shared by the CLI (``--json``), the web API and Slack."""

    id: str | None = None
    answer: str
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    generator: str = "extractive"
    verification: Verification = Field(default_factory=Verification)
    stage: str | None = None
    session: str | None = None
    prompt_version: str | None = None
    latency_ms: int = 0
    standalone_question: str | None = None
    nearest_topics: list[str] = Field(default_factory=list)
    notice: str | None = None  # one line for the user: the model was unavailable, the offline answer is shown
    usage: Usage | None = None
    error: str | None = None
    route: str = "question"  # question | checklist | gonogo | roi (chat routes; out-of-scope is an abstained question)
    # The offline answer's lines as structure (empty when a model wrote the text, or a tool did).
    blocks: list[AnswerBlock] = Field(default_factory=list)
    tool: dict[str, object] | None = None  # the structured result of a checklist step, go/no-go or ROI
