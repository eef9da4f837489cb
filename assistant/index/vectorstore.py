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


def open_collection(settings: Settings) -> Any:
    """The raw Chroma collection (cheap to open: no llama-index import)."""
    client = _client(settings)
    return client.get_or_create_collection(collection_name(settings), metadata={"hnsw:space": "cosine"})


def build_vector_store(settings: Settings) -> ChromaVectorStore:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=open_collection(settings))
