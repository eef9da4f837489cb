"""The index on disk, beside the vector store: a manifest of what was ingested, one record per
document (its cleaned text, chunks and units) with the units' embeddings, and the BM25 index.

Every file is written to a temporary name and renamed into place, so a crash mid-write never
leaves a half-written file to be served; the manifest is written last.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexNotReadyError
from assistant.types import Chunk, Unit

# Bump when cleaning, structure or chunking change: every document is then re-indexed.
PIPELINE_VERSION = "22"


@dataclass
class Manifest:
    pipeline: str = PIPELINE_VERSION
    embedding: str = ""
    collection: str = ""
    docs: dict[str, str] = field(default_factory=dict)  # doc id -> content hash
    counts: dict[str, list[int]] = field(default_factory=dict)  # doc id -> [passages, units]

    @property
    def passages(self) -> int:
        return sum(c[0] for c in self.counts.values())

    @property
    def vectors(self) -> int:
        """What the vector store should hold: one vector per unit, per table value and per passage heading."""
        return sum(c[0] + c[1] for c in self.counts.values())

    @property
    def index_version(self) -> str:
        blob = json.dumps([self.pipeline, self.embedding, sorted(self.docs.items())])
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass
class DocRecord:
    doc_id: str
    title: str
    path: str
    hash: str
    text: str
    meta: dict[str, str]
    chunks: list[Chunk]
    units: list[Unit]
    extract: dict[str, Any] = field(default_factory=dict)  # checklists, criteria, ROI example (checklists.py)
    # The row (an index into ``units``) of each vector stored after the units' own: a table value with its
    # row and column names (chunking.row_cells).
    cells: list[int] = field(default_factory=list)


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class IndexFiles:
    def __init__(self, index_dir: Path) -> None:
        self.dir = index_dir
        self.docs_dir = index_dir / "docs"
        self.bm25_dir = index_dir / "bm25"
        self.manifest_path = index_dir / "manifest.json"

    def read_manifest(self) -> Manifest | None:
        if not self.manifest_path.exists():
            return None
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
            return Manifest(**data)
        except (ValueError, TypeError):
            return None  # unreadable: treated as never ingested, and rebuilt

    def write_manifest(self, manifest: Manifest) -> None:
        atomic_write(self.manifest_path, json.dumps(asdict(manifest), indent=1).encode())

    def _stem(self, doc_id: str) -> Path:
        return self.docs_dir / doc_id.replace("/", "__")

    def write_doc(self, record: DocRecord, vectors: np.ndarray) -> None:
        stem = self._stem(record.doc_id)
        buf = _npy_bytes(vectors.astype(np.float32))
        atomic_write(stem.with_name(stem.name + ".npy"), buf)
        payload: dict[str, Any] = asdict(record)
        atomic_write(stem.with_name(stem.name + ".json"), json.dumps(payload).encode())

    def read_doc(self, doc_id: str) -> tuple[DocRecord, np.ndarray]:
        stem = self._stem(doc_id)
        try:
            data = json.loads(stem.with_name(stem.name + ".json").read_text("utf-8"))
            vectors = np.load(stem.with_name(stem.name + ".npy"))
        except (OSError, ValueError) as exc:
            raise IndexNotReadyError(
                f"The index record for '{doc_id}' is missing or damaged. Run: coach ingest --rebuild"
            ) from exc
        data["chunks"] = [Chunk(**{**c, "stages": tuple(c["stages"])}) for c in data["chunks"]]
        data["units"] = [Unit(**u) for u in data["units"]]
        return DocRecord(**data), vectors

    def delete_doc(self, doc_id: str) -> None:
        stem = self._stem(doc_id)
        for suffix in (".json", ".npy"):
            stem.with_name(stem.name + suffix).unlink(missing_ok=True)


def _npy_bytes(arr: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()
