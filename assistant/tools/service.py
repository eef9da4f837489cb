"""The playbook's tools: its readiness checklists (scored, with the playbook's advice on each gap, and
walked through one item at a time), the go/no-go evaluator and the ROI calculator, all parsed from the
documents at ingest (``checklists.Catalog``)."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from assistant.answer.answering import Answering
from assistant.errors import InputError
from assistant.tools.coaching import (
    Decision,
    Gap,
    GoNoGoInputs,
    RoiInputs,
    RoiResult,
    Score,
    compute_roi,
    evaluate_gonogo,
    score_checklist,
)
from assistant.tools.models import Catalog, Checklist, Source
from assistant.tools.walkthrough import HELP, Run, RunStore, Step, apply, new_run, reconcile, step


class Tools:
    def __init__(self, catalog: Catalog, runs: RunStore, pseudonym: Callable[[str], str], answering: Answering) -> None:
        self.catalog = catalog
        self.runs = runs
        self.pseudonym = pseudonym  # runs are stored under the user's pseudonym
        self.answering = answering

    def checklist(self, checklist_id: str) -> Checklist:
        """The checklist with this id, or an ``InputError`` naming the ones there are."""
        found = self.catalog.get(checklist_id.strip().lower())
        if found is not None:
            return found
        ids = [c.id for c in self.catalog.checklists]
        if not ids:
            raise InputError("No checklist was found in the playbook. Run: coach ingest")
        close = difflib.get_close_matches(checklist_id.lower(), ids, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(f"There is no checklist '{checklist_id}'.{hint} The checklists are: {', '.join(ids)}.")

    def guidance(self, checklist: Checklist, item_text: str) -> tuple[str, list[Source]]:
        """What the playbook says about an unmet item: an offline answer for the item, composed from
        passages that are not themselves checklists (a checklist restates the item, it does not advise).
        Empty when the playbook says nothing more about it."""
        q_vec, hits, _ = self.answering.search(item_text)
        items = [(i.citation.doc, i.citation.start) for c in self.catalog.checklists for i in c.items]
        hits = [h for h in hits if not any(d == h.chunk.doc and h.chunk.start <= s < h.chunk.end for d, s in items)]
        draft = self.answering.generator.generate(item_text, q_vec, hits)
        if draft.abstained:
            return "", []
        sources = [
            Source(doc=c.doc, title=c.title, section=c.section, quote=c.quote, start=c.start, end=c.end)
            for c in draft.citations
        ]
        return draft.answer, sources

    def score(self, checklist_id: str, answers: list[str | None], *, guidance: bool = True) -> Score:
        checklist = self.checklist(checklist_id)
        result = score_checklist(checklist, answers)
        if guidance:
            result.gaps = [self._with_guidance(checklist, gap) for gap in result.gaps]
        return result

    def _with_guidance(self, checklist: Checklist, gap: Gap) -> Gap:
        text, sources = self.guidance(checklist, gap.item)
        gap.guidance = text or "The playbook gives no advice on this item beyond the checklist itself."
        gap.citations = sources
        return gap

    def start_checklist(
        self,
        checklist_id: str,
        *,
        user: str,
        team: str = "",
        session: str | None = None,
        restart: bool = False,
    ) -> Step:
        """Begin a walkthrough, or resume this user's unfinished one of the same checklist."""
        checklist = self.checklist(checklist_id)
        user = self.pseudonym(user)  # runs are stored under the pseudonym
        run = None if restart else self.runs.unfinished(user, checklist.id)
        message = ""
        if run is None:
            run = new_run(checklist, user, team, session)
            message = f"Starting {checklist.title}: {len(checklist.items)} items. " + HELP
        else:
            changed = reconcile(run, checklist)
            run.session = session or run.session
            message = f"Resuming where you left off: {run.answered} of {len(checklist.items)} answered. " + changed
        self.runs.save(run)
        return step(run, checklist, message.strip())

    def checklist_reply(self, run_id: str, command: str, argument: str = "") -> tuple[Step, Score | None]:
        """Apply one walkthrough command; when the last item is answered the run is scored."""
        run = self.runs.get(run_id)
        if run is None:
            raise InputError(f"There is no checklist run '{run_id}'. Start one with: coach checklist run ID")
        checklist = self.checklist(run.checklist)
        changed = reconcile(run, checklist)
        result = apply(run, checklist, command, argument)
        if changed:
            result.message = f"{changed} {result.message}"
        scored: Score | None = None
        if result.done:
            scored = self.score(checklist.id, list(run.answers))
            run.finished, run.score, run.band = True, scored.score, scored.band
        elif command == "restart":
            run.finished, run.score, run.band = False, None, None
        self.runs.save(run)
        return result, scored

    def history(self, checklist_id: str, *, team: str | None = None, user: str | None = None) -> list[Run]:
        return self.runs.history(
            self.checklist(checklist_id).id, team=team, user=self.pseudonym(user) if user else None
        )

    def gonogo(self, inputs: GoNoGoInputs) -> Decision:
        if self.catalog.decision is None:
            raise InputError(
                "The playbook in the knowledge folder has no GO / ITERATE / STOP criteria to evaluate against."
            )
        return evaluate_gonogo(self.catalog.decision, inputs)

    def roi(self, inputs: RoiInputs) -> RoiResult:
        return compute_roi(inputs, self.catalog.roi_example)
