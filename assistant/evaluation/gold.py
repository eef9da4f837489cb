"""Gold questions for measuring retrieval and answers: loading, evidence spans and the two starter
metrics (Hit@k against evidence spans, key-fact recall). Evidence is given as quotes and resolved to
character spans of the cleaned documents, so re-chunking never invalidates a label."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.index.corpus import Corpus
from assistant.types import Hit

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Evidence:
    doc: str
    quote: str


@dataclass(frozen=True)
class GoldCase:
    id: str
    question: str
    kind: str  # answerable | disagreement | out_of_scope
    split: str  # dev | test
    stage: str | None = None
    key_facts: tuple[tuple[str, ...], ...] = ()
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def answerable(self) -> bool:
        return self.kind != "out_of_scope"


def load_gold(path: Path) -> list[GoldCase]:
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            GoldCase(
                id=row["id"],
                question=row["question"],
                kind=row["kind"],
                split=row.get("split", "dev"),
                stage=row.get("stage"),
                key_facts=tuple(tuple(f) for f in row.get("key_facts", [])),
                evidence=tuple(Evidence(e["doc"], e["quote"]) for e in row.get("evidence", [])),
            )
        )
    return cases


def find_span(text: str, quote: str) -> tuple[int, int] | None:
    """Character span of ``quote`` in ``text``, whitespace differences ignored."""
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def evidence_spans(corpus: Corpus, case: GoldCase) -> list[tuple[str, int, int]]:
    spans = []
    for ev in case.evidence:
        span = find_span(corpus.texts.get(ev.doc, ""), ev.quote)
        if span is None:
            raise ValueError(f"gold case {case.id}: evidence not found in {ev.doc}: {ev.quote!r}")
        spans.append((ev.doc, *span))
    return spans


def hit_rank(hits: list[Hit], spans: list[tuple[str, int, int]]) -> int | None:
    """1-based rank of the first retrieved passage that overlaps gold evidence."""
    for rank, hit in enumerate(hits, 1):
        c = hit.chunk
        if any(c.doc == doc and c.start < end and start < c.end for doc, start, end in spans):
            return rank
    return None


def normalize(text: str) -> str:
    return _WS.sub(" ", text.replace("**", "")).strip().lower()


# The scorer's own acronyms (it shares no vocabulary with what it scores).
_ACRONYMS: tuple[tuple[str, str], ...] = (
    ("return on investment", "roi"),
    ("subject matter expert", "sme"),
    ("proof of concept", "poc"),
    ("retrieval-augmented generation", "rag"),
    ("minimal lovable pilot", "mlp"),
    ("personally identifiable information", "pii"),
    ("service level objective", "slo"),
    ("role-based access", "rbac"),
    ("large language model", "llm"),
    ("key performance indicator", "kpi"),
    ("daily active users", "dau"),
    ("total cost of ownership", "tco"),
)


def with_acronyms(norm: str) -> str:
    """``norm`` with the long form of each acronym it uses added, and the acronym of each long form:
    an answer that says "SME" where the playbook's list says "SME" names the subject matter expert."""
    extra = []
    for long, short in _ACRONYMS:
        if long in norm and not re.search(rf"\b{short}\b", norm):
            extra.append(short)
        elif re.search(rf"\b{short}s?\b", norm) and long not in norm:
            extra.append(long)
    return " ".join([norm, *extra]) if extra else norm


def facts_present(answer: str, key_facts: tuple[tuple[str, ...], ...]) -> float:
    """Share of key facts (each with acceptable variants) found in the answer."""
    if not key_facts:
        return 1.0
    norm = with_acronyms(normalize(answer))
    found = sum(any(normalize(v) in norm for v in variants) for variants in key_facts)
    return found / len(key_facts)
