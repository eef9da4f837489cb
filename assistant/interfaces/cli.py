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
from typing import TYPE_CHECKING, TextIO

from assistant import __version__
from assistant.config import Settings, load_settings
from assistant.errors import CoachError, InputError
from assistant.interfaces.cli_tools import (
    cmd_checklist_history,
    cmd_checklist_list,
    cmd_checklist_run,
    cmd_checklist_score,
    cmd_checklist_show,
    cmd_gonogo,
    cmd_roi,
    cmd_stats,
    default_user,
    open_coach,
)
from assistant.types import STAGES, Answer

if TYPE_CHECKING:
    pass

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


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.ingest.pipeline import Ingestor

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
        coach = open_coach(settings)
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
    coach = open_coach(settings)
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
    coach = open_coach(settings)
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
            answer = coach.chat(question, session=session, user=default_user(), stage=args.stage)
        except InputError as exc:
            print(f"coach> {exc}")
            continue
        print("\ncoach> " + render_markdown(answer))


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.report import write_report
    from assistant.evaluation.run import run_eval
    from assistant.evaluation.systems import SYSTEMS

    if args.provider:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"provider": args.provider})})
    systems = [s.strip() for s in args.systems.split(",") if s.strip()] if args.systems else list(SYSTEMS)
    coach = open_coach(settings)
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


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.interfaces.brief import write_brief

    coach = open_coach(settings)
    items = write_brief(coach, Path(args.questions), Path(args.out), client=args.client or "")
    covered = sum(i.covered for i in items)
    failed = sum(bool(i.error) for i in items)
    print(
        f"Wrote {args.out}: {len(items)} questions, {covered} answered from the playbook, "
        f"{len(items) - covered - failed} not covered (flagged), {failed} not processed."
    )
    return 0


def cmd_slack(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.interfaces.slack import build_app, serve_http, serve_socket

    coach = open_coach(settings)
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
