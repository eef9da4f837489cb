"""The ingested corpus in memory: documents' cleaned text, chunks, units and unit embeddings, read
from the index files. The Coach loads it once at start-up."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexNotReadyError
from assistant.index.files import IndexFiles, Manifest
from assistant.index.lexicon import Vocabulary
from assistant.types import Chunk, Unit

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "about",
        "into",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "just",
        "also",
        "s",
        "t",
        "don",
        "now",
        "get",
        "tell",
        "give",
        "want",
        "need",
        "like",
        "know",
        "say",
        "says",
        "said",
        "us",
        "let",
        "am",
        "one",
        "ones",
        # Sets two things against each other ("smb guide vs methodology"), as "and" joins them: a line is
        # no nearer for saying it ("87% of pilots (vs. 13%)").
        "vs",
        "versus",
        "thing",
        "things",
        "way",
        "ways",
        "really",
        # How a question is said, not what it is about ("what does a pilot actually cost?").
        "actually",
        "basically",
        "exactly",
        "honestly",
        "literally",
        "probably",
    ]
)


# An identifier's words ("deploymentWaves", "whereDeliverable" where a space was lost) are words.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def tokens(text: str) -> list[str]:
    """Lower-cased content words, lightly stemmed (plural 's' dropped) for lexical matching."""
    out = []
    for tok in _TOKEN.findall(_CAMEL.sub(" ", text).lower()):
        if tok.endswith(("'s", "’s")):
            tok = tok[:-2]  # a possessive: "Alpha's" is about "alpha"
        tok = tok.rstrip("'’")
        if not tok or tok in STOPWORDS:
            continue
        if len(tok) > 5 and tok.endswith("sses"):
            tok = tok[:-2]  # "businesses" is "business", "processes" is "process"
        elif len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


@dataclass
class Corpus:
    manifest: Manifest
    texts: dict[str, str]  # doc id -> cleaned text
    titles: dict[str, str]
    chunks: dict[str, Chunk]
    units: list[Unit]
    unit_vectors: np.ndarray
    unit_tokens: list[frozenset[str]] = field(default_factory=list)
    units_by_chunk: dict[str, list[int]] = field(default_factory=dict)  # the units the offline answer quotes
    quoted: list[int] = field(default_factory=list)  # the same, in order, of all passages
    lines_by_chunk: dict[str, list[int]] = field(default_factory=dict)  # with the read-only ones: what is checked
    idf: dict[str, float] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # A table row's values, each with its row and column names (chunking.row_cells): their vectors, by row.
    row_cell_vectors: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def index_version(self) -> str:
        return self.manifest.index_version

    def unit_text(self, i: int) -> str:
        u = self.units[i]
        return self.texts[u.doc][u.start : u.end]

    def group_units(self, i: int) -> list[int]:
        """The unit's siblings: the other items of its list or rows of its table, in order."""
        u = self.units[i]
        return [j for j in self.units_by_chunk[u.chunk_id] if self.units[j].group == u.group]

    def closeness(self, idx: list[int], vector: np.ndarray) -> np.ndarray:
        """How close in meaning each unit of ``idx`` is to a question's vector: its own line's, or for a
        table row, the closest of its values read with their row and column names, if closer."""
        sims = self.unit_vectors[idx] @ vector
        for j, i in enumerate(idx):
            cells = self.row_cell_vectors.get(i)
            if cells is not None:
                sims[j] = max(float(sims[j]), float((cells @ vector).max()))
        return sims

    def idf_of(self, tok: str) -> float:
        return self.idf.get(tok, self.idf.get("", 1.0))


def load_corpus(settings: Settings) -> Corpus:
    files = IndexFiles(settings.index_dir)
    manifest = files.read_manifest()
    if manifest is None or not manifest.docs:
        raise IndexNotReadyError(
            f"Nothing has been ingested into {settings.index_dir} yet. Run: coach ingest "
            f"(it indexes the documents in {settings.knowledge_dir})."
        )
    texts: dict[str, str] = {}
    titles: dict[str, str] = {}
    chunks: dict[str, Chunk] = {}
    units: list[Unit] = []
    vectors: list[np.ndarray] = []
    cells: dict[int, list[np.ndarray]] = {}
    for doc_id in sorted(manifest.docs):
        record, vecs = files.read_doc(doc_id)
        texts[doc_id], titles[doc_id] = record.text, record.title
        chunks.update({c.id: c for c in record.chunks})
        if len(vecs) != len(record.units) + len(record.cells):
            raise IndexNotReadyError(f"The index record for '{doc_id}' is damaged. Run: coach ingest --rebuild")
        for k, vec in zip(record.cells, vecs[len(record.units) :], strict=True):
            cells.setdefault(len(units) + k, []).append(vec)
        units.extend(record.units)
        vectors.append(vecs[: len(record.units)])
    matrix = np.vstack(vectors) if vectors else np.zeros((0, 384), dtype=np.float32)
    vocabulary = Vocabulary.load(settings.vocabulary_path, texts.values())
    corpus = Corpus(manifest, texts, titles, chunks, units, matrix, vocabulary=vocabulary)
    corpus.row_cell_vectors = {i: np.vstack(vs) for i, vs in cells.items()}
    by_chunk: dict[str, list[int]] = {}
    df: Counter[str] = Counter()
    for i, u in enumerate(units):
        corpus.lines_by_chunk.setdefault(u.chunk_id, []).append(i)
        toks = frozenset(tokens(texts[u.doc][u.start : u.end]))
        corpus.unit_tokens.append(toks)
        if not u.read_only:
            by_chunk.setdefault(u.chunk_id, []).append(i)
            corpus.quoted.append(i)
            df.update(toks)
    n = max(len(corpus.quoted), 1)
    corpus.idf = {tok: math.log(1 + n / c) for tok, c in df.items()}
    corpus.idf[""] = math.log(1 + n)  # unseen words weigh as the rarest
    corpus.units_by_chunk = by_chunk
    return corpus
