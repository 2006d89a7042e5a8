"""Settings from the environment (and a `.env` file), named as in the public contract.

Start-up must fail with one line that names the variable to fix, never a traceback, so
`load_settings` turns pydantic's errors into a `SettingsError` carrying that line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.errors import CasebotError
from bot.domain.workload import DEFAULT_TIER_POINTS, validate_weights

README_SETTINGS = "see 'Settings' in README.md"


class SettingsError(CasebotError):
    """A missing or malformed setting; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Every knob of the bot. Names are the environment variables of README."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="CASEBOT_SLACK_API_URL")
    database_url: str = Field(default="sqlite:///casebot.db", validation_alias="CASEBOT_DATABASE_URL")
    intake_token: str | None = Field(default=None, validation_alias="CASEBOT_INTAKE_TOKEN")
    host: str = Field(default="127.0.0.1", validation_alias="CASEBOT_HOST")
    port: int = Field(default=3000, ge=0, le=65535, validation_alias="CASEBOT_PORT")
    log_level: str = Field(default="INFO", validation_alias="CASEBOT_LOG_LEVEL")
    record_api_url: str | None = Field(default=None, validation_alias="CASEBOT_RECORD_API_URL")
    record_api_token: str | None = Field(default=None, validation_alias="CASEBOT_RECORD_API_TOKEN")
    record_case_url: str | None = Field(default=None, validation_alias="CASEBOT_RECORD_CASE_URL")

    # The receiving prison's notice for custodial allocations (seeds/003 s1.15): a webhook, or email.
    prison_webhook_url: str | None = Field(default=None, validation_alias="CASEBOT_PRISON_WEBHOOK_URL")
    prison_webhook_token: str | None = Field(default=None, validation_alias="CASEBOT_PRISON_WEBHOOK_TOKEN")
    smtp_host: str | None = Field(default=None, validation_alias="CASEBOT_SMTP_HOST")
    smtp_port: int = Field(default=587, ge=1, le=65535, validation_alias="CASEBOT_SMTP_PORT")
    smtp_sender: str | None = Field(default=None, validation_alias="CASEBOT_SMTP_SENDER")
    smtp_username: str | None = Field(default=None, validation_alias="CASEBOT_SMTP_USERNAME")
    smtp_password: str | None = Field(default=None, validation_alias="CASEBOT_SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=True, validation_alias="CASEBOT_SMTP_STARTTLS")
    prison_emails: str | None = Field(default=None, validation_alias="CASEBOT_PRISON_EMAILS")

    # Workload weights per tier (bot/domain/workload.py DEFAULT_TIER_POINTS), as JSON: {"A3": 6, ...}.
    tier_points: dict[str, float] | None = Field(default=None, validation_alias="CASEBOT_TIER_POINTS")

    # How often the scheduler looks for due reminders and chases (the plan itself is in the database).
    scheduler_tick_seconds: float = Field(default=30.0, gt=0, validation_alias="CASEBOT_SCHEDULER_TICK_SECONDS")
    # Off only where something else calls Scheduler.tick() (tests moving a clock, a one-off job).
    scheduler_enabled: bool = Field(default=True, validation_alias="CASEBOT_SCHEDULER_ENABLED")

    # Operational tuning, documented in README.md; defaults suit production.
    outbox_poll_seconds: float = Field(default=1.0, gt=0, validation_alias=AliasChoices("CASEBOT_OUTBOX_POLL_SECONDS"))
    outbox_lease_seconds: float = Field(default=60.0, gt=0, validation_alias=AliasChoices("CASEBOT_OUTBOX_LEASE_SECONDS"))
    outbox_max_backoff_seconds: float = Field(default=300.0, gt=0, validation_alias=AliasChoices("CASEBOT_OUTBOX_MAX_BACKOFF_SECONDS"))
    slack_channel_interval_seconds: float = Field(default=1.0, ge=0, validation_alias=AliasChoices("CASEBOT_SLACK_CHANNEL_INTERVAL_SECONDS"))
    # Calls a second per Slack method across all conversations, for the worker to keep under,
    # e.g. {"chat.update": 0.8}; a method not named is paced per conversation only.
    slack_method_rates: dict[str, float] = Field(default_factory=dict, validation_alias=AliasChoices("CASEBOT_SLACK_METHOD_RATES"))
    slack_timeout_seconds: int = Field(default=10, gt=0, validation_alias=AliasChoices("CASEBOT_SLACK_TIMEOUT_SECONDS"))
    # How long after a modal submission arrives its answer may wait for the commit before the
    # modal is answered "Saving..." and the outcome follows; Slack gives up at 3 s from sending.
    submission_budget_seconds: float = Field(default=1.5, gt=0, lt=3, validation_alias=AliasChoices("CASEBOT_SUBMISSION_BUDGET_SECONDS"))
    # How long the SPOs' App Home refresh waits after cases arrive, so a burst (an import, a
    # source catching up) publishes once instead of once a case.
    home_refresh_delay_seconds: float = Field(default=2.0, ge=0, validation_alias=AliasChoices("CASEBOT_HOME_REFRESH_DELAY_SECONDS"))

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("prison_emails")
    @classmethod
    def _prison_emails(cls, value: str | None) -> str | None:
        if value is not None:
            parse_prison_emails(value)
        return value

    @property
    def prison_email_map(self) -> dict[str, str]:
        return parse_prison_emails(self.prison_emails or "")

    @field_validator("slack_api_url", "record_api_url", "record_case_url", "prison_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("record_case_url")
    @classmethod
    def _has_crn_placeholder(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "{crn}" not in value:
            raise ValueError("must contain {crn}, e.g. https://records.example/case/{crn}")
        try:
            value.format(crn="X000000")  # any other {placeholder} would fail every case post
        except (KeyError, IndexError, AttributeError, ValueError):
            raise ValueError("may contain no placeholder but {crn}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @field_validator("tier_points")
    @classmethod
    def _weights(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return None if value is None else validate_weights(value)

    @property
    def tier_weights(self) -> Mapping[str, float]:
        return self.tier_points or DEFAULT_TIER_POINTS

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is chosen by the presence of an app-level token (README)."""
        return bool(self.slack_app_token)

    def require_for_serve(self) -> None:
        """Check the settings `casebot serve` cannot run without."""
        if not self.slack_bot_token:
            raise SettingsError(f"SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) is required to serve; {README_SETTINGS}")
        if not self.slack_bot_token.startswith("xoxb-"):
            raise SettingsError(f"SLACK_BOT_TOKEN must be a bot token starting with xoxb-; {README_SETTINGS}")
        if self.slack_app_token:
            if not self.slack_app_token.startswith("xapp-"):
                raise SettingsError(f"SLACK_APP_TOKEN must be an app-level token starting with xapp-; {README_SETTINGS}")
        elif not self.slack_signing_secret:
            raise SettingsError(f"SLACK_SIGNING_SECRET is not set: it is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode); {README_SETTINGS}")


def parse_prison_emails(text: str) -> dict[str, str]:
    """'HMP Leeds=omu.leeds@example.org;HMP Hull=omu.hull@example.org' -> {prison: address}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        prison, sep, address = part.partition("=")
        if not sep or not prison.strip() or "@" not in address:
            raise ValueError(f"expected 'Prison name=address@example.org' entries separated by ';', got {part[:60]!r}")
        mapping[prison.strip()] = address.strip()
    return mapping


def _env_name(settings_cls: type[Settings], field_name: str) -> str:
    alias = settings_cls.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return str(alias or field_name.upper())


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation failure into one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        name = _env_name(Settings, field) if field in Settings.model_fields else field
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is malformed: {message}; {README_SETTINGS}") from None
