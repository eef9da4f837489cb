"""``coach brief``: every question present, uncovered ones flagged, quotes verbatim, DOCX opens."""

from __future__ import annotations

import re

from assistant.interfaces.brief import write_brief

QUESTIONS = (
    """How long should a pilot run?
# comments and blank lines are skipped

What does a pilot cost for a small business?
What is the best CRM for a bakery?
How do we pick pilot users?
What is the capital of France?
"""
    + "x" * 3000
    + "\n"
)


def test_markdown_brief(coach, tmp_path):
    src = tmp_path / "questions.txt"
    src.write_text(QUESTIONS, "utf-8")
    out = tmp_path / "brief.md"
    items = write_brief(coach, src, out, client="Acme Bakery")
    text = out.read_text("utf-8")
    assert text.startswith("# Playbook brief: Acme Bakery")
    assert len(items) == 6
    for item in items[:5]:
        assert item.question in text
    summary = text.split("## Answers")[0]
    assert summary.count("Not covered by the playbook (flagged below)") == 2
    assert "Not processed: The question is 3,000 characters long" in summary
    flagged = text.split("## Not covered by the playbook")[1]
    assert "What is the best CRM for a bakery?" in flagged and "What is the capital of France?" in flagged
    # Every footnote quotes the document verbatim, and every reference has its footnote.
    for item in items:
        if item.covered:
            for c in item.answer.citations:
                assert coach.corpus.texts[c.doc][c.start : c.end] == c.quote
    refs = set(re.findall(r"\[\^(\d+-\d+)\](?!:)", text))
    notes = set(re.findall(r"^\[\^(\d+-\d+)\]:", text, re.M))
    assert refs and refs == notes
    assert "## Sources" in text and "cited" in text


def test_docx_brief_holds_the_same_content(coach, tmp_path):
    from docx import Document

    src = tmp_path / "questions.jsonl"
    src.write_text('{"question": "How long should a pilot run?"}\n{"question": "What is the capital of France?"}\n')
    out = tmp_path / "brief.docx"
    write_brief(coach, src, out, client="Acme")
    doc = Document(str(out))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Playbook brief: Acme" in body and "How long should a pilot run?" in body
    assert "Not covered by the playbook" in body and "What is the capital of France?" in body
    assert "weeks" in cells and "Confidence" in cells
