"""The offline generator: composes an answer from the playbook's own sentences and list items.

The question is read once (``asking``); every line of the retrieved passages is scored against it
(``scoring``); the lines that answer it are chosen and brought whole (``selection``, ``outlines``); and
``rendering`` writes them out grouped by source document, so that figures from documents that disagree
stay attributed. Every statement is verbatim text of the passage it cites. When nothing scores high
enough, it abstains and names the nearest topics the playbook does cover.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from wordfreq import zipf_frequency

from assistant.answer.asking import Asked, read_question, stem
from assistant.answer.lookup import FigureLines
from assistant.answer.outlines import section_outline
from assistant.answer.passage import block_label, context_before, context_tokens
from assistant.answer.rendering import abstention_text, nearest_topics, render
from assistant.answer.scoring import Scored, score_units
from assistant.answer.selection import select, whole
from assistant.answer.wording import named_things, unheard_things, unknown_names
from assistant.config import AnswerSettings
from assistant.index.corpus import STOPWORDS, Corpus, tokens
from assistant.types import AnswerBlock, Citation, Hit

# A pronoun or auxiliary with its clitic ("they've", "we're", "don't"): how the asker talks.
_CLITIC = re.compile(r"(?:n['’]t|['’](?:ve|re|m|ll|d))$")
# A heading or a bold label standing on its own line ("# Model Card: …", "**Communication Plan:**").
_HEADING_LINE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+.+|\*\*[^*\n]+\*\*:?)[ \t]*$", re.M)


@dataclass
class Draft:
    """A composed answer before it gets its id, timing and session."""

    answer: str
    citations: list[Citation]
    abstained: bool
    confidence: float
    support: float
    statements: int
    nearest_topics: list[str]
    # What confidence is computed from (``answer_features``); empty for a declined question.
    features: dict[str, float] = field(default_factory=dict)
    blocks: list[AnswerBlock] = field(default_factory=list)  # the answer's lines as structure


# A name as common in English as "super" or "print" (4 on wordfreq's Zipf scale: ten in a million words)
# says how the asker talks; it is not a topic the playbook names.
COMMON_ZIPF = 4.0


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, corpus: Corpus, settings: AnswerSettings) -> None:
        self.corpus = corpus
        self.settings = settings
        self.figures = FigureLines(corpus, settings.scoring)  # each document's best figure, looked up
        self._lines_with: dict[str, list[int]] | None = None  # each word's lines, built on first use
        self._passage_tokens: dict[str, frozenset[str]] = {}
        self._file_words: set[str] | None = None
        self._used: set[str] | None = None  # every word the playbook's lines use, built on first use

    def generate(
        self,
        question: str,
        q_vec: np.ndarray,
        hits: list[Hit],
        asked: Asked | None = None,
        each: list[tuple[Asked, np.ndarray]] | None = None,
        figure_vec: np.ndarray | None = None,
        judged: list[Hit] | None = None,
    ) -> Draft:
        """The answer to ``question`` from the lines of ``hits``; ``asked`` is the question as already
        read (``reading.Reading.asked``), else it is read here. ``each`` holds the questions a message
        asks when it asks several, with their vectors: each gets its own best line. ``figure_vec`` is the
        vector the passages looked up for each document's figure were found by (default ``q_vec``).
        Whether the playbook covers the question is judged on the passages the search itself ranked first:
        ``hits`` not marked ``widened``, and ``judged``, those of them the quoted ones displaced."""
        corpus = self.corpus
        asked = asked or read_question(question, corpus.vocabulary)
        looked_up = [h for h in hits if h.looked_up]
        hits = [h for h in hits if not h.looked_up]
        scored = score_units(corpus, asked, q_vec, hits, self.settings.scoring)
        widened = {h.chunk.id for h in hits if h.widened}
        searched = [s for s in scored if corpus.units[s.unit].chunk_id not in widened]
        if judged:
            searched += score_units(corpus, asked, q_vec, judged, self.settings.scoring)
        support = max((s.support for s in searched), default=0.0)
        confidence = 1.0 / (1.0 + math.exp(-14.0 * (support - self.settings.abstain_below)))
        topics = nearest_topics(corpus, hits)
        if not scored or (support < self.settings.abstain_below and not self._coherent(searched)):
            return Draft(abstention_text(topics), [], True, round(confidence, 2), support, 0, topics)
        unknown = unknown_names(question, self._known)
        if unknown:
            # The question names something the playbook never mentions: its quotes answer another question.
            return Draft(abstention_text(topics, unknown), [], True, round(confidence, 2), support, 0, topics)
        unexplained = self._unexplained(question)
        if unexplained:
            # It names something the playbook only mentions, and asks of it what the playbook does not say.
            text = abstention_text(topics, mentioned=unexplained)
            return Draft(text, [], True, round(confidence, 2), support, 0, topics)
        low = support < self.settings.unseen_support_below
        strange = unheard_things(question, self._known, self.corpus.vocabulary.expansion_words) if low else []
        if strange or (low and self.unheard(question) >= self.settings.unseen_share):
            # Much of what is asked, or the thing it asks about ("what hourly wage…"), is in words the
            # playbook never uses, and no line answers it well: the lines sharing its other words answer another.
            return Draft(abstention_text(topics, strange), [], True, round(confidence, 2), support, 0, topics)
        outline = section_outline(corpus, asked, hits)
        top = max((h.score for h in hits), default=1.0)
        others = self._looked_up(asked, (q_vec, figure_vec), [*hits, *looked_up], top, scored)
        selected = outline or select(corpus, self.settings, asked, scored, others)
        if each and not outline:
            selected = self._each_answered(selected, each, hits)
        if asked.choice and not self._names_kind(asked.choice, selected):
            # Asked to pick a thing of a kind, it quotes lines that name no such thing: they answer another question.
            text = abstention_text(topics, kind=asked.choice)
            return Draft(text, [], True, round(confidence, 2), support, 0, topics)
        if asked.made and not headed_by(corpus, asked.made, {h.chunk.id for h in [*hits, *looked_up]}):
            # Asked to write or set up a thing for the asker, where no section of the quotes is one to draw on.
            text = abstention_text(topics, made=asked.made)
            return Draft(text, [], True, round(confidence, 2), support, 0, topics)
        doc_order: list[str] = []
        for s in [*scored, *others]:
            doc = corpus.units[s.unit].doc
            if doc not in doc_order:
                doc_order.append(doc)
        text, citations, blocks = render(corpus, selected, doc_order, headed=bool(outline))
        features = self.answer_features(question, support)
        confidence = calibrated(features, self.settings.confidence_weights)
        statements = sum(b.kind == "statement" for b in blocks)
        return Draft(text, citations, False, round(confidence, 2), support, statements, topics, features, blocks)

    def _looked_up(self, asked: Asked, vecs: tuple[np.ndarray, np.ndarray | None], hits: list[Hit], top: float,
                   scored: list[Scored]) -> list[Scored]:  # fmt: skip
        """The lines of the passages looked up for each document's figure (``hits``), scored by the vector
        they were found by: the search's, or ``vecs[1]`` when given. Read by another vector, their support
        is put on the scale of the search's lines (``scored``): the best of those as ``vecs[1]`` reads them
        has the support the search's vector gives it."""
        q_vec, figure_vec = vecs
        cfg = self.settings.scoring
        looked_up = [h for h in hits if h.looked_up]
        if not looked_up:
            return []
        if figure_vec is None or not scored:
            return score_units(self.corpus, asked, q_vec, looked_up, cfg, top=top)
        others = score_units(self.corpus, asked, figure_vec, looked_up, cfg, top=top)
        searched = [h for h in hits if not h.looked_up]
        read = score_units(self.corpus, asked, figure_vec, searched, cfg)
        shift = max(s.support for s in scored) - max((s.support for s in read), default=0.0)
        return [replace(s, support=s.support + shift) for s in others]

    def _names_kind(self, kind: str, selected: list[int]) -> bool:
        """Whether the lines of an answer, read with their headings and labels, name the kind of thing
        asked for, in any form ("software" in "Simple project management software")."""
        words = [t for t in tokens(kind) if t not in STOPWORDS] or tokens(kind)[-1:]
        if self._used is None:
            self._used = set().union(*(self.corpus.unit_tokens[i] for i in self.corpus.quoted))
        # The kind's head, and each word of it the playbook never uses ("accounting software"; a word it
        # uses, as in "business function", may be left to the line's context).
        need = {stem(words[-1])} | {stem(w) for w in words[:-1] if w not in self._used}
        return any(need <= {stem(t) for t in context_tokens(self.corpus, i)} for i in selected)

    def _each_answered(self, selected: list[int], each: list[tuple[Asked, np.ndarray]], hits: list[Hit]) -> list[int]:
        """The answer with a line for each question of a message that asks several ("How long is the
        pilot, and how much does it cost?"): each question's best line, brought whole, when the answer
        does not quote it yet and it answers well enough to be quoted on its own."""
        cfg = self.settings
        out = list(selected)
        for part, vec in each:
            scored = score_units(self.corpus, part, vec, hits, cfg.scoring)
            best = of_the_answer(self.corpus, part.text, scored, out)
            if best is None or best.unit in out or best.support < cfg.abstain_below:
                continue
            out += [i for i in whole(self.corpus, cfg.max_list_items, part, [best.unit]) if i not in out]
        return out

    def _coherent(self, scored: list[Scored], top: int = 6) -> bool:
        """Whether the best-supported lines mostly come from one passage, with support above
        ``coherent_below``: a question worded unlike the playbook ("bot takes 12s, ppl complaining") whose
        lines of best support are one list of fixes is about that passage; an off-topic question's best
        lines are scattered."""
        cfg = self.settings
        best = sorted(scored, key=lambda s: -s.support)[:top]
        if not best or best[0].support < cfg.coherent_below or len(best) < top:
            return False
        chunk = self.corpus.units[best[0].unit].chunk_id
        same = sum(self.corpus.units[s.unit].chunk_id == chunk for s in best[1:])
        return same / (top - 1) >= cfg.coherent_share

    def _unexplained(self, question: str) -> list[str]:
        """The names the question asks about ("GDPR", "HIPAA") that the playbook mentions in a few lines
        only, where no passage mentioning one holds ``name_cover`` of the weight of the rest of the
        question: "What are the GDPR fine levels?" where the playbook names GDPR as a review to do."""
        cfg, corpus = self.settings, self.corpus
        if self._lines_with is None:
            self._lines_with = {}
            for i in corpus.quoted:
                for t in corpus.unit_tokens[i]:
                    self._lines_with.setdefault(t, []).append(i)
                    if stem(t) != t:  # a word's other forms: "onboarded" is mentioned where "onboarding" is
                        self._lines_with.setdefault(f"~{stem(t)}", []).append(i)
        phrases = named_things(question, self._known, STOPWORDS)
        names = {name: set(tokens(name)) for name in phrases if zipf_frequency(name.lower(), "en") < COMMON_ZIPF}
        # A word of a document's title names where to look ("the SMB guide"), not what is asked.
        titled = set(tokens(" ".join(corpus.titles.values())))
        names = {
            n: ts
            for n, ts in names.items()
            if ts
            and not ts <= titled
            and all(0 < len(self._lines_with.get(t, ())) <= cfg.name_lines for t in ts)
            and all(
                len({*self._lines_with.get(stem(t), ()), *self._lines_with.get(f"~{stem(t)}", ())}) <= cfg.name_lines
                for t in ts
            )
        }
        rest = set(tokens(question)) - set().union(*names.values())
        weight = sum(corpus.idf_of(t) for t in rest)
        if not names or not weight:
            return []
        out = []
        for name, ts in names.items():
            chunks = {corpus.units[i].chunk_id for t in ts for i in self._lines_with.get(t, ())}
            # A passage headed by the name ("D. MLOps/LLMOps Infrastructure") is about it as a whole, its
            # setup and its parts: what is asked of the name is judged by the rest of the question alone.
            headed = {cid for cid, chunk in corpus.chunks.items() if ts <= set(tokens(chunk.section))}
            chunks |= headed
            best = max(sum(corpus.idf_of(t) for t in rest & self._chunk_tokens(cid)) for cid in chunks)
            # What the question asks of the name ("CAPTCHA provider"), in the playbook's words, must be said
            # where it is mentioned. A word the playbook never uses says how the asker talks ("applies"),
            # and one the vocabulary reads as another ("length": a duration) what kind of answer is wanted.
            asked = {
                t
                for t in tokens(" ".join(phrases[name]))
                if t in corpus.idf and not corpus.vocabulary.expansion_words(t)
            }
            said = bool(headed) or any(asked <= self._chunk_tokens(cid) for cid in chunks)
            if best / weight < cfg.name_cover or not said:
                out.append(name)
        return out

    def _chunk_tokens(self, chunk_id: str) -> frozenset[str]:
        if chunk_id not in self._passage_tokens:
            chunk = self.corpus.chunks[chunk_id]
            self._passage_tokens[chunk_id] = frozenset(tokens(chunk.text)) | frozenset(tokens(chunk.section))
        return self._passage_tokens[chunk_id]

    def _known(self, word: str) -> bool:
        """A word of the playbook's vocabulary in any form ("compressing" for "compression"), of a file name
        ("genai"), a stop word, or a compound of such words ("31-60" where the playbook writes "31–60")."""
        if self._file_words is None:
            self._file_words = set(tokens(" ".join(re.sub(r"[\W_]+", " ", doc) for doc in self.corpus.titles)))
            self._file_words |= {stem(t) for t in self.corpus.idf} | set(self.corpus.idf)
        return all(_is_known(t, self._file_words) for t in tokens(word))

    def unheard(self, question: str) -> float:
        """The share of the question's weight (its words by idf) in words the playbook never uses in any
        form ("grant", "lunch", "parking"; not "pays" where it says "pay"), leaving out English function
        words ("till", "ourselves", "they've", "we're"), which say how the asker talks, not what about."""
        corpus = self.corpus
        q_toks = {t for t in tokens(question) if t not in ENGLISH_STOP_WORDS and not _CLITIC.search(t)}
        weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        return sum(corpus.idf_of(t) for t in q_toks if not self._known(t)) / weight

    def answer_features(self, question: str, support: float) -> dict[str, float]:
        """What predicts whether an answer will be accepted: how well its best line answers (support),
        and the share of the question's weight in words the playbook never uses (the wording of a
        typed question the quotes may not fit)."""
        corpus = self.corpus
        q_toks = set(tokens(question))
        weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        return {"support": support, "unseen": sum(corpus.idf_of(t) for t in q_toks if t not in corpus.idf) / weight}


def _is_known(t: str, words: set[str]) -> bool:
    """A token that is one of ``words`` (the playbook's, their stems, the file names'), in some form, or a
    compound each part of which is ("31-60"), or a stop word."""
    parts = [p for part in t.split("-") for p in tokens(part)] if "-" in t else []
    return t in words or stem(t) in words or (bool(parts) and all(p in words or stem(p) in words for p in parts))


# A question that asks of what the answer has named ("which option…, and what are its cons?").
_REFERS_BACK = re.compile(r"\b(?:its|their|it|they|them)\b", re.I)
# How much less well a line of the answer's own block may answer such a question than the best line.
_REFERENT_MARGIN = 0.05


def of_the_answer(corpus: Corpus, part: str, scored: list[Scored], answer: list[int]) -> Scored | None:
    """For a question that refers back ("what are its cons?"), the line that answers it of the thing the
    answer quotes: a line about as good as the best one (within ``_REFERENT_MARGIN``) read under one of the
    answer's lines ("**Cons:**" under the "**Option 4: Big Bang**" the answer quotes), not the first of
    the parallel blocks' "**Cons:**" lines. The best line where the question does not refer back or no
    such line is."""
    best = next((s for s in scored if corpus.units[s.unit].kind != "header"), None)
    if best is None or not answer or not _REFERS_BACK.search(part):
        return best
    quoted = set(answer)
    for s in scored:
        if s.support < best.support - _REFERENT_MARGIN or corpus.units[s.unit].kind == "header":
            continue
        if quoted & {*block_label(corpus, s.unit), *context_before(corpus, s.unit)}:
            return s
    return best


def calibrated(features: dict[str, float], weights: dict[str, float]) -> float:
    """The probability that an answer is accepted: a logistic model of its features, with weights
    fitted on the dev splits (``python -m assistant.evaluation.calibrate``)."""
    z = weights.get("bias", 0.0) + sum(w * features.get(name, 0.0) for name, w in weights.items() if name != "bias")
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def headed_by(corpus: Corpus, thing: str, passages: set[str]) -> bool:
    """Whether a passage found for the question is headed by the thing asked for ("Readiness Checklist"
    for "a readiness checklist"): the playbook holds one to draw on, not a line that only names it."""
    head = stem(tokens(re.split(r"\s+of\s+", thing, maxsplit=1, flags=re.I)[0])[-1])
    for cid in passages:
        chunk = corpus.chunks[cid]
        heads = [chunk.section, *(m.group(0) for m in _HEADING_LINE.finditer(chunk.text))]
        if any(head == stem(t) for h in heads for t in tokens(h)):
            return True
    return False
