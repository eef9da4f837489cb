"""Chunks and units map exactly onto the cleaned text; lists stay with their headings."""

from __future__ import annotations

import itertools
from pathlib import Path

from conftest import KNOWLEDGE

from assistant.ingest.chunking import chunk_document
from assistant.ingest.pipeline import knowledge_files, prepare_document


def all_docs():
    for path in knowledge_files(KNOWLEDGE):
        yield prepare_document(path.name, path, path.read_bytes())


def test_offsets_map_back_to_the_text():
    for d in all_docs():
        chunks, units = chunk_document(d)
        assert chunks, d.doc_id
        spans = {c.id: (c.start, c.end) for c in chunks}
        for c in chunks:
            assert d.text[c.start : c.end] == c.text
        for u in units:
            start, end = spans[u.chunk_id]
            assert start <= u.start < u.end <= end
            assert d.text[u.start : u.end].strip() == d.text[u.start : u.end]


def test_checklist_stays_with_its_heading_and_label():
    d = next(x for x in all_docs() if x.doc_id == "smb-ai-journey.md")
    chunks, _ = chunk_document(d)
    chunk = next(c for c in chunks if "**Before Starting Pilot:**" in c.text)
    assert chunk.section == "Pilot Stage > Readiness Checklist"
    assert chunk.text.count("- [ ]") == 8
    assert chunk.text.startswith("### Readiness Checklist")


def test_section_paths_and_stage_tags():
    from assistant.index.lexicon import Vocabulary

    vocabulary = Vocabulary.load(Path(__file__).resolve().parent.parent / "knowledge" / "vocabulary.toml")
    d = next(x for x in all_docs() if x.doc_id == "smb-ai-journey.md")
    chunks, _ = chunk_document(d, vocabulary)
    budget = next(c for c in chunks if c.section == "Prototype Stage > Budget & Resources")
    assert "prototype" in budget.stages
    hardening = next(
        c
        for x in all_docs()
        if x.doc_id == "pilot-to-production-methodology.md"
        for c in chunk_document(x, vocabulary)[0]
        if c.section.endswith("C. Security Hardening")
    )
    assert "hardening" in hardening.stages
    # Without stage terms every passage is general: the stages are the vocabulary's, not the code's.
    assert {c.stages for c in chunk_document(d)[0]} == {("general",)}


def test_long_sections_are_split_by_size_at_block_boundaries():
    for d in all_docs():
        chunks, _ = chunk_document(d)
        for c in chunks:
            assert len(c.text) < 2600, (c.id, len(c.text))


def test_a_sentence_that_introduces_a_list_stays_with_it():
    # Plain text: "The signals that distinguish a genuine go from a premature one:" then the list.
    d = next(x for x in all_docs() if x.doc_id == "genai-implementation-guide.txt")
    chunks, units = chunk_document(d)
    intro = "The signals that distinguish a genuine go from a premature one:"
    chunk = next(c for c in chunks if intro in c.text)
    assert "- Performance met or exceeded pre-defined thresholds" in chunk.text
    label = next(u for u in units if d.text[u.start : u.end] == intro)
    assert label.kind == "label"


def test_question_vocabulary_is_added_not_substituted():
    from assistant.index.lexicon import Vocabulary

    vocabulary = Vocabulary.load(Path(__file__).resolve().parent.parent / "knowledge" / "vocabulary.toml")
    expand, expansion_words = vocabulary.expand, vocabulary.expansion_words
    assert {"timeline", "duration"} <= set(expansion_words("How long does the prototype take?"))
    assert {"timeline", "duration"} <= set(expansion_words("pilot length?"))  # a terse "how long"
    # What the playbook calls a return on investment, however the asker says it.
    for asked in ("how soon does it pay for itself", "when does it pay off", "what return do we get", "payback?"):
        assert "roi" in expansion_words(asked), asked
    assert "roi" not in expansion_words("how do we pay the consultants?")
    assert "1" in expansion_words("What happens in the first month?")
    assert expand("Tell me about governance") == "Tell me about governance"
    assert expand("How much will it cost?").startswith("How much will it cost?")
    assert "budget" in expansion_words("How much will it cost?")
    # "How much" about time is not a cost, wherever the time word stands.
    assert "budget" not in expansion_words("How much did onboarding time shrink?")
    assert "budget" in expansion_words("How much do consultants charge per hour?")
    # What a role does is its responsibilities; what "we" should do is not a role's.
    assert "responsibilities" in expansion_words("What does the executive sponsor do?")
    assert "responsibilities" not in expansion_words("Our answers got worse. What should we do?")


def test_prose_in_fences_is_quotable_and_code_is_not():
    docs = {d.doc_id: d for d in all_docs()}
    method = docs["pilot-to-production-methodology.md"]
    _, units = chunk_document(method)
    texts = [method.text[u.start : u.end] for u in units]
    # The alerting policy and the model card are fenced without a language or as markdown.
    assert "- Error rate > 5% for 5+ minutes" in texts
    assert "Alert Tier 1 (Critical - page on-call engineer):" in texts
    assert "- Acceptance rate: 74% (human uses with minor edits)" in texts
    assert "## Limitations" in texts  # a one-word heading of the fenced document is a unit too
    # In blocks fenced as a programming language, only lines that hold figures are quoted: entries and
    # comments, under the key of their object as a label. Calls and statements are not; those that say
    # something in their names are read-only units, which a cited sentence is checked against.
    agent = docs["enterprise-ai-agent-implementation.md"]
    _, units = chunk_document(agent)
    texts = [agent.text[u.start : u.end] for u in units if not u.read_only]
    assert not any("console.log" in t or "return " in t or "sendCompanyEmail" in t for t in texts)
    assert "users: 680," in texts and "minInstances: 10," in texts
    read_only = [agent.text[u.start : u.end].strip() for u in units if u.read_only]
    assert "return self.escalation_manager.route_to_human(query)" in read_only


def _written(tmp_path, name: str, source: str):
    """A document written here, prepared and chunked: the document and its units."""
    path = tmp_path / name
    path.write_text(source, "utf-8")
    doc = prepare_document(name, path, path.read_bytes())
    return doc, chunk_document(doc)[1]


def test_figures_in_code_are_units_under_the_key_of_their_object(tmp_path):
    source = (
        '# Costs\n\nWhat we spent:\n\n```python\nsavings = {\n    "caching": {\n'
        '        "implementation": "Cache common queries",\n        "savings": "$12,400/month",\n'
        '        "risk": "low",\n    },\n    "notes": {\n        "why": "Best balance of cost and time",\n'
        '        "channels": ["Phone only", "Email"],\n    },\n'
        '    "total": "$39,300"  # per month\n}\n# Decision: the hybrid approach wins\nprint(len(savings))\n'
        "waves = [\n    {\n        wave: 1,\n"
        "        users: 247,\n    },\n    {\n        wave: 2,\n        users: 680,\n    },\n]\n```\n"
    )
    doc, units = _written(tmp_path, "costs.md", source)
    code = [(u, doc.text[u.start : u.end]) for u in units if "`" not in doc.text[u.start : u.end]]
    lines = {text: (u.kind, u.group) for u, text in code if not u.read_only}
    read_only = {text: (u.kind, u.group) for u, text in code if u.read_only}
    assert lines['"caching": {'][0] == "label"
    assert lines['"savings": "$12,400/month",'] == ("item", lines['"caching": {'][1] + 1)
    # An entry whose value is words is quotable with its object, as its figures are: what a vendor
    # claimed, why an option won. A comment in words, and a tag of one word under its key ("risk": "low"),
    # are read with their object, but only by the citation check.
    assert lines['"implementation": "Cache common queries",'] == lines['"savings": "$12,400/month",']
    assert "# Decision: the hybrid approach wins" in read_only
    assert lines['"notes": {'][0] == "label"  # the key of words alone
    assert lines['"why": "Best balance of cost and time",'] == ("item", lines['"notes": {'][1] + 1)
    assert lines['"channels": ["Phone only", "Email"],'] == lines['"why": "Best balance of cost and time",']
    assert read_only['"risk": "low",'] == lines['"savings": "$12,400/month",']
    assert "print(len(savings))" not in lines | read_only
    # An entry of the outer object is in another group than the inner object's entries.
    assert lines['"total": "$39,300"  # per month'][1] != lines['"savings": "$12,400/month",'][1]
    # The objects of a list are groups of their own, under the list's key.
    assert lines["waves = ["][0] == "label"
    assert lines["users: 247,"][1] == lines["wave: 1,"][1] != lines["users: 680,"][1]


def test_what_introduces_a_block_stays_in_the_passage_of_that_block():
    docs = {d.doc_id: d for d in all_docs()}
    method = docs["pilot-to-production-methodology.md"]
    chunks, units = chunk_document(method)
    text = method.text

    def chunk_of(line: str) -> str:
        return next(u.chunk_id for u in units if text[u.start : u.end] == line)

    # The label and its note come just before a fenced model card too long to share a passage with
    # what precedes them: they move with the card rather than end the passage before it.
    assert chunk_of("**Model Card Documentation:**") == chunk_of("# Model Card: Claims Letter Assistant v2.0")
    assert chunk_of("(For regulated industries: Finance, Healthcare, Defense)") == chunk_of("## Model Details")
    # No passage split by size ends with a label or a line ending in a colon, while the next passage of
    # its section goes on with what it introduces.
    for doc in docs.values():
        chunks, units = chunk_document(doc)
        by_chunk: dict[str, list] = {}
        for u in units:
            by_chunk.setdefault(u.chunk_id, []).append(u)
        for a, b in itertools.pairwise(chunks):
            last = by_chunk.get(a.id, [])[-1:]
            if not last or a.section != b.section or not by_chunk.get(b.id):
                continue
            if doc.text[last[0].end : a.end].strip():
                continue  # what it introduces is in its passage (a code block, which gives no units)
            line = doc.text[last[0].start : last[0].end].rstrip()
            assert not (last[0].kind == "label" or line.endswith(":")), (doc.doc_id, a.id, line)


def test_possessives_are_read_as_their_word():
    from assistant.index.corpus import tokens

    assert tokens("Project Alpha's first use case") == tokens("Project Alpha first use case")
    assert "user" in tokens("the users' feedback")
    # A plural in "-sses" is its word in "-ss": small businesses are a small business.
    assert tokens("small businesses, their processes") == tokens("small business, their process")


def test_a_bare_answer_label_is_read_under_its_question(tmp_path):
    from assistant.ingest.pipeline import unit_labels

    source = (
        "# Questions\n\n## Answers\n\n"
        '**Q: "How long will this take?"**\n**A:**\n- **Pilot:** 4-8 weeks\n- **Rollout:** 3-6 months\n\n'
        '**Q: "What can go wrong?"**\n**A:** Plan for failures:\n- Keep a rollback path\n\n'
        "**Costs:**\n- **Pilot:** $5K\n"
    )
    doc, units = _written(tmp_path, "qa.md", source)
    labels = {doc.text[u.start : u.end]: label for u, label in unit_labels(doc, units)}
    assert labels["- **Rollout:** 3-6 months"] == 'Q: "How long will this take?" A:'
    # A label that says something of its own is read alone, as is one after a list.
    assert labels["- Keep a rollback path"] == "A: Plan for failures:"
    assert labels["- **Pilot:** $5K"] == "Costs:"


def test_a_question_the_document_asks_itself_heads_its_own_passage(tmp_path):
    """A question label ("**Q: "What can go wrong?"**") heads its answer as a heading does: the answer is
    a passage of its own, under the question, until the next question or heading. One that asks for a
    figure ("How long will this take?") gets its own passage under the section's path: what it is about
    is in its figures. Other labels head nothing."""
    source = (
        "# Questions\n\n## Technical Concerns\n\n"
        '**Q: "How long will this take?"**\n**A:**\n- **Pilot:** 4-8 weeks\n- **Rollout:** 3-6 months\n\n'
        "**Q: What can go wrong?**\n**A:** Plan for failures:\n- Keep a rollback path\n\n"
        "**Costs:**\n- **Pilot:** $5K\n\n## Team\n\nA champion leads.\n"
    )
    path = tmp_path / "qa.md"
    path.write_text(source, "utf-8")
    doc = prepare_document("qa.md", path, path.read_bytes())
    chunks, _ = chunk_document(doc)
    by_section = {c.section: c.text for c in chunks}
    assert list(by_section) == ["Technical Concerns", "Technical Concerns > What can go wrong?", "Team"]
    assert "3-6 months" in by_section["Technical Concerns"] and "wrong" not in by_section["Technical Concerns"]
    assert by_section["Technical Concerns > What can go wrong?"].startswith("**Q: What can go wrong?**")
    # The label after an answer's list stays in the last question's passage; a heading ends it.
    assert "**Costs:**" in by_section["Technical Concerns > What can go wrong?"]
