"""What a user is told when a request fails, the same on every interface: what is wrong, for bad input
or a service the assistant depends on (a ``CoachError`` says it); for anything else an error id, which
the log and the ledger record with the traceback. Never a traceback, and never the message's text in
the log."""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import TYPE_CHECKING

from assistant.errors import CoachError

if TYPE_CHECKING:
    from assistant.service.coach import Coach

log = logging.getLogger("assistant.interfaces")


def failure(
    coach: Coach,
    exc: BaseException,
    *,
    question: object = "",
    user: str = "",
    session: str | None = None,
    channel: str = "web",
) -> str:
    """The message for a failed request on ``channel``."""
    if isinstance(exc, CoachError):
        return str(exc)
    error_id = uuid.uuid4().hex[:8]
    log.error("%s request failed %s", channel, error_id, exc_info=exc)
    with contextlib.suppress(CoachError):
        coach.ledger.log_error(error_id, question=str(question), user=user, session=session, channel=channel)
    return f"Sorry — something went wrong on our side (error {error_id}). Please try again."
