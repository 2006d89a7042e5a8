"""Alembic, driven from code so `casebot migrate` needs no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import sync_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Bring any database to the newest schema; a no-op when it is already there."""
    command.upgrade(alembic_config(database_url), "head")
