"""The ``coach`` command line: ingest, ask (text, JSON, JSONL), chat, config show.

Errors become messages here and nowhere else: a ``CoachError`` prints its sentence; anything
unexpected prints a short notice with an error id, and the traceback goes to the log file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assistant import __version__
from assistant.config import Settings, load_settings
from assistant.errors import CoachError, InputError
from assistant.types import STAGES, Answer

if TYPE_CHECKING:
    from assistant.checklists import Catalog, Checklist
    from assistant.coach import Coach
    from assistant.coaching import Score

log = logging.getLogger("assistant")


def render_markdown(answer: Answer) -> str:
    """The answer as a person reads it: the text, then numbered sources with their quotes."""
    parts = []
    if answer.notice:
        parts.append(f"Note: {answer.notice}\n")
    if answer.standalone_question:
        parts.append(f"_Answering: {answer.standalone_question}_\n")
    parts.append(answer.answer)
    if answer.citations:
        parts.append("\nSources:")
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            if len(quote) > 240:
                quote = quote[:237] + "…"
            parts.append(f"[{c.n}] {c.title} — {c.section}\n    “{quote}”")
    return "\n".join(parts)


def _open_coach(settings: Settings) -> Coach:
    from assistant.coach import Coach

    return Coach.open(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.ingest import Ingestor

    report = Ingestor(settings).run(rebuild=args.rebuild, progress=None if not args.quiet else False)
    print(report.summary())
    return 0


def _jsonl_cases(stream: TextIO) -> Iterator[tuple[int, dict[str, object] | None, str | None]]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"line {lineno} is not valid JSON ({exc.msg})"
            continue
        if not isinstance(row, dict) or "question" not in row:
            yield (
                lineno,
                row if isinstance(row, dict) else None,
                f'line {lineno} needs an object with a "question" field',
            )
            continue
        yield lineno, row, None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl:
        coach = _open_coach(settings)
        failures = 0
        # Sessions are conversations of this file: a rerun does not continue the last run's.
        run_id = uuid.uuid4().hex[:8]
        stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")  # noqa: SIM115
        with stream:
            for lineno, row, problem in _jsonl_cases(stream):
                case_id = str(row.get("id", lineno)) if row else str(lineno)
                if problem is not None or row is None:
                    failures += 1
                    print(json.dumps({"id": case_id, "error": problem}), flush=True)
                    continue
                session = row.get("session")
                try:
                    answer = coach.ask(
                        row["question"],
                        session=f"jsonl-{run_id}-{session}" if session is not None else None,
                        stage=row.get("stage") or args.stage,  # type: ignore[arg-type]
                        id=case_id,
                    )
                    answer.session = str(session) if session is not None else None
                except InputError as exc:
                    failures += 1
                    print(json.dumps({"id": case_id, "error": str(exc)}), flush=True)
                    continue
                print(answer.model_dump_json(), flush=True)
        return 1 if failures else 0
    if not args.question:
        raise InputError('Give a question, e.g. coach ask "How long should a pilot run?", or --jsonl FILE.')
    coach = _open_coach(settings)
    on_delta = None
    if args.stream:
        # The model's draft as it arrives, on stderr; the verified answer follows on stdout.
        def on_delta(piece: str) -> None:
            print(piece, end="", file=sys.stderr, flush=True)

    answer = coach.ask(" ".join(args.question), session=args.session, stage=args.stage, on_delta=on_delta)
    if args.stream:
        print("\n--- verified answer ---", file=sys.stderr, flush=True)
    print(answer.model_dump_json(indent=2) if args.json else render_markdown(answer))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    coach = _open_coach(settings)
    session = uuid.uuid4().hex[:12]
    print(
        'Ask about the AI pilot → prototype → production playbook, or say "let\'s check our pilot readiness". '
        "Empty line or Ctrl-D to quit."
    )
    while True:
        try:
            question = input("\nyou> ")
        except EOFError:
            print()
            return 0
        if not question.strip():
            return 0
        try:
            answer = coach.chat(question, session=session, user=_default_user(), stage=args.stage)
        except InputError as exc:
            print(f"coach> {exc}")
            continue
        print("\ncoach> " + render_markdown(answer))


def _catalog(settings: Settings) -> Catalog:
    """The checklist catalog from the index, without loading the models; ingests first if needed."""
    from assistant.checklists import read_catalog

    catalog = read_catalog(settings.index_dir)
    if catalog is None:
        catalog = _open_coach(settings).catalog
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


def _default_user() -> str:
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
    from assistant.coaching import parse_answers
    from assistant.presenters import render_score

    checklist = _find(_catalog(settings), args.id)
    answers = parse_answers(args.answers, len(checklist.items))
    coach = _open_coach(settings)
    result = coach.score(checklist.id, list(answers), guidance=not args.no_guidance)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    print(render_score_text(result, render_score))
    return 0


def render_score_text(result: Score, render: Callable[..., str]) -> str:
    from assistant.presenters import Cites

    cites = Cites()
    text = render(result, cites)
    return (
        text
        + "\n\nSources:\n"
        + "\n".join(f"[{c.n}] {c.title} — {c.section}: “{' '.join(c.quote.split())[:160]}”" for c in cites.items)
    )


def cmd_checklist_run(args: argparse.Namespace, settings: Settings) -> int:
    coach = _open_coach(settings)
    user = args.user or _default_user()
    st = coach.start_checklist(args.id, user=user, team=args.team or "", restart=args.restart)
    checklist = coach.checklist(st.checklist)
    emit = (lambda obj: print(json.dumps(obj, ensure_ascii=False), flush=True)) if args.json else None
    if emit:
        emit({"step": st.model_dump(mode="json")})
    else:
        print(st.message)
    from assistant.walkthrough import HELP, parse_command

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
            from assistant.presenters import render_score

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

    coach = _open_coach(settings)
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
    from assistant.coaching import GoNoGoInputs, evaluate_gonogo
    from assistant.presenters import Cites, render_decision

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
    from assistant.coaching import RoiInputs, compute_roi
    from assistant.presenters import Cites, render_roi

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


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation import run_eval
    from assistant.report import write_report
    from assistant.systems import SYSTEMS

    if args.provider:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"provider": args.provider})})
    systems = [s.strip() for s in args.systems.split(",") if s.strip()] if args.systems else list(SYSTEMS)
    coach = _open_coach(settings)
    report = run_eval(coach, systems=systems, split=args.split, limit=args.limit, verification=args.verification)
    thresholds_path = Path(args.thresholds)
    thresholds = json.loads(thresholds_path.read_text("utf-8")) if thresholds_path.exists() else {}
    gate = write_report(report, Path(args.out), thresholds)
    print((Path(args.out) / "report.md").read_text("utf-8"))
    print(f"Report: {args.out}/report.json, report.md, metrics.png", file=sys.stderr)
    if args.gate and gate:
        print("coach eval: thresholds crossed: " + "; ".join(gate), file=sys.stderr)
        return 1
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.ledger import Ledger, parse_day

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


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.brief import write_brief

    coach = _open_coach(settings)
    items = write_brief(coach, Path(args.questions), Path(args.out), client=args.client or "")
    covered = sum(i.covered for i in items)
    failed = sum(bool(i.error) for i in items)
    print(
        f"Wrote {args.out}: {len(items)} questions, {covered} answered from the playbook, "
        f"{len(items) - covered - failed} not covered (flagged), {failed} not processed."
    )
    return 0


def cmd_slack(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.slack import build_app, serve_http, serve_socket

    coach = _open_coach(settings)
    app = build_app(coach, settings)
    if args.socket:
        print("Slack bot connected in Socket Mode. Ctrl-C to stop.", file=sys.stderr)
        serve_socket(app)
    else:
        print(f"Slack events at http://{args.host}:{args.port}/slack/events. Ctrl-C to stop.", file=sys.stderr)
        serve_http(app, args.host, args.port)
    return 0


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(settings.masked(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Answers from the AI pilot → prototype → production playbook, with sources."
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index the documents in the knowledge folder (only what changed)")
    p.add_argument("--rebuild", action="store_true", help="re-index every document from scratch")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question, or a JSONL file of questions")
    p.add_argument("question", nargs="*", help="the question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument(
        "--jsonl", metavar="FILE", help='JSONL input, one {"id", "question", "session"?} per line; - is stdin'
    )
    p.add_argument("--session", help="conversation id: follow-up questions use its history")
    p.add_argument("--stream", action="store_true", help="show the model's draft on stderr as it is written")
    p.add_argument("--stage", choices=STAGES, help="bias retrieval towards a stage")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="an interactive conversation in the terminal")
    p.add_argument("--stage", choices=STAGES, help="bias retrieval towards a stage")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("checklist", help="the playbook's checklists and readiness assessments")
    checklist_sub = p.add_subparsers(dest="checklist_command", required=True)
    c = checklist_sub.add_parser("list", help="every checklist found in the playbook")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_checklist_list)
    c = checklist_sub.add_parser("show", help="a checklist's items, groups, bands and sources")
    c.add_argument("id")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_checklist_show)
    c = checklist_sub.add_parser("run", help="walk through a checklist one item at a time (resumable)")
    c.add_argument("id")
    c.add_argument("--user", help="whose run this is (default: COACH_USER or your login name)")
    c.add_argument("--team", help="the team the run belongs to, for its history")
    c.add_argument("--restart", action="store_true", help="start again instead of resuming")
    c.add_argument("--json", action="store_true", help="one JSON object per step on stdout")
    c.set_defaults(func=cmd_checklist_run)
    c = checklist_sub.add_parser("score", help="score a checklist from answers given in item order")
    c.add_argument("id")
    c.add_argument("--answers", required=True, help="yes,no,partial,unsure,skip — one per item, in order")
    c.add_argument("--no-guidance", action="store_true", help="do not look up the playbook's advice for gaps")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_checklist_score)
    c = checklist_sub.add_parser("history", help="past runs of a checklist and how the score moved")
    c.add_argument("id")
    c.add_argument("--team")
    c.add_argument("--user")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_checklist_history)

    p = sub.add_parser("gonogo", help="GO / ITERATE / STOP from the pilot's measured figures")
    p.add_argument("--active-users", type=float, help="share of target users active weekly, 0-1 (0.75)")
    p.add_argument("--acceptance", type=float, help="share of outputs accepted, 0-1 (0.7)")
    p.add_argument("--satisfaction", type=float, help="user satisfaction, 1-5")
    issues = p.add_mutually_exclusive_group()
    issues.add_argument("--critical-issues", dest="critical_issues", action="store_true", default=None)
    issues.add_argument("--no-critical-issues", dest="critical_issues", action="store_false")
    roi = p.add_mutually_exclusive_group()
    roi.add_argument("--roi-positive", dest="roi_positive", action="store_true", default=None)
    roi.add_argument("--roi-negative", dest="roi_positive", action="store_false")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_gonogo)

    p = sub.add_parser("roi", help="hours and money saved per year (the playbook's scope-template formula)")
    p.add_argument("--minutes-before", type=float, help="minutes per task today")
    p.add_argument("--minutes-after", type=float, help="minutes per task with AI (including review)")
    p.add_argument("--tasks-per-day", type=float, help="tasks per user per day")
    p.add_argument("--users", type=float)
    p.add_argument("--work-days", type=float, help="work days per year")
    p.add_argument("--hourly-rate", type=float, help="burdened hourly rate in dollars")
    p.add_argument("--example", action="store_true", help="use the playbook's worked example for inputs not given")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_roi)

    p = sub.add_parser("eval", help="hallucination, citation and acceptance rates, with baselines")
    p.add_argument("--out", default="eval/reports/latest", help="folder for report.json, report.md, charts")
    p.add_argument("--split", choices=["dev", "test"], help="only this split (default: both)")
    p.add_argument("--systems", help="comma-separated: coach,baseline-naive,baseline-copy-top (default: all)")
    p.add_argument("--provider", choices=["extractive", "openai"], help="the coach's generator (default: settings)")
    p.add_argument("--limit", type=int, help="only the first N items (a quick look)")
    p.add_argument(
        "--verification",
        action="store_true",
        help="also replay the hand-written strong-model answers (eval/strong) through the verifier",
    )
    p.add_argument("--thresholds", default="eval/thresholds.json")
    p.add_argument("--gate", action="store_true", help="exit 1 when a threshold is crossed")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("stats", help="usage, quality and speed from the interaction log")
    p.add_argument("--since", help="YYYY-MM-DD (inclusive)")
    p.add_argument("--until", help="YYYY-MM-DD (inclusive)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("brief", help="a client brief (Markdown or DOCX) from a file of questions")
    p.add_argument("questions", help="a text file (one question per line) or JSONL with a question field")
    p.add_argument("--client", help="the client's name, for the title")
    p.add_argument("--out", required=True, help="FILE.md or FILE.docx")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("slack", help="run the Slack bot (Events API over HTTP, or Socket Mode)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help="serve POST /slack/events (the default)")
    mode.add_argument("--socket", action="store_true", help="Socket Mode with SLACK_APP_TOKEN")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (HTTP mode)")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_slack)

    p = sub.add_parser("config", help="settings")
    config_sub = p.add_subparsers(dest="config_command", required=True)
    show = config_sub.add_parser("show", help="the effective settings, secrets masked")
    show.set_defaults(func=cmd_config)
    return parser


def _setup_logging(settings: Settings) -> Path | None:
    log_dir = settings.data_dir / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    handler = logging.FileHandler(log_dir / "coach.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log_dir / "coach.log"


def run(argv: list[str] | None, load: Callable[[], Settings] = load_settings) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_path: Path | None = None
    try:
        settings = load()
        log_path = _setup_logging(settings)
        return int(args.func(args, settings))
    except CoachError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (e.g. piped into head): nothing left to tell
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\ncoach: interrupted.", file=sys.stderr)
        return 130
    except Exception:  # the one place an unexpected failure becomes a message
        error_id = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s", error_id)
        where = f" Details are in {log_path} under error id {error_id}." if log_path else ""
        print(f"coach: something went wrong (error {error_id}).{where}", file=sys.stderr)
        return 1


def main() -> None:
    sys.exit(run(sys.argv[1:]))
