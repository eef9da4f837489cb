"""Cleaning and structure on the real documents' quirks (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import KNOWLEDGE

from assistant.errors import KnowledgeError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_text
from assistant.ingest.pipeline import prepare_document
from assistant.ingest.structure import heading_text


def doc(name: str):
    path = KNOWLEDGE / name
    return prepare_document(name, path, path.read_bytes())


def headings(d) -> list[str]:
    return [heading_text(d.text, b) for b in d.blocks if b.kind == "heading"]


def test_front_matter_becomes_metadata_and_leaves_the_text():
    d = doc("enterprise-ai-agent-implementation.md")
    assert d.meta["author"] == "Calder"
    assert d.meta["date"].startswith("2025-09-11")
    assert d.title.startswith("Enterprise AI Agent Implementation: From Boardroom Pitch")
    assert "layout: post" not in d.text and "header-img" not in d.text


def test_html_wrappers_dropped_and_garbled_translation_excluded():
    d = doc("enterprise-ai-agent-implementation.md")
    assert "<div" not in d.text and "</div>" not in d.text
    assert "2024315,947" not in d.text  # a fragment of the garbled lang-zh block
    assert d.text.count("The Numbers Nobody Publishes") == 1  # the English text is kept, once


def test_contact_details_are_not_answer_material():
    d = doc("enterprise-ai-agent-implementation.md")
    chunks, _ = chunk_document(d)
    assert not any("jason@" in c.text for c in chunks)
    assert any(b.kind == "excluded" and b.reason == "contact details" for b in d.blocks)


def test_run_on_roadmap_is_split_back_into_headings_and_list_items():
    d = doc("enterprise-ai-90-day-roadmap.txt")
    found = headings(d)
    assert found[0] == "Enterprise AI Roadmap: A 90-Day Plan from Pilot to Production"  # link text kept
    for expected in ("Why 90 days works", "Guiding principles", "Day 0 prerequisites", "2) Technical architecture"):
        assert expected in found
    assert "\n- Executive sponsor and business owner:" in d.text
    assert "adoption sticks.Why" not in d.text
    assert "\nDeliverable: Baseline report" in d.text  # "exception volumeDeliverable:" un-glued


def test_plain_text_headings_and_faq_nesting():
    d = doc("genai-implementation-guide.txt")
    levels = {heading_text(d.text, b): b.level for b in d.blocks if b.kind == "heading"}
    assert levels["Phase 3: the go/no-go decision"] == 2
    assert levels["Do we need a dedicated ML engineer to implement gen AI?"] == 3
    assert "A complete use case definition contains six elements:" not in levels  # a sentence, not a heading


def test_toc_and_dead_references_are_not_indexed():
    d = doc("smb-ai-journey.md")
    reasons = {b.reason for b in d.blocks if b.kind == "excluded"}
    assert {"table of contents", "link list"} <= reasons
    chunks, _ = chunk_document(d)
    assert not any("](#" in c.text or "SMB-AI-Adoption-Research.md" in c.text for c in chunks)


def test_headings_inside_code_fences_are_not_headings():
    d = doc("pilot-to-production-methodology.md")
    assert "Model Card: Claims Letter Assistant v2.0" not in headings(d)


def test_html_and_pdf_loaders(tmp_path: Path):
    html = (
        b"<html><head><title>T</title></head><body><h1>Guide</h1><p>Pilots run four weeks.</p>"
        b"<ul><li>One</li><li>Two</li></ul></body></html>"
    )
    text, fmt = load_text(Path("a.html"), html)
    assert fmt == "markdown" and "# Guide" in text and "- One\n- Two" in text

    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 10, "Pilot Budget\nA pilot costs between five and fifteen thousand dollars.")
    path = tmp_path / "p.pdf"
    pdf.output(str(path))
    text, fmt = load_text(path, path.read_bytes())
    assert fmt == "text" and "five and fifteen thousand dollars" in text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.md", b"", "empty"),
        ("b.txt", b"\x00\x01\x02binary", "binary"),
        ("c.md", b"caf\xe9 latin-1", "UTF-8"),
        ("d.docx", b"PK\x03\x04", "unsupported"),
        ("e.pdf", b"%PDF-1.4 garbage", "PDF"),
    ],
)
def test_bad_files_raise_a_reason(name: str, data: bytes, reason: str):
    with pytest.raises(KnowledgeError, match=reason):
        load_text(Path(name), data)
