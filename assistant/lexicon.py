"""Question vocabulary mapped to the words the playbook uses in its headings and lists.

Users ask "how long", the playbook heads the answer "Timeline"; users say "small business", the
playbook says "SMB". These are general intents of questions about a staged AI programme, not
phrasings of particular questions; the expansion only adds words, so the user's own words always
count as well."""

from __future__ import annotations

import re

# (trigger pattern on the lower-cased question, words added to the lexical query)
_EXPANSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"\bhow long\b|\bduration\b|\bhow many (?:weeks|months|days)\b|\bweek by week\b|\bschedule\b",
        ("timeline", "duration", "weeks"),
    ),
    # "How much time" is a duration or an effort; neither is a cost.
    (r"\bhow much\b(?! time)|\bcost\b|\bspend\b|\bprice\b|\bexpensive\b|\bafford", ("budget", "cost")),
    (r"\bbudget\b", ("cost",)),
    (r"\bper year\b|\ba year\b|\byearly\b|\bannual", ("annually", "annual")),
    (r"\bper month\b|\ba month\b|\bmonthly\b", ("month", "monthly")),
    (r"\bper quarter\b|\ba quarter\b|\bquarterly\b|\beach quarter\b|\bevery quarter\b", ("quarterly",)),
    (r"\bhow fast\b|\bhow quick|\bspeed\b|\bslow\b|\bresponse times?\b", ("latency",)),
    # Answers getting worse over time: the playbook calls it drift and degradation.
    (r"\bworse\b|\bdegrad|\bdrift|\bdeteriorat|\bquality (?:drops?|declines?|goes down)", ("drift", "degradation")),
    (r"\bwho\b|\bstaff\b|\bhire\b|\bpeople\b", ("team", "role")),
    # The people who are to use the tool are its users, and their using it is adoption.
    (r"\bemployees?\b|\bstaff\b|\bworkers?\b|\bcolleagues?\b", ("users",)),
    (
        r"\b(?:to|will|won't|start|keep|actually) us(?:e|ing) (?:it|the (?:tool|system|assistant|ai))\b",
        ("adoption", "adopt"),
    ),
    (r"\bsmall business|\bsmall compan|\bsmb\b|\bsmall team", ("smb",)),
    (r"\beach stage\b|\bevery stage\b|\bper stage\b|\bcompare\b|\bdiffer", ("comparison",)),
    (r"\bmetric|\bmeasure|\bkpi", ("metric", "measure")),
    (r"\bkill\b|\bcancel\b|\babandon\b|\bshut down\b|\bwalk away\b", ("stop", "no-go")),
    (r"\bready\b|\breadiness\b|\bprepared\b", ("readiness", "checklist")),
    # Whether it worked is judged by the playbook's success criteria and its go/no-go decision.
    (r"\bsuccess(?:ful)?\b|\bsucceed|\bdid it work\b|\bdecide (?:if|whether)\b", ("criteria",)),
    (r"\brisk|\bgo wrong\b|\bfail", ("risk", "failure", "mistake")),
    # Security risks are, in the playbook's words, threats and attacks, met by defenses.
    (r"\bsecur|\bthreats?\b|\battack|\bhack|\bbreach", ("security", "threat", "attack", "defense")),
    (r"\broll(?:ing|ed|s)?\b(?: \w+){0,3} out\b|\broll-?out\b|\bdeploy", ("rollout",)),
    # What someone in a role does: the playbook lists it as "Responsibilities".
    (
        r"\bwhat (?:does|do|should) (?:the |a |an |our )?(?!(?:we|i|you|they|us)\b)[\w -]{2,40}\b(?:do|own)\b|"
        r"\bduties\b|\bresponsib",
        ("responsibilities",),
    ),
    (r"\bby when\b|\bdeadline|\bmilestone", ("milestones",)),
    (r"\broll(?:ing|ed|s)? (?:\w+ )?back\b|\brevert|\bundo\b", ("rollback",)),
    (r"\bout of date\b|\bstale\b|\bobsolete\b", ("outdated",)),
    (r"\bhand(?:s|ing|ed)? (?:\w+ )?(?:over|off)\b|\bhandoff\b|\bto a (?:human|person)\b", ("escalate", "escalation")),
)
# Acronyms the playbook uses, both ways: a user may write either form.
ACRONYMS: tuple[tuple[str, str], ...] = (
    ("return on investment", "roi"),
    ("subject matter expert", "sme"),
    ("proof of concept", "poc"),
    ("retrieval-augmented generation", "rag"),
    ("minimal lovable pilot", "mlp"),
    ("personally identifiable information", "pii"),
    ("service level objective", "slo"),
    ("role-based access", "rbac"),
    ("large language model", "llm"),
    ("key performance indicator", "kpi"),
    ("daily active users", "dau"),
    ("total cost of ownership", "tco"),
)
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6"}
_COMPILED = tuple((re.compile(p), words) for p, words in _EXPANSIONS)
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b")


def expansion_words(question: str) -> list[str]:
    """Words to add to the lexical query for ``question`` (possibly none), in a stable order."""
    low = question.lower()
    out: list[str] = []
    for pattern, words in _COMPILED:
        if pattern.search(low):
            out += [w for w in words if w not in out]
    for long, short in ACRONYMS:
        if long in low and not re.search(rf"\b{short}\b", low):
            out.append(short)
        elif re.search(rf"\b{short}s?\b", low) and long not in low:
            out += [w for w in long.replace("-", " ").split() if w not in out]
    out += [_ORDINALS[m.group(1)] for m in _ORDINAL.finditer(low)]
    return out


def expand(question: str) -> str:
    words = expansion_words(question)
    return f"{question} {' '.join(words)}" if words else question
