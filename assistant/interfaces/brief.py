"""``coach brief``: a client-ready brief from a list of questions — a summary table, each answer with
footnoted sources and their quotes, the questions the playbook does not cover (flagged for the
consultant, never invented) and a sources appendix. Markdown or DOCX (python-docx).

A question that cannot be answered (empty, too long) is reported in the brief; it does not stop it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import CoachError, InputError
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.service.coach import Coach

_MARK = re.compile(r"\[(\d+)\]")


@dataclass
class BriefItem:
    n: int
    question: str
    answer: Answer | None = None
    error: str | None = None

    @property
    def covered(self) -> bool:
        return self.answer is not None and not self.answer.abstained


def read_questions(path: Path) -> list[str]:
    """One question per line, or JSONL objects with a "question" field; blank and # lines are skipped."""
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the questions file {path}: {exc}.") from exc
    questions = []
    for lineno, line in enumerate(raw.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if path.suffix.lower() == ".jsonl" or stripped.startswith("{"):
            try:
                row = json.loads(stripped)
                questions.append(str(row["question"]))
            except (ValueError, KeyError, TypeError):
                questions.append(f"(line {lineno} is not a JSON object with a question)")
        else:
            questions.append(stripped)
    if not questions:
        raise InputError(f"{path} has no questions. Write one question per line.")
    return questions


def answer_all(coach: Coach, questions: list[str], *, progress: bool | None = None) -> list[BriefItem]:
    items = [BriefItem(k + 1, q) for k, q in enumerate(questions)]
    show = sys.stderr.isatty() if progress is None else progress
    iterable = items
    if show:
        from tqdm import tqdm

        iterable = tqdm(items, desc="Answering", unit="question", file=sys.stderr)
    for item in iterable:
        if item.question.startswith("(line ") and item.question.endswith("with a question)"):
            item.error = item.question.strip("()")
            continue
        try:
            item.answer = coach.ask(item.question, channel="brief")
        except CoachError as exc:
            item.error = str(exc)
    return items


def one_line(answer: Answer, limit: int = 160) -> str:
    """The answer's first statement, without citation markers or Markdown."""
    for line in answer.answer.splitlines():
        text = line.strip()
        if not text or text.startswith("From *") or "playbook documents speak to this" in text:
            continue
        if text.startswith("|") or not _MARK.search(text):
            continue  # tables, and labels without a cited statement
        text = _MARK.sub("", text).replace("**", "").lstrip("-*• ").strip()
        text = re.sub(r"^(?:A|Answer):\s*", "", text)
        text = " ".join(text.split())
        if text.rstrip('"”').endswith("?"):
            continue  # the playbook's own question above its answer ("Q: How long will this take?")
        if len(text.split()) >= 3:
            return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return " ".join(_MARK.sub("", answer.answer).split())[:limit]


def _footnoted(item: BriefItem) -> tuple[str, list[tuple[str, str]]]:
    """The answer with ``[k]`` turned into footnote references ``[^q-k]``, and the footnotes."""
    assert item.answer is not None
    text = _MARK.sub(lambda m: f"[^{item.n}-{m.group(1)}]", item.answer.answer)
    notes = [
        (f"{item.n}-{c.n}", f"{c.title} — {c.section}: “{' '.join(c.quote.split())}”") for c in item.answer.citations
    ]
    return text, notes


def _summary(item: BriefItem) -> tuple[str, str]:
    if item.error:
        return f"Not processed: {item.error}", "—"
    assert item.answer is not None
    if item.answer.abstained:
        return "Not covered by the playbook (flagged below)", "—"
    return one_line(item.answer), f"{item.answer.confidence:.0%}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(items: list[BriefItem], client: str, date: dt.date) -> str:
    lines = [f"# Playbook brief{f': {client}' if client else ''}", "", f"Prepared {date:%d %B %Y}.", ""]
    covered = [i for i in items if i.covered]
    uncovered = [i for i in items if i.answer is not None and i.answer.abstained]
    failed = [i for i in items if i.error]
    lines += [
        f"{len(items)} questions: {len(covered)} answered from the playbook, {len(uncovered)} not covered by it"
        + (f", {len(failed)} not processed" if failed else "")
        + ". Every answer quotes the playbook; the quotes are in the footnotes.",
        "",
        "## Summary",
        "",
        "| # | Question | Answer | Confidence |",
        "|---|---|---|---|",
    ]
    for item in items:
        answer, confidence = _summary(item)
        lines.append(f"| {item.n} | {_cell(item.question)} | {_cell(answer)} | {confidence} |")
    lines += ["", "## Answers", ""]
    sources: dict[tuple[str, str], int] = {}
    for item in covered:
        text, notes = _footnoted(item)
        lines += [f"### {item.n}. {item.question}", "", text, ""]
        lines += [f"[^{key}]: {note}" for key, note in notes]
        lines.append("")
        assert item.answer is not None
        for c in item.answer.citations:
            sources[(c.title, c.section)] = sources.get((c.title, c.section), 0) + 1
    lines += ["## Not covered by the playbook", ""]
    if uncovered:
        lines.append("The playbook does not answer these; nothing was invented. Nearest topics it does cover:")
        lines.append("")
        for item in uncovered:
            assert item.answer is not None
            near = "; ".join(item.answer.nearest_topics) or "none close"
            lines.append(f"- **{item.n}. {item.question}** — nearest: {near}")
    else:
        lines.append("Every question is covered by the playbook.")
    if failed:
        lines += ["", "## Questions not processed", ""]
        lines += [f"- **{i.n}. {i.question[:200]}** — {i.error}" for i in failed]
    lines += ["", "## Sources", ""]
    for (title, section), count in sorted(sources.items()):
        lines.append(f"- {title} — {section} (cited {count}×)")
    if not sources:
        lines.append("No sources were cited.")
    return "\n".join(lines) + "\n"


def write_docx(items: list[BriefItem], client: str, date: dt.date, out: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(f"Playbook brief{f': {client}' if client else ''}", level=0)
    doc.add_paragraph(f"Prepared {date:%d %B %Y}.")
    doc.add_heading("Summary", level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Light Grid Accent 1"
    for cell, head in zip(table.rows[0].cells, ("#", "Question", "Answer", "Confidence"), strict=True):
        cell.text = head
    for item in items:
        answer, confidence = _summary(item)
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text, row[3].text = str(item.n), item.question, answer, confidence
    doc.add_heading("Answers", level=1)
    sources: dict[tuple[str, str], int] = {}
    for item in items:
        if not item.covered:
            continue
        assert item.answer is not None
        doc.add_heading(f"{item.n}. {item.question}", level=2)
        for line in item.answer.answer.splitlines():
            if not line.strip():
                continue
            para = doc.add_paragraph(style="List Bullet" if line.lstrip().startswith("- ") else None)
            text = line.lstrip()[2:] if line.lstrip().startswith("- ") else line
            for k, piece in enumerate(_MARK.split(text)):
                run = para.add_run(piece.replace("**", "") if k % 2 == 0 else f"[{item.n}-{piece}]")
                run.font.superscript = k % 2 == 1
        notes = doc.add_paragraph()
        for c in item.answer.citations:
            run = notes.add_run(f"[{item.n}-{c.n}] {c.title} — {c.section}: “{' '.join(c.quote.split())}”\n")
            run.font.size = Pt(8)
            sources[(c.title, c.section)] = sources.get((c.title, c.section), 0) + 1
    doc.add_heading("Not covered by the playbook", level=1)
    uncovered = [i for i in items if i.answer is not None and i.answer.abstained]
    if uncovered:
        doc.add_paragraph("The playbook does not answer these; nothing was invented.")
        for item in uncovered:
            assert item.answer is not None
            near = "; ".join(item.answer.nearest_topics) or "none close"
            doc.add_paragraph(f"{item.n}. {item.question} — nearest: {near}", style="List Bullet")
    else:
        doc.add_paragraph("Every question is covered by the playbook.")
    failed = [i for i in items if i.error]
    if failed:
        doc.add_heading("Questions not processed", level=1)
        for item in failed:
            doc.add_paragraph(f"{item.n}. {item.question[:200]} — {item.error}", style="List Bullet")
    doc.add_heading("Sources", level=1)
    for (title, section), count in sorted(sources.items()):
        doc.add_paragraph(f"{title} — {section} (cited {count}×)", style="List Bullet")
    doc.save(str(out))


def write_brief(coach: Coach, questions_file: Path, out: Path, client: str = "") -> list[BriefItem]:
    if out.suffix.lower() not in (".md", ".docx"):
        raise InputError(f"The brief is written as .md or .docx; got '{out.name}'.")
    items = answer_all(coach, read_questions(questions_file))
    date = dt.date.today()
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".docx":
        write_docx(items, client, date, out)
    else:
        out.write_text(render_markdown(items, client, date), "utf-8")
    return items
