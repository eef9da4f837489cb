"""The eval report: Markdown tables, charts (reliability diagram included) and the gate against
``eval/thresholds.json``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


def _value(v: Any) -> float | None:
    if isinstance(v, dict):
        return v.get("value")
    return v


def render_markdown(report: dict[str, Any], gate: list[str]) -> str:
    names = list(report["systems"])
    lines = [
        "# Evaluation report",
        "",
        f"Split: {report['split']}; generator: {report['generator']}. Dataset: "
        + ", ".join(f"{k} {v}" for k, v in report["dataset"].items())
        + ". Rates with 95% Wilson intervals.",
        "",
        "| metric | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for key, label, is_rate in METRICS:
        cells = []
        for name in names:
            m = report["systems"][name].get(key)
            v = _value(m)
            if v is None:
                cells.append("—")
            elif is_rate and isinstance(m, dict):
                lo, hi = m["ci95"]
                cells.append(f"{v:.3f} [{lo:.2f}, {hi:.2f}] ({m['k']:g}/{m['n']})")
            else:
                cells.append(f"{v:.3f}" if v < 100 else f"{v:.0f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "## Calibration", ""]
    for name in names:
        cal = report["systems"][name].get("calibration") or {}
        if cal.get("n"):
            bins = "; ".join(
                f"{b['lo']:.1f}–{b['hi']:.1f}: {b['n']} answers, {b['accepted']:.2f} accepted" for b in cal["bins"]
            )
            lines.append(f"- **{name}**: expected calibration error {cal['ece']:.3f} over {cal['n']} answers ({bins})")
        else:
            lines.append(f"- **{name}**: states no confidence")
    lines += ["", "## Why answers failed acceptance", ""]
    for name in names:
        fails = report["systems"][name]["acceptance_failures"]
        lines.append(f"- **{name}**: " + (", ".join(f"{k} {v}" for k, v in fails.items()) or "none"))
    lines += ["", "## Judge", ""]
    j = report["judge"]
    if j.get("labels"):
        lines.append(
            f"Against {j['labels']} hand labels: balanced accuracy {j['balanced_accuracy']:.3f}, precision on "
            f"'unsupported' {j['precision_unsupported']:.3f}, recall {j['recall_unsupported']:.3f}, κ {j['kappa']:.3f}."
        )
    else:
        lines.append("No hand-labelled pairs (eval/judge_labels.jsonl) yet: the judge's accuracy is not measured.")
    para = j.get("paraphrase") or {}
    if para.get("labels"):
        lines.append(
            f"Against {para['labels']} pairs of the hand-written strong-model answers (eval/strong, paraphrase): "
            f"balanced accuracy {para['balanced_accuracy']:.3f}, precision on 'unsupported' "
            f"{para['precision_unsupported']:.3f}, recall {para['recall_unsupported']:.3f}."
        )
    for who, shares in j["mutations"].items():
        lines.append(f"Mutation suite, {who} (share right): " + ", ".join(f"{k} {v:.2f}" for k, v in shares.items()))
    ver = report.get("verification")
    if ver:
        lines += [
            "",
            "## What verification is worth (hand-written strong-model answers, replayed)",
            "",
            "| copy | faithful sentences kept | answers kept whole | fallbacks | planted errors caught | "
            "hallucination as written → verified |",
            "|---|---|---|---|---|---|",
        ]
        for copy in ("faithful", "planted"):
            v = ver[copy]
            caught = f"{v['planted_caught']} ({', '.join(f'{k} {n}' for k, n in v['caught_by_type'].items())})"
            hallu = f"{v['hallucination_raw']} → {v['hallucination_verified']}" if "planted" in v else "—"
            lines.append(
                f"| {copy} | {v['faithful_kept']} of {v['faithful_sentences']} | {v['answers_whole']} | "
                f"{v['fallbacks']} | {caught if 'planted' in v else '—'} | {hallu} |"
            )
    lines += ["", "## Gate", ""]
    lines += [f"- ✘ {g}" for g in gate] if gate else ["All thresholds met."]
    for key, title in (("kind", "question kind"), ("stage", "stage"), ("doc", "document of the gold evidence")):
        groups = report["breakdowns"].get("coach", {}).get(key)
        if not groups:
            continue
        lines += [
            "",
            f"## coach by {title}",
            "",
            f"| {key} | questions | acceptance | hallucination | key-fact recall | Hit@5 | MRR@10 |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, b in groups.items():
            cells = [_cell(b.get(m)) for m in ("acceptance_rate", "hallucination_rate", "key_fact_recall")]
            cells += [_cell(b.get(m)) for m in ("hit_at_5", "mrr_at_10")]
            shown = name if name != "-" else "(none)"
            lines.append(f"| {shown} | {b['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(metric: Any) -> str:
    """A breakdown figure: a rate with its interval and count, a mean, or a dash where nothing was measured."""
    v = _value(metric)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(metric, dict):
        low, high = metric["ci95"]
        return f"{v:.2f} [{low:.2f}, {high:.2f}] ({metric['k']}/{metric['n']})"
    return f"{v:.2f}"


def check_gate(report: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    """What crosses ``eval/thresholds.json`` (``min``/``max`` per metric of the ``coach`` system)."""
    coach = report["systems"].get("coach", {})
    problems = []
    for key, bound in thresholds.get("coach", {}).items():
        v = _value(coach.get(key)) if key in coach else _value(report.get("judge", {}).get(key))
        if v is None or (isinstance(v, float) and math.isnan(v)):
            problems.append(f"{key}: not measured")
            continue
        if "min" in bound and v < bound["min"]:
            problems.append(f"{key} {v:.3f} < {bound['min']}")
        if "max" in bound and v > bound["max"]:
            problems.append(f"{key} {v:.3f} > {bound['max']}")
    return problems


def write_charts(report: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["systems"])
    keys = ["acceptance_rate", "hallucination_rate", "citation_precision", "citation_recall", "hit_at_5"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        vals: list[float] = []
        errs: list[list[float]] = [[], []]
        for key in keys:
            m = report["systems"][name][key]
            v = m["value"] if m["value"] is not None else 0.0
            lo, hi = m["ci95"]
            vals.append(v)
            errs[0].append(max(0.0, v - (lo if lo == lo else v)))
            errs[1].append(max(0.0, (hi if hi == hi else v) - v))
        xs = [i + k * width for i in range(len(keys))]
        ax.bar(xs, vals, width, yerr=errs, capsize=3, label=name)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(keys))])
    ax.set_xticklabels([k.replace("_", " ") for k in keys], fontsize=8)
    ax.set_ylim(0, 1.05)
    paths = [_finish(fig, ax, "Trust metrics with 95% Wilson intervals", out / "metrics.png")]
    calibrated = {n: report["systems"][n].get("calibration") or {} for n in names}
    calibrated = {n: c for n, c in calibrated.items() if c.get("n")}
    if calibrated:
        # The reliability diagram: acceptance against stated confidence, per bin; the diagonal is perfect.
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
        for name, cal in calibrated.items():
            xs = [b["confidence"] for b in cal["bins"]]
            ys = [b["accepted"] for b in cal["bins"]]
            ax.plot(xs, ys, marker="o", label=f"{name} (ECE {cal['ece']:.3f})")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("stated confidence")
        ax.set_ylabel("share accepted")
        paths.append(_finish(fig, ax, "Reliability diagram", out / "reliability.png"))
    return paths


def _finish(fig: Any, ax: Any, title: str, path: Path) -> Path:
    """A chart's legend and title, saved to ``path`` and closed."""
    import matplotlib.pyplot as plt

    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(report: dict[str, Any], out: Path, thresholds: dict[str, Any]) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    gate = check_gate(report, thresholds)
    report["gate"] = {"failed": gate, "thresholds": thresholds}
    pairs = report.pop("pairs", {})
    with (out / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for system, rows in pairs.items():
            for row in rows:
                f.write(json.dumps({"system": system, "generator": report["generator"], **row}) + "\n")
    (out / "report.json").write_text(json.dumps(report, indent=1, default=float), "utf-8")
    (out / "report.md").write_text(render_markdown(report, gate), "utf-8")
    write_charts(report, out)
    return gate


METRICS = (
    ("acceptance_rate", "acceptance rate", True),
    ("acceptance_rate_strict", "acceptance, marked evidence required", True),
    ("hallucination_rate", "hallucination rate", True),
    ("unsupported_statement_rate", "unsupported-statement rate", True),
    ("citation_precision", "citation precision", True),
    ("citation_recall", "citation recall", True),
    ("key_fact_recall", "key-fact recall", False),
    ("abstention_accuracy", "abstention accuracy", True),
    ("false_abstention_rate", "false-abstention rate", True),
    ("hit_at_1", "Hit@1", True),
    ("hit_at_5", "Hit@5", True),
    ("mrr_at_10", "MRR@10", False),
    ("hit_at_1_facts", "Hit@1, or a passage stating every key fact", True),
    ("hit_at_5_facts", "Hit@5, or a passage stating every key fact", True),
    ("mrr_at_10_facts", "MRR@10, or a passage stating every key fact", False),
    ("ndcg_at_10", "nDCG@10", False),
    ("latency_ms_p50", "latency p50 (ms)", False),
    ("latency_ms_p95", "latency p95 (ms)", False),
)
