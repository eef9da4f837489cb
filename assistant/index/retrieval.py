"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank, de-duplicated, with an
optional boost for passages about the user's stage.

The fusion is written here rather than taken from llama-index's ``QueryFusionRetriever`` because the
answer step needs each passage's own dense similarity (to decide whether the playbook covers a
question), which that retriever folds away.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexNotReadyError, StoreError
from assistant.index.corpus import Corpus, tokens
from assistant.types import Hit

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.vector_stores.chroma import ChromaVectorStore


class HybridRetriever:
    def __init__(
        self,
        settings: Settings,
        corpus: Corpus,
        embedder: BaseEmbedding,
        vector_store: ChromaVectorStore,
    ) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.retrievers.bm25 import BM25Retriever

        self.settings = settings.retrieval
        self.chroma = settings.chroma
        self.corpus = corpus
        index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embedder)
        # Vectors are per unit; a passage's dense score is its best unit's.
        self.dense: BaseRetriever = index.as_retriever(similarity_top_k=self.settings.dense_k * 8)
        bm25_dir = settings.index_dir / "bm25"
        try:
            bm25 = BM25Retriever.from_persist_dir(str(bm25_dir), show_progress=False)
        except (OSError, ValueError) as exc:
            raise IndexNotReadyError(f"The BM25 index in {bm25_dir} is missing or damaged. Run: coach ingest") from exc
        bm25.similarity_top_k = min(self.settings.bm25_k, len(corpus.chunks))
        self.bm25: BaseRetriever = bm25
        self.units = _UnitIndex(corpus) if self.settings.unit_k and self.settings.unit_weight else None
        # Section paths weigh fully; the document title, shared by all its passages, only a little.
        self.title_words = _distinctive_title_words(corpus.titles, corpus.vocabulary.document_nouns)
        self.name_words, self.common_name_words = _name_words(corpus.titles)
        # Words that name a document by themselves: its title's own, and whole words of its file name
        # ("genai") that no title has and no other file name shares; not a piece of "90-day".
        stems = {doc: doc.rsplit(".", 1)[0].lower().split("-") for doc in corpus.titles}
        in_titles = set(tokens(" ".join(corpus.titles.values())))
        self.lead_words = {
            doc: self.title_words[doc]
            | {w for w in parts if w.isalpha() and len(w) > 3 and w not in in_titles}
            - self.common_name_words
            - corpus.vocabulary.document_nouns
            - {w for other, ps in stems.items() if other != doc for w in ps}
            for doc, parts in stems.items()
        }
        self.headings: dict[str, dict[str, float]] = {}
        for cid, chunk in corpus.chunks.items():
            weights = dict.fromkeys(_words(chunk.title), 0.3)
            if chunk.section != chunk.title:  # a passage before the first heading has only the title
                weights.update(dict.fromkeys(_words(chunk.section), 1.0))
            self.headings[cid] = weights

    def named_documents(self, query: str) -> set[str]:
        """The documents a question names by a word of their title no other title has ("the SMB guide",
        "the 90-day roadmap", "the methodology")."""
        lowered = _written_apart(query.lower(), self.title_words, self.name_words)
        toks = tokens(lowered)
        # What askers call a document, as the vocabulary says ("the enterprise case").
        named = {doc for pattern, doc in self.corpus.vocabulary.document_names if pattern.search(lowered)}
        named &= set(self.corpus.titles)
        for doc, title in self.title_words.items():
            for word in title & set(toks):
                # Named, not merely mentioned: "the SMB guide", "the methodology" — not "generative AI".
                if re.search(rf"\bthe (?:[\w-]+ ){{0,2}}{re.escape(word)}s?\b(?! ai\b)", lowered):
                    named.add(doc)
        # A terse message leads with its topic ("roadmap is 120 days yeah?", "methodology: GO bar?"):
        # its first word names the one document whose title, or file name, has it as a word of its own.
        first = re.match(r"^\W*([\w-]+)", lowered)
        if not named and first:
            holders = [doc for doc, words in self.lead_words.items() if first.group(1) in words]
            named |= set(holders) if len(holders) == 1 else set()
        # Two or more words of one document's name that together fit no other ("the implementation
        # guide": the title says implementation, the file name guide) name it too, beside another.
        named |= self._named_by_words(lowered)
        # Set against each other ("pilot length: smb guide vs methodology?", "methodology scope template vs
        # genai guide"), a side's word that leads one document's name names it, "the" or not.
        for m in _VERSUS.finditer(lowered):
            for word in m.group(1).split() + m.group(2).split()[:2]:
                holders = [doc for doc, words in self.lead_words.items() if word in words]
                named |= set(holders) if len(holders) == 1 else set()
        # Who the user says they are ("for a small business") names the document written for them, when
        # the playbook's word for it ("SMB") is in one title only.
        audience = set(tokens(" ".join(self.corpus.vocabulary.expansion_words(query))))
        named |= {doc for doc, title in self.title_words.items() if title & audience}
        return named

    def as_named(self, text: str) -> str:
        """``text`` with a document's name written as the name writes it where askers write it apart ("the gen
        AI guide" → "the genAI guide"): its words then match the document's every line alike, as its title's
        do, and none for repeating the name ("This guide is about … gen AI implementation")."""
        return _written_apart(text, self.title_words, self.name_words)

    def without_names(self, text: str) -> str:
        """``text`` without the phrases that name a document by the words of its name ("the gen AI
        implementation guide", "per the SMB guide's"): a name says where to look,
        not what is asked, and a line that repeats it ("This guide is about … gen AI implementation") is
        no closer to the question for that."""
        text = _written_apart(self.corpus.vocabulary.without_document_names(text), self.title_words, self.name_words)
        nouns = self.corpus.vocabulary.document_nouns
        allowed = set().union(*self.name_words.values()) | nouns | self.common_name_words
        out, pos = [], 0
        for m in _NAME_START.finditer(text):
            if m.start() < pos:
                continue
            run = list(_after(text, m.end(), allowed))
            while run and run[-1][0] in self.common_name_words:
                run.pop()  # "the methodology pilot budget": "pilot" is what is asked
            words = {w for w, _ in run}
            holders = [doc for doc, lead in self.lead_words.items() if lead & words]
            own = self.name_words[holders[0]] | self.common_name_words | nouns if len(holders) == 1 else set()
            if own and words <= own:
                out.append(text[pos : m.start()] + " ")
                pos = run[-1][1]
        return re.sub(r"\s+", " ", "".join(out) + text[pos:]).strip()

    def _closest_in(self, doc: str, embedding: list[float]) -> list[str]:
        """The passages of one document, closest in meaning first (by their best line)."""
        corpus = self.corpus
        units = [i for i in corpus.quoted if corpus.units[i].doc == doc]
        if not units:
            return []
        sims = corpus.closeness(units, np.asarray(embedding, dtype=np.float32))
        best: dict[str, float] = {}
        for i, sim in zip(units, sims, strict=True):
            cid = corpus.units[i].chunk_id
            best[cid] = max(best.get(cid, -1.0), float(sim))
        return sorted(best, key=lambda cid: -best[cid])

    def _named_by_words(self, lowered: str) -> set[str]:
        """The documents whose name holds the first two or more words after a "the" ("the implementation
        guide"), when no other document's name holds them all."""
        named: set[str] = set()
        for m in re.finditer(r"(?=\bthe ((?:[\w-]+ ){1,3}[\w-]+))", lowered):
            words = tokens(m.group(1))
            found: set[str] = set()
            for n in range(2, len(words) + 1):
                phrase = set(words[:n]) - self.common_name_words
                holders = [doc for doc, name in self.name_words.items() if phrase <= name]
                if len(phrase) >= 2 and len(holders) == 1:
                    found.add(holders[0])
            named |= found if len(found) == 1 else set()  # each "the …" names one document, or none
        return named

    def heading_ranking(self, query: str, dense: dict[str, float]) -> list[str]:
        """Passages whose section path names what the question asks about, best first."""
        words = set(_words(query)) - _FILLER
        scored = []
        for cid, weights in self.headings.items():
            matched = sum(self.corpus.idf_of(w) * weights[w] for w in words if w in weights)
            if matched <= 0:
                continue
            # A heading that is mostly the question's words beats a long one that shares a few.
            total = sum(self.corpus.idf_of(w) * weight for w, weight in weights.items())
            score = matched * (0.5 + 0.5 * matched / total)
            scored.append((-score, -dense.get(cid, 0.0), cid))
        scored.sort()
        return [cid for _, _, cid in scored[: self.settings.heading_k]]

    def retrieve(
        self, query: str, embedding: list[float], *, stage: str | None = None, top_k: int | None = None
    ) -> list[Hit]:
        from llama_index.core.schema import QueryBundle

        vocabulary = self.corpus.vocabulary
        # What the question calls a document says where to look (below), not what to look for.
        lexical_query = _SET_AGAINST.sub(" ", vocabulary.expand(vocabulary.without_document_names(query) or query))
        bundle = QueryBundle(query_str=lexical_query, embedding=embedding)
        fused: dict[str, float] = {}
        dense: dict[str, float] = {}
        try:
            found = self.dense.retrieve(bundle)
        except Exception as exc:  # chromadb raises several unrelated types for a dead or broken store
            where = (
                f"The Chroma server at {self.chroma.host}:{self.chroma.port} cannot be reached"
                if self.chroma.host
                else "The vector store cannot be read"
            )
            raise StoreError(f"{where} ({type(exc).__name__}). Check it is running, then ask again.") from exc
        for nws in found:
            chunk_id = str(nws.node.metadata.get("chunk", ""))
            # Chroma's llama-index adapter reports exp(-cosine distance); undo it.
            sim = 1.0 + math.log(max(nws.score or 1e-9, 1e-9))
            if chunk_id and sim > dense.get(chunk_id, -1.0):
                dense[chunk_id] = sim
        # Passages as near as each other (the same line in two places) are ranked by id, not by the order
        # the store happened to return them in.
        dense_ranked = sorted(dense, key=lambda cid: (-dense[cid], cid))[: self.settings.dense_k]
        for rank, chunk_id in enumerate(dense_ranked):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + self.settings.dense_weight / (self.settings.rrf_k + rank + 1)
        for rank, nws in enumerate(self.bm25.retrieve(bundle)):
            if (nws.score or 0.0) <= 0:
                continue  # no query word in the passage at all
            fused[nws.node.node_id] = fused.get(nws.node.node_id, 0.0) + self.settings.bm25_weight / (
                self.settings.rrf_k + rank + 1
            )
        if self.units is not None:
            for rank, chunk_id in enumerate(self.units.ranking(lexical_query, self.settings.unit_k)):
                weight = self.settings.unit_weight / (self.settings.rrf_k + rank + 1)
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight
        for rank, chunk_id in enumerate(self.heading_ranking(lexical_query, dense)):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + self.settings.heading_weight / (self.settings.rrf_k + rank + 1)
        named = self.named_documents(vocabulary.expand(query))
        for doc in named if self.settings.named_document_only else ():
            # A question that names a document is searched in all of it when the whole search found fewer
            # of its passages than an answer draws on ("roadmap pilot runs for how long?", "agent case apps
            # in prod at the end?"): its passages by their lines' meaning. Two named share the answer.
            found_there = sum(1 for c in (self.corpus.chunks.get(n) for n in fused) if c is not None and c.doc == doc)
            if found_there < (top_k or self.settings.top_k) // len(named):
                for rank, chunk_id in enumerate(self._closest_in(doc, embedding)[: self.settings.dense_k]):
                    weight = self.settings.dense_weight / (self.settings.rrf_k + rank + 1)
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + weight
        # A question that names documents by their titles ("the 90-day plan", "smb guide vs methodology")
        # is answered from them, when the search found anything there.
        only = (
            named
            if self.settings.named_document_only
            and any(c.doc in named for c in (self.corpus.chunks.get(n) for n in fused) if c is not None)
            else None
        )
        hits = []
        for node_id, score in fused.items():
            chunk = self.corpus.chunks.get(node_id)
            if chunk is None:
                continue  # the store holds a passage the index files do not (another instance's ingest)
            if only is not None and chunk.doc not in only:
                continue
            if stage and stage in chunk.stages:
                score *= 1.0 + self.settings.stage_boost
            if len(named) == 1 and chunk.doc in named:
                score *= 1.0 + self.settings.document_boost
            hits.append((score, node_id, chunk))
        hits.sort(key=lambda h: (-h[0], h[1]))
        k = top_k or self.settings.top_k
        return [Hit(chunk, score, dense.get(nid, 0.0), r) for r, (score, nid, chunk) in enumerate(hits[:k])]


# "vs" sets the things either side against each other; it is not what is asked (see ``STOPWORDS``).
_SET_AGAINST = re.compile(r"\b(?:vs|versus)\b\.?", re.I)
_VERSUS = re.compile(r"((?:[\w-]+ ){0,2}[\w-]+)\s+(?:vs\.?|versus|against)\s+((?:[\w-]+ ?){1,3})")


def _written_apart(text: str, title_words: dict[str, set[str]], name_words: dict[str, set[str]]) -> str:
    """``text`` with the words of a document's name that askers write apart joined: a number and the word
    after it where a title joins them ("90 day plan" for the title's "90-Day Plan"), and two words that
    make one word of a name ("gen ai guide" for the file name's "genai")."""
    joined = {w for words in title_words.values() for w in words if re.fullmatch(r"\d+-[a-z]+", w)}
    text = _NUMBER_WORD.sub(lambda m: f"{m[1]}-{m[2]}" if f"{m[1]}-{m[2]}".lower() in joined else m[0], text)
    # The word shortened to its first letter ("90d plan"), as terse messages write a unit.
    short = {w.split("-")[0] + w.split("-")[1][0]: w for w in joined}
    text = _NUMBER_LETTER.sub(lambda m: short.get(m[0].lower(), m[0]), text)
    whole = {w for words in name_words.values() for w in words if w.isalpha() and len(w) > 3}
    out, pos = [], 0
    while m := _TWO_WORDS.search(text, pos):
        if (m[1] + m[2]).lower() in whole:
            out.append(text[pos : m.start()] + m[1] + m[2])
            pos = m.end()
        else:
            out.append(text[pos : m.end(1)])
            pos = m.end(1)  # the second word may start a pair of its own
    return "".join(out) + text[pos:]


_NAME_START = re.compile(r"\bthe\s+", re.I)
_NAME_WORD = re.compile(r"\s*([\w-]+)(?:['’]s)?\b")


def _after(text: str, pos: int, allowed: set[str]) -> Iterator[tuple[str, int]]:
    """The words from ``pos`` on, lowercased, each with where it ends, while they are ``allowed``."""
    while (m := _NAME_WORD.match(text, pos)) and (word := tokens(m[1])) and word[0] in allowed:
        yield word[0], m.end()
        pos = m.end()


_TWO_WORDS = re.compile(r"\b([a-z]+) ([a-z]+)\b", re.I)
_NUMBER_WORD = re.compile(r"\b(\d+)[ ]([a-z]+)\b", re.I)
_NUMBER_LETTER = re.compile(r"\b\d+[a-z]\b", re.I)


def _distinctive_title_words(titles: dict[str, str], nouns: frozenset[str]) -> dict[str, set[str]]:
    """Each document's title words that no other title shares, less the nouns any document goes by
    ("the guide", "the plan": the vocabulary's document nouns)."""
    words = {doc: {t for t in tokens(title) if "-" not in t or t[0].isdigit()} - nouns for doc, title in titles.items()}
    return {doc: w - set().union(*(o for d, o in words.items() if d != doc)) for doc, w in words.items()}


def _name_words(titles: dict[str, str]) -> tuple[dict[str, set[str]], set[str]]:
    """Each document's name: the words of its title and of its file name; and the words more than half the
    documents' names share ("ai", "pilot", "production"), which name none of them."""
    names = {
        doc: set(tokens(title)) | set(tokens(re.sub(r"[-_.]", " ", doc.rsplit(".", 1)[0])))
        for doc, title in titles.items()
    }
    counts: dict[str, int] = {}
    for words in names.values():
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    common = {w for w, n in counts.items() if n * 2 > len(names) and len(names) > 2}
    return {doc: words - common for doc, words in names.items()}, common


# Words of how a question is asked, not of what it is about.
_FILLER = frozenset(["long", "take", "usually", "typically", "actually", "generally", "happen", "happens", "go"])


def _words(text: str) -> list[str]:
    """Content words, with hyphenated compounds also split into their parts ("90-day": 90, day)."""
    out = []
    for tok in tokens(text):
        out.append(tok)
        if "-" in tok:
            out += [p for p in tok.split("-") if p]
    return out


class _UnitIndex:
    """BM25 over the playbook's smallest pieces (sentences, list items, rows), each read with its
    section path and the labels just above its list. A passage ranks by its best piece, so a long
    section that holds one exactly matching line is not drowned by its other lines, as it is when the
    whole passage is scored at once."""

    def __init__(self, corpus: Corpus) -> None:
        import bm25s

        from assistant.answer.passage import context_before

        self.corpus = corpus
        docs: list[list[str]] = []
        self.ids = corpus.quoted
        for i in self.ids:
            unit = corpus.units[i]
            toks = tokens(corpus.unit_text(i)) + tokens(corpus.chunks[unit.chunk_id].section)
            if unit.kind == "item":
                for k in context_before(corpus, i):
                    toks += tokens(corpus.unit_text(k))
            docs.append(toks or ["_"])
        self.vocab = {t for d in docs for t in d}
        self.bm25 = bm25s.BM25()
        self.bm25.index(docs, show_progress=False)

    def ranking(self, query: str, k: int) -> list[str]:
        q = [t for t in tokens(query) if t in self.vocab]
        if not q:
            return []
        n = min(len(self.ids), k * 6)
        ids, scores = self.bm25.retrieve([q], k=n, show_progress=False)
        out: list[str] = []
        for i, score in zip(ids[0], scores[0], strict=True):
            if score <= 0:
                break
            cid = self.corpus.units[self.ids[int(i)]].chunk_id
            if cid not in out:
                out.append(cid)
            if len(out) >= k:
                break
        return out
