"""`/casebot queue | case X123456 | caseload @person | help`. Thin glue.

The answer is the acknowledgement itself: Bolt returns `ack(...)`'s body as the HTTP response,
which Slack shows only to the caller. No response_url, no Web API call, nothing durable: it is
an answer to a person who is waiting (docs/architecture.md). The queries are bounded, so the
answer comes well within Slack's 3 s. Whatever goes wrong, the caller gets a polite answer,
never an error status; the log gets a reference, the error type and frames, never the text.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from blocks import command_blocks as answers
from blocks.case_answer import case_message
from blocks.case_card import record_link
from blocks.caseload_answer import caseload_message
from blocks.queue_answer import queue_message
from bot.domain.clock import london_today
from bot.domain.errors import where
from bot.queries import case_history, commands
from bot.services.facade import Services
from handlers import command_text

COMMAND = "/casebot"
log = logging.getLogger("casebot.handlers")


def register(app: AsyncApp, services: Services) -> None:
    @app.command(COMMAND)
    async def casebot(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(response_type="ephemeral", **await answer(services, str(command.get("user_id", "")), str(command.get("text") or "")))


async def answer(services: Services, user: str, text: str) -> dict[str, Any]:
    try:
        return await _answer(services, user, text)
    except Exception as error:  # noqa: BLE001 - the caller gets a polite answer, the log the details
        reference = uuid.uuid4().hex[:12]
        log.error("slash command failed", extra={"reference": reference, "error_type": type(error).__name__, "where": where(error)})
        return answers.failure_message(reference)


async def _answer(services: Services, user: str, text: str) -> dict[str, Any]:
    try:
        query = command_text.parse(text)
    except command_text.UsageProblem as problem:
        return answers.usage_message(problem.message)
    uow, today = services.db.uow, london_today(services.clock)
    try:
        match query:
            case command_text.QueueQuery():
                return queue_message(await commands.queue(uow, user, today=today))
            case command_text.CaseQuery(crn=crn):
                history = await case_history.case_history(uow, user, crn, today=today)
                return case_message(history, record_url=record_link(services.settings.record_case_url, history.case.crn))
            case command_text.CaseloadQuery(user_id=person):
                return caseload_message(await commands.caseload(uow, user, person, today=today, weights=services.settings.tier_weights))
            case _:
                return answers.usage_message()
    except commands.NotInTeam:
        return answers.not_in_team_message()
    except case_history.CaseNotVisible:
        return answers.case_not_visible_message(query.crn if isinstance(query, command_text.CaseQuery) else "")
    except commands.UnknownPerson as unknown:
        return answers.unknown_person_message(unknown.user_id)
    except commands.NotAllowed as refused:
        return answers.not_allowed_message(refused.user_id, refused.team_names)
