"""The eval's judge: whether a passage supports a statement, from the two texts alone, and how an answer
is read as statements. It shares no code with the citation verifier it measures (``assistant.model``):
its own figures, denials, names and word matching. Its agreement with hand labels
(``eval/judge_labels.jsonl``) and with the hand-written strong-model answers (``eval/strong``) is what
makes its figures trustworthy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.evaluation.judging import (
    FRAMING_WORDS,
    JOINED,
    NOT_DENIED,
    SENT,
    TROUBLE,
    all_figures,
    asserts_denied,
    claimed_figures,
    denials,
    denied_scopes,
    held_in,
    lists_whole,
    names_in,
    passage_lines,
    ranges,
    said_in,
    said_stems,
    stemmed,
    turned_round,
    word_parts,
)
from assistant.evaluation.pairing import exchanged, figure_moved, opposed
from assistant.index.corpus import tokens
from assistant.model.statements import MARKER, Statement, split_statements

if TYPE_CHECKING:
    from assistant.index.corpus import Corpus
    from assistant.types import AnswerBlock


class Playbook(Protocol):
    """What the judge reads of a coach: its corpus (word weights, held words) and its embedder."""

    corpus: Corpus

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...


# The offline answer's framing: which documents speak, and labels that head a list. They carry no
# claim and no citation marker; any other unmarked sentence is a statement like the rest.
_FRAMING = re.compile(
    r"^(?:From .+\):?$|\d+ playbook documents speak to this|The playbook doesn't cover that|"
    r"Answering:|.{1,80}:$)"
)


# A reply to the asker before the claim ("No: …", "Not really: …", "Yes, …") answers the question; it denies
# nothing of what the passage says.
_REPLY = re.compile(r"^\s*(?:yes|no|not really|not quite|not exactly|correct|right)\s*[:,—–-]\s+(?=\S)", re.I)


_TABLE_CAPTION = re.compile(r"^\(table: ((?:\[\d+\])+)\)$")


_BOLD_LABEL = re.compile(r"^\*\*[^*]+\*\*:?$")


def answer_statements(text: str, cite_all: bool = False, blocks: list[AnswerBlock] | None = None) -> list[Statement]:
    """The statements of an answer (DESIGN.md: one sentence with its citation markers). When the
    answer comes with its lines as structure (``blocks``, the offline answer), its statement blocks
    are its statements. Otherwise the text is read: framing lines of the offline answer and bare group
    labels are not statements; a table, with its "(table: [n])" caption, is one statement per row,
    citing the caption's passage."""
    if blocks:
        said = [b for b in blocks if b.kind == "statement" and len(tokens(b.text)) >= 2]
        return [Statement(b.text, tuple(b.cites), False, k) for k, b in enumerate(said)]
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


# How much of a claim's weighted words must be in the passage, and how close in meaning it must be
# unless it is nearly word for word; each joined clause on its own must be half there. A writer's own
# words ("keep", "during", "brought") leave a faithful paraphrase well short of all of them; what a
# planted error changes is caught by the checks of figures, denials, contrasts and pairings above.
_COVERED = 0.6
_CLOSE = 0.55
_WORD_FOR_WORD = 0.9
_CLAUSE = 0.5
# Where a sentence joins one claim to another ("…, and …", "…; …"); "not A but B" is one.
_CLAIMS = re.compile(r",\s+and\s+|;\s+|,\s+while\s+", re.I)
_WINDOW = 4  # the passage's lines closest to the claim, read together
_REACH = 8  # the next closest lines, read with them where each brings words of the claim they lack
_NEAR = 3  # ...and is this near one of them


class Judge:
    """support(passage, statement) → bool, from the passage's text alone."""

    def __init__(
        self,
        idf: Callable[[str], float],
        embed: Callable[[list[str]], np.ndarray],
        held: frozenset[str],
        sources: frozenset[str] = frozenset(),
        name_figures: frozenset[str] = frozenset(),
    ) -> None:
        self.idf = idf
        self._embed = embed
        self.held = held  # stages and roles a statement must not name unless the passage does
        # Words of the documents' names ("the SMB guide", "the methodology"): saying which source a
        # claim comes from is framing, not a claim the passage must hold.
        self.framing = FRAMING_WORDS | (sources - held)
        self.name_figures = name_figures  # a figure of a document's name ("90-day") says which document
        self._vectors: dict[str, np.ndarray] = {}
        self._memo: dict[tuple[str, str], str | None] = {}

    @classmethod
    def of(cls, coach: Playbook) -> Judge:
        """The judge of a coach's playbook: its word weights, embedder and held words."""
        titles = " ".join(coach.corpus.titles.values())
        names = frozenset(p for w in tokens(titles) for p in word_parts(w) if not any(ch.isdigit() for ch in p))
        numbered = frozenset(w for w in tokens(titles) if any(ch.isdigit() for ch in w) and "-" in w)
        return cls(coach.corpus.idf_of, coach.embed_texts, coach.corpus.vocabulary.held, names, numbered)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings, each text embedded once per run (passages repeat across questions)."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vec in zip(missing, self._embed(missing), strict=True):
                self._vectors[text] = np.asarray(vec, dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def _denial_turned(self, text: str, sentences: list[str], closest_line: str) -> bool:
        """The text denies what its closest line asserts, or the reverse. A denial of what another line
        denies is that line's ("…, which was not sexy" beside "Not sexy."), as is one that another line
        makes in the same words where the closest line does not ("building without user input" beside
        "Problem: Building without user input"); a line that names what goes wrong agrees either way."""
        if any(m.group(1) for m in NOT_DENIED.finditer(text)):
            return False  # said both ways ("what AI can and can't do"): as the line puts it, either way
        others = [d for line in sentences if line != closest_line for d in denied_scopes(line)]
        elsewhere = sum(
            1
            for scope in denied_scopes(text)
            if (
                2 * len(scope & stemmed(closest_line).keys()) < len(scope)
                and any(
                    line != closest_line
                    and 2 * len(scope & stemmed(line).keys()) >= len(scope)
                    and (denials(line, text) or TROUBLE.match(line))
                    for line in sentences
                )
            )
            or (any(scope <= d for d in others) and not any(scope <= d for d in denied_scopes(closest_line)))
        )
        turned = (denials(text, closest_line) - elsewhere) % 2 != denials(closest_line, text, about=True) % 2
        return turned and not TROUBLE.match(closest_line)

    def support(self, passage: str, statement: str) -> bool:
        return self.objection(passage, statement) is None

    def objection(self, passage: str, statement: str) -> str | None:
        """Why the passage does not support the statement (a short reason), or None when it does."""
        key = (passage, statement)
        if key not in self._memo:
            self._memo[key] = self._objection(passage, statement)
        return self._memo[key]

    def _objection(self, passage: str, statement: str) -> str | None:
        statement = _REPLY.sub("", statement, count=1)
        pieces = [p.strip() for p in SENT.split(statement) if len(tokens(p)) >= 2]
        if len(pieces) > 1:  # a statement of several sentences holds when each of them does
            return next((o for o in (self.objection(passage, p) for p in pieces) if o), None)
        # Framing words claim nothing; one the passage says as well ("use", "lists") counts as said.
        in_passage = stemmed(passage).keys()
        claimed = {w: t for w, t in stemmed(statement).items() if t not in self.framing or w in in_passage}
        if not claimed or not passage.strip():
            return "empty"
        if claimed_figures(statement, self.name_figures) - all_figures(passage):
            return "figure"  # a figure the passage never states
        stated_ranges = set().union(*ranges(passage))
        if any(not readings & stated_ranges for readings in ranges(statement)):
            return "range"  # a range the passage never states, though it may state each end
        if names_in(statement, self.held) - self.framing - {p for w in tokens(passage) for p in word_parts(w)}:
            return "name"  # a stage, role or name the passage never names
        sentences = passage_lines(passage)
        vecs = self.embed([statement, *sentences])
        sims = vecs[1:] @ vecs[0]

        def share(words: dict[str, str], text: str) -> float:
            present = said_stems(text)
            total = sum(self.idf(t) for t in words.values()) or 1.0
            return sum(self.idf(t) for w, t in words.items() if said_in(w, t, present)) / total

        covs = [share(claimed, s) for s in sentences]
        order = sorted(range(len(sentences)), key=lambda k: -(float(sims[k]) + covs[k]))
        closest_line = sentences[order[0]]
        if turned_round(statement, sentences, self.framing):
            return "swap"  # what the passage sets aside put first, or the reverse
        if exchanged(statement, sentences, self.framing):
            return "swap"  # two of the passage's words each put where the other belongs
        if figure_moved(statement, sentences, self.framing, self.idf):
            return "figure_moved"  # a figure said of what the passage gives another one of that kind
        if self._denial_turned(statement, sentences, closest_line):
            return "denial"  # denied where the passage asserts, or the reverse (what goes wrong, either way)
        # Each claim a sentence joins to another is held to the closest part of a line: two denials, one in
        # each claim, do not make an assertion ("you don't need metadata, and updates don't matter").
        claims = [c for c in _CLAIMS.split(statement) if len(tokens(c)) >= 2]
        if len(claims) > 1:
            parts = [p for line in sentences for p in _CLAIMS.split(line) if tokens(p)]
            part_vecs = self.embed(parts)
            for claim, vec in zip(claims, self.embed(claims), strict=True):
                words = {w: t for w, t in stemmed(claim).items() if t not in self.framing or w in in_passage}
                best = max(range(len(parts)), key=lambda k: float(part_vecs[k] @ vec) + share(words, parts[k]))
                if self._denial_turned(claim, parts, parts[best]):
                    return "denial"
        if asserts_denied(statement, sentences, self.framing):
            return "denial"  # asserts what the passage only ever denies
        said = names_in(statement, self.held) & self.held
        closest = {p for w in tokens(sentences[order[0]]) for p in word_parts(w)} & self.held
        if said - closest and closest - said:
            return "swap"  # a stage or role put where the closest line names another one
        figures = claimed_figures(statement, self.name_figures)
        holding = [held_in(s, self.held) for s in sentences if figures and figures <= all_figures(s)]
        if said and holding and all(h and not h & said for h in holding):
            return "figure_role"  # the figures of another stage or role: every line that states them names another
        window = " ".join(sentences[k] for k in order[:_WINDOW])
        if figures - all_figures(window):
            return (
                "figure_apart"  # a figure the lines it is about do not state, though another line of the passage does
            )
        if opposed(statement, [sentences[k] for k in order[:_WINDOW]], self.framing):
            return "opposite"  # says the reverse of what the closest lines say ("after" for "before")
        # A claim that draws on a list reads it whole, however long.
        # ...and the further lines that each bring words of it the closest ones lack: a claim drawn from
        # several lines of the passage ("integrations failing and performance problems").
        drawn = list(order[:_WINDOW])
        for k in order[_WINDOW : _WINDOW + _REACH]:
            if min(abs(k - j) for j in drawn) > _NEAR:
                continue  # a line far from those drawn on speaks of something else
            have = said_stems(" ".join(sentences[j] for j in drawn))
            if any(not said_in(w, t, have) and said_in(w, t, said_stems(sentences[k])) for w, t in claimed.items()):
                drawn.append(k)
        coverage = share(claimed, " ".join(sentences[k] for k in lists_whole(sentences, drawn)))
        if coverage < _COVERED:
            return "coverage"
        # A claim drawn from several lines is as close to them together as to any one of them.
        far = float(sims[order[0]]) < _CLOSE and (
            len(sentences) < 2 or float((self.embed([window]) @ vecs[0])[0]) < _CLOSE
        )
        if coverage < _WORD_FOR_WORD and far:
            return "meaning"
        joined = [stemmed(c) for c in JOINED.split(statement)[1:]]
        clauses = [{w: t for w, t in c.items() if t not in self.framing} for c in joined]
        return None if all(share(c, passage) >= _CLAUSE for c in clauses if len(c) >= 2) else "clause"


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
