"""Delivers the outbox to Slack: at least once by retrying, at most once by reconciling.

- Claim: due rows, first in line for their ordering key (so one case's messages keep their
  order), leased with a conditional update (and SKIP LOCKED on PostgreSQL), so two workers or
  two replicas never send the same row.
- Lanes: each row has a lane, what one rate limit covers (a channel, a person's DMs, App
  Home publishes, write-backs: bot/services/outbox.py `lane_for`). A claim takes the first
  rows of every ready lane, oldest first, so a burst for one busy channel cannot crowd out
  the others; conversation lanes are paced and paused on their own (bot/adapters/outbox_pacing.py),
  and the rest have their own share of the worker, so a Home publish never waits for posts.
- Dispatch: `run` sends each claimed row as its own task and claims again as soon as a task
  ends or a paced lane frees up, so one slow call holds up nothing but its own lane.
- Send: every message carries Slack message metadata with its outbox id.
- Mark: the result (channel, ts) is stored; purpose hooks copy it where it belongs
  (bot/adapters/outbox_settle.py, which also backs off and fails rows).
- If the outcome is unknown (timeout, 5xx, or a crash between send and mark that leaves the
  lease to expire), the next attempt first looks for the outbox id in the conversation's
  history, and marks the row sent if Slack already has it.
- Fence: a lease (a call's timeout plus `lease_seconds`) can run out while its attempt is still
  busy (a slow reconcile, a stalled process). So an attempt calls only while it still holds the
  lease, renewed before the call when it would not outlast it (`_hold_for_call`), and settles
  the row only while it holds it (bot/adapters/outbox_settle.py). A worker that finds a lease
  run out does not send at once: the old attempt may have called just before, its request
  still on its way, and a look in Slack now would miss it. It puts the row back in doubt,
  moving the token on, and the row is looked for a call's timeout later (`doubt`).
- 429 pauses what it limits for Retry-After (a post: its conversation; else: the method); other
  failures back off exponentially; permanent refusals mark the row failed (counted and logged,
  never silently dropped).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.adapters.delivery import DeliveryError, PermanentFailure, Port, RateLimited, UnknownOutcome
from bot.adapters.metrics import Metrics
from bot.adapters.outbox_pacing import LOOKAHEAD_SECONDS, Pacer
from bot.adapters.outbox_reconcile import find_sent, outbox_metadata
from bot.adapters.outbox_settle import Settlement
from bot.domain.clock import Clock
from bot.domain.lanes import CONVERSATION_LANES, is_conversation_lane
from storage.db import Database
from storage.models import OutboxMessage

log = logging.getLogger("casebot.outbox")

POSTING_METHODS = frozenset({"chat.postMessage"})
RESULT_KEYS = ("channel", "ts", "id")  # what later rows and hooks need of a delivery's answer
LANE_BURST = 4  # rows of one unpaced lane per claim (a paced lane sends one per interval)
CLAIM_GAP_SECONDS = 0.02  # calls finishing together share one claim (at most 50 claims a second)
NUDGE_GAP_SECONDS = 0.1  # commits nudging faster than this share one wake (at most 10 a second)


class OutboxWorker:
    """Claims and delivers outbox rows; `run_once` is one tick, `run` loops until stopped."""

    def __init__(
        self,
        db: Database,
        slack: Port,
        clock: Clock,
        metrics: Metrics,
        *,
        other_ports: dict[str, Port] | None = None,
        lease_seconds: float = 60.0,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 300.0,
        batch_size: int = 50,
        concurrency: int = 8,
        channel_interval_seconds: float = 1.0,
        method_rates: Mapping[str, float] | None = None,
        call_seconds: float = 10.0,
    ) -> None:
        self.db = db
        self.slack = slack
        self.other_ports = dict(other_ports or {})
        self.clock = clock
        self.metrics = metrics
        self.lease = timedelta(seconds=lease_seconds)
        self.call_seconds = call_seconds  # the longest one call to Slack may take (its client's timeout)
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        # Calls in flight, by kind of lane: conversations, and the rest (Home, write-backs...),
        # each with `concurrency` of its own so neither can take the other's turn.
        self.concurrency = concurrency
        self._in_flight: Counter[bool] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self.pacer = Pacer(channel_interval_seconds, method_rates or {})
        self._backlogged: set[str] = set()  # lanes known to hold rows waiting for their pacing
        self._send_at: dict[int, float] = {}  # outbox id -> the moment its lane frees up
        self._leased_at: dict[int, float] = {}  # outbox id -> when this worker leased it (until its attempt ends)
        self._next_ready: float | None = None  # the soonest a paced or paused row may go
        self._wake = asyncio.Event()
        self._last_nudge = float("-inf")
        self._nudge_later: asyncio.TimerHandle | None = None
        self._stopping = asyncio.Event()
        self.settle = Settlement(db, clock, max_backoff_seconds, unknown_wait_seconds=call_seconds)
        self.after_sent = self.settle.after_sent  # filled by the runtime: what each purpose does once sent
        self.after_failed = self.settle.after_failed

    def deliverable_prefixes(self) -> tuple[str, ...]:
        """Slack methods, plus the other systems that are configured. A write-back with no
        system of record configured stays queued (README) until one is."""
        return ("chat.", "conversations.", "views.", "users.", *(f"{name}." for name in self.other_ports))

    def port_for(self, method: str) -> Port:
        """`record.contact` goes to the 'record' port; Slack methods to Slack."""
        return self.other_ports.get(method.split(".", 1)[0], self.slack)

    def nudge(self) -> None:
        """Wake the loop now (new rows were committed) instead of at the next poll.

        A burst of commits (intake's batches, every few milliseconds) would each wake a claim,
        whose query over the queued rows costs about what the batch itself did, on the same
        event loop. So a nudge within `NUDGE_GAP_SECONDS` of the last is held until the gap has
        passed, and those held share one wake: new rows wait at most that long."""
        now = time.monotonic()
        if now - self._last_nudge >= NUDGE_GAP_SECONDS:
            self._last_nudge = now
            self._wake.set()
        elif self._nudge_later is None:
            self._nudge_later = asyncio.get_running_loop().call_later(self._last_nudge + NUDGE_GAP_SECONDS - now, self._held_nudge)

    def _held_nudge(self) -> None:
        self._nudge_later = None
        self.nudge()

    def stop(self) -> None:
        if self._nudge_later is not None:
            self._nudge_later.cancel()
        self._stopping.set()
        self._wake.set()

    async def close_ports(self) -> None:
        """Close the HTTP sessions of the outside ports (Slack's is closed by `serve`)."""
        for port in self.other_ports.values():
            close = getattr(port, "close", None)
            if close is not None:
                await close()

    async def run(self) -> None:
        log.info("outbox worker started")
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                for row in await self._claim():
                    task = asyncio.create_task(self._deliver_guarded(row))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            except Exception:  # a database hiccup must not kill the loop; it retries next tick
                log.exception("outbox tick failed")
            await asyncio.sleep(CLAIM_GAP_SECONDS)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_wait())
            except TimeoutError:
                pass
        await asyncio.gather(*self._tasks)  # let the calls in flight settle their rows
        log.info("outbox worker stopped")

    async def run_once(self) -> int:
        """Claim one round and deliver it; returns how many rows were attempted."""
        rows = await self._claim()
        await asyncio.gather(*(self._deliver_guarded(row) for row in rows))
        return len(rows)

    def _idle_wait(self) -> float:
        """Until the next poll, or sooner when a paced lane with rows frees up (no dead seconds)."""
        if self._next_ready is None:
            return self.poll_seconds
        soon = self._next_ready - time.monotonic()
        return min(self.poll_seconds, max(0.005, soon))

    async def _claim(self) -> list[OutboxMessage]:
        """Lease the first rows of every ready lane, within each kind's free share of calls."""
        room = {kind: self.concurrency - self._in_flight[kind] for kind in (True, False)}
        if max(room.values()) <= 0:
            return []  # a finishing call wakes the loop
        now, moment = self.clock.now(), time.monotonic()
        held = self.pacer.held_lanes(moment)
        skipped: list[tuple[str, float]] = []  # (lane, when it may go) of rows held by pacing
        async with self.db.uow() as uow:
            candidates = await uow.outbox.claimable(
                now, self.batch_size, skip_locked=self.db.dialect == "postgresql", only_prefixes=self.deliverable_prefixes(),
                per_lane=LANE_BURST, held_lanes=held, held_methods=self.pacer.held_methods(moment), last_lanes=CONVERSATION_LANES,
            )  # fmt: skip
            claimed: list[OutboxMessage] = []
            for row in candidates:
                if row.id in self._leased_at:
                    continue  # its lease ran out here, but this worker's attempt is still going
                if row.state == "sending":  # its lease ran out elsewhere: in doubt, and looked for later
                    if await uow.outbox.doubt(row, retry_at=now + timedelta(seconds=self.call_seconds)):
                        log.info("outbox lease ran out mid-attempt; looked for later", extra={"outbox_id": row.id, "method": row.method})
                    continue
                kind = is_conversation_lane(row.lane)
                wait = self.pacer.wait_until(row, moment)
                if wait is not None and wait > moment + LOOKAHEAD_SECONDS:
                    skipped.append((row.lane, wait))
                    continue
                if room[kind] <= 0:
                    continue  # out of room: a finishing call wakes the loop
                if await uow.outbox.lease(row, now=now, lease_until=now + self.lease + timedelta(seconds=self.call_seconds)):
                    self._send_at[row.id] = wait or moment
                    self._leased_at[row.id] = moment
                    self.pacer.reserve(row, wait or moment)  # provisional: the send itself counts again
                    claimed.append(row)
                    room[kind] -= 1
            await uow.commit()
        for row in claimed:  # as the lease left them; after the commit, so not flushed
            row.attempts += 1  # the lease's token
        self._in_flight.update(is_conversation_lane(row.lane) for row in claimed)
        self._plan_wake(set(held), skipped)
        if claimed and len(candidates) == self.batch_size:
            self._wake.set()  # the batch was full: more lanes may be ready
        return claimed

    def _plan_wake(self, held: set[str], skipped: list[tuple[str, float]]) -> None:
        """Remember which paced lanes still hold rows, and wake when the first of them frees up.

        A held lane is left out of the claim, so what is known of it is kept from earlier rounds;
        the other lanes are known afresh. Lanes with nothing waiting cost no wake-up.
        """
        self._backlogged = {lane for lane in self._backlogged if lane in held} | {lane for lane, _ in skipped}
        frees = [t for lane in self._backlogged if (t := self.pacer.lane_free_at(lane)) is not None]
        soonest = [*frees, *(t for _, t in skipped)]
        release = self.pacer.next_release()
        self._next_ready = min([*(t - LOOKAHEAD_SECONDS for t in soonest), *([release] if release else [])], default=None)

    async def _deliver_guarded(self, row: OutboxMessage) -> None:
        try:
            await self._deliver(row)
        except Exception:  # keep the row for a later attempt; never lose it
            log.exception("outbox delivery crashed", extra={"outbox_id": row.id, "method": row.method})
            await self.settle.retry_later(row, "internal error", unknown=True)
        finally:
            self._leased_at.pop(row.id, None)
            self._in_flight[is_conversation_lane(row.lane)] -= 1
            self._wake.set()  # a lane or a key may be free now

    async def _deliver(self, row: OutboxMessage) -> None:
        send_at = self._send_at.pop(row.id, 0.0)
        payload = dict(row.payload)
        if row.reply_to_id is not None:
            parent = await self._parent_result(row, row.reply_to_id)
            if parent is None:
                return
            payload = self._with_parent(row, payload, parent)
        if row.method in POSTING_METHODS:
            payload["metadata"] = outbox_metadata(row.id)
            if row.outcome_unknown:
                found = await find_sent(self.slack, row, payload)
                if found is not None:
                    log.info("outbox row already delivered; reconciled", extra={"outbox_id": row.id})
                    self.metrics.reconciled.inc()
                    await self.settle.sent(row, found)
                    return
        port = self.port_for(row.method)
        if port is not self.slack:
            # The receiver dedupes on this, so retrying an unknown outcome cannot record twice.
            payload["idempotency_key"] = str(row.id)
        if not await self._hold_for_call(row, send_at):
            return
        await asyncio.sleep(send_at - time.monotonic())  # claimed ahead of its lane's moment
        self.pacer.sending(row, time.monotonic())
        try:
            response = await port.call(row.method, payload)
        except RateLimited as exc:
            self.pacer.pause(row, exc.retry_after, time.monotonic())
            self._backlogged.add(row.lane)
            self.metrics.delivery_failures.labels(row.method, "ratelimited").inc()
            await self.settle.retry_later(row, exc.reason, delay=exc.retry_after, count_attempt=False)
        except PermanentFailure as exc:
            self.metrics.delivery_failures.labels(row.method, "permanent").inc()
            log.error("outbox row failed permanently", extra={"outbox_id": row.id, "method": row.method, "error": exc.reason})
            await self._mark_failed(row, exc.reason)
        except DeliveryError as exc:
            self.metrics.delivery_failures.labels(row.method, "transient").inc()
            log.warning("outbox delivery will be retried", extra={"outbox_id": row.id, "method": row.method, "error": exc.reason})
            await self.settle.retry_later(row, exc.reason, unknown=isinstance(exc, UnknownOutcome))
        else:
            self.metrics.messages_sent.labels(row.method).inc()
            await self.settle.sent(row, {k: response[k] for k in RESULT_KEYS if k in response})

    async def _hold_for_call(self, row: OutboxMessage, send_at: float) -> bool:
        """Whether this attempt may call (at `send_at`, its lane's moment): it still holds the
        row's lease, and the lease outlasts the call by half a lease at least (a margin for a
        stalled process). A claim leases a row for a call and a lease, so an attempt with nothing
        to look up first calls well within it; one that looked in Slack first may not, and renews
        the lease to the call's end and a whole lease. When it ran out and another worker took the
        row back meanwhile, this attempt stops and leaves the row to the next. Before the pacing
        wait, so that one lane's calls still go in the order of their moments."""
        lease, now = self.lease.total_seconds(), time.monotonic()
        call_ends = max(send_at, now) + self.call_seconds
        if call_ends + lease / 2 <= self._leased_at.get(row.id, 0.0) + lease + self.call_seconds:
            return True
        async with self.db.uow() as uow:
            until = self.clock.now() + timedelta(seconds=call_ends - now + lease)
            held = await uow.outbox.hold_lease(row.id, attempts=row.attempts, lease_until=until)
            await uow.commit()
        if not held:
            log.info("outbox lease ran out and the row was taken back; this attempt stops", extra={"outbox_id": row.id, "method": row.method})
        return held

    async def _parent_result(self, row: OutboxMessage, parent_id: int) -> dict[str, Any] | None:
        """The result of the row this one threads under or edits; None (and deferred) if not sent."""
        async with self.db.uow() as uow:
            parent = await uow.outbox.get(parent_id)
        if parent is not None and parent.state == "sent" and parent.result:
            return parent.result
        if parent is None or parent.state == "failed":
            await self._mark_failed(row, "the message it refers to could not be delivered")
        else:
            await self.settle.retry_later(row, "waiting for the message it refers to", delay=self.poll_seconds, count_attempt=False)
        return None

    @staticmethod
    def _with_parent(row: OutboxMessage, payload: dict[str, Any], parent: dict[str, Any]) -> dict[str, Any]:
        if row.method == "chat.update":
            return {**payload, "channel": parent["channel"], "ts": parent["ts"]}
        return {**payload, "channel": parent["channel"], "thread_ts": parent["ts"]}

    async def _mark_failed(self, row: OutboxMessage, reason: str) -> None:
        if await self.settle.failed(row, reason):
            self.nudge()  # the failure hook may have queued rows (a notice to the SPO)
