"""Shared fixtures. Every database test runs twice: on a SQLite file and on PostgreSQL.

PostgreSQL is the production store (docs/architecture.md), so it is not optional in CI:
`make test` sets CASEBOT_TEST_REQUIRE_POSTGRES=1 and a missing server fails the run instead of
skipping.

Safe under pytest-xdist: each worker is its own process with its own session fixtures, so its
own PostgreSQL database (a random name) and its own SQLite template under its own tmp path;
every server a test starts listens on port 0.

Markers (registered in pyproject.toml) come from where a test lives, so a new test file needs
no decoration: `unit` for tests/unit, tests/blocks and tests/storage; `e2e` for tests/e2e and
tests/fakes; `soak` and `slow` for tests/soak; and `slow` for every end-to-end Hypothesis test
too (each drives dozens of drawn examples through the real bot). A test marks itself `slow` by hand only
when its size makes it so (the region-scale App Home tests).
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.demo.fake_slack import FakeSlack
from bot.runtime.logs import JsonFormatter, configure_logging
from tests.fakes.fake_http_sink import FakeHttpSink
from tests.support.bot import BotUnderTest, bot_settings, start_bot
from tests.support.databases import postgres_available, postgres_database, sqlite_copy, sqlite_template, truncate_all

MARKS_BY_DIRECTORY = {
    "unit": ("unit",),
    "blocks": ("unit",),
    "storage": ("unit",),
    "e2e": ("e2e",),
    "fakes": ("e2e",),
    "soak": ("soak", "slow"),
}

BACKENDS = [b.strip() for b in os.environ.get("CASEBOT_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by its directory under tests/ (see the module docstring)."""
    tests_root = Path(__file__).parent
    for item in items:
        relative = item.path.relative_to(tests_root)
        for name in MARKS_BY_DIRECTORY.get(relative.parts[0], ()):
            item.add_marker(name)
        if relative.parts[0] == "e2e" and getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker("slow")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str | None]:
    if "postgresql" not in BACKENDS:
        yield None
        return
    if not postgres_available():
        if os.environ.get("CASEBOT_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (CASEBOT_TEST_REQUIRE_POSTGRES=1) but not reachable")
        yield None
        return
    with postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        return sqlite_copy(_sqlite_template, tmp_path)
    url = request.getfixturevalue("_postgres_url")
    if url is None:
        pytest.skip("PostgreSQL not reachable")
    truncate_all(url)
    return url


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def bot(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[BotUnderTest]:
    """The real bot on a real port, with teams loaded, talking to the fake Slack."""
    async with AsyncExitStack() as stack:
        under_test = await start_bot(stack, bot_settings(database_url, fake_slack), fake_slack)
        await under_test.load_teams()
        yield under_test


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Production logging (JSON lines) at DEBUG, captured whole: for proving sensitive text
    never reaches a log line. Request it before the bot so the bot starts under it."""
    stream = io.StringIO()
    configure_logging("DEBUG")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


@pytest.fixture
async def wired_bot(database_url: str, fake_slack: FakeSlack) -> AsyncIterator[tuple[BotUnderTest, FakeHttpSink, FakeHttpSink]]:
    """The bot with a fake system of record and a fake prison webhook: (bot, record, prison)."""
    with FakeHttpSink() as record, FakeHttpSink() as prison:
        settings = bot_settings(database_url, fake_slack, record_api_url=record.url, record_api_token="rec-token", prison_webhook_url=prison.url)
        async with AsyncExitStack() as stack:
            under_test = await start_bot(stack, settings, fake_slack)
            await under_test.load_teams()
            yield under_test, record, prison
