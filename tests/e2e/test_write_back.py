"""Write-back to the system of record and the prison notice (seeds/000; seeds/003 s1.15)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEvent, OutboxMessage
from tests.support.allocation import answers
from tests.support.bot import BotUnderTest
from tests.support.factories import case_fields


async def _allocate(bot: BotUnderTest, **case) -> int:
    _, body = await bot.post_case(case_fields(**case))
    pp = (await bot.practitioner_ids())["N07A001"]
    status, answer = await bot.submit(
        case_id=body["id"], user="U0SPO0001", values=answers(practitioner_id=pp, hate_crime="yes", hate_notes="Racially aggravated.", hate_notes_sensitive="no")
    )
    assert (status, answer) == (200, {})
    return int(body["id"])


async def test_allocation_and_contacts_are_written_back_once_each(wired_bot) -> None:
    bot, record, _ = wired_bot
    record.fail_next(503)  # unknown outcome: retried with the same idempotency key
    await _allocate(bot)
    await bot.drained()

    accepted = record.accepted()
    assert sorted(r.path for r in accepted) == ["/cases/X123456/allocations", "/cases/X123456/contacts", "/cases/X123456/contacts"]
    assert {r.headers["Authorization"] for r in accepted} == {"Bearer rec-token"}
    assert len({r.headers["Idempotency-Key"] for r in accepted}) == 3
    allocation = next(r.body for r in accepted if r.path.endswith("/allocations"))
    assert (allocation["staff_code"], allocation["allocated_by"], allocation["outside_policy"]) == ("N07A001", "U0SPO0001", False)
    contacts = {r.body["type"]: r.body for r in accepted if r.path.endswith("/contacts")}
    assert contacts["Case allocation decision evidencing"]["sensitive"] is False
    assert contacts["Hate crime"]["text"] == "Racially aggravated."
    async with bot.runtime.db.uow() as uow:
        delivered = [e for e in await uow.session.scalars(select(AuditEvent)) if e.action == "write_back_delivered"]
    assert len(delivered) == 3


async def test_custodial_allocation_notifies_the_prison(wired_bot) -> None:
    bot, _, prison = wired_bot
    await _allocate(bot, custodial=True, prison="HMP Leeds", sentence_type="Custody")
    [notice] = await prison.wait_for_async(1)

    assert notice.body["prison"] == "HMP Leeds"
    assert "X123456" in notice.body["subject"] and "Ada Lovelace" in notice.body["text"]
    assert notice.headers["Idempotency-Key"]


async def test_a_refused_write_back_is_shown_to_the_spos_not_lost(wired_bot) -> None:
    bot, record, _ = wired_bot
    record.fail_next(422, times=3)
    await _allocate(bot)
    await bot.drained()

    async with bot.runtime.db.uow() as uow:
        failed = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "failed")))
    assert len(failed) == 3 and {f.last_error for f in failed} == {"HTTP 422"}
    warnings = [c for c in bot.fake.calls_to("chat.postMessage") if "could not be delivered" in c.args.get("text", "")]
    assert {w.args["channel"] for w in warnings} == {"U0SPO0001", "U0SPO0002"}
    assert any("Case allocation decision evidencing" in w.args["text"] for w in warnings)


async def test_without_a_record_api_write_backs_wait_in_the_outbox(bot: BotUnderTest) -> None:
    _, body = await bot.post_case(case_fields())
    pp = (await bot.practitioner_ids())["N07A001"]
    await bot.submit(case_id=body["id"], user="U0SPO0001", values=answers(practitioner_id=pp))
    await bot.drained()

    async with bot.runtime.db.uow() as uow:
        waiting = list(await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.method.startswith("record."))))
    assert len(waiting) == 2 and {w.state for w in waiting} == {"pending"} and {w.attempts for w in waiting} == {0}
    [copy] = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "U0SPO0001"]
    assert "Not yet written back to the case record" in str(copy.args["blocks"])
