"""Each document's best line that gives a figure for a question, looked up across the whole playbook
rather than in the passages the search ranked first: documents that disagree on a figure often state it
in words the search's best passages do not share ("13% of pilots reach production" beside "one of only
8% of enterprise AI projects that make it to full-scale deployment")."""

from __future__ import annotations

import numpy as np

from assistant.answer.asking import figure_shapes
from assistant.answer.passage import context_tokens, figure_kinds
from assistant.config import ScoringSettings
from assistant.index.corpus import Corpus, tokens


class FigureLines:
    """The playbook's lines that give a figure, with their headings' words, found on first use."""

    def __init__(self, corpus: Corpus, scoring: ScoringSettings) -> None:
        self.corpus = corpus
        self.scoring = scoring
        self._lines: tuple[list[int], list[set[str]]] | None = None

    def passages(self, question: str, q_vec: np.ndarray, exclude: set[str], min_support: float) -> list[str]:
        """The passages of each document's best line that gives a figure (of the kind the question asks
        for, when it says: "how much" is an amount of money), by the line's meaning and its words read with
        its headings, best first, leaving out those of ``exclude`` and those whose line answers below
        ``min_support``."""
        corpus = self.corpus
        if self._lines is None:
            lines = [i for i in corpus.quoted if figure_kinds(corpus.unit_text(i))]
            self._lines = (lines, [context_tokens(corpus, i) for i in lines])
        units, contexts = self._lines
        shapes = figure_shapes(question, corpus.vocabulary)
        q_toks = set(tokens(question))
        q_weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        dense = corpus.closeness(units, q_vec)
        best: dict[str, tuple[float, str]] = {}
        for j, i in enumerate(units):
            unit = corpus.units[i]
            if shapes and not any(shape.search(corpus.unit_text(i)) for shape in shapes):
                continue
            lex = sum(corpus.idf_of(t) for t in q_toks & contexts[j]) / q_weight
            support = self.scoring.meaning * float(dense[j]) + self.scoring.words * min(lex, 1.0)
            if support > best.get(unit.doc, (-1.0, ""))[0]:
                best[unit.doc] = (support, unit.chunk_id)
        found = sorted(best.values(), reverse=True)
        return [cid for support, cid in found if support >= min_support and cid not in exclude]
