"""Stage tags: which playbook stages a passage is about, inferred from its headings and text."""

from __future__ import annotations

import re

_STAGE_TERMS: dict[str, tuple[str, ...]] = {
    "pilot": ("pilot", "proof of concept", "poc", "proof of viability"),
    "prototype": ("prototype", "mvp", "minimal lovable", "minimum viable"),
    "production": ("production", "scale", "scaling", "go-live", "go live", "deploy", "productioniz"),
    "hardening": (
        "hardening",
        "harden",
        "latency",
        "security",
        "reliability",
        "slo",
        "monitoring",
        "optimization",
        "resilience",
        "observability",
        "performance",
    ),
    "rollout": (
        "rollout",
        "roll out",
        "adoption",
        "change management",
        "training",
        "onboarding",
        "canary",
        "champion",
        "enablement",
    ),
    "governance": ("governance", "compliance", "audit", "policy", "model card", "risk register", "regulat"),
}
_PATTERNS = {
    stage: re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")", re.I)
    for stage, terms in _STAGE_TERMS.items()
}


def stages_in(text: str) -> list[str]:
    """Stages named in a short text such as a question (no threshold)."""
    return [stage for stage, pat in _PATTERNS.items() if pat.search(text)]


def infer_stages(section: str, text: str) -> tuple[str, ...]:
    """A stage named in the section path counts at once; in the body it must recur."""
    found = []
    for stage, pat in _PATTERNS.items():
        if pat.search(section) or len(pat.findall(text)) >= 2:
            found.append(stage)
    return tuple(found) or ("general",)
