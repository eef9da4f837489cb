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
from assistant.types import STAGES, Answer

if TYPE_CHECKING:
    from assistant.coach import Coach

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
    print("Ask about the AI pilot → prototype → production playbook. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("\nyou> ")
        except EOFError:
            print()
            return 0
        if not question.strip():
            return 0
        try:
            answer = coach.ask(question, session=session, stage=args.stage)
        except InputError as exc:
            print(f"coach> {exc}")
            continue
        print("\ncoach> " + render_markdown(answer))


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
