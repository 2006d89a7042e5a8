"""`casebot` as an operator runs it (README "Package and command", exit codes, settings).

Each test runs the real CLI in a subprocess against a migrated database of each backend, with a
clean environment (no SLACK_* or CASEBOT_* leaking in from the shell) and an empty working
directory (so no `.env` is read), then looks at the exit code, the output and the rows stored.
Subprocesses cost about a second each, so one test walks through several steps.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text

from bot.domain.case_input import FIELDS, CaseIn
from bot.domain.clock import SystemClock
from bot.domain.policy_file import default_policy_text
from bot.domain.teams_file import parse_teams_file
from bot.services.importer import CHUNK, ImportFileError, read_rows
from bot.services.teams import load_teams
from storage.db import Database, sync_url
from storage.migrate import upgrade_to_head
from tests.support.cli import Cli, Run, clean_env, finish, start
from tests.support.databases import POSTGRES_ADMIN_URL, postgres_available
from tests.support.factories import TEAMS_YAML, case_fields

BAD_INPUT = 2
CSV_HEADER = [
    "event_id",
    "crn",
    "name",
    "team",
    "tier",
    "sentence_type",
    "sentence_date",
    "custodial",
    "prison",
    "rosh",
    "rsr",
    "excluded_practitioners",
]


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    return Cli(work, database_url)


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def rows(db: Engine, sql: str) -> list[tuple[Any, ...]]:
    with db.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def count(db: Engine, table: str) -> int:
    """Rows in a table; for the outbox, the case cards only (App Home refreshes ride along)."""
    where = " WHERE purpose = 'case_card'" if table == "outbox" else ""
    return rows(db, f"SELECT count(*) FROM {table}{where}")[0][0]


def teams_snapshot(db: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    teams = rows(db, "SELECT id, code, name, channel_id FROM teams ORDER BY id")
    staff = rows(db, "SELECT id, team_id, staff_code, name, grade, slack_user_id, active FROM practitioners ORDER BY id")
    return teams, staff


def line_of(text_: str, needle: str) -> int:
    """The 1-based line of the first line of `text_` containing `needle`."""
    return next(n for n, line in enumerate(text_.splitlines(), start=1) if needle in line)


def to_csv(cases: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_HEADER, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    writer.writerows(cases)
    return out.getvalue()


def case(event_id: str, crn: str, **overrides: Any) -> dict[str, Any]:
    """A case row in a past sentence date; CSV cells for the fields the header names."""
    fields = case_fields(event_id=event_id, crn=crn, name=f"Person {event_id}", sentence_date="2026-11-02", **overrides)
    return {k: fields.get(k, "") for k in CSV_HEADER}


def problems_by_line(run: Run, file_name: str) -> dict[int, set[str]]:
    """'FILE: line N: field: reason' lines on stderr, as {N: {field, ...}}; reasons must be non-empty."""
    found: dict[int, set[str]] = {}
    for line in run.stderr_lines:
        if not line.startswith(f"{file_name}: line "):
            continue
        where, field, reason = line.removeprefix(f"{file_name}: line ").split(": ", 2)
        assert reason.strip(), line
        found.setdefault(int(where), set()).add(field)
    return found


def load_teams_in_process(database_url: str, yaml_text: str = TEAMS_YAML) -> None:
    """Set-up for the import tests, without paying for another subprocess."""

    async def load() -> None:
        database = Database(database_url)
        try:
            await load_teams(database.uow, parse_teams_file(yaml_text), clock=SystemClock())
        finally:
            await database.dispose()

    asyncio.run(load())


# --- casebot teams load ---------------------------------------------------------------------


def test_teams_load_updates_in_place_deactivates_the_unlisted_and_rejects_bad_files(cli: Cli, db: Engine) -> None:
    teams_file = cli.write("teams.yaml", TEAMS_YAML)

    first = cli("teams", "load", teams_file)
    assert first.returncode == 0, first.stderr
    assert "teams.yaml" in first.stdout
    assert (count(db, "teams"), count(db, "practitioners")) == (2, 2)
    loaded = teams_snapshot(db)

    again = cli("teams", "load", teams_file)
    assert again.returncode == 0, again.stderr
    assert teams_snapshot(db) == loaded, "re-loading the same file must update in place, not duplicate"

    # Grace Hopper (N07A002) leaves the file: she is kept, marked inactive, and the team is renamed.
    start_ = TEAMS_YAML.index("      - staff_code: N07A002")
    end = TEAMS_YAML.index("  - code: N07T2")
    without_grace = (TEAMS_YAML[:start_] + TEAMS_YAML[end:]).replace("Sheffield North", "Sheffield North East")
    cli.write("teams.yaml", without_grace)
    removed = cli("teams", "load", teams_file)
    assert removed.returncode == 0, removed.stderr
    assert (count(db, "teams"), count(db, "practitioners")) == (2, 2)
    assert rows(db, "SELECT staff_code, active FROM practitioners ORDER BY staff_code") == [("N07A001", True), ("N07A002", False)]
    assert rows(db, "SELECT name FROM teams WHERE code = 'N07T1'") == [("Sheffield North East",)]
    good = teams_snapshot(db)

    # Two bad files, each of which would also rename a team if it were (partly) applied.
    malformed_line = line_of(TEAMS_YAML, "name: Ada Lovelace")
    malformed = TEAMS_YAML.replace("name: Sheffield North", "name: Renamed").replace("name: Ada Lovelace", "name: Ada: Lovelace")
    grade_line = line_of(TEAMS_YAML, "grade: PSO")
    bad_grade = TEAMS_YAML.replace("name: Sheffield North", "name: Renamed").replace("grade: PSO", "grade: SPO")
    cli.write("malformed.yaml", malformed)
    cli.write("bad-grade.yaml", bad_grade)
    syntax, grade = cli.parallel(("teams", "load", "malformed.yaml"), ("teams", "load", "bad-grade.yaml"))

    assert syntax.returncode == BAD_INPUT, syntax.stderr
    assert any(line.startswith(f"malformed.yaml: line {malformed_line}:") for line in syntax.stderr_lines), syntax.stderr
    assert grade.returncode == BAD_INPUT, grade.stderr
    assert any(line.startswith(f"bad-grade.yaml: line {grade_line}: teams[0].practitioners[1].grade:") and "SPO" in line for line in grade.stderr_lines), (
        grade.stderr
    )
    assert teams_snapshot(db) == good, "a rejected file must leave the loaded teams untouched"


def test_practitioners_of_a_team_dropped_from_the_file_are_marked_inactive(cli: Cli, db: Engine, database_url: str) -> None:
    with_south_staff = TEAMS_YAML.replace(
        "    practitioners: []\n",
        "    practitioners:\n      - staff_code: N07B001\n        name: Bob South\n        grade: PSO\n        slack_user: U0PP00003\n",
    )
    load_teams_in_process(database_url, with_south_staff)
    assert count(db, "practitioners") == 3
    north_only = TEAMS_YAML[: TEAMS_YAML.index("  - code: N07T2")]

    done = cli("teams", "load", cli.write("north-only.yaml", north_only))

    assert done.returncode == 0, done.stderr
    assert rows(db, "SELECT staff_code, active FROM practitioners ORDER BY staff_code") == [("N07A001", True), ("N07A002", True), ("N07B001", False)]


# --- casebot import -------------------------------------------------------------------------


def test_import_stores_good_lines_reports_bad_ones_and_is_idempotent(cli: Cli, db: Engine, database_url: str) -> None:
    load_teams_in_process(database_url)
    mixed = cli.write(
        "cases.csv",
        to_csv(
            [
                case("e1", "X000001"),  # line 2
                case("e2", "12345", custodial="true"),  # line 3: bad CRN, and custodial without a prison
                case("e3", "X000003", custodial="true", prison="HMP Leeds", sentence_type="Custody"),  # line 4
                case("e4", "X000004", team="ZZZ99"),  # line 5: unknown team
                case("e5", "X000005", excluded_practitioners="N07A001;N07A002"),  # line 6
            ]
        ),
    )

    first = cli("import", mixed)
    assert first.returncode == BAD_INPUT, first.stderr
    expected_problems = {3: {"crn", "prison"}, 5: {"team"}}
    assert problems_by_line(first, "cases.csv") == expected_problems, first.stderr
    assert rows(db, "SELECT event_id FROM cases ORDER BY event_id") == [("e1",), ("e3",), ("e5",)]
    cards = rows(db, "SELECT case_id FROM outbox WHERE method = 'chat.postMessage' ORDER BY case_id")
    assert cards == rows(db, "SELECT id FROM cases ORDER BY id"), "one card queued per stored case"
    assert count(db, "outbox") == 3
    [(excluded,)] = rows(db, "SELECT excluded_practitioners FROM cases WHERE event_id = 'e5'")
    assert (json.loads(excluded) if isinstance(excluded, str) else excluded) == ["N07A001", "N07A002"]

    again = cli("import", mixed)
    assert again.returncode == BAD_INPUT, again.stderr
    assert problems_by_line(again, "cases.csv") == expected_problems, again.stderr
    assert (count(db, "cases"), count(db, "outbox")) == (3, 3), "re-importing must not duplicate cases or cards"

    only_good = cli.write("more.csv", to_csv([case("e6", "X000006"), case("e7", "X000007", tier="d3")]))
    good = cli("import", only_good)
    assert good.returncode == 0, good.stderr
    assert "2 stored and queued for Slack" in good.stdout and "joined 0, currently managed 0, 0 already held, 0 rejected" in good.stdout
    assert (count(db, "cases"), count(db, "outbox")) == (5, 5)


def test_import_reads_json_with_excluded_practitioners_as_a_list(cli: Cli, db: Engine, database_url: str) -> None:
    load_teams_in_process(database_url)
    items = [
        case_fields(event_id="j1", crn="J000001", sentence_date="2026-11-02", restricted=False, excluded_practitioners=["N07A002"]),
        case_fields(event_id="j2", crn="J000002", sentence_date="2026-11-02", custodial=True, prison="HMP Leeds", team="N07T2"),
    ]
    cases_json = cli.write("cases.json", json.dumps(items))

    done = cli("import", cases_json)

    assert done.returncode == 0, done.stderr
    stored = rows(db, "SELECT event_id, crn, excluded_practitioners, custodial, prison FROM cases ORDER BY event_id")
    decoded = [(e, c, json.loads(x) if isinstance(x, str) else x, bool(cu), p) for e, c, x, cu, p in stored]
    assert decoded == [("j1", "J000001", ["N07A002"], False, None), ("j2", "J000002", [], True, "HMP Leeds")]
    assert count(db, "outbox") == 2


def test_import_rejects_a_missing_file_and_a_csv_without_a_header(cli: Cli, db: Engine, database_url: str) -> None:
    load_teams_in_process(database_url)
    headerless = cli.write("no-header.csv", to_csv([case("h1", "X000011"), case("h2", "X000012")]).split("\n", 1)[1])

    missing, no_header = cli.parallel(("import", "nowhere.csv"), ("import", headerless))

    assert missing.returncode == BAD_INPUT, missing.stderr
    assert any("nowhere.csv" in line for line in missing.stderr_lines), missing.stderr
    assert no_header.returncode == BAD_INPUT, no_header.stderr
    assert any(line.startswith("no-header.csv: line 1:") and "header" in line for line in no_header.stderr_lines), no_header.stderr
    assert count(db, "cases") == 0


def test_a_csv_record_spanning_lines_is_reported_at_the_line_it_starts_on(tmp_path: Path) -> None:
    # In-process: the CLI prints these numbers verbatim, and reading a file needs no database.
    path = tmp_path / "multiline.csv"
    path.write_text('event_id,name,offence\ne1,"Ann\nOne",x\ne2,Bob,"multi\nline"\n', encoding="utf-8")

    assert [(line, row["event_id"]) for line, row in read_rows(path)] == [(2, "e1"), (4, "e2")]


def test_case_fields_are_the_model_fields() -> None:
    # The header check refuses what FIELDS does not name: it must name every field the model reads.
    assert set(FIELDS) == set(CaseIn.model_fields)


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("event_id,crn,name,team,sentance_date", "column 5 'sentance_date' is not a known field: did you mean 'sentence_date'?"),
        ("event_id,CRN", "column 2 'CRN' is not a known field: did you mean 'crn'?"),
        ("event_id,custodail,prison", "column 2 'custodail' is not a known field: did you mean 'custodial'?"),
        ("event_id,crn,crn", "column 3 'crn' repeats column 2"),
        ("event_id,notes", "column 2 'notes' is not a known field; the known ones are " + ", ".join(FIELDS)),
    ],
)
def test_a_header_that_names_an_unknown_column_refuses_the_file(tmp_path: Path, header: str, problem: str) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(f"{header}\ne1,X000001,Sam,N07T1,2026-11-02\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as refused:
        read_rows(path)
    assert str(refused.value).splitlines() == [f"{path}: line 1: {problem}", f"{path}: nothing imported; correct the header and import the file again"]


def test_header_names_are_read_without_surrounding_spaces_and_blank_columns_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("event_id, crn ,\ne1,X000001,\n", encoding="utf-8")
    assert read_rows(path) == [(2, {"event_id": "e1", "crn": "X000001"})]


def test_import_with_a_misspelt_column_exits_2_and_stores_nothing(cli: Cli, db: Engine, database_url: str) -> None:
    load_teams_in_process(database_url)
    good = to_csv([case("m1", "X000021"), case("m2", "X000022")])
    misspelt = cli.write("cases.csv", good.replace("sentence_date", "sentance_date", 1))

    done = cli("import", misspelt)

    assert done.returncode == BAD_INPUT, done.stderr
    assert "cases.csv: line 1: column 7 'sentance_date' is not a known field: did you mean 'sentence_date'?" in done.stderr_lines
    assert (count(db, "cases"), count(db, "outbox")) == (0, 0)


def test_a_custody_row_without_a_custodial_column_is_custodial(cli: Cli, db: Engine, database_url: str) -> None:
    load_teams_in_process(database_url)
    header = "event_id,crn,name,team,tier,sentence_type,sentence_date,prison\n"
    rows_ = "k1,X000031,Kim Lee,N07T1,B2,Custody,2026-11-02,HMP Leeds\nk2,X000032,Lee Kim,N07T1,B2,Custody,2026-11-02,\n"

    done = cli("import", cli.write("custody.csv", header + rows_))

    assert done.returncode == BAD_INPUT, done.stderr
    assert problems_by_line(done, "custody.csv") == {3: {"prison"}}, done.stderr
    assert "(a sentence of Custody is custodial)" in done.stderr
    assert [(e, bool(c)) for e, c in rows(db, "SELECT event_id, custodial FROM cases")] == [("k1", True)]


def _import_with_stderr_on(terminal: bool, cli: Cli, name: str) -> tuple[int, str]:
    """Run `casebot import` with stderr on a pseudo-terminal or a pipe; (exit code, stderr)."""
    if not terminal:
        done = cli("import", name)
        return done.returncode, done.stderr
    controller, terminal_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.cli", "import", name],
        cwd=cli.cwd, env=clean_env(cli.database_url), stdout=subprocess.DEVNULL, stderr=terminal_fd,
    )  # fmt: skip
    os.close(terminal_fd)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process exits (EIO on Linux)
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=60), output.decode("utf-8", "replace")


def test_a_long_import_shows_progress_on_a_terminal_and_stays_quiet_in_a_pipe(cli: Cli, database_url: str) -> None:
    load_teams_in_process(database_url)
    total = CHUNK * 2 + 200
    name = cli.write("many.csv", to_csv([case(f"p{i}", f"P{i:06d}") for i in range(total)]))

    code, on_terminal = _import_with_stderr_on(True, cli, name)
    assert code == 0, on_terminal
    counts = re.findall(r"many\.csv: importing: ([0-9,]+) of 1,200 rows", on_terminal)
    assert counts == ["500", "1,000", "1,200"], on_terminal

    code, piped = _import_with_stderr_on(False, cli, name)  # again: every row already held
    assert code == 0, piped
    assert "importing" not in piped and "\r" not in piped


# --- settings ---------------------------------------------------------------------------------


@pytest.fixture
def settings_cli(tmp_path: Path) -> Cli:
    """For checks made before the database is touched (settings, reading the file): one backend is enough."""
    return Cli(tmp_path, f"sqlite:///{tmp_path / 'casebot.db'}")


def _one_line_naming(run: Run, variable: str) -> str:
    assert run.returncode == BAD_INPUT, run.stderr
    assert len(run.stderr_lines) == 1, run.stderr
    [line] = run.stderr_lines
    assert variable in line, line
    return line


def test_missing_or_malformed_settings_stop_start_up_with_one_line(settings_cli: Cli) -> None:
    env = clean_env(settings_cli.database_url)
    processes: list[tuple[str, Callable[[], subprocess.Popen[str]]]] = [
        ("SLACK_BOT_TOKEN", lambda: start(settings_cli.cwd, env, "serve")),
        ("SLACK_SIGNING_SECRET", lambda: start(settings_cli.cwd, {**env, "SLACK_BOT_TOKEN": "xoxb-test"}, "serve")),
        ("CASEBOT_PORT", lambda: start(settings_cli.cwd, {**env, "CASEBOT_PORT": "abc"}, "migrate")),
    ]
    started = [(variable, launch()) for variable, launch in processes]
    lines = {variable: _one_line_naming(finish(process), variable) for variable, process in started}

    assert "README" in lines["SLACK_BOT_TOKEN"]
    assert "README" in lines["SLACK_SIGNING_SECRET"]
    assert not (settings_cli.cwd / "casebot.db").exists(), "a bad setting must stop before touching the database"


def test_a_teams_file_that_is_not_utf8_is_bad_input(settings_cli: Cli) -> None:
    (settings_cli.cwd / "latin1.yaml").write_bytes("teams:\n  - code: N07T1\n    name: Sh\u00e9ffield\n".encode("latin-1"))

    done = settings_cli("teams", "load", "latin1.yaml")

    assert done.returncode == BAD_INPUT, done.stderr
    assert len(done.stderr_lines) == 1 and "latin1.yaml" in done.stderr_lines[0], done.stderr


# --- casebot policy ---------------------------------------------------------------------------


def region_policy(version: str, probation_days: int = 3) -> str:
    """The shipped default as a region edits its copy: its own version and target."""
    return default_policy_text().replace("version: casebot-default-1", f"version: {version}").replace("probation: 2", f"probation: {probation_days}")


def policy_problems(run: Run, file_name: str) -> dict[int, str]:
    """'FILE:LINE: field: message' lines on stderr, as {LINE: field}; messages must be non-empty."""
    found: dict[int, str] = {}
    for line in run.stderr_lines:
        head, sep, rest = line.partition(": ")
        if not (sep and head.startswith(f"{file_name}:") and head.removeprefix(f"{file_name}:").isdigit()):
            continue
        field, message = rest.split(": ", 1)
        assert message.strip(), line
        found[int(head.removeprefix(f"{file_name}:"))] = field
    return found


def test_policy_check_names_each_problem_by_line_and_field_and_creates_nothing(settings_cli: Cli) -> None:
    bad_text = region_policy("north-1").replace("readiness: exception", "readiness: maybe").replace("prison: 2 ", "prison: -1 ")
    good, bad, missing = settings_cli.parallel(
        ("policy", "check", settings_cli.write("good.yml", region_policy("north-1"))),
        ("policy", "check", settings_cli.write("bad.yml", bad_text)),
        ("policy", "check", "nowhere.yml"),
    )

    assert good.returncode == 0, good.stderr
    assert "north-1" in good.stdout
    assert bad.returncode == BAD_INPUT, bad.stderr
    assert policy_problems(bad, "bad.yml") == {
        line_of(bad_text, "readiness: maybe"): "checks.readiness",
        line_of(bad_text, "prison: -1"): "allocation_target_working_days.prison",
    }, bad.stderr
    assert missing.returncode == BAD_INPUT and "nowhere.yml" in missing.stderr
    assert not (settings_cli.cwd / "casebot.db").exists(), "check must not create or touch a database"


def test_policy_load_puts_a_file_in_force_once_and_show_prints_it(cli: Cli, db: Engine) -> None:
    shipped = cli("policy", "show")
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout.splitlines()[0].startswith("# policy casebot-default-1 (the shipped default")
    assert default_policy_text() in shipped.stdout

    first = cli("policy", "load", cli.write("north.yml", region_policy("north-1")))
    assert first.returncode == 0, first.stderr
    stored = rows(db, "SELECT id, version, text, loaded_at, loaded_by, current FROM policies")
    assert [(v, t, bool(c)) for _, v, t, _, _, c in stored] == [("north-1", region_policy("north-1"), True)]

    again = cli("policy", "load", "north.yml")
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT id, version, text, loaded_at, loaded_by, current FROM policies") == stored, "re-loading is a no-op"

    clash_text = region_policy("north-1", probation_days=5)
    clash, broken = cli.parallel(
        ("policy", "load", cli.write("clash.yml", clash_text)),
        ("policy", "load", cli.write("broken.yml", region_policy("north-3").replace("probation: 3", "probation: soon"))),
    )
    assert clash.returncode == BAD_INPUT, clash.stderr
    assert policy_problems(clash, "clash.yml") == {line_of(clash_text, "version: north-1"): "version"}, clash.stderr
    assert broken.returncode == BAD_INPUT, broken.stderr
    assert any("nothing loaded" in line for line in broken.stderr_lines), broken.stderr
    assert rows(db, "SELECT id, version, text, loaded_at, loaded_by, current FROM policies") == stored

    second = cli("policy", "load", cli.write("north2.yml", region_policy("north-2", probation_days=4)))
    assert second.returncode == 0, second.stderr
    assert [(v, bool(c)) for v, c in rows(db, "SELECT version, current FROM policies ORDER BY id")] == [("north-1", False), ("north-2", True)]
    assert rows(db, "SELECT text FROM policies WHERE version = 'north-1'") == [(region_policy("north-1"),)]

    shown = cli("policy", "show")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].startswith("# policy north-2 (loaded ")
    assert region_policy("north-2", probation_days=4) in shown.stdout


def test_read_only_commands_before_a_migrate_name_the_fix_and_create_nothing(settings_cli: Cli) -> None:
    database = settings_cli.cwd / "casebot.db"
    missing = settings_cli.parallel(("sar", "X123456"), ("audit", "--since", "2026-01-01", "--format", "csv"))
    sqlite3.connect(database).close()  # an empty file: what a read used to leave behind
    empty = settings_cli("sar", "X123456")

    for run in [*missing, empty]:
        assert run.returncode == 1 and run.stdout == "", run.stderr
        assert len(run.stderr_lines) == 1 and "run `casebot migrate`" in run.stderr_lines[0], run.stderr
    assert "does not exist" in missing[0].stderr and "has no tables" in empty.stderr
    assert {p.name for p in settings_cli.cwd.iterdir()} == {"casebot.db"}, "the read-only commands created a file"
    assert database.stat().st_size == 0


def test_start_up_errors_name_their_cause_and_the_fix(tmp_path: Path) -> None:
    """A busy port, an unreachable PostgreSQL, a missing database, a SQLite folder that is not
    there: each one line naming the cause and the setting or command that fixes it."""
    database = f"sqlite:///{tmp_path / 'casebot.db'}"
    upgrade_to_head(database)
    slack = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "CASEBOT_SLACK_API_URL": "http://127.0.0.1:9/api/"}
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        commands = {
            "busy port": start(tmp_path, clean_env(database, CASEBOT_PORT=str(port), **slack), "serve"),
            "no server": start(tmp_path, clean_env("postgresql+psycopg://postgres@127.0.0.1:1/casebot"), "migrate"),
            "no folder": start(tmp_path, clean_env(f"sqlite:///{tmp_path / 'absent' / 'casebot.db'}"), "migrate"),
        }
        if postgres_available():  # a missing database can only be told from a server that answers
            commands["no database"] = start(tmp_path, clean_env(f"{_postgres_server()}/casebot_no_such_db"), "migrate")
        runs = {name: finish(process) for name, process in commands.items()}

    expected = {
        "busy port": f"casebot serve: port {port} is in use: set CASEBOT_PORT",
        "no server": "casebot migrate: cannot connect to PostgreSQL at 127.0.0.1:1: start it, or fix CASEBOT_DATABASE_URL",
        "no database": "casebot migrate: PostgreSQL has no database casebot_no_such_db: create it",
        "no folder": "casebot migrate: cannot open the SQLite file",
    }
    for name, run in runs.items():
        assert run.returncode == 1, (name, run.stderr)
        assert any(line.startswith(expected[name]) for line in run.stderr_lines), (name, run.stderr)
        assert "see the log above" not in run.stderr, (name, run.stderr)


def _postgres_server() -> str:
    """The test PostgreSQL server's URL without a database name."""
    info = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_URL)
    return f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:{info.get('port', '5432')}"
