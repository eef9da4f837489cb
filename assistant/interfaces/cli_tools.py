"""The command line's tools: the readiness checklists (listed, shown, scored, walked through and their
history), the go/no-go evaluator, the ROI calculator and the usage stats."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import InputError

if TYPE_CHECKING:
    from assistant.service.coach import Coach
    from assistant.tools.coaching import Score
    from assistant.tools.models import Catalog, Checklist


def open_coach(settings: Settings) -> Coach:
    from assistant.service.coach import Coach

    return Coach.open(settings)


def _catalog(settings: Settings) -> Catalog:
    """The checklist catalog from the index, without loading the models; ingests first if needed."""
    from assistant.tools.catalog import read_catalog

    catalog = read_catalog(settings.index_dir)
    if catalog is None:
        catalog = open_coach(settings).catalog
    return catalog


def _find(catalog: Catalog, checklist_id: str) -> Checklist:
    found = catalog.get(checklist_id.strip().lower())
    if found is None:
        import difflib

        ids = [c.id for c in catalog.checklists]
        close = difflib.get_close_matches(checklist_id.lower(), ids, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(f"There is no checklist '{checklist_id}'.{hint} The checklists are: {', '.join(ids)}.")
    return found


def default_user() -> str:
    import getpass
    import os

    try:
        return os.environ.get("COACH_USER") or f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli:local"


def cmd_checklist_list(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(settings)
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "kind": c.kind,
            "items": len(c.items),
            "bands": [b.range for b in c.bands],
            "doc": c.doc,
            "section": c.section,
        }
        for c in catalog.checklists
    ]
    if args.json:
        print(json.dumps({"checklists": rows}, indent=2, ensure_ascii=False))
        return 0
    width = max((len(r["id"]) for r in rows), default=10)  # type: ignore[arg-type]
    for r in rows:
        scored = " (scored)" if r["bands"] else ""
        print(f"{r['id']:<{width}}  {r['items']:>2} items  {r['title']}{scored} — {r['doc']}")
    return 0


def cmd_checklist_show(args: argparse.Namespace, settings: Settings) -> int:
    checklist = _find(_catalog(settings), args.id)
    if args.json:
        data = checklist.model_dump(mode="json")
        data["max"] = 20
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"{checklist.title} — {checklist.doc_title} ({checklist.section})")
    group = None
    for item in checklist.items:
        if item.group != group:
            group = item.group
            if group:
                print(f"\n{group}:")
        print(f"  {item.n:>2}. [ ] {item.text}")
    if checklist.bands:
        print(f"\nScore (out of 20; {len(checklist.items)} items are scaled to 20):")
        for b in checklist.bands:
            print(f"  {b.range:>6}  {b.label}")
    return 0


def cmd_checklist_score(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.interfaces.presenters import render_score
    from assistant.tools.coaching import parse_answers

    checklist = _find(_catalog(settings), args.id)
    answers = parse_answers(args.answers, len(checklist.items))
    coach = open_coach(settings)
    result = coach.score(checklist.id, list(answers), guidance=not args.no_guidance)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    print(render_score_text(result, render_score))
    return 0


def render_score_text(result: Score, render: Callable[..., str]) -> str:
    from assistant.interfaces.presenters import Cites

    cites = Cites()
    text = render(result, cites)
    return (
        text
        + "\n\nSources:\n"
        + "\n".join(f"[{c.n}] {c.title} — {c.section}: “{' '.join(c.quote.split())[:160]}”" for c in cites.items)
    )


def cmd_checklist_run(args: argparse.Namespace, settings: Settings) -> int:
    coach = open_coach(settings)
    user = args.user or default_user()
    st = coach.start_checklist(args.id, user=user, team=args.team or "", restart=args.restart)
    checklist = coach.checklist(st.checklist)
    emit = (lambda obj: print(json.dumps(obj, ensure_ascii=False), flush=True)) if args.json else None
    if emit:
        emit({"step": st.model_dump(mode="json")})
    else:
        print(st.message)
    from assistant.tools.walkthrough import HELP, parse_command

    while not st.done:
        if not emit:
            assert st.item is not None
            group = f" [{st.item.group}]" if st.item.group else ""
            was = f" (was: {st.answer})" if st.answer else ""
            print(f"\n{st.progress}{group}: {st.item.text}{was}")
        try:
            reply = input("" if emit else "> ")
        except EOFError:
            reply = "stop"
        cmd = parse_command(reply) if reply.strip() else ("stop", "")
        if cmd is None:
            if emit:
                emit({"error": f"'{reply.strip()}' is not an answer. {HELP}"})
            else:
                print(f"'{reply.strip()}' is not an answer. {HELP}")
            continue
        st, scored = coach.checklist_reply(st.run_id, *cmd)
        if emit:
            out: dict[str, object] = {"step": st.model_dump(mode="json")}
            if scored is not None:
                out["score"] = scored.model_dump(mode="json")
            emit(out)
        elif scored is not None:
            from assistant.interfaces.presenters import render_score

            print("\n" + render_score_text(scored, render_score))
        elif st.message and cmd[0] != "answer":
            print(st.message)
        if st.paused:
            if not emit:
                print(f"Paused at {st.progress}. Run 'coach checklist run {checklist.id}' to continue.")
            return 0
    return 0


def cmd_checklist_history(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt

    coach = open_coach(settings)
    runs = coach.history(args.id, team=args.team, user=args.user)
    rows: list[dict[str, Any]] = [
        {
            "run_id": r.run_id,
            "user": r.user,
            "team": r.team,
            "started": dt.datetime.fromtimestamp(r.started, dt.UTC).isoformat(timespec="seconds"),
            "finished": r.finished,
            "answered": r.answered,
            "items": len(r.items),
            "score": r.score,
            "band": r.band,
        }
        for r in runs
    ]
    if args.json:
        print(json.dumps({"checklist": args.id, "runs": rows}, indent=2))
        return 0
    if not rows:
        print(f"No runs of '{args.id}' yet. Start one with: coach checklist run {args.id}")
        return 0
    previous = None
    for r in rows:
        score = f"{r['score']:g}/20 {r['band'] or ''}" if r["score"] is not None else "in progress"
        change = ""
        if r["score"] is not None and previous is not None:
            change = f" ({r['score'] - previous:+g})"
        print(f"{r['started']}  {r['team'] or '-':<10} {r['user']:<16} {r['answered']}/{r['items']}  {score}{change}")
        if r["score"] is not None:
            previous = r["score"]
    return 0


def cmd_gonogo(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.interfaces.presenters import Cites, render_decision
    from assistant.tools.coaching import GoNoGoInputs, evaluate_gonogo

    catalog = _catalog(settings)
    if catalog.decision is None:
        raise InputError(
            "The playbook in the knowledge folder has no GO / ITERATE / STOP criteria to evaluate against."
        )
    inputs = GoNoGoInputs(
        active_users=args.active_users,
        acceptance=args.acceptance,
        satisfaction=args.satisfaction,
        critical_issues=args.critical_issues,
        roi_positive=args.roi_positive,
    )
    decision = evaluate_gonogo(catalog.decision, inputs)
    if args.json:
        print(decision.model_dump_json(indent=2))
        return 0
    cites = Cites()
    print(render_decision(decision, cites))
    print("\nSources:\n" + "\n".join(f"[{c.n}] {c.title} — {c.section}" for c in cites.items[:1]))
    return 0


def cmd_roi(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.interfaces.presenters import Cites, render_roi
    from assistant.tools.coaching import RoiInputs, compute_roi

    catalog = _catalog(settings)
    names = ("minutes_before", "minutes_after", "tasks_per_day", "users", "work_days", "hourly_rate")
    values = {n: getattr(args, n) for n in names}
    if args.example:
        ex = catalog.roi_example
        if ex is None:
            raise InputError("The playbook has no worked ROI example to run.")
        values = {n: (values[n] if values[n] is not None else getattr(ex, n)) for n in names}
    missing = [f"--{n.replace('_', '-')}" for n in names if values[n] is None]
    if missing:
        raise InputError(f"Missing {', '.join(missing)} (or use --example for the playbook's worked example).")
    result = compute_roi(RoiInputs(**values), catalog.roi_example)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    cites = Cites()
    print(render_roi(result, cites))
    for c in cites.items:
        print(f"\n[{c.n}] {c.title} — {c.section}:\n    “{' '.join(c.quote.split())}”")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service.ledger import Ledger, parse_day

    ledger = Ledger(settings.data_dir / "sessions.sqlite3")
    stats = ledger.stats(parse_day(args.since), parse_day(args.until, end=True))
    if args.json:
        print(stats.model_dump_json(indent=2))
        return 0

    def rate(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    def ms(x: float | None) -> str:
        return "—" if x is None else f"{x:,.0f} ms"

    print(f"{stats.since or 'first day'} → {stats.until or 'today'}")
    users = f"{stats.users:,} ({stats.returning_users:,} returning)"
    print(f"  queries {stats.queries:,}  users {users}  sessions {stats.sessions:,}")
    accepted = f"{rate(stats.online_acceptance)} of {stats.rated:,} rated"
    print(f"  online acceptance {accepted}  abstention {rate(stats.abstention_rate)}")
    print(
        f"  error rate {rate(stats.error_rate)}  latency p50 {ms(stats.latency_ms_p50)}  p95 {ms(stats.latency_ms_p95)}"
    )
    print(f"  verifier removals {stats.verifier_removals:,}  cost ${stats.cost_usd:,.4f} ({stats.tokens:,} tokens)")
    if stats.down_reasons:
        print("  thumbs-down reasons: " + ", ".join(f"{r} ({n})" for r, n in stats.down_reasons))
    for alert in stats.alerts:
        print(f"  ALERT: {alert}")
    return 0
