"""A message read once, before anything is searched: courtesy set aside, the asker's situation told
apart from what they ask, the figures they want confirmed, what is searched for, the stage it is
about, and the question as the offline answer reads it (``asking.Asked``). Every later stage of an
answer reads the ``Reading``, not the message."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.answer.asking import Asked, read_question
from assistant.answer.figures import Figure
from assistant.answer.message import asked_part, asks, bare_ask, separate_asks, situation, without_courtesy
from assistant.answer.premise import claimed, figure_question
from assistant.service.guards import without_personal_data

if TYPE_CHECKING:
    from assistant.index.corpus import Corpus
    from assistant.index.spelling import Speller


@dataclass(frozen=True)
class Reading:
    """What one message asks, read once."""

    standalone: str  # the message, a follow-up rewritten with what it refers to
    situation: tuple[str, ...]  # what the asker tells of who they are: context, not searched
    parts: tuple[str, ...]  # the sentences and clauses that ask, in order
    each: tuple[Asked, ...]  # when it asks several things, each as its own question (else none)
    claims: tuple[Figure, ...]  # the figures the asker wants confirmed ("~6 months, right?")
    query: str  # what is searched for, in the playbook's words
    stage: str | None  # the stage picked, else the one stage the question names
    bare: str | None  # only what is asked, looked up before declining when more was told
    asked: Asked  # the query as the offline answer reads it


# "weeks 3 and 4", "days 31 to 60", "months 2 through 4": a span of time in words.
_TIME_SPAN = re.compile(r"\b(weeks?|days?|months?)\s+(\d+)\s*(?:and|to|through|thru|–)\s*(\d+)\b", re.I)


class Reader:
    """Reads messages in the playbook's words: its vocabulary, its spelling, its documents' titles."""

    def __init__(
        self,
        corpus: Corpus,
        speller: Speller,
        named: Callable[[str], set[str]] | None = None,
        as_named: Callable[[str], str] | None = None,
    ) -> None:
        self.corpus = corpus
        self.speller = speller
        self.named = named  # the documents a message names (``HybridRetriever.named_documents``)
        self.as_named = as_named  # a name written apart, joined (``HybridRetriever.as_named``)
        self.titles = tuple(corpus.titles.values())

    def search_text(self, question: str) -> str:
        """What is searched for: the question without the clauses that carry personal data, its
        misspelled words and the askers' words of the vocabulary read as the playbook's, and a span of
        time written out ("weeks 3 and 4") as the playbook writes one ("Week 3-4")."""
        text = _TIME_SPAN.sub(r"\1 \2-\3", without_personal_data(question))
        return self.corpus.vocabulary.in_playbook_words(self.speller.correct(text))

    def _asked(self, query: str) -> Asked:
        """What a query asks, as the answer reads it: what it calls a document ("the agent case") only says
        where to look, and no line is closer for sharing the name's words."""
        vocabulary = self.corpus.vocabulary
        if self.as_named and self.named and self.named(query):
            query = self.as_named(query)  # "the gen AI guide" names a document; "a gen AI system" does not
        return read_question(vocabulary.without_document_names(query) or query, vocabulary)

    def read(self, standalone: str, stage: str | None = None) -> Reading:
        """A standalone message read: what the asker tells of themselves is context, not what is looked
        up; a figure they want confirmed becomes what is asked, so the playbook's figure is found; a
        stage the user picked is the stage asked about when the question names none."""
        plain = without_courtesy(standalone)
        claims = claimed(plain, self.titles)
        plain = figure_question(plain, self.titles, claims) or plain
        asking = asked_part(plain) or plain
        query = self.search_text(asking)
        named = self.corpus.vocabulary.stages_in(query)
        if stage and stage != "general" and not named:
            # "How long does this stage take?" with Production picked is asked of the production stage.
            query = f"{query} ({stage} stage)"
        return Reading(
            standalone=standalone,
            situation=situation(plain),
            parts=asks(plain),
            each=tuple(self._asked(self.search_text(q)) for q in separate_asks(asking)),
            claims=claims,
            query=query,
            stage=stage or (named[0] if len(named) == 1 else None),
            bare=bare_ask(standalone),
            asked=replace(self._asked(query), documents=frozenset(self.named(query) if self.named else ())),
        )
