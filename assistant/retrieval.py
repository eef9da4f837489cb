"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank, de-duplicated, with an
optional boost for passages about the user's stage.

The fusion is written here rather than taken from llama-index's ``QueryFusionRetriever`` because the
answer step needs each passage's own dense similarity (to decide whether the playbook covers a
question), which that retriever folds away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.corpus import Corpus
from assistant.errors import IndexNotReadyError
from assistant.types import Chunk

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.retrievers import BaseRetriever
    from llama_index.vector_stores.chroma import ChromaVectorStore


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # fused score after the stage boost
    dense: float  # cosine similarity of the query and the passage (0 when only BM25 found it)
    rank: int


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

    def retrieve(
        self, query: str, embedding: list[float], *, stage: str | None = None, top_k: int | None = None
    ) -> list[Hit]:
        from llama_index.core.schema import QueryBundle

        bundle = QueryBundle(query_str=query, embedding=embedding)
        fused: dict[str, float] = {}
        dense: dict[str, float] = {}
        for nws in self.dense.retrieve(bundle):
            chunk_id = str(nws.node.metadata.get("chunk", ""))
            # Chroma's llama-index adapter reports exp(-cosine distance); undo it.
            sim = 1.0 + math.log(max(nws.score or 1e-9, 1e-9))
            if chunk_id and sim > dense.get(chunk_id, -1.0):
                dense[chunk_id] = sim
        dense_ranked = sorted(dense, key=lambda cid: -dense[cid])[: self.settings.dense_k]
        for rank, chunk_id in enumerate(dense_ranked):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + self.settings.dense_weight / (self.settings.rrf_k + rank + 1)
        for rank, nws in enumerate(self.bm25.retrieve(bundle)):
            if (nws.score or 0.0) <= 0:
                continue  # no query word in the passage at all
            fused[nws.node.node_id] = fused.get(nws.node.node_id, 0.0) + self.settings.bm25_weight / (
                self.settings.rrf_k + rank + 1
            )
        hits = []
        for node_id, score in fused.items():
            chunk = self.corpus.chunks.get(node_id)
            if chunk is None:
                continue  # the store holds a passage the index files do not (another instance's ingest)
            if stage and stage in chunk.stages:
                score *= 1.0 + self.settings.stage_boost
            hits.append((score, node_id, chunk))
        hits.sort(key=lambda h: (-h[0], h[1]))
        k = top_k or self.settings.top_k
        return [Hit(chunk, score, dense.get(nid, 0.0), r) for r, (score, nid, chunk) in enumerate(hits[:k])]
