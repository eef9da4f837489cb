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
import Stemmer

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


# A sentence ends at its full stop, or after the closing quote or bracket that follows it ('…on AI.” Six').
_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)\]]))\s+(?=[A-Z0-9\"“(*])|\n+")


# Words that say where a claim comes from or how it is put, not what it claims.
_FRAMING_WORDS = frozenset(
    [
        "playbook",
        "guide",
        "document",
        "source",
        "according",
        "note",
        "notes",
        "recommend",
        "recommends",
        "suggest",
        "suggests",
        "state",
        "states",
        "say",
        "says",
        "explain",
        "explains",
        "mention",
        "mentions",
        "describe",
        "describes",
        "advise",
        "advises",
        # how a writer joins or puts facts, not what they claim ("Finally, …", "The guide puts…")
        "also",
        "finally",
        "next",
        "then",
        "separately",
        "simply",
        "alone",
        "put",
        "puts",
        "take",
        "takes",
        "list",
        "lists",
        "use",
        "uses",
        "treat",
        "treats",
        "treating",
        "want",
        "wants",
        "ask",
        "asks",
        "advice",
        "author",
        "practitioner",
        "experience",
        "view",
    ]
)
_STEMMER = Stemmer.Stemmer("english")
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mm": 1e6, "b": 1e9, "billion": 1e9}
_FIGURE = re.compile(
    r"(?<![\w.])[pP]?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(thousand|million|billion|mm|[kmb])?(?![a-wyz]|x[a-z])", re.I
)
_SPELLED = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "half": 0.5, "twice": 2, "double": 2, "triple": 3,
}  # fmt: skip
_SPELLED_FIGURE = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b", re.I)
_DENIAL = re.compile(
    r"(?<![-/])\b(?:not|no|never|none|nothing|nobody|cannot|can't|won't|don't|doesn't|didn't|isn't|aren't|wasn't|"
    r"shouldn't|mustn't|couldn't|wouldn't|without|neither|nor|avoid|(?:advis|recommend|warn)\w*\s+against)\b(?![-/])",
    re.I,
)
# What denies nothing: both ways at once ("what AI can and can't do"), and the alternative set aside
# before the reason given ("not because the technology fails but because…").
_NOT_DENIED = re.compile(
    r"\b(\w+)\s+(?:and|or)\s+(?:\1\s*not|\1n't|can't|cannot)\b|\bnot because\b[^.;]*?\bbut\b", re.I
)
# A word denied by its prefix ("unmeasurable"), read as "not measurable" where the other text says the word.
_PREFIX = re.compile(r"\b(?:un|non-?|in|im)([a-z]{5,})\b", re.I)


def _denials(text: str, other: str) -> int:
    """How many times the text denies something, read against the other text it is compared with."""
    text = _NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    theirs = _stemmed(other).keys()
    prefixed = sum(
        1
        for m in _PREFIX.finditer(text)
        if _STEMMER.stemWord(m.group(1).lower()) in theirs and _STEMMER.stemWord(m.group(0).lower()) not in theirs
    )
    return len(_DENIAL.findall(text)) + prefixed


# A capitalised word inside a sentence: a name, a tool, a stage written as a proper noun.
_NAME = re.compile(r"(?<=[a-z,;]\s)([A-Z][A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")
_JOINED = re.compile(r",\s+(?:and|but)\s+|;\s+|\s+(?:but|whereas|while)\s+", re.I)
# How much of a claim's weighted words must be in the passage, and how close in meaning it must be
# unless it is nearly word for word; each joined clause on its own must be half there.
_COVERED = 0.7
_CLOSE = 0.62
_WORD_FOR_WORD = 0.9
_CLAUSE = 0.5
_WINDOW = 4  # the passage's lines closest to the claim, read together


def _figures(text: str) -> set[float]:
    """Every figure a text states, as written and scaled ("50K": 50 and 50000; "four": 4; "p95": 95)."""
    out: set[float] = set()
    for m in _FIGURE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        out.add(value)
        if m.group(2):
            out.add(value * _SCALES[m.group(2).lower()])
    out.update(float(_SPELLED[m.group(1).lower()]) for m in _SPELLED_FIGURE.finditer(text))
    return out


def _claimed_figures(text: str) -> set[float]:
    """The figures a statement asserts, each at the scale it is written in ("50K" is 50000 only)."""
    out: set[float] = set()
    for m in _FIGURE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        out.add(value * (_SCALES[m.group(2).lower()] if m.group(2) else 1.0))
    out.update(float(_SPELLED[m.group(1).lower()]) for m in _SPELLED_FIGURE.finditer(text))
    return out


def _stemmed(text: str) -> dict[str, str]:
    """A text's content words by their stem ("reduced" and "reduction" are one word), each with the
    word it was written as, whose weight it carries."""
    return {_STEMMER.stemWord(t): t for t in tokens(text)}


def _pieces(word: str) -> set[str]:
    """A word with the parts of a hyphenated compound ("pilot-ready": pilot, ready)."""
    return {word, *(p for p in word.split("-") if len(p) > 1)}


def _names(statement: str, held: frozenset[str]) -> set[str]:
    """What a statement names that a passage must name too: held words (stages, roles) and names."""
    statement = re.sub(
        r"\bleads to\b|\b(?:can|could|will|would|may|might|often|that|which|and|to) lead to\b",
        " ",
        statement,
        flags=re.I,
    )  # the verb, not the role
    found = {p for w in tokens(statement) for p in _pieces(w) if p in held}
    for m in _NAME.finditer(statement):
        found.update(tokens(m.group(1)))
    return found


class Judge:
    """support(passage, statement) → bool, from the passage's text alone."""

    def __init__(
        self,
        idf: Callable[[str], float],
        embed: Callable[[list[str]], np.ndarray],
        held: frozenset[str],
        sources: frozenset[str] = frozenset(),
    ) -> None:
        self.idf = idf
        self._embed = embed
        self.held = held  # stages and roles a statement must not name unless the passage does
        # Words of the documents' names ("the SMB guide", "the methodology"): saying which source a
        # claim comes from is framing, not a claim the passage must hold.
        self.framing = _FRAMING_WORDS | (sources - held)
        self._vectors: dict[str, np.ndarray] = {}
        self._memo: dict[tuple[str, str], bool] = {}

    @classmethod
    def of(cls, coach: Playbook) -> Judge:
        """The judge of a coach's playbook: its word weights, embedder and held words."""
        titles = " ".join(coach.corpus.titles.values())
        names = frozenset(p for w in tokens(titles) for p in _pieces(w) if not any(ch.isdigit() for ch in p))
        return cls(coach.corpus.idf_of, coach.embed_texts, coach.corpus.vocabulary.held, names)

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
        # Framing words claim nothing; one the passage says as well ("use", "lists") counts as said.
        in_passage = _stemmed(passage).keys()
        claimed = {w: t for w, t in _stemmed(statement).items() if t not in self.framing or w in in_passage}
        if not claimed or not passage.strip():
            return False
        if _claimed_figures(statement) - _figures(passage):
            return False  # a figure the passage never states
        if _names(statement, self.held) - self.framing - {p for w in tokens(passage) for p in _pieces(w)}:
            return False  # a stage, role or name the passage never names
        sentences = _lines(passage)
        vecs = self.embed([statement, *sentences])
        sims = vecs[1:] @ vecs[0]

        def share(words: dict[str, str], text: str) -> float:
            present = _said(text)
            total = sum(self.idf(t) for t in words.values()) or 1.0
            return sum(self.idf(t) for w, t in words.items() if _in(w, t, present)) / total

        covs = [share(claimed, s) for s in sentences]
        order = sorted(range(len(sentences)), key=lambda k: -(float(sims[k]) + covs[k]))
        closest_line = sentences[order[0]]
        # A denial of what another line of the passage denies is that line's ("…, which was not sexy"
        # beside "Not sexy."); the rest must agree with the closest line.
        elsewhere = sum(
            1
            for scope in _denied_scopes(statement)
            if 2 * len(scope & _stemmed(closest_line).keys()) < len(scope)
            and any(
                line != closest_line
                and 2 * len(scope & _stemmed(line).keys()) >= len(scope)
                and _denials(line, statement)
                for line in sentences
            )
        )
        if (_denials(statement, closest_line) - elsewhere) % 2 != _denials(closest_line, statement) % 2:
            return False  # denied where the passage asserts, or the reverse
        said = _names(statement, self.held) & self.held
        closest = {p for w in tokens(sentences[order[0]]) for p in _pieces(w)} & self.held
        if said - closest and closest - said:
            return False  # a stage or role put where the closest line names another one
        figures = _claimed_figures(statement)
        holding = [_held_in(s, self.held) for s in sentences if figures and figures <= _figures(s)]
        if said and holding and all(h and not h & said for h in holding):
            return False  # the figures of another stage or role: every line that states them names another
        window = " ".join(sentences[k] for k in order[:_WINDOW])
        coverage = share(claimed, window)
        if coverage < _COVERED:
            return False
        # A claim drawn from several lines is as close to them together as to any one of them.
        far = float(sims[order[0]]) < _CLOSE and (
            len(sentences) < 2 or float((self.embed([window]) @ vecs[0])[0]) < _CLOSE
        )
        if coverage < _WORD_FOR_WORD and far:
            return False
        joined = [_stemmed(c) for c in _JOINED.split(statement)[1:]]
        clauses = [{w: t for w, t in c.items() if t not in self.framing} for c in joined]
        return all(share(c, passage) >= _CLAUSE for c in clauses if len(c) >= 2)


# Comparison symbols of a passage ("Error rate > 10%") and the words an answer writes them as.
_SYMBOL_WORDS = {
    ">": ("exceed", "over", "above", "more", "greater", "higher", "beyond", "pass"),
    "<": ("under", "below", "less", "fewer", "lower", "within"),
    "+": ("least", "more", "over", "minimum"),
}


def _said(text: str) -> set[str]:
    """The stems a text says, in the forms an answer may write them: the parts of its compounds
    ("three-tier"), its figures as words ("2-3x": two, three, times) and its comparison symbols as
    words ("<1%": below)."""
    out = set(_stemmed(text).keys())
    for t in tokens(text):
        if "-" in t:
            out |= {_STEMMER.stemWord(p) for p in t.split("-") if p}
    figures = _figures(text)
    out |= {_STEMMER.stemWord(w) for w, v in _SPELLED.items() if v in figures}
    if re.search(r"\d(?:x|×)\b", text):
        out |= {"time", "fold"}
    for symbol, words in _SYMBOL_WORDS.items():
        if symbol in text:
            out |= {_STEMMER.stemWord(w) for w in words}
    return out


def _in(stem: str, word: str, said: set[str]) -> bool:
    """A claimed word is said: by its stem, by each part of a compound, or as another form of a long
    word ("reduced", "reduction")."""
    if stem in said:
        return True
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1 and all(_STEMMER.stemWord(p) in said for p in parts):
        return True
    return len(word) >= 7 and any(len(h) >= 5 and h[:5] == word[:5] for h in said)


def _denied_scopes(text: str) -> list[set[str]]:
    """What each denial of the text denies: the stems of the words after it, up to the next break."""
    text = _NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    out = []
    for m in _DENIAL.finditer(text):
        scope = set(_stemmed(re.split(r"[,;:.!?—()]|\bbut\b", text[m.end() :], maxsplit=1)[0]).keys())
        if scope:
            out.append(scope)
    return out


def _held_in(text: str, held: frozenset[str]) -> set[str]:
    return {p for w in tokens(text) for p in _pieces(w)} & held


def _lines(passage: str) -> list[str]:
    """The passage's sentences; a question is read with the answer that follows it ("Do we need…? …,
    no."): together they make one claim. Not in a list, whose items each stand alone."""
    out: list[str] = []
    item = re.compile(r"^(?:[-*•]|\d+[.)])\s")
    for s in (s.strip() for s in _SENT.split(passage) if tokens(s)):
        if out and out[-1].endswith("?") and not item.match(out[-1]) and not item.match(s):
            out[-1] += " " + s
        else:
            out.append(s)
    return out or [passage]


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
