"""One chat turn routed: a reply to the checklist walkthrough in progress, the start of one, the go/no-go
evaluator, the ROI calculator (each asking for what it still needs), or else a playbook answer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from assistant.interfaces.presenters import ROI_NAMES, Cites, render_decision, render_roi, render_step
from assistant.service.ledger import Ledger
from assistant.service.router import Route, route
from assistant.tools.coaching import GoNoGoInputs, RoiInputs
from assistant.tools.models import Catalog
from assistant.tools.service import Tools
from assistant.tools.walkthrough import Run, parse_command
from assistant.types import Answer, Verification

Ask = Callable[..., Answer]


class Chat:
    def __init__(self, tools: Tools, ledger: Ledger, ask: Ask) -> None:
        self.tools = tools
        self.ledger = ledger
        self.ask = ask  # a playbook answer, for a message no tool takes

    def turn(
        self,
        text: str,
        *,
        started: float,
        who: str,
        session: str | None,
        team: str,
        stage: str | None,
        id: str | None,
        on_delta: Callable[[str], None] | None,
        channel: str,
    ) -> Answer:
        tools = self.tools
        active = tools.runs.for_session(session) if session else None
        cites = Cites()
        answer: Answer | None = None
        if active is not None and (cmd := parse_command(text)) is not None:
            st, scored = tools.checklist_reply(active.run_id, *cmd)
            checklist = tools.checklist(active.checklist)
            tool: dict[str, object] = {"kind": "checklist", "step": st.model_dump(mode="json")}
            if scored is not None:
                tool["score"] = scored.model_dump(mode="json")
            answer = Answer(answer=render_step(st, checklist, cites, scored), route="checklist", tool=tool)
        else:
            answer = self._tool(route(text, tools.catalog), who, team, session, cites)
        if answer is None and active is None and parse_command(text) is not None and len(text.split()) <= 2:
            answer = Answer(
                answer="There is no checklist in progress. Say, for example, 'let's check our pilot readiness'. "
                "Checklists: " + ", ".join(c.id for c in tools.catalog.checklists) + ".",
                route="checklist",
            )
        if answer is None:
            answer = self.ask(
                text,
                session=session,
                stage=stage,
                id=id,
                on_delta=on_delta,
                user=who,
                channel=channel,
                check_rate=False,
            )
            if active is not None:
                answer.notice = _paused(active, tools)
            return answer
        answer.id = id or uuid.uuid4().hex[:12]
        answer.citations = cites.items
        answer.confidence = 1.0
        answer.generator = "coach"
        answer.session = session
        answer.verification = Verification(sentences=len(cites.items))
        answer.latency_ms = round((time.perf_counter() - started) * 1000)
        self.ledger.log(answer, question=text, user=who, channel=channel)
        return answer

    def _tool(self, r: Route, who: str, team: str, session: str | None, cites: Cites) -> Answer | None:
        """What the tool the message is routed to replies; None when no tool takes it."""
        tools = self.tools
        if r.kind == "checklist" and r.checklist:
            st = tools.start_checklist(r.checklist, user=who, team=team, session=session)
            checklist = tools.checklist(r.checklist)
            tool: dict[str, object] = {"kind": "checklist", "step": st.model_dump(mode="json")}
            return Answer(answer=render_step(st, checklist, cites, None), route="checklist", tool=tool)
        if r.kind == "gonogo" and tools.catalog.decision is not None:
            if not r.values:
                return Answer(
                    answer=_gonogo_needs(tools.catalog, cites), route="gonogo", tool={"kind": "gonogo", "needs": True}
                )
            decision = tools.gonogo(GoNoGoInputs(**r.values))  # type: ignore[arg-type]
            return Answer(
                answer=render_decision(decision, cites),
                route="gonogo",
                tool={"kind": "gonogo", **decision.model_dump(mode="json")},
            )
        if r.kind == "roi":
            missing = [k for k in ROI_NAMES if k not in r.values]
            if missing:
                return Answer(
                    answer=_roi_needs(tools.catalog, missing, cites),
                    route="roi",
                    tool={"kind": "roi", "needs": missing, "have": r.values},
                )
            result = tools.roi(RoiInputs(**r.values))
            return Answer(
                answer=render_roi(result, cites), route="roi", tool={"kind": "roi", **result.model_dump(mode="json")}
            )
        return None


def _gonogo_needs(catalog: Catalog, cites: Cites) -> str:
    fw = catalog.decision
    assert fw is not None
    lines = [
        "To evaluate go/no-go I need the pilot's measured figures: the share of target users "
        "active weekly, the acceptance rate, satisfaction (1-5), whether critical security or "
        "compliance issues were found, and whether the ROI projection is positive. The GO "
        "criteria are:"
    ]
    lines += [f"- {c.text} [{cites.add(c.citation)}]" for c in fw.go]
    lines.append(
        "Say, for example: 'go/no-go: 75% weekly active, 70% acceptance, satisfaction 4.1, "
        "no critical issues, positive ROI'."
    )
    return "\n".join(lines)


def _roi_needs(catalog: Catalog, missing: list[str], cites: Cites) -> str:
    ex = catalog.roi_example
    lines = [
        "The ROI formula of the playbook's scope template: (minutes before − minutes after) × tasks "
        "per day × users × work days ÷ 60 = hours saved per year; × the burdened hourly rate = "
        "savings per year." + (f" Its worked example: [{cites.add(ex.citation)}]" if ex else ""),
        "Still needed: " + ", ".join(ROI_NAMES[k] for k in missing) + ".",
        "Say, for example: 'ROI: from 45 min to 5 min, 8 tasks a day, 15 users, 240 work days, $35/hour'.",
    ]
    return "\n\n".join(lines)


def _paused(active: Run, tools: Tools) -> str:
    paused = tools.checklist(active.checklist)
    return (
        f"Your {paused.title} check is paused at item {min(active.position + 1, len(paused.items))} of "
        f"{len(paused.items)}: reply yes / no / partial / unsure / skip to continue."
    )
