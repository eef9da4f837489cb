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

import json
import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.chunking import item_spans
from assistant.index_files import atomic_write
from assistant.lexicon import Vocabulary
from assistant.structure import heading_text
from assistant.types import Block, CleanDocument

MAX_POINTS = 20

_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+")
_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?(?:✅\s*|❌\s*|☐\s*)?")
_BAND = re.compile(
    r"^\s*[-*+]\s+\*\*\s*(?:(?P<low>\d+)\s*[-–]\s*(?P<high>\d+)|<\s*(?P<below>\d+))\s*:?\s*\*\*\s*:?\s*(?P<label>.+?)\s*$"
)
_SCORE_LABEL = re.compile(r"^scor(?:e|ing)\b", re.I)
_CRITERIA_LABEL = re.compile(r"^(?:criteria\b|before\b)|\bcriteria$|\bconfirm$", re.I)
_LABEL_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.)]|[A-Z][.)])\s+")
_ID_DROP = frozenset(["assessment", "checklist", "starting", "confirm", "the", "a", "an", "your", "our"])


class Source(BaseModel):
    """Where a piece of the catalog comes from: a span of a document's cleaned text."""

    doc: str
    title: str
    section: str
    quote: str
    start: int
    end: int


class Item(BaseModel):
    n: int
    text: str
    group: str = ""
    citation: Source


class Band(BaseModel):
    low: int
    high: int
    label: str
    range: str  # as the document writes it: "18-20", "<12"
    citation: Source


class Checklist(BaseModel):
    id: str
    title: str
    kind: str  # "assessment" (has scoring bands), "checklist" (- [ ] items), "criteria" (a list of conditions)
    doc: str
    doc_title: str
    section: str
    items: list[Item]
    bands: list[Band] = Field(default_factory=list)
    citation: Source

    @property
    def groups(self) -> list[str]:
        seen: list[str] = []
        for item in self.items:
            if item.group and item.group not in seen:
                seen.append(item.group)
        return seen


class Criterion(BaseModel):
    """One go/no-go criterion. ``metric`` is what it measures (``active_users``, ``acceptance``,
    ``satisfaction``, ``critical_issues``, ``roi_positive``) or None when no input measures it."""

    text: str
    metric: str | None = None
    op: str | None = None  # ">=", ">", "<", "<=", "=="
    value: float | bool | None = None
    citation: Source


class DecisionFramework(BaseModel):
    title: str
    go: list[Criterion]
    iterate: list[Criterion]
    stop: list[Criterion]
    citation: Source


class RoiFigures(BaseModel):
    """The inputs of the scope template's ROI formula."""

    minutes_before: float
    minutes_after: float
    tasks_per_day: float
    users: float
    work_days: float
    hourly_rate: float

    def figures(self) -> RoiFigures:
        return RoiFigures(**{name: getattr(self, name) for name in RoiFigures.model_fields})

    def hours_per_year(self) -> float:
        """(minutes before − minutes after) × tasks a day × users × work days ÷ 60."""
        saved = self.minutes_before - self.minutes_after
        return saved * self.tasks_per_day * self.users * self.work_days / 60


class RoiExample(RoiFigures):
    """The playbook's worked example: its inputs and the figures it states."""

    stated_hours: float
    stated_savings: float
    citation: Source
    # The formula's line without the figures it states: what a calculation with other inputs cites.
    formula_citation: Source | None = None


class Catalog(BaseModel):
    checklists: list[Checklist] = Field(default_factory=list)
    vocabulary: str = ""  # the digest of the vocabulary file the go/no-go framework was read with
    decision: DecisionFramework | None = None
    roi_example: RoiExample | None = None

    def get(self, checklist_id: str) -> Checklist | None:
        return next((c for c in self.checklists if c.id == checklist_id), None)


class DocumentExtract(BaseModel):
    """What one document contributes to the catalog (ids are settled when documents are merged)."""

    checklists: list[Checklist] = Field(default_factory=list)
    roi_example: RoiExample | None = None


# ---------------------------------------------------------------------------------------------- ids


def _words(title: str) -> list[str]:
    title = re.sub(r"\([^)]*\)", " ", title)
    return re.findall(r"[a-z0-9]+", title.lower().replace("'", ""))


def slug(title: str) -> str:
    words = [w for w in _words(title) if w not in _ID_DROP]
    if len(words) > 2 and words[0] == "criteria" and words[1] == "for":
        words = [*words[2:], "criteria"]
    return "-".join(words) or "checklist"


def _heading_slug(section: str, title: str) -> str:
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
    out.roi_example = _roi_example(doc, sections, source)
    return out


# ---------------------------------------------------------------------------- decision criteria

_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*%(\s*\+)?")
_SCALE = re.compile(r"(\d+(?:\.\d+)?)(\s*\+)?\s*(?:out of|/)\s*(\d+(?:\.\d+)?)")
# How a threshold is compared, from the words just before or after its figure.
_BEFORE = (
    (re.compile(r"(?:at least|no less than|no fewer than|minimum(?: of)?|min\.?|≥|>=)\s*$"), ">="),
    (re.compile(r"(?:at most|no more than|maximum(?: of)?|max\.?|≤|<=)\s*$"), "<="),
    (re.compile(r"(?:more than|greater than|higher than|over|above|exceeds?|exceeding|>)\s*$"), ">"),
    (re.compile(r"(?:less than|fewer than|lower than|below|under|<)\s*$"), "<"),
)
_AFTER = (
    (re.compile(r"^\s*(?:or|and) (?:more|higher|above|better|over)\b"), ">="),
    (re.compile(r"^\s*(?:or|and) (?:less|fewer|lower|below|under|worse)\b"), "<="),
)


def _comparison(low: str, start: int, end: int, plus: bool) -> str | None:
    if plus:
        return ">="
    before = low[max(0, start - 24) : start]
    after = low[end : end + 16]
    for pattern, op in _BEFORE:
        if pattern.search(before):
            return op
    for pattern, op in _AFTER:
        if pattern.search(after):
            return op
    return None


def _threshold(low: str, kind: str) -> tuple[str, float] | None:
    """The comparison and value of a criterion's figure of this kind, or None when it has none."""
    if kind == "share":
        for m in _SHARE.finditer(low):
            if _SCALE.match(low, m.start()) is None and (op := _comparison(low, m.start(), m.end(), bool(m.group(2)))):
                return op, float(m.group(1)) / 100
    elif kind == "scale":
        for m in _SCALE.finditer(low):
            if op := _comparison(low, m.start(), m.end(), bool(m.group(2))):
                return op, float(m.group(1))
    return None


def parse_criterion(text: str, citation: Source, vocabulary: Vocabulary) -> Criterion:
    """Read what a criterion measures and its threshold from its wording: the input it names (the
    vocabulary's words for each input) and a figure with a comparison ("70%+", "at least 70%",
    "below 2.5 out of 5"). A criterion no input measures ("Users actively avoiding the tool"), or
    one that names an input with no threshold this evaluator can check, keeps ``metric=None`` and
    is judged by people."""
    low = text.lower()
    for metric in vocabulary.metrics:
        if not metric.named_in(low):
            continue
        if metric.kind == "flag":
            return Criterion(text=text, metric=metric.name, op="==", value=not metric.denied_in(low), citation=citation)
        if found := _threshold(low, metric.kind):
            op, value = found
            return Criterion(text=text, metric=metric.name, op=op, value=value, citation=citation)
    return Criterion(text=text, citation=citation)


def _decision(checklists: list[Checklist], vocabulary: Vocabulary) -> DecisionFramework | None:
    """The go/no-go framework: the first document's criteria lists whose labels name the outcomes
    (a GO list at least), read as metrics and thresholds."""
    by_doc: dict[str, dict[str, Checklist]] = {}
    for c in checklists:
        if c.kind == "criteria" and (outcome := vocabulary.outcome_of(c.title)):
            by_doc.setdefault(c.doc, {}).setdefault(outcome, c)
    found = next((lists for lists in by_doc.values() if "go" in lists), None)
    if found is None:
        return None
    go = found["go"]
    parts = {key: [parse_criterion(i.text, i.citation, vocabulary) for i in c.items] for key, c in found.items()}
    return DecisionFramework(
        title=go.section.split(" > ")[-1],
        go=parts.get("go", []),
        iterate=parts.get("iterate", []),
        stop=parts.get("stop", []),
        citation=go.citation,
    )


# -------------------------------------------------------------------------------- ROI example

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_TIMES = r"\s*(?:×|\*|\bx\b)\s*"
_UNIT_WORDS = r"[^×*=\n]{0,40}?"  # what a factor counts: "letters/day", "users", "work days a year"
_MIN = r"\s*min(?:ute)?s?\.?"
# The worked example by its formula's shape, whatever it counts: minutes before - minutes after =
# minutes saved × tasks a day × people × days = hours; then hours × $rate an hour = $savings.
_ROI_HOURS = re.compile(
    rf"{_NUM}{_MIN}\s*[-–−]\s*{_NUM}{_MIN}\s*=\s*{_NUM}{_MIN}(?:\s*saved)?"
    rf"{_TIMES}{_NUM}{_UNIT_WORDS}{_TIMES}{_NUM}{_UNIT_WORDS}{_TIMES}{_NUM}{_UNIT_WORDS}=\s*{_NUM}\s*h(?:ou)?rs?",
    re.I,
)
_ROI_MONEY = re.compile(
    rf"{_NUM}\s*h(?:ou)?rs?{_TIMES}\$\s*{_NUM}\s*(?:/\s*h(?:ou)?r|per\s+hour|an\s+hour|/h)[^=\n]*=\s*\$\s*{_NUM}", re.I
)


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _roi_example(
    doc: CleanDocument, sections: list[tuple[str, Block | None, list[Block]]], source: object
) -> RoiExample | None:
    text = doc.text
    m = _ROI_HOURS.search(text)
    if not m:
        return None
    money = _ROI_MONEY.search(text, m.end(), m.end() + 400)
    if not money:
        return None
    section = doc.title
    for name, head, _ in sections:
        if head is not None and head.start <= m.start():
            section = name
    assert callable(source)
    line_start = text.rfind("\n", 0, m.start()) + 1
    while text[line_start].isspace():
        line_start += 1
    formula_end = text.rfind("=", m.start(), m.start(7))  # before the hours it states
    while formula_end > line_start and text[formula_end - 1].isspace():
        formula_end -= 1
    return RoiExample(
        minutes_before=_num(m.group(1)),
        minutes_after=_num(m.group(2)),
        tasks_per_day=_num(m.group(4)),
        users=_num(m.group(5)),
        work_days=_num(m.group(6)),
        hourly_rate=_num(money.group(2)),
        stated_hours=_num(m.group(7)),
        stated_savings=_num(money.group(3)),
        citation=source(section, line_start, money.end()),
        formula_citation=source(section, line_start, formula_end),
    )


# ------------------------------------------------------------------------------------ the catalog


def merge(extracts: list[DocumentExtract], vocabulary: Vocabulary) -> Catalog:
    """One catalog from every document's extract, in document order, with unique ids, and the
    go/no-go framework read from its criteria lists in the words of ``vocabulary``."""
    catalog = Catalog(vocabulary=vocabulary.digest)
    for ex in extracts:
        catalog.checklists.extend(c.model_copy(deep=True) for c in ex.checklists)
        catalog.roi_example = catalog.roi_example or ex.roi_example
    catalog.decision = _decision(catalog.checklists, vocabulary)
    counts = Counter(c.id for c in catalog.checklists)
    for c in catalog.checklists:
        if counts[c.id] > 1:
            c.id = _heading_slug(c.section, c.title)
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
