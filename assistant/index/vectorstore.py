"""The vector store builder: Chroma, embedded (PersistentClient under ``COACH_DATA_DIR``) or a Chroma
server (``COACH_CHROMA__HOST``/``__PORT``), as llama-index's ``ChromaVectorStore``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import StoreError
from assistant.index.embeddings import model_slug

if TYPE_CHECKING:
    from llama_index.vector_stores.chroma import ChromaVectorStore


def collection_name(settings: Settings) -> str:
    # The embedding model is part of the name: vectors of two models never mix.
    return f"{settings.chroma.collection}-{model_slug(settings)}"[:63]


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False)
    if settings.chroma.host:
        host, port = settings.chroma.host, settings.chroma.port
        try:
            client = chromadb.HttpClient(host=host, port=port, settings=client_settings)
            client.heartbeat()
        except Exception as exc:  # chromadb raises several unrelated types for a dead server
            raise StoreError(
                f"The Chroma server at {host}:{port} cannot be reached ({type(exc).__name__}). "
                "Start it (chroma run --host HOST --port PORT) or unset COACH_CHROMA__HOST to use the embedded store."
            ) from exc
        return client
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    except Exception as exc:
        raise StoreError(
            f"The vector store in {path} cannot be opened ({exc}). Delete {settings.index_dir} and run: coach ingest"
        ) from exc


# The dense search reads about a hundred neighbours among a few thousand passages. With Chroma's
# defaults (ef 100 to build and to search) that search is approximate, and two builds of the same
# passages disagreed from the 13th neighbour on: one question could be answered from different
# passages on two machines. Searched wide (ef 1000) over a graph built with ef 200, it returns the exact
# neighbours but for ties at the last rank, for a few milliseconds a query. The graph is built on
# several threads, so no two builds are the same: with 16 links a vector, about one build in forty
# missed one neighbour of 200 questions' 96 (measured on the playbook); with 32, none of sixty did.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 1000, "max_neighbors": 32}


def open_collection(settings: Settings) -> Any:
    """The raw Chroma collection (cheap to open: no llama-index import)."""
    client = _client(settings)
    collection = client.get_or_create_collection(collection_name(settings), configuration={"hnsw": HNSW})
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    if hnsw.get("ef_search") != HNSW["ef_search"]:  # a store built before: its search can still widen
        collection.modify(configuration={"hnsw": {"ef_search": HNSW["ef_search"]}})
    return collection


def fresh_collection(settings: Settings) -> Any:
    """The embedded store's collection, dropped and made again empty."""
    client = _client(settings)
    if any(c.name == collection_name(settings) for c in client.list_collections()):
        client.delete_collection(collection_name(settings))
    return open_collection(settings)


def build_vector_store(settings: Settings) -> ChromaVectorStore:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=open_collection(settings))
