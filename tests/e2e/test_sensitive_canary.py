"""Sensitive means sensitive: a canary planted in every sensitive field reaches the system of
record (flagged), the allocated practitioner privately (marked not to be disclosed) and the
allocating SPO's private copy, and nothing else: no channel message, thread, other DM, prison
notice, log line or error body. Sensitive notes exist so the SPO can raise concerns with the
practitioner without them reaching the person on probation (docs/policy-sources.md)."""

from __future__ import annotations

import io
import json

from blocks.ids import AllocateBlock
from tests.support.allocation import answers
from tests.support.factories import case_fields

CANARY = "CANARY-7f3a-sensitive"
HATE_CANARY = "CANARY-9b1c-hate-notes"
DISCRIMINATION_CANARY = "CANARY-4e2d-discrimination-notes"
SPO_DM = "U0SPO0001"
PP_DM = "U0PP00001"


async def test_canary_reaches_only_the_record_the_practitioner_and_the_spos_copy(captured_logs: io.StringIO, wired_bot) -> None:
    bot, record, prison = wired_bot
    errors: list[str] = []
    status, body = await bot.post_case(case_fields(custodial=True, prison="HMP Leeds", crn=CANARY))
    errors.append(json.dumps(body))
    assert status == 422  # a canary in a bad field is not echoed back
    status, body = await bot.post_case(case_fields(custodial=True, prison="HMP Leeds"))
    case_id = body["id"]
    await bot.drained()
    pp = (await bot.practitioner_ids())["N07A001"]
    record.fail_next(500)  # a write-back failure and retry must not log the text either

    refused = await bot.submit(case_id=case_id, user=SPO_DM, values=answers(practitioner_id=pp, evidence=f"{CANARY} " * 10, evidence_sensitive=None))
    errors.append(json.dumps(refused[1]))
    assert AllocateBlock.EVIDENCE_SENSITIVE in refused[1]["errors"]
    outsider = await bot.submit(case_id=case_id, user="U0PP00002", values=answers(practitioner_id=pp, evidence=f"{CANARY} " * 10, evidence_sensitive="yes"))
    errors.append(json.dumps(outsider[1]))
    status, done = await bot.submit(
        case_id=case_id, user=SPO_DM,
        values=answers(
            practitioner_id=pp, evidence=f"Ada knows this area well. {CANARY} " * 3, evidence_sensitive="yes",
            hate_crime="yes", hate_notes=f"Notes {HATE_CANARY}", hate_notes_sensitive="yes", notify=["U0ADMIN01"],
            discrimination="yes", discrimination_notes=f"Notes {DISCRIMINATION_CANARY}", discrimination_notes_sensitive="yes",
        ),
    )  # fmt: skip
    assert (status, done) == (200, {})
    await bot.drained()
    await record.wait_for_async(5)  # the failed attempt, then four write-backs
    await prison.wait_for_async(1)

    # Positive controls: the record holds it, flagged; the SPO's own copy shows it.
    contacts = [r.body for r in record.accepted() if r.path.endswith("/contacts")]
    canaries = (CANARY, HATE_CANARY, DISCRIMINATION_CANARY)
    assert {(c["type"], c["sensitive"]) for c in contacts} == {
        ("Case allocation decision evidencing", True), ("Hate crime", True), ("Discrimination", True),
    }  # fmt: skip
    assert all(canary in json.dumps(contacts) for canary in canaries)
    spo_copies = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == SPO_DM]
    assert len(spo_copies) == 1 and all(canary in json.dumps(spo_copies[0].args) for canary in canaries)
    # The allocated practitioner gets them privately, in one message marked not to be disclosed.
    to_practitioner = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == PP_DM]
    private = [c for c in to_practitioner if CANARY in json.dumps(c.args)]
    assert len(private) == 1 and all(canary in json.dumps(private[0].args) for canary in canaries)
    assert "not to be disclosed" in json.dumps(private[0].args)

    # Everywhere else: absent.
    for call in bot.fake.calls:
        if call in spo_copies or call in private:
            continue
        text = json.dumps(call.args)
        assert not any(canary in text for canary in canaries), f"leaked in {call.method} to {call.args.get('channel')}"
    assert CANARY not in prison.all_text()
    logs = captured_logs.getvalue()
    assert logs, "the bot should have logged something at DEBUG"
    assert not any(canary in logs for canary in canaries)
    for body_text in errors:
        assert CANARY not in body_text
