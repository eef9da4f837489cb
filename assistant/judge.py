"""The eval's judge: whether a passage supports a statement, from the two texts alone, and how an answer
is read as statements. Its agreement with hand labels (``eval/judge_labels.jsonl``) is what makes its
figures trustworthy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.corpus import tokens
from assistant.facts import ATTRIBUTION, entities, foreign_clause, negations, numbers, parts, stated_numbers
from assistant.statements import MARKER, Statement, split_statements
from assistant.verify import MIN_COVERAGE, MIN_SEMANTIC, VERBATIM_COVERAGE

if TYPE_CHECKING:
    from assistant.coach import Coach


# The offline answer's framing: which documents speak, and labels that head a list. They carry no
# claim and no citation marker; any other unmarked sentence is a statement like the rest.
_FRAMING = re.compile(
    r"^(?:From .+\):?$|\d+ playbook documents speak to this|The playbook doesn't cover that|"
    r"Answering:|.{1,80}:$)"
)


_TABLE_CAPTION = re.compile(r"^\(table: ((?:\[\d+\])+)\)$")


_BOLD_LABEL = re.compile(r"^\*\*[^*]+\*\*:?$")


def answer_statements(text: str, cite_all: bool = False) -> list[Statement]:
    """The statements of an answer (DESIGN.md: one sentence with its citation markers). Framing
    lines of the offline answer and bare group labels are not statements; a table, with its
    "(table: [n])" caption, is one statement per row, citing the caption's passage."""
    lines = text.splitlines()
    kept: list[str] = []
    tables: list[Statement] = []
    k = 0
    while k < len(lines):
        line = lines[k].strip()
        if line.startswith("|"):
            block = []
            while k < len(lines) and lines[k].strip().startswith("|"):
                block.append(lines[k].strip())
                k += 1
            caption = _TABLE_CAPTION.match(lines[k].strip()) if k < len(lines) else None
            markers = tuple(int(m) for m in re.findall(r"\d+", caption.group(1))) if caption else ()
            if caption:
                k += 1
            for row in block:
                cells = [c.strip() for c in row.strip("|").split("|")]
                if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                    continue
                # A row may cite its own source ("| Low adoption | DAU < 50% | … | [8] |"), as a model writes it.
                own = tuple(int(n) for c in cells for m in MARKER.finditer(c) for n in re.findall(r"\d+", m.group(0)))
                cells = [MARKER.sub("", c).strip() for c in cells]
                tables.append(Statement(" ; ".join(c for c in cells if c), own or markers, True, k))
            continue
        k += 1
        if not line or (not MARKER.search(line) and (_FRAMING.match(line) or _BOLD_LABEL.match(line))):
            continue
        kept.append(lines[k - 1])
    # A citation marker closes a statement: "**Client:** … [1] **Use Case:** … [1]" is two statements,
    # not one long one.
    body = re.sub(r"((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)[ \t]+(?=\S)", r"\1\n", "\n".join(kept))
    statements = [st for st in split_statements(body) if len(tokens(st.text)) >= 2]
    statements = [st for st in statements if st.markers or cite_all or not _FRAMING.match(st.text)]
    return statements + [t for t in tables if len(tokens(t.text)) >= 2]


# A sentence ends at its full stop, or after the closing quote or bracket that follows it ('…on AI.” Six').
_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)\]]))\s+(?=[A-Z0-9\"“(*])|\n+")


class Judge:
    """support(passage, statement) → bool, from the passage's text alone."""

    def __init__(
        self, idf: Callable[[str], float], embed: Callable[[list[str]], np.ndarray], held: frozenset[str]
    ) -> None:
        self.idf = idf
        self._embed = embed
        self.held = held  # stages and roles a statement must not name unless the passage does
        self._vectors: dict[str, np.ndarray] = {}
        self._memo: dict[tuple[str, str], bool] = {}

    @classmethod
    def of(cls, coach: Coach) -> Judge:
        """The judge of a coach's playbook: its word weights, embedder and held words."""
        return cls(coach.corpus.idf_of, coach.embed_texts, coach.corpus.vocabulary.held)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings, each text embedded once per run (passages repeat across questions)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vec in zip(missing, self._embed(missing), strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def support(self, passage: str, statement: str) -> bool:
        key = (passage, statement)
        if key not in self._memo:
            self._memo[key] = self._support(passage, statement)
        return self._memo[key]

    def _support(self, passage: str, statement: str) -> bool:
        pieces = [p.strip() for p in _SENT.split(statement) if len(tokens(p)) >= 2]
        if len(pieces) > 1:  # a statement of several sentences holds when each of them does
            return all(self.support(passage, p) for p in pieces)
        words = set(tokens(statement)) - ATTRIBUTION
        if not words or not passage.strip():
            return False
        if stated_numbers(statement) - numbers(passage):
            return False
        sentences = [s.strip() for s in _SENT.split(passage) if len(tokens(s)) >= 1] or [passage]
        vecs = self.embed([statement, *sentences])
        sims = vecs[1:] @ vecs[0]
        weight = sum(self.idf(w) for w in words)
        covs = [sum(self.idf(w) for w in words & set(tokens(s))) / weight for s in sentences]
        order = sorted(range(len(sentences)), key=lambda k: -(0.5 * sims[k] + 0.5 * covs[k]))
        best = sentences[order[0]]
        window = " ".join(sentences[k] for k in order[:2])
        coverage = sum(self.idf(w) for w in words & set(tokens(window))) / weight
        if negations(statement) % 2 != negations(best) % 2:
            return False
        if entities(statement, self.held) - parts(passage):
            return False
        if coverage < MIN_COVERAGE:
            return False
        if float(sims[order[0]]) < MIN_SEMANTIC and coverage < VERBATIM_COVERAGE:
            return False
        return not foreign_clause(statement, set(tokens(passage)), self.idf)


def judge_validation(judge: Judge, eval_dir: Path) -> dict[str, Any]:
    path = eval_dir / "judge_labels.jsonl"
    if not path.exists():
        return {"labels": 0}
    return score_labels(judge, [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()])


def score_labels(judge: Judge, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The judge against labelled ``{passage, statement, supported}`` rows; positive = "not supported"."""
    out: dict[str, Any] = {"labels": 0}
    if rows:
        tp = fp = tn = fn = 0  # positive = "not supported"
        for row in rows:
            says_unsupported = not judge.support(row["passage"], row["statement"])
            truth_unsupported = not row["supported"]
            tp += says_unsupported and truth_unsupported
            fp += says_unsupported and not truth_unsupported
            tn += not says_unsupported and not truth_unsupported
            fn += not says_unsupported and truth_unsupported
        n = tp + fp + tn + fn
        recall = tp / (tp + fn) if tp + fn else float("nan")
        specificity = tn / (tn + fp) if tn + fp else float("nan")
        po = (tp + tn) / n if n else float("nan")
        pe = (((tp + fp) * (tp + fn)) + ((fn + tn) * (fp + tn))) / (n * n) if n else float("nan")
        out = {
            "labels": n,
            "balanced_accuracy": (recall + specificity) / 2,
            "precision_unsupported": tp / (tp + fp) if tp + fp else float("nan"),
            "recall_unsupported": recall,
            "kappa": (po - pe) / (1 - pe) if pe != 1 else float("nan"),
        }
    return out
