"""Ingest: knowledge files → cleaned documents → chunks and units → embeddings → vector store, BM25
index and index files. Only what changed is re-indexed; a bad file is skipped with its reason."""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import Settings
from assistant.errors import KnowledgeError
from assistant.index.corpus import tokens
from assistant.index.embeddings import model_slug
from assistant.index.files import PIPELINE_VERSION, DocRecord, IndexFiles, Manifest
from assistant.index.lexicon import VOCABULARY_FILE, Vocabulary
from assistant.index.vectorstore import collection_name
from assistant.ingest.chunking import chunk_document, row_cells
from assistant.ingest.cleaning import clean, strip_links
from assistant.ingest.loaders import is_supported, load_text
from assistant.ingest.structure import heading_text, parse_blocks
from assistant.tools.catalog import merge, read_catalog, write_catalog
from assistant.tools.checklists import extract as extract_checklists
from assistant.tools.models import DocumentExtract
from assistant.types import Chunk, CleanDocument, Unit

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.schema import BaseNode, TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        lines = [
            f"Indexed {len(self.added) + len(self.updated) + len(self.unchanged)} documents "
            f"({len(self.added)} new, {len(self.updated)} changed, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed) into {self.chunks} passages in {self.seconds:.1f}s."
        ]
        lines += [f"Skipped {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


def content_hash(data: bytes, stages: str = "") -> str:
    """What a document's index depends on: the pipeline, the stage terms it is tagged with, its bytes."""
    return hashlib.sha256(PIPELINE_VERSION.encode() + b"\0" + stages.encode() + b"\0" + data).hexdigest()[:16]


def prepare_document(doc_id: str, path: Path, data: bytes) -> CleanDocument:
    """Load, clean and parse one file (raises ``KnowledgeError`` with the reason it cannot be used)."""
    raw, fmt = load_text(path, data)
    text, meta = clean(raw, fmt)
    blocks = tuple(parse_blocks(text, fmt))
    title = meta.get("title", "")
    if not title:
        first = next((b for b in blocks if b.kind == "heading"), None)
        title = heading_text(text, first) if first else path.stem.replace("-", " ").title()
    return CleanDocument(doc_id, strip_links(title), text, blocks, meta)


def knowledge_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise KnowledgeError(
            f"The knowledge folder '{folder}' does not exist. Create it and add the playbook documents, "
            "or set COACH_KNOWLEDGE_DIR to the folder that holds them."
        )
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and not p.stem.upper().startswith("README")
        and p.name != VOCABULARY_FILE  # the playbook's vocabulary, data beside the documents
    )


def _progress(items: list[Path], show: bool | None) -> Iterable[Path]:
    if not (sys.stderr.isatty() if show is None else show):
        return items
    from tqdm import tqdm

    return tqdm(items, desc="Ingesting", unit="doc", file=sys.stderr)


def unit_embed_text(section: str, text: str, label: str = "") -> str:
    """A unit is embedded with what says what it is about: the group label above a list item, or the
    last two levels of its heading path."""
    if label:
        return f"{section.rsplit(' > ', 1)[-1]}: {label} {text}"
    return f"{' > '.join(section.split(' > ')[-2:])}: {text}"


def unit_labels(doc: CleanDocument, units: list[Unit]) -> list[tuple[Unit, str]]:
    """Each unit with the group label ("**Criteria for STOP:**") that heads its list, if any. Labels in a
    row are read together when the last says nothing alone: a bare "**A:**" under "**Q: How long will this
    take?**"."""
    out, label, label_group = [], "", -1
    for u in units:
        if u.kind == "label":
            own = doc.text[u.start : u.end].replace("**", "")
            bare = len(re.findall(r"[A-Za-z]{3,}", own)) < 2
            label = f"{label} {own}" if bare and label and u.group == label_group + 1 else own
            label_group = u.group
            out.append((u, ""))
            continue
        if u.kind == "sentence" and u.group != label_group + 1:
            label = ""
        out.append((u, label if u.kind == "item" and u.group == label_group + 1 else ""))
    return out


def vector_node(
    node_id: str, text: str, doc: str, chunk: str, section: str, kind: str, embedding: list[float]
) -> TextNode:
    """Vectors live at unit level (a sentence, item or row), with one per table value and per passage
    heading; retrieval maps each to its passage."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    node = TextNode(
        id_=node_id,
        text=text,
        embedding=embedding,
        metadata={"doc": doc, "chunk": chunk, "section": section, "kind": kind},
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc)
    return node


def identifier_words(text: str) -> str:
    found = re.findall(r"\b[a-z]+(?:[A-Z][a-z]+)+\b|\b[a-z]+(?:_[a-z]+)+\b", text)
    return " ".join(dict.fromkeys(" ".join(tokens(w.replace("_", " "))) for w in found))


def chunk_node(chunk: Chunk) -> TextNode:
    """A passage as BM25 indexes it: its section path and its text."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    node = TextNode(
        id_=chunk.id,
        text=chunk.text,
        metadata={
            "doc": chunk.doc,
            "title": chunk.title,
            "section": chunk.section,
            # The innermost heading once more: what a passage is about weighs more than one word of it.
            "topic": chunk.section.rsplit(" > ", 1)[-1],
            "stages": ",".join(chunk.stages),
            # The words of identifiers in code ("deploymentWaves", "cost_savings"), which the lexical
            # index reads as one word otherwise.
            "words": identifier_words(chunk.text),
            "start": chunk.start,
            "end": chunk.end,
        },
        excluded_embed_metadata_keys=["doc", "title", "stages", "start", "end"],
        excluded_llm_metadata_keys=["doc", "title", "stages", "start", "end"],
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=chunk.doc)
    return node


class Ingestor:
    """Brings the index in line with the knowledge folder. The embedder and vector store are
    built only when something has to be embedded, so a no-change run stays fast."""

    def __init__(
        self,
        settings: Settings,
        embedder: BaseEmbedding | None = None,
        vector_store: ChromaVectorStore | None = None,
    ) -> None:
        self.settings = settings
        self.files = IndexFiles(settings.index_dir)
        self._embedder = embedder
        self._store = vector_store

    @property
    def embedder(self) -> BaseEmbedding:
        if self._embedder is None:
            from assistant.index.embeddings import build_embedder

            self._embedder = build_embedder(self.settings)
        return self._embedder

    @property
    def store(self) -> ChromaVectorStore:
        if self._store is None:
            from assistant.index.vectorstore import build_vector_store

            self._store = build_vector_store(self.settings)
        return self._store

    def _fresh_manifest(self) -> Manifest:
        return Manifest(embedding=model_slug(self.settings), collection=collection_name(self.settings))

    def run(self, *, rebuild: bool = False, progress: bool | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        paths = knowledge_files(self.settings.knowledge_dir)
        vocabulary = Vocabulary.load(self.settings.vocabulary_path)
        fresh = self._fresh_manifest()
        old = self.files.read_manifest()
        if (
            rebuild
            or old is None
            or (old.pipeline, old.embedding, old.collection)
            != (
                fresh.pipeline,
                fresh.embedding,
                fresh.collection,
            )
        ):
            self._clear(set(old.docs if old else ()) | self._stored_doc_ids())
            old = None
        elif not self._store_matches(old):
            self._clear(set(old.docs))
            old = None
        manifest = fresh
        previous = dict(old.docs) if old else {}

        seen: set[str] = set()
        for path in _progress(paths, progress):
            doc_id = path.relative_to(self.settings.knowledge_dir).as_posix()
            if not is_supported(path):
                report.skipped.append((doc_id, f"unsupported file type '{path.suffix or 'none'}'"))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.skipped.append((doc_id, f"cannot be read ({exc.strerror})"))
                continue
            digest = content_hash(data, vocabulary.stages_digest)
            if previous.get(doc_id) == digest and old is not None:
                manifest.docs[doc_id] = digest
                manifest.counts[doc_id] = old.counts[doc_id]
                seen.add(doc_id)
                report.unchanged.append(doc_id)
                continue
            try:
                doc = prepare_document(doc_id, path, data)
                chunks, units = chunk_document(doc, vocabulary)
                if not chunks:
                    raise KnowledgeError("it has no text that can be indexed")
            except KnowledgeError as exc:
                report.skipped.append((doc_id, str(exc)))
                if doc_id in previous and old is not None:  # keep the last good version of a document that broke
                    manifest.docs[doc_id] = previous[doc_id]
                    manifest.counts[doc_id] = old.counts[doc_id]
                    seen.add(doc_id)
                continue
            manifest.counts[doc_id] = [len(chunks), self._index(doc, chunks, units, path, digest)]
            (report.updated if doc_id in previous else report.added).append(doc_id)
            manifest.docs[doc_id] = digest
            seen.add(doc_id)

        for doc_id in sorted(set(previous) - seen):
            self._delete(doc_id)
            report.removed.append(doc_id)
        if report.changed or not (self.files.bm25_dir / "params.index.json").exists():
            self._write_bm25(manifest)
        catalog = read_catalog(self.files.dir)
        if report.changed or catalog is None or catalog.vocabulary != vocabulary.digest:
            self._write_catalog(manifest, vocabulary)
        self.files.write_manifest(manifest)
        report.chunks = manifest.passages
        report.seconds = time.perf_counter() - started
        return report

    def _stored_doc_ids(self) -> set[str]:
        if not self.files.docs_dir.exists():
            return set()
        return {p.stem.replace("__", "/") for p in self.files.docs_dir.glob("*.json")}

    def _store_matches(self, manifest: Manifest) -> bool:
        """The vector store holds exactly the manifest's passages (it may have been wiped or shared)."""
        if set(manifest.counts) != set(manifest.docs):
            return False
        if self._store is not None:
            collection = self._store._collection
        else:
            from assistant.index.vectorstore import open_collection

            collection = open_collection(self.settings)
        return int(collection.count()) == manifest.vectors

    def _index(self, doc: CleanDocument, chunks: list[Chunk], units: list[Unit], path: Path, digest: str) -> int:
        """Embeds and stores a document (a read-only unit's vector is kept, not searched): returns the
        vectors the store holds for it beyond its headings."""
        sections = {c.id: c.section for c in chunks}
        quoted = iter(unit_labels(doc, [u for u in units if not u.read_only]))
        texts = [
            unit_embed_text(sections[u.chunk_id], doc.text[u.start : u.end], label if u.read_only else next(quoted)[1])
            for u, label in unit_labels(doc, units)
        ]
        cells = row_cells(doc, units, sections)
        texts += [text for _, text in cells]
        # Each passage's heading path gets a vector of its own: users often ask in the words of a heading.
        texts += [f"{doc.title} > {c.section}" for c in chunks]
        vectors = self._embed(texts)
        n, m = len(units), len(units) + len(cells)
        unit_vecs, cell_vecs, heading_vecs = vectors[:n], vectors[n:m], vectors[m:]
        nodes: list[BaseNode] = []
        for u, v in zip(units, unit_vecs, strict=True):
            if u.read_only:  # kept with the document for the citation check
                continue
            text, section = doc.text[u.start : u.end], sections[u.chunk_id]
            nodes.append(
                vector_node(f"{u.chunk_id}@{u.start}", text, doc.doc_id, u.chunk_id, section, u.kind, v.tolist())
            )
        for j, ((k, text), v) in enumerate(zip(cells, cell_vecs, strict=True)):
            row = units[k]
            node_id, section = f"{row.chunk_id}@{row.start}#{j}", sections[row.chunk_id]
            nodes.append(vector_node(node_id, text, doc.doc_id, row.chunk_id, section, "cell", v.tolist()))
        for c, v in zip(chunks, heading_vecs, strict=True):
            nodes.append(vector_node(f"{c.id}@heading", c.section, c.doc, c.id, c.section, "heading", v.tolist()))
        self.store.delete(ref_doc_id=doc.doc_id)
        self.store.add(nodes)
        found = extract_checklists(doc).model_dump(mode="json")
        record = DocRecord(doc.doc_id, doc.title, str(path), digest, doc.text, doc.meta, chunks, units, found)
        record.cells = [k for k, _ in cells]
        self.files.write_doc(record, vectors[:m])
        return len(nodes) - len(chunks)

    def _embed(self, texts: list[str]) -> np.ndarray:
        # Batches of similar length waste less time on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] for i in order]
        model = getattr(self.embedder, "_model", None)
        if model is not None and hasattr(model, "encode") and getattr(self.embedder, "normalize", False):
            # The sentence-transformers model itself, in one call: the same vectors without the
            # per-batch overhead of the llama-index wrapper (about 15% of ingest).
            batch = self.settings.embedding.batch_size
            vectors = model.encode(ordered, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
        else:
            vectors = self.embedder.get_text_embedding_batch(ordered)
        out = np.empty((len(texts), len(vectors[0]) if len(vectors) else 0), dtype=np.float32)
        out[order] = np.asarray(vectors, dtype=np.float32)
        return out

    def _delete(self, doc_id: str) -> None:
        self.store.delete(ref_doc_id=doc_id)
        self.files.delete_doc(doc_id)

    def _clear(self, doc_ids: set[str]) -> None:
        """Everything is indexed anew. The embedded store starts from an empty collection: deleted vectors
        stay in its search graph, and after a few rebuilds its search missed some nearest neighbours. A
        Chroma server's collection is shared with other machines, which hold it open: there each
        document's vectors are deleted instead."""
        if doc_ids and not self.settings.chroma.host:
            from assistant.index.vectorstore import fresh_collection

            self.store._collection = fresh_collection(self.settings)
            for doc_id in doc_ids:
                self.files.delete_doc(doc_id)
            return
        for doc_id in doc_ids:
            self._delete(doc_id)

    def _write_catalog(self, manifest: Manifest, vocabulary: Vocabulary) -> None:
        extracts = [DocumentExtract.model_validate(self.files.read_doc(d)[0].extract) for d in sorted(manifest.docs)]
        write_catalog(self.files.dir, merge(extracts, vocabulary))

    def _write_bm25(self, manifest: Manifest) -> None:
        from llama_index.retrievers.bm25 import BM25Retriever

        nodes: list[BaseNode] = [chunk_node(c) for d in sorted(manifest.docs) for c in self.files.read_doc(d)[0].chunks]
        target = self.files.bm25_dir
        if not nodes:
            shutil.rmtree(target, ignore_errors=True)
            return
        bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(len(nodes), 10))
        tmp = Path(tempfile.mkdtemp(dir=self.files.dir, prefix=".bm25."))
        bm25.persist(str(tmp), show_progress=False)
        old = target.with_name(".bm25.old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
