"""The catalog of the playbook's tools, built at ingest from every document's extract and kept beside the
index: its checklists, the go/no-go framework and the ROI example."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assistant.index.files import atomic_write
from assistant.index.lexicon import Vocabulary
from assistant.tools.checklists import heading_slug
from assistant.tools.criteria import decision_framework
from assistant.tools.models import (
    Catalog,
    DocumentExtract,
)


def merge(extracts: list[DocumentExtract], vocabulary: Vocabulary) -> Catalog:
    """One catalog from every document's extract, in document order, with unique ids, and the
    go/no-go framework read from its criteria lists in the words of ``vocabulary``."""
    catalog = Catalog(vocabulary=vocabulary.digest)
    for ex in extracts:
        catalog.checklists.extend(c.model_copy(deep=True) for c in ex.checklists)
        catalog.roi_example = catalog.roi_example or ex.roi_example
    catalog.decision = decision_framework(catalog.checklists, vocabulary)
    counts = Counter(c.id for c in catalog.checklists)
    for c in catalog.checklists:
        if counts[c.id] > 1:
            c.id = heading_slug(c.section, c.title)
    seen: Counter[str] = Counter()
    for c in catalog.checklists:
        seen[c.id] += 1
        if seen[c.id] > 1:
            c.id = f"{c.id}-{seen[c.id]}"
    return catalog


def catalog_path(index_dir: Path) -> Path:
    return index_dir / "catalog.json"


def write_catalog(index_dir: Path, catalog: Catalog) -> None:
    atomic_write(catalog_path(index_dir), catalog.model_dump_json(indent=1).encode())


def read_catalog(index_dir: Path) -> Catalog | None:
    path = catalog_path(index_dir)
    if not path.exists():
        return None
    try:
        return Catalog.model_validate(json.loads(path.read_text("utf-8")))
    except ValueError:
        return None
