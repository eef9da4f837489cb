"""The checklist catalog: every checklist, scored assessment and criteria list of the playbook, parsed
from the documents at ingest, so an edited document changes the checklists without a code change.

What counts as a checklist:
- ``- [ ]`` items under one heading, grouped by the ``**Bold:**`` labels above them. A section with a
  single labelled group is named by its label ("Before Starting Pilot"), otherwise by its heading
  ("Pilot Readiness");
- a list introduced by a label that makes it a list of conditions: "Criteria for ...", "... criteria",
  "Before ...", "... confirm:";
- scoring bands (``- **18-20:** Ready to start``) under a "Score:" / "Scoring:" label belong to the
  checklist of the same section.

Ids come from titles: lower-case words joined by ``-``, without parentheses, quotes and the words
"assessment", "checklist", "starting", "confirm"; "Criteria for GO" becomes ``go-criteria``. When
two lists would share an id, each is prefixed with its heading's words.

Criteria lists whose labels name the go/no-go outcomes (the words of ``vocabulary.toml``: "Criteria
for GO", "Kill criteria") are also read as a decision framework: the input each criterion names and
its threshold ("70%+", "at least 70%", "below 2.5 out of 5"). A worked ROI example is found by its
formula's shape ("45 min - 5 min = 40 min saved × 8 letters/day × 15 users × 240 work days = …
hours", then hours × $rate = $savings) and read with the figures it states.
"""

from __future__ import annotations

import re

from assistant.ingest.chunking import item_spans
from assistant.ingest.structure import heading_text
from assistant.tools.criteria import roi_example
from assistant.tools.models import (
    Band,
    Checklist,
    DocumentExtract,
    Item,
    Source,
)
from assistant.types import Block, CleanDocument

_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+")
_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?(?:✅\s*|❌\s*|☐\s*)?")
_BAND = re.compile(
    r"^\s*[-*+]\s+\*\*\s*(?:(?P<low>\d+)\s*[-–]\s*(?P<high>\d+)|<\s*(?P<below>\d+))\s*:?\s*\*\*\s*:?\s*(?P<label>.+?)\s*$"
)
_SCORE_LABEL = re.compile(r"^scor(?:e|ing)\b", re.I)
_CRITERIA_LABEL = re.compile(r"^(?:criteria\b|before\b)|\bcriteria$|\bconfirm$", re.I)
_LABEL_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.)]|[A-Z][.)])\s+")
_ID_DROP = frozenset(["assessment", "checklist", "starting", "confirm", "the", "a", "an", "your", "our"])


# ---------------------------------------------------------------------------------------------- ids


def _words(title: str) -> list[str]:
    title = re.sub(r"\([^)]*\)", " ", title)
    return re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))


def slug(title: str) -> str:
    words = [w for w in _words(title) if w not in _ID_DROP]
    if len(words) > 2 and words[0] == "criteria" and words[1] == "for":
        words = [*words[2:], "criteria"]
    return "-".join(words) or "checklist"


def heading_slug(section: str, title: str) -> str:
    heading = section.split(" > ")[-1]
    heading = re.sub(r"^\s*(?:[A-Z]|\d{1,2})[.)]\s+|^\s*(?:phase|step|stage)\s+\d+\s*:\s*", "", heading, flags=re.I)
    words: list[str] = []
    for w in [*slug(heading).split("-"), *slug(title).split("-")]:
        if w not in words:
            words.append(w)
    return "-".join(words)


# ------------------------------------------------------------------------------------ extraction


def _clean_label(text: str) -> str:
    label = text.strip().replace("**", "").strip()
    label = label.rstrip(":").strip()
    return _LABEL_NUMBER.sub("", label).strip()


def _bare(label: str) -> str:
    """A label without its parenthetical remarks and quotes: 'Criteria for "GO" (Proceed)' → 'Criteria for GO'."""
    return " ".join(re.sub(r"\([^)]*\)|[\"“”']", " ", label).split())


def _item_text(raw: str) -> str:
    return " ".join(_MARKER.sub("", raw).replace("**", "").split())


def extract(doc: CleanDocument) -> DocumentExtract:
    """The checklists, decision framework and ROI example of one document."""
    text = doc.text
    out = DocumentExtract()
    path: list[tuple[int, str]] = []
    sections: list[tuple[str, Block | None, list[Block]]] = []
    current: list[Block] = []
    heading: Block | None = None

    def section_name() -> str:
        return " > ".join(title for level, title in path if level > 1) or doc.title

    name = doc.title
    for block in doc.blocks:
        if block.kind == "heading":
            sections.append((name, heading, current))
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, heading_text(text, block)))
            name, heading, current = section_name(), block, []
        elif block.kind in ("label", "list") or block.kind in ("paragraph", "table", "code"):
            current.append(block)
    sections.append((name, heading, current))

    def source(section: str, start: int, end: int) -> Source:
        return Source(doc=doc.doc_id, title=doc.title, section=section, quote=text[start:end], start=start, end=end)

    for section, head, blocks in sections:
        groups: list[tuple[Block | None, list[tuple[int, int]]]] = []
        bands: list[Band] = []
        label: Block | None = None
        for k, block in enumerate(blocks):
            if block.kind == "label":
                label = block
                continue
            previous_label = label if k > 0 and blocks[k - 1] is label else None
            label = None
            if block.kind != "list":
                continue
            spans = item_spans(text, block)
            label_text = _clean_label(text[previous_label.start : previous_label.end]) if previous_label else ""
            if spans and all(_CHECKBOX.match(text[s:e]) for s, e in spans):
                groups.append((previous_label, spans))
            elif label_text and _SCORE_LABEL.match(label_text):
                for s, e in spans:
                    m = _BAND.match(text[s:e])
                    if not m:
                        continue
                    if m.group("below"):
                        low, high, rng = 0, int(m.group("below")) - 1, f"<{m.group('below')}"
                    else:
                        low, high = int(m.group("low")), int(m.group("high"))
                        rng = f"{low}-{high}"
                    bands.append(
                        Band(low=low, high=high, label=m.group("label"), range=rng, citation=source(section, s, e))
                    )
            elif (
                previous_label is not None
                and _CRITERIA_LABEL.search(_bare(label_text))
                and not _LABEL_NUMBER.match(text[previous_label.start : previous_label.end].replace("**", ""))
            ):  # a numbered label heads a numbered point ("3. No Clear Success Criteria"), not a list of conditions
                items = [
                    Item(n=i + 1, text=_item_text(text[s:e]), citation=source(section, s, e))
                    for i, (s, e) in enumerate(spans)
                ]
                out.checklists.append(
                    Checklist(
                        id=slug(label_text),
                        title=label_text,
                        kind="criteria",
                        doc=doc.doc_id,
                        doc_title=doc.title,
                        section=section,
                        items=items,
                        citation=source(section, previous_label.start, block.end),
                    )
                )
        if not groups:
            continue
        labelled = [g for g in groups if g[0] is not None]
        heading_title = section.split(" > ")[-1]
        if len(groups) == 1 and labelled:
            first_label = labelled[0][0]
            assert first_label is not None
            title = _clean_label(text[first_label.start : first_label.end])
            use_groups = False
        else:
            title, use_groups = heading_title, True
        items = []
        for lab, spans in groups:
            group = _clean_label(text[lab.start : lab.end]) if (lab is not None and use_groups) else ""
            for s, e in spans:
                items.append(
                    Item(n=len(items) + 1, text=_item_text(text[s:e]), group=group, citation=source(section, s, e))
                )
        start = head.start if head is not None else groups[0][1][0][0]
        end = max([groups[-1][1][-1][1], *[b.citation.end for b in bands]])
        out.checklists.append(
            Checklist(
                id=slug(title),
                title=title,
                kind="assessment" if bands else "checklist",
                doc=doc.doc_id,
                doc_title=doc.title,
                section=section,
                items=items,
                bands=sorted(bands, key=lambda b: -b.low),
                citation=source(section, start, end),
            )
        )
    out.roi_example = roi_example(doc, sections, source)
    return out


# ---------------------------------------------------------------------------- decision criteria


# -------------------------------------------------------------------------------- ROI example


# ------------------------------------------------------------------------------------ the catalog
