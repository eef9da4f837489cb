"""The playbook's vocabulary, read from data: question words mapped to the words the playbook uses,
the acronyms it uses, the words that tie a passage or a question to a stage, the stages and roles
the citation check holds a sentence to, and the words that name the go/no-go outcomes and inputs.

Two sources, no vocabulary in code:
- ``vocabulary.toml`` beside the documents (``COACH_VOCABULARY_FILE`` names another): askers say
  "how long", the playbook heads the answer "Timeline"; askers say "small business", it says "SMB";
- the documents themselves: an acronym a document defines ("Subject Matter Expert (SME)") is read
  from its text when the corpus is loaded.

The expansion only adds words, so the asker's own words always count as well."""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import ConfigError
from assistant.types import STAGES

VOCABULARY_FILE = "vocabulary.toml"  # its name in the knowledge folder
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6"}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b")
# "Long Form Words (LFW)": up to six words, then the acronym in parentheses.
_DEFINED = re.compile(r"((?:[A-Za-z][\w]*[\s-]+){1,6})\(([A-Z]{2,6})s?\)")
_KINDS = ("share", "scale", "flag")


@dataclass(frozen=True)
class Metric:
    """One input of the go/no-go tool as the playbook's criteria name it."""

    name: str
    kind: str  # "share" (a percentage), "scale" (a score out of N) or "flag" (yes or no)
    words: tuple[str, ...]
    false_when: tuple[str, ...] = ()

    def named_in(self, text: str) -> bool:
        low = text.lower()
        return any(re.search(rf"\b{re.escape(w)}s?\b", low) for w in self.words)

    def denied_in(self, text: str) -> bool:
        low = text.lower()
        return any(re.search(rf"\b{re.escape(w)}\b", low) for w in self.false_when)


@dataclass(frozen=True)
class Vocabulary:
    expansions: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = ()
    acronyms: tuple[tuple[str, str], ...] = ()  # (long form, acronym), lower case
    askers_words: tuple[tuple[re.Pattern[str], str], ...] = ()  # an asker's phrase, the playbook's word
    outcomes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: tuple[Metric, ...] = ()
    stages: tuple[tuple[str, re.Pattern[str]], ...] = ()  # each stage with the pattern of its terms
    held: frozenset[str] = frozenset()  # stages and roles a cited sentence cannot swap
    journey: tuple[str, ...] = ()  # the journey's own stages, in order ("pilot", "prototype", "production")
    document_nouns: frozenset[str] = frozenset()  # words for any document: "guide", "plan"
    # What askers call one document, by its file name: "the enterprise case" for a practitioner's account.
    document_names: tuple[tuple[re.Pattern[str], str], ...] = ()
    # What every document is about ("ai"): a question is read for its meaning without these words.
    subject: tuple[re.Pattern[str], ...] = ()
    digest: str = ""

    @classmethod
    def load(cls, path: Path | None, texts: Iterable[str] = ()) -> Vocabulary:
        """The vocabulary of the file at ``path`` (none when it does not exist) and the acronyms
        ``texts`` define. A file that cannot be read is a configuration error that names it."""
        data: dict[str, object] = {}
        raw = b""
        if path is not None and path.is_file():
            raw = path.read_bytes()
            try:
                data = tomllib.loads(raw.decode("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"The vocabulary file {path} could not be read: {exc}") from exc
        try:
            return cls._from_data(data, texts, hashlib.sha256(raw).hexdigest()[:16])
        except (TypeError, ValueError, KeyError, re.error) as exc:
            raise ConfigError(f"The vocabulary file {path} has an entry that is not understood: {exc}") from exc

    @classmethod
    def _from_data(cls, data: dict[str, object], texts: Iterable[str], digest: str) -> Vocabulary:
        texts = list(texts)
        askers = []
        for said, meant in _table(data.get("askers_words", {})).items():
            pattern = re.compile(rf"\b{re.escape(said.lower())}\b", re.I)
            if not any(pattern.search(t) for t in texts):  # the playbook's own words are never read away
                askers.append((pattern, str(meant)))
        expansions = []
        for item in _list(data.get("expansion", [])):
            entry = _table(item)
            words = tuple(str(w).lower() for w in _list(entry["add"]))
            expansions.append((re.compile(str(entry["when"])), words))
        listed = {str(k).lower(): str(v).lower() for k, v in _table(data.get("acronyms", {})).items()}
        for long, short in defined_acronyms(texts).items():
            listed.setdefault(short, long)
        decision = _table(data.get("decision", {}))
        outcomes = {
            str(k): tuple(str(w).lower() for w in _list(v)) for k, v in _table(decision.get("outcomes", {})).items()
        }
        metrics = []
        for name, spec in _table(decision.get("metrics", {})).items():
            spec = _table(spec)
            kind = str(spec["kind"])
            if kind not in _KINDS:
                raise ValueError(f"metric {name}: kind must be one of {', '.join(_KINDS)}, not {kind!r}")
            metrics.append(
                Metric(
                    name=str(name),
                    kind=kind,
                    words=tuple(str(w).lower() for w in _list(spec["words"])),
                    false_when=tuple(str(w).lower() for w in _list(spec.get("false_when", []))),
                )
            )
        stages = []
        for stage, terms in _table(data.get("stages", {})).items():
            if stage not in STAGES:
                raise ValueError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
            # A term is matched at the start of a word, in its forms too: "prototype" covers "prototyping".
            # A short one is an acronym and a word of its own: "slo" is not the start of "slow", nor "poc"
            # of "pocket".
            alternatives = "|".join(
                re.escape(t[:-1]) + "(?:e|ing)"
                if t.endswith("e") and " " not in t
                else re.escape(t) + r"s?\b"
                if len(t) <= 3
                else re.escape(t)
                for t in (str(term).lower() for term in _list(terms))
            )
            stages.append((stage, re.compile(rf"\b(?:{alternatives})", re.I)))
        verification = _table(data.get("verification", {}))
        documents = _table(data.get("documents", {}))
        journey = tuple(str(s).lower() for s in _list(_table(data.get("journey", {})).get("stages", [])))
        if set(journey) - set(STAGES):
            raise ValueError(f"journey stages must be among {', '.join(STAGES)}")
        return cls(
            expansions=tuple(expansions),
            stages=tuple(stages),
            held=frozenset(str(w).lower() for w in _list(verification.get("held", []))),
            journey=journey,
            document_nouns=frozenset(str(w).lower() for w in _list(documents.get("nouns", []))),
            document_names=tuple(
                (re.compile(rf"\b{re.escape(str(name).lower())}\b", re.I), str(doc))
                for doc, names in _table(documents.get("called", {})).items()
                for name in _list(names)
            ),
            subject=tuple(
                re.compile(rf"\b{re.escape(str(w).lower())}\b", re.I) for w in _list(documents.get("subject", []))
            ),
            acronyms=tuple((long, short) for short, long in listed.items()),
            askers_words=tuple(askers),
            outcomes=outcomes,
            metrics=tuple(metrics),
            digest=digest,
        )

    def names_of(self, doc: str) -> list[str]:
        """What askers call the document ``doc`` ("enterprise case"), as the vocabulary writes it."""
        return [re.sub(r"\\(.)", r"\1", p.pattern[2:-2]) for p, d in self.document_names if d == doc]

    def without_document_names(self, question: str) -> str:
        """``question`` without what it calls a document ("the enterprise case"): a name says where to
        look, not what is asked, and only blurs the meaning of a short question."""
        for pattern, _ in sorted(self.document_names, key=lambda p: -len(p[0].pattern)):
            question = pattern.sub(" ", question)
        return re.sub(r"\s+", " ", question).strip()

    def meaning_of(self, question: str) -> str:
        """``question`` without the documents' names and the words for what every document is about
        ("ai"): what it asks of the playbook rather than of the topic all of it shares."""
        text = self.without_document_names(question)
        for pattern in self.subject:
            text = pattern.sub(" ", text)
        return re.sub(r"\s+", " ", text).strip()

    def expansion_words(self, question: str) -> list[str]:
        """Words to add to the lexical query for ``question`` (possibly none), in a stable order."""
        low = question.lower()
        out: list[str] = []
        for pattern, words in self.expansions:
            if pattern.search(low):
                out += [w for w in words if w not in out]
        for long, short in self.acronyms:
            if long in low and not re.search(rf"\b{short}\b", low):
                out.append(short)
            elif re.search(rf"\b{short}s?\b", low) and long not in low:
                out += [w for w in long.replace("-", " ").split() if w not in out]
        out += [_ORDINALS[m.group(1)] for m in _ORDINAL.finditer(low)]
        return out

    def in_playbook_words(self, question: str) -> str:
        """``question`` with each asker's phrase the playbook never uses read as the playbook's word
        ("how long is the trial run" → "how long is the pilot")."""
        for pattern, meant in self.askers_words:
            question = pattern.sub(meant, question)
        return question

    def expand(self, question: str) -> str:
        words = self.expansion_words(question)
        return f"{question} {' '.join(words)}" if words else question

    @property
    def stages_digest(self) -> str:
        """What the stage terms are, as a short digest: passages are tagged with them at ingest."""
        return hashlib.sha256(repr([(s, p.pattern) for s, p in self.stages]).encode()).hexdigest()[:16]

    def stages_in(self, text: str) -> list[str]:
        """Stages named in a short text such as a question (no threshold)."""
        return [stage for stage, pattern in self.stages if pattern.search(text)]

    def infer_stages(self, section: str, text: str) -> tuple[str, ...]:
        """The stages a passage is about: one named in its section path counts at once; in its text a
        term must recur."""
        found = [s for s, pattern in self.stages if pattern.search(section) or len(pattern.findall(text)) >= 2]
        return tuple(found) or ("general",)

    @functools.cached_property
    def _stage_labels(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        names = "|".join(re.escape(s) for s in self.journey)
        lead = re.compile(rf"^\W*(?:A\W{{1,4}})?({names})\b[\w ()-]{{0,24}}?\**\s*:", re.I)
        return lead, re.compile(rf"^({names}) stage\b", re.I)

    def journey_stages_in(self, text: str) -> set[str]:
        """The journey's stages a text names by their own name ("pilots", "the production stage",
        "prototyping")."""
        # Its forms too: "while we're prototyping", "piloted".
        forms = {s: re.escape(s[:-1] if s.endswith("e") else s) for s in self.journey}
        return {s for s in self.journey if re.search(rf"\b{forms[s]}(?:e|es|s|ing|ed)?\b", text, re.I)}

    def labelled_stage(self, text: str, labels: list[str], section: str) -> str | None:
        """The journey stage a line is labelled for: by its own lead ("**Pilot:** 4-8 weeks"), else by
        the nearest label above it, else by the nearest heading of its section that names one ("Pilot
        Stage Concerns", "Prototype Stage > Timeline")."""
        if not self.journey:
            return None
        lead, heading = self._stage_labels
        for line in (text, *reversed(labels)):
            if m := lead.match(line):
                return m.group(1).lower()
        for part in reversed(section.split(" > ")):
            if m := heading.match(part.strip()):
                return m.group(1).lower()
        return None

    def outcome_of(self, label: str) -> str | None:
        """The outcome a list's label names ("Criteria for GO (Proceed…)" → "go"), or None when it
        names none or more than one."""
        low = re.sub(r"\([^)]*\)", " ", label.lower())
        named = {
            outcome
            for outcome, words in self.outcomes.items()
            if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low) for w in words)
        }
        return named.pop() if len(named) == 1 else None


def defined_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts define, long form first: "Subject Matter Expert (SME)" → {"subject matter
    expert": "sme"}. The acronym must be the initials of the words just before it."""
    found: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            short = m.group(2)
            words = re.split(r"[\s-]+", m.group(1).strip())[-len(short) :]
            if len(words) == len(short) and "".join(w[0] for w in words).upper() == short:
                found.setdefault(" ".join(w.lower() for w in words), short.lower())
    return found


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _table(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table, got {value!r}")
    return value
