"""What the playbook's tools are made of, as parsed at ingest and kept in the catalog: checklists with their
items and score bands, go/no-go criteria, the ROI example; each with the source it was read from."""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_POINTS = 20


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


class DocumentExtract(BaseModel):
    """What one document contributes to the catalog (ids are settled when documents are merged)."""

    checklists: list[Checklist] = Field(default_factory=list)
    roi_example: RoiExample | None = None


class Catalog(BaseModel):
    checklists: list[Checklist] = Field(default_factory=list)
    vocabulary: str = ""  # the digest of the vocabulary file the go/no-go framework was read with
    decision: DecisionFramework | None = None
    roi_example: RoiExample | None = None

    def get(self, checklist_id: str) -> Checklist | None:
        return next((c for c in self.checklists if c.id == checklist_id), None)
