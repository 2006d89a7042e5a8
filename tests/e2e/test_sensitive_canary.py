"""Sensitive means sensitive (issue 5): a canary planted in every sensitive field reaches the
system of record (flagged) and the allocating SPO's private copy, and nothing else: no channel
message, thread, other DM, prison notice, log line or error body."""

from __future__ import annotations

import io
import json


from blocks.ids import AllocateBlock
from tests.support.allocation import answers
from tests.support.factories import case_fields

CANARY = "CANARY-7f3a-sensitive"
HATE_CANARY = "CANARY-9b1c-hate-notes"
SPO_DM = "U0SPO0001"


async def test_canary_reaches_only_the_record_and_the_spos_copy(captured_logs: io.StringIO, wired_bot) -> None:
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
        ),
    )  # fmt: skip
    assert (status, done) == (200, {})
    await bot.drained()
    await record.wait_for_async(4)  # the failed attempt, then three write-backs
    await prison.wait_for_async(1)

    # Positive controls: the record holds it, flagged; the SPO's own copy shows it.
    contacts = [r.body for r in record.accepted() if r.path.endswith("/contacts")]
    assert {(c["type"], c["sensitive"]) for c in contacts} == {("Case allocation decision evidencing", True), ("Hate crime or discrimination", True)}
    assert CANARY in json.dumps(contacts) and HATE_CANARY in json.dumps(contacts)
    spo_copies = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == SPO_DM]
    assert len(spo_copies) == 1 and CANARY in json.dumps(spo_copies[0].args) and HATE_CANARY in json.dumps(spo_copies[0].args)

    # Everywhere else: absent.
    for call in bot.fake.calls:
        if call in spo_copies:
            continue
        text = json.dumps(call.args)
        assert CANARY not in text and HATE_CANARY not in text, f"leaked in {call.method} to {call.args.get('channel')}"
    assert CANARY not in prison.all_text()
    logs = captured_logs.getvalue()
    assert logs, "the bot should have logged something at DEBUG"
    assert CANARY not in logs and HATE_CANARY not in logs
    for body_text in errors:
        assert CANARY not in body_text
