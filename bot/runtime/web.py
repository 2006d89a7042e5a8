"""The one aiohttp server (README, "HTTP routes"): Slack events, intake API, health, metrics."""

from __future__ import annotations

import hmac
import json
import logging
import time
from datetime import date, datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import text

from bot.adapters.replay import ReplayGuard, verified_signature
from bot.domain.case_picture import CasePicture
from bot.domain.errors import FieldError, InvalidInput
from bot.domain.staff_input import parse_staff
from bot.runtime.settings import Settings
from bot.services.case_events import Received
from bot.services.facade import Services
from handlers.submissions import ANSWER_BY
from storage.models import Case, Practitioner

log = logging.getLogger("casebot.web")

INTAKE_MAX_BYTES = 64 * 1024  # README: 413 for a body over 64 KiB
SERVICES_KEY = web.AppKey("services", Services)
SETTINGS_KEY = web.AppKey("settings", Settings)
BOLT_KEY = web.AppKey("bolt", AsyncApp)
REPLAY_KEY = web.AppKey("replay", ReplayGuard)


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, text=json.dumps(body, default=_json_default), content_type="application/json")


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _errors(status: int, errors: list[FieldError]) -> web.Response:
    return _json(status, {"errors": [e.as_dict() for e in errors]})


def case_body(case: Case, team_code: str) -> dict[str, Any]:
    """The stored case as the intake API answers it: the case fields plus id, state, due_by, received_at."""
    return {
        "id": case.id,
        "event_id": case.event_id,
        "crn": case.crn,
        "name": case.name,
        "team": team_code,
        "tier": case.tier,
        "sentence_type": case.sentence_type,
        "sentence_date": case.sentence_date,
        "custodial": case.custodial,
        "prison": case.prison,
        "rosh": case.rosh,
        "rsr": case.rsr,
        "mappa_category": case.mappa_category,
        "mappa_level": case.mappa_level,
        "offence": case.offence,
        "previous_practitioner": case.previous_practitioner,
        "release_date": case.release_date,
        "restricted": case.restricted,
        "excluded_practitioners": case.excluded_practitioners,
        "event_number": case.event_number,
        "restricted_to": case.restricted_to,
        **CasePicture.from_stored(case.picture).to_stored(),
        "state": case.state,
        "due_by": case.due_by,
        "received_at": case.received_at,
        **path_body(case),
    }


def path_body(case: Case) -> dict[str, Any]:
    """The case's path fields (README, "The intake API"): resourcing as computed (and as the
    source gave it), custody under OMiC, the first appointment."""
    return {
        "resourcing": case.resourcing,
        "resourcing_reason": case.resourcing_reason,
        "resourcing_given": case.resourcing_given,
        "foreign_national": case.foreign_national,
        "deportation_recommended": case.deportation_recommended,
        "exceptional_public_interest": case.exceptional_public_interest,
        "sentence_months": case.sentence_months,
        "handover_date": case.handover_date,
        "allocatable_from": case.allocatable_from,
        "path_reason": case.path_reason,
        "first_appointment_date": case.first_appointment_date,
        "first_appointment_time": case.first_appointment_time,
        "first_appointment_place": case.first_appointment_place,
    }


def received_body(received: Received) -> dict[str, Any]:
    """The intake answer: the stored case, or for a later event of an open case the case with
    that event's id and what became of it (`currently_managed`: stays with `practitioner`)."""
    body = case_body(received.case, received.case.team.code)
    if received.event_id is not None:
        body["event_id"] = received.event_id
    if received.state is not None:
        body["state"] = received.state
    if received.holder is not None:
        body["practitioner"] = {"staff_code": received.holder.staff_code, "name": received.holder.name}
    return body


def _authorised(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def _read_limited(request: web.Request) -> bytes | None:
    """The body, or None when it is over the intake limit (checked while reading, not trusted from headers)."""
    if request.content_length is not None and request.content_length > INTAKE_MAX_BYTES:
        return None
    body = await request.content.read(INTAKE_MAX_BYTES + 1)
    return None if len(body) > INTAKE_MAX_BYTES else body


async def intake(request: web.Request) -> web.Response:
    """POST /api/v1/cases: 201 new, 200 repeat, 401, 413, 422 naming every bad field."""
    raw = await _json_body(request)
    if isinstance(raw, web.Response):
        return raw
    try:
        received = await request.app[SERVICES_KEY].receive_case(raw, source="api")
    except InvalidInput as exc:
        return _errors(422, exc.errors)
    return _json(201 if received.created else 200, received_body(received))


def staff_body(person: Practitioner, team_code: str) -> dict[str, Any]:
    """What the staff feed stored for one practitioner, as `PUT /api/v1/staff/{staff_code}` answers it."""
    return {
        "staff_code": person.staff_code,
        "team": team_code,
        "caseload_points": person.feed_caseload_points,
        "caseload": person.feed_caseload,
        "contracted_hours": person.feed_contracted_hours,
        "available_hours": person.feed_available_hours,
        "absences": person.absences,
        "as_of": person.feed_as_of,
    }


async def _json_body(request: web.Request) -> Any | web.Response:
    """The bearer-authenticated JSON body, or the 401/413/422 answer (as the intake API)."""
    settings = request.app[SETTINGS_KEY]
    if not settings.intake_token or not _authorised(request, settings.intake_token):
        return _json(401, {"errors": [{"field": "Authorization", "message": "a valid 'Bearer <CASEBOT_INTAKE_TOKEN>' header is required"}]})
    body = await _read_limited(request)
    if body is None:
        return _errors(413, [FieldError("body", f"must be at most {INTAKE_MAX_BYTES} bytes")])
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
        return _errors(422, [FieldError("body", "must be a JSON object")])


async def staff_feed(request: web.Request) -> web.Response:
    """PUT /api/v1/staff/{staff_code}: 200 with what was stored, 401, 404 unknown staff code,
    413, 422 naming every bad field (README, "The staff feed")."""
    raw = await _json_body(request)
    if isinstance(raw, web.Response):
        return raw
    code = request.match_info["staff_code"].strip()
    try:
        record = parse_staff(raw, staff_code=code)
    except InvalidInput as exc:
        return _errors(422, exc.errors)
    result = await request.app[SERVICES_KEY].update_staff([record], actor="api")
    if not result.updated:
        return _errors(404, [FieldError("staff_code", f"no practitioner with staff code '{code[:20]}' is loaded (`casebot teams load`)")])
    [person] = result.updated
    return _json(200, staff_body(person, result.team_codes.get(person.team_id, "")))


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES_KEY]
    try:
        async with services.db.uow() as uow:
            await uow.session.execute(text("SELECT 1"))
    except Exception:
        log.warning("health check: database did not answer")
        return _json(503, {"status": "unavailable", "database": "not answering"})
    return _json(200, {"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    services = request.app[SERVICES_KEY]
    try:
        await services.refresh_gauges()
    except Exception:
        log.warning("metrics: database gauges unavailable")
    return web.Response(body=services.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def slack_events(request: web.Request) -> web.Response:
    """Slack's requests: authenticated first (401 before anything parses the body or casts a
    header), then refused if replayed, then refused with 400 if not a Slack payload, then Bolt's.
    The arrival time goes to the listeners, whose answer Slack needs within 3 s of it."""
    received_at = time.monotonic()
    body = await request.read()
    signature = verified_signature(request.app[SETTINGS_KEY].slack_signing_secret or "", body, request.headers)
    if signature is None:
        return _errors(401, [FieldError("X-Slack-Signature", "one valid, fresh Slack signature and timestamp are required")])
    if not request.app[REPLAY_KEY].take(signature):
        log.warning("replayed Slack request refused")
        return _errors(401, [FieldError("X-Slack-Signature", "this signed request was already received")])
    bolt_request = _bolt_request(body, request, answer_by=received_at + request.app[SETTINGS_KEY].submission_budget_seconds)
    if bolt_request is None:
        return _errors(400, [FieldError("body", "must be a Slack payload: a JSON object, or a form whose 'payload' is one")])
    return await to_aiohttp_response(await request.app[BOLT_KEY].async_dispatch(bolt_request))


def _bolt_request(body: bytes, request: web.Request, *, answer_by: float) -> AsyncBoltRequest | None:
    """Bolt's request, or None when the signed body is not one Bolt can read: not UTF-8, not
    JSON where JSON is due, or a payload that is not an object (Bolt would fail with a 500)."""
    try:
        # Bolt annotates headers as a dict but only calls .items() on them (slack_bolt
        # build_normalized_headers); copying to a dict could change which repeated header wins.
        parsed = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
            context={ANSWER_BY: answer_by},
        )
    except (ValueError, TypeError, AttributeError, RecursionError):  # ValueError: bad UTF-8 or JSON
        return None
    return parsed if isinstance(parsed.body, dict) else None


def build_web_app(settings: Settings, services: Services, *, bolt: AsyncApp | None, replay: ReplayGuard) -> web.Application:
    """The routes; `/slack/events` only in HTTP mode (Socket Mode receives over the socket)."""
    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES_KEY] = services
    app[SETTINGS_KEY] = settings
    app.router.add_post("/api/v1/cases", intake)
    app.router.add_put("/api/v1/staff/{staff_code}", staff_feed)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if bolt is not None:
        app[BOLT_KEY] = bolt
        app[REPLAY_KEY] = replay
        app.router.add_post("/slack/events", slack_events)
    return app
