"""A passage or a document shown as it is laid out: its parallel labelled blocks ("**Option 1: …**",
"**Option 2: …**"), its numbered sections ("Phase 1 (Days 1–30)", "Phase 2 …"), and the holes a chosen
run of numbered labels or of one paragraph's sentences would leave filled."""

from __future__ import annotations

import re

from assistant.answer.asking import Asked, stem
from assistant.answer.passage import NUMBERED_HEADING, NUMBERED_LABEL, PARALLEL_LABEL, content_after
from assistant.answer.rendering import is_bare_label
from assistant.answer.scoring import Scored
from assistant.index.corpus import Corpus
from assistant.types import Hit


def outline(corpus: Corpus, asked: Asked, scored: list[Scored], most: int) -> list[int]:
    """When a list question's best lines all come from one passage and score alike, the passage as a
    whole is the answer; if it is laid out as parallel labelled blocks ("**Option 1: …**",
    "**Option 2: …**"), those labels are its outline (up to ``most``). Empty when that is not the case."""
    if not asked.plural or len(scored) < 8:
        return []
    top = scored[:8]

    def section(i: int) -> tuple[str, str]:
        chunk = corpus.chunks[corpus.units[i].chunk_id]
        return chunk.doc, chunk.section

    where = section(top[0].unit)
    if sum(section(s.unit) == where for s in top) < 7 or top[0].score - top[-1].score > 0.06:
        return []
    members = sorted(
        (j for c in corpus.chunks.values() if (c.doc, c.section) == where for j in corpus.units_by_chunk.get(c.id, [])),
        key=lambda j: corpus.units[j].start,
    )
    by_pattern: dict[str, list[int]] = {}
    for j in members:
        m = PARALLEL_LABEL.match(corpus.unit_text(j))
        if corpus.units[j].kind == "label" and m:
            by_pattern.setdefault(m.group(1).lower(), []).append(j)
    blocks = max(by_pattern.values(), key=len, default=[])
    if len(blocks) < 3 or _names_one(corpus, asked, blocks):
        return []
    out: list[int] = []
    for j in blocks[:most]:
        # Each block with its one-line summary, when one follows ("*Best for: …*").
        after = members[members.index(j) + 1 : members.index(j) + 2]
        short = [k for k in after if corpus.units[k].kind == "sentence" and len(corpus.unit_text(k)) <= 120]
        out += [j, *short]
    return out


def _names_one(corpus: Corpus, asked: Asked, labels: list[int]) -> bool:
    """Whether the question names one of the parallel blocks by a word of its label no other label has
    ("the leading-indicator tier" of "Tier 1 - Usage Metrics (Leading Indicators)"): it asks of that
    block, not for the outline."""
    said = {stem(p) for t in asked.words for p in [t, *t.split("-")] if p}
    own = [{stem(t) for t in corpus.unit_tokens[j]} for j in labels]
    named = [
        k for k, words in enumerate(own) if said & (words - set().union(*(o for i, o in enumerate(own) if i != k)))
    ]
    return len(named) == 1


def section_outline(corpus: Corpus, asked: Asked, hits: list[Hit]) -> list[int]:
    """For "what are the phases of the 90-day plan?": the opening line of each of the numbered
    sections the best-ranked such passage belongs to ("Phase 1 (Days 1–30): …", "Phase 2 …"), in the
    document's order. Empty when the question asks for something else or no such sections are found."""
    noun = asked.outline
    if not noun:
        return []
    for hit in hits:
        parts = hit.chunk.section.split(" > ")
        if hit.chunk.section == hit.chunk.title:
            # The document's opening passage: the question is about the document as a whole.
            siblings = _numbered_sections(corpus, hit.chunk.doc, [], noun)
            if len(siblings) >= 3:
                return [i for cid in siblings for i in _opening(corpus, cid)]
        for depth, heading in enumerate(parts):
            found = NUMBERED_HEADING.match(heading.strip())
            if found and found.group(1).lower() == noun:
                siblings = _numbered_sections(corpus, hit.chunk.doc, parts[:depth], noun)
                if len(siblings) >= 3:
                    return [i for cid in siblings for i in _opening(corpus, cid)]
    return []


def _numbered_sections(corpus: Corpus, doc: str, parent: list[str], noun: str) -> list[str]:
    """The first passage of each numbered section under ``parent`` in ``doc``, in document order."""
    depth = len(parent)
    first: dict[str, str] = {}
    for chunk in sorted((c for c in corpus.chunks.values() if c.doc == doc), key=lambda c: c.start):
        parts = chunk.section.split(" > ")
        if len(parts) <= depth or parts[:depth] != parent:
            continue
        found = NUMBERED_HEADING.match(parts[depth].strip())
        if found and found.group(1).lower() == noun:
            first.setdefault(parts[depth], chunk.id)
    return list(first.values())


def _opening(corpus: Corpus, chunk_id: str) -> list[int]:
    """The passage's first line that says something (not a table header or a bare label), with the
    rest of its paragraph when it is a sentence (up to three)."""
    idx = corpus.units_by_chunk.get(chunk_id, [])
    for k, i in enumerate(idx):
        unit = corpus.units[i]
        if unit.kind == "header" or (unit.kind == "label" and is_bare_label(corpus.unit_text(i))):
            continue
        out = [i]
        if unit.kind == "sentence":
            for j in idx[k + 1 : k + 3]:
                if corpus.units[j].kind != "sentence" or corpus.units[j].group != unit.group:
                    break
                out.append(j)
        return out
    return []


def paragraph_gaps(corpus: Corpus, chosen: list[int], most: int = 3) -> list[int]:
    """The sentences between two chosen sentences of one paragraph (up to ``most``): a paragraph is
    quoted without holes, so its argument reads as written."""
    by_paragraph: dict[tuple[str, int], list[int]] = {}
    for i in chosen:
        unit = corpus.units[i]
        if unit.kind == "sentence":
            by_paragraph.setdefault((unit.chunk_id, unit.group), []).append(i)
    out: list[int] = []
    for (chunk_id, group), picked in by_paragraph.items():
        if len(picked) < 2:
            continue
        same = [j for j in corpus.units_by_chunk[chunk_id] if corpus.units[j].group == group]
        first, last = min(same.index(i) for i in picked), max(same.index(i) for i in picked)
        between = [j for j in same[first + 1 : last] if j not in picked]
        if len(between) <= most:
            out += between
    return out


def numbered_gaps(corpus: Corpus, chosen: list[int], most: int) -> list[int]:
    """Numbered labels of a passage that a chosen run of them skips ("**2. Perfectionism**" to "**5.
    Technology Focus**" chosen, "**1. Scope Creep**" not), with what each heads (up to ``most`` lines):
    a numbered list is shown without holes."""
    numbers: dict[str, set[int]] = {}
    for i in chosen:
        m = NUMBERED_LABEL.match(corpus.unit_text(i))
        if m and corpus.units[i].kind == "label":
            numbers.setdefault(corpus.units[i].chunk_id, set()).add(int(m.group(1)))
    # A label that heads a numbered run of labels ("**What Leadership Needs to Understand:**" over "**1. AI
    # Capabilities:**", "**2. AI Requirements:**", …) is answered by the run: its parts, named in order.
    headed: list[int] = []
    for i in chosen:
        run = _numbered_run(corpus, i) if corpus.units[i].kind == "label" else []
        for j in run[:most]:
            # Each part with its first line: what the part is, not its name alone.
            headed += [k for k in (j, *content_after(corpus, j, 1)[:1]) if k not in chosen and k not in headed]
    # Parallel blocks ("**Month 1-2: Production Setup**", "**Month 3-4: …**"): two of them chosen bring
    # the passage's others, so a timeline or a set of options is shown whole.
    leads: dict[tuple[str, str], set[int]] = {}
    for i in chosen:
        m = PARALLEL_LABEL.match(corpus.unit_text(i))
        if m and corpus.units[i].kind in ("label", "sentence") and not NUMBERED_LABEL.match(corpus.unit_text(i)):
            leads.setdefault((corpus.units[i].chunk_id, m.group(1).lower()), set()).add(i)
    out: list[int] = []
    for (chunk_id, lead), picked in leads.items():
        if len(picked) < 2:
            continue
        for j in corpus.units_by_chunk[chunk_id]:
            m = PARALLEL_LABEL.match(corpus.unit_text(j))
            if (
                j not in picked
                and m
                and m.group(1).lower() == lead
                and corpus.units[j].kind == corpus.units[min(picked)].kind
            ):
                out += [j, *content_after(corpus, j, most)]
    for chunk_id, have in numbers.items():
        if len(have) < 2:
            continue
        for j in corpus.units_by_chunk[chunk_id]:
            m = NUMBERED_LABEL.match(corpus.unit_text(j))
            if m and corpus.units[j].kind == "label" and int(m.group(1)) < max(have) and int(m.group(1)) not in have:
                out += [j, *content_after(corpus, j, most)]
    return headed + [j for j in out if j not in headed]


def _numbered_run(corpus: Corpus, i: int) -> list[int]:
    """The numbered labels "1.", "2.", … of ``i``'s passage that follow it, when the first comes next after
    it (with only their own lists between them); empty otherwise."""
    idx = corpus.units_by_chunk[corpus.units[i].chunk_id]
    after = idx[idx.index(i) + 1 :]
    labels = [j for j in after if corpus.units[j].kind == "label"]
    if not after or after[0] != (labels[0] if labels else None):
        return []
    run: list[int] = []
    for j in labels:
        m = NUMBERED_LABEL.match(corpus.unit_text(j))
        if not m or int(m.group(1)) != len(run) + 1:
            break
        run.append(j)
    if len(run) < 2:
        # Or the labels the label names by their first word: "The "Crawl, Walk, Run" Curriculum:" over
        # "Crawl: Getting Started", "Walk: Becoming Effective" and "Run: Power User".
        # Each part's word is its own ("Tier 1:" over "Tier 2:" and "Tier 3:" is one of parallel blocks).
        named = {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", corpus.unit_text(i))}
        own = _LEAD.match(corpus.unit_text(i))
        seen = {own.group(1).lower()} if own else set()
        run = []
        for j in labels:
            lead = _LEAD.match(corpus.unit_text(j))
            if not lead or lead.group(1).lower() not in named - seen:
                break
            seen.add(lead.group(1).lower())
            run.append(j)
    return run if len(run) >= 2 else []


# A label's first word before its colon: "**Crawl: Getting Started**".
_LEAD = re.compile(r"^\W*([A-Za-z][\w-]*)\s*:")
