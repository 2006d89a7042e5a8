"""`casebot import`, against the fake unit of work (bot/services/importer.py): line errors,
idempotency, the header check, whole-file errors, and one transaction per chunk."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.domain.clock import FixedClock
from bot.services import importer
from bot.services.facade import Services
from bot.services.importer import ImportFileError, import_file
from storage.models import Case, OutboxMessage, Team
from tests.support.factories import case_fields
from tests.unit.services.fakes import FakeStore, Nudges

BAD_CRN = "12345"


class Settings:
    record_case_url: str | None = None
    record_api_url: str | None = None
    tier_weights: Mapping[str, float] = {}
    home_refresh_delay_seconds: float = 0.0


class Metrics:
    """Records what the importer counts as received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, int]] = []
        self.later: list[tuple[str, int, int]] = []

    def count_received(self, source: str, count: int) -> None:
        self.received.append((source, count))

    def count_later_events(self, source: str, *, joined: int, currently_managed: int) -> None:
        self.later.append((source, joined, currently_managed))

    def set_counts(self, outbox: Mapping[str, int], cases: Mapping[str, int]) -> None:
        raise AssertionError("the importer does not set gauges")

    def render(self) -> bytes:
        raise AssertionError("the importer does not render metrics")


@pytest.fixture
def nudges() -> Nudges:
    return Nudges()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def services(store: FakeStore, team: Team, clock: FixedClock, metrics: Metrics, nudges: Nudges) -> Services:
    return Services(db=store.database, clock=clock, settings=Settings(), metrics=metrics, nudge=nudges)


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(dict.fromkeys(key for row in rows for key in row)))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def event_ids(store: FakeStore) -> list[str]:
    return [case.event_id for case in store.rows(Case)]


async def test_good_lines_are_stored_and_bad_ones_named_by_line_and_field(
    store: FakeStore, services: Services, tmp_path: Path, metrics: Metrics, nudges: Nudges
) -> None:
    rows = [case_fields(event_id="e1"), case_fields(event_id="e2", crn=BAD_CRN), case_fields(event_id="e3", team="ZZZ99")]
    path = write(tmp_path, "cases.csv", csv_text([*rows, case_fields(event_id="e4")]))

    report = await import_file(services, path)

    assert (report.created, report.repeated, report.rejected) == (2, 0, 2)
    assert [problem.split(": ")[:3] for problem in report.problems] == [[str(path), "line 3", "crn"], [str(path), "line 4", "team"]]
    assert event_ids(store) == ["e1", "e4"]
    assert sorted(row.case_id for row in store.rows(OutboxMessage) if row.purpose == "case_card") == [c.id for c in store.rows(Case)]
    assert metrics.received == [("import", 2)] and nudges.count == 1


async def test_importing_the_same_file_again_creates_nothing(store: FakeStore, services: Services, tmp_path: Path, metrics: Metrics, nudges: Nudges) -> None:
    path = write(tmp_path, "cases.csv", csv_text([case_fields(event_id="e1"), case_fields(event_id="e2", crn=BAD_CRN), case_fields(event_id="e3")]))
    await import_file(services, path)
    outbox = len(store.rows(OutboxMessage))

    again = await import_file(services, path)

    assert (again.created, again.repeated, again.rejected) == (0, 2, 1)
    assert len(again.problems) == 1 and ": line 3: crn: " in again.problems[0]
    assert event_ids(store) == ["e1", "e3"] and len(store.rows(OutboxMessage)) == outbox
    assert metrics.received == [("import", 2)] and nudges.count == 1  # nothing new: no count, no wake-up


async def test_json_items_are_numbered_from_one(store: FakeStore, services: Services, tmp_path: Path) -> None:
    items = [case_fields(event_id="j1", excluded_practitioners=["N07A002"]), case_fields(event_id="j2", tier="E9")]
    path = write(tmp_path, "cases.json", json.dumps(items))

    report = await import_file(services, path)

    assert (report.created, report.rejected) == (1, 1)
    assert [problem.split(": ")[1:3] for problem in report.problems] == [["item 2", "tier"]]
    [stored] = store.rows(Case)
    assert stored.event_id == "j1" and stored.excluded_practitioners == ["N07A002"]


async def test_a_byte_order_mark_does_not_hide_the_first_column(store: FakeStore, services: Services, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(csv_text([case_fields(event_id="b1")]).encode("utf-8-sig"))
    report = await import_file(services, path)
    assert report.created == 1 and event_ids(store) == ["b1"]


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        ("event_id,crn,name,team,sentance_date", ["line 1: column 5 'sentance_date' is not a known field: did you mean 'sentence_date'?"]),
        ("event_id,crn,crn,Team", ["line 1: column 3 'crn' repeats column 2", "line 1: column 4 'Team' is not a known field: did you mean 'team'?"]),
        ("crn,name,team", ["line 1: the header must name the case fields (event_id, crn, name, team, ...)"]),
    ],
)
async def test_a_bad_header_refuses_the_whole_file_before_anything_is_read(
    store: FakeStore, services: Services, tmp_path: Path, header: str, problems: list[str]
) -> None:
    path = write(tmp_path, "cases.csv", header + "\ne1,X000001,Sam Smith,N07T1,2026-11-19\n")
    with pytest.raises(ImportFileError) as refused:
        await import_file(services, path)
    lines = str(refused.value).splitlines()
    assert [line.removeprefix(f"{path}: ") for line in lines[: len(problems)]] == problems
    assert store.units == [] and store.rows(Case) == []  # no unit of work was even opened


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cases.json", b'{"event_id": "e1"}', "must be a JSON list of case objects"),
        ("cases.json", b"[{", "not valid JSON"),
        ("cases.csv", "event_id,name\ne1,Zo\u00eb\n".encode("latin-1"), "cannot read: the file is not UTF-8 text"),
        ("missing.csv", None, "cannot read: No such file or directory"),
    ],
)
async def test_a_file_that_cannot_be_read_is_refused_naming_it(
    store: FakeStore, services: Services, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFileError) as refused:
        await import_file(services, path)
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)
    assert store.units == []


async def test_a_long_file_is_stored_one_transaction_per_chunk_with_progress(
    store: FakeStore, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 2)
    rows = [case_fields(event_id=f"c{i}") for i in range(4)] + [case_fields(event_id="c1")]  # c1 again, in the last chunk
    path = write(tmp_path, "many.csv", csv_text(rows))
    heard: list[tuple[int, int]] = []

    report = await import_file(services, path, progress=lambda done, total: heard.append((done, total)))

    assert heard == [(2, 5), (4, 5), (5, 5)]
    assert [unit.committed for unit in store.units] == [True, True, True]  # one unit of work per chunk
    assert (report.created, report.repeated) == (4, 1) and event_ids(store) == ["c0", "c1", "c2", "c3"]


async def test_a_file_of_one_chunk_reports_no_progress(services: Services, tmp_path: Path) -> None:
    heard: list[tuple[int, int]] = []
    path = write(tmp_path, "few.csv", csv_text([case_fields(event_id="f1"), case_fields(event_id="f2")]))
    await import_file(services, path, progress=lambda done, total: heard.append((done, total)))
    assert heard == []


async def test_a_later_event_for_a_person_is_counted_apart_from_new_cases(
    store: FakeStore, services: Services, tmp_path: Path, metrics: Metrics, nudges: Nudges
) -> None:
    rows = [case_fields(event_id="p1", crn="X400001"), case_fields(event_id="p2", crn="X400001"), case_fields(event_id="p3", crn="X400003")]
    path = write(tmp_path, "cases.csv", csv_text(rows))

    report = await import_file(services, path)

    assert (report.created, report.joined, report.currently_managed, report.repeated) == (2, 1, 0, 0)
    assert event_ids(store) == ["p1", "p3"]
    assert metrics.received == [("import", 2)] and metrics.later == [("import", 1, 0)]
    again = await import_file(services, path)
    assert (again.created, again.joined, again.repeated) == (0, 0, 3) and metrics.later == [("import", 1, 0)]
