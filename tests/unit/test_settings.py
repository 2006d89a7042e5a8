"""Settings defaults, environment names and one-line start-up errors (bot/runtime/settings.py, README "Settings")."""

from __future__ import annotations

import pytest

from bot.runtime.settings import Settings, SettingsError, load_settings

# Every environment variable the settings read (README plus the documented tuning knobs).
ENV_NAMES = sorted({str(choice) for field in Settings.model_fields.values() for choice in getattr(field.validation_alias, "choices", [field.validation_alias])})


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No SLACK_* or CASEBOT_* variable from the machine running the tests leaks in."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def load(**overrides: object) -> Settings:
    return load_settings(_env_file=None, **overrides)


def test_every_contract_variable_is_read() -> None:
    contract = {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "CASEBOT_SLACK_API_URL",
        "CASEBOT_DATABASE_URL",
        "CASEBOT_INTAKE_TOKEN",
        "CASEBOT_HOST",
        "CASEBOT_PORT",
        "CASEBOT_LOG_LEVEL",
        "CASEBOT_RECORD_API_URL",
        "CASEBOT_RECORD_API_TOKEN",
        "CASEBOT_RECORD_CASE_URL",
    }
    assert contract <= set(ENV_NAMES)


def test_defaults_match_the_contract() -> None:
    settings = load()
    assert settings.database_url == "sqlite:///casebot.db"
    assert settings.host == "127.0.0.1"
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.log_level == "INFO"
    assert settings.slack_bot_token is None and settings.slack_signing_secret is None
    assert settings.slack_app_token is None and settings.socket_mode is False
    assert settings.intake_token is None
    assert settings.record_api_url is None and settings.record_api_token is None and settings.record_case_url is None


def test_environment_variables_are_read(clean_env: pytest.MonkeyPatch) -> None:
    values = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s3cret",
        "SLACK_APP_TOKEN": "xapp-1",
        "CASEBOT_SLACK_API_URL": "http://127.0.0.1:9999/api/",
        "CASEBOT_DATABASE_URL": "postgresql+psycopg://u@db/casebot",
        "CASEBOT_INTAKE_TOKEN": "intake",
        "CASEBOT_HOST": "0.0.0.0",
        "CASEBOT_PORT": "8080",
        "CASEBOT_LOG_LEVEL": "debug",
        "CASEBOT_RECORD_API_URL": "https://records.example/api",
        "CASEBOT_RECORD_API_TOKEN": "rec",
        "CASEBOT_RECORD_CASE_URL": "https://records.example/case/{crn}",
    }
    for name, value in values.items():
        clean_env.setenv(name, value)
    s = load()
    assert (s.slack_bot_token, s.slack_signing_secret, s.slack_app_token) == ("xoxb-1", "s3cret", "xapp-1")
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"
    assert s.database_url == "postgresql+psycopg://u@db/casebot"
    assert s.intake_token == "intake"
    assert (s.host, s.port) == ("0.0.0.0", 8080)
    assert s.log_level == "DEBUG"  # normalised
    assert (s.record_api_url, s.record_api_token) == ("https://records.example/api", "rec")
    assert s.record_case_url == "https://records.example/case/{crn}"
    assert s.socket_mode is True


def test_overrides_win_over_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CASEBOT_PORT", "8080")
    assert load(port=9090).port == 9090


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASEBOT_PORT", "abc"),
        ("CASEBOT_PORT", "70000"),
        ("CASEBOT_RECORD_CASE_URL", "https://records.example/case/"),
        ("CASEBOT_RECORD_CASE_URL", "records.example/case/{crn}"),
        ("CASEBOT_SLACK_API_URL", "ftp://slack.example/api/"),
        ("CASEBOT_RECORD_API_URL", "records.example/api"),
        ("CASEBOT_DATABASE_URL", "mysql://u@db/casebot"),
        ("CASEBOT_LOG_LEVEL", "LOUD"),
        ("CASEBOT_OUTBOX_POLL_SECONDS", "0"),
    ],
)
def test_malformed_setting_is_one_line_naming_the_variable(clean_env: pytest.MonkeyPatch, name: str, value: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as excinfo:
        load()
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"{name} ")
    assert "README" in message


def test_record_case_url_error_says_what_to_add(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CASEBOT_RECORD_CASE_URL", "https://records.example/case/")
    with pytest.raises(SettingsError, match=r"\{crn\}"):
        load()


def test_record_case_url_with_another_placeholder_stops_start_up(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CASEBOT_RECORD_CASE_URL", "https://records.example/{area}/case/{crn}")
    with pytest.raises(SettingsError, match="CASEBOT_RECORD_CASE_URL"):
        load()


# --- require_for_serve ------------------------------------------------------------------------


def test_serve_needs_a_bot_token() -> None:
    with pytest.raises(SettingsError) as excinfo:
        load(slack_signing_secret="s3cret").require_for_serve()
    assert str(excinfo.value).startswith("SLACK_BOT_TOKEN ")
    assert "\n" not in str(excinfo.value)


def test_serve_needs_a_bot_token_of_the_right_kind() -> None:
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN.*xoxb-"):
        load(slack_bot_token="xoxp-user", slack_signing_secret="s3cret").require_for_serve()


def test_http_mode_needs_a_signing_secret() -> None:
    with pytest.raises(SettingsError) as excinfo:
        load(slack_bot_token="xoxb-1").require_for_serve()
    assert str(excinfo.value).startswith("SLACK_SIGNING_SECRET ")
    assert "SLACK_APP_TOKEN" in str(excinfo.value)  # points at the Socket Mode alternative


def test_http_mode_with_token_and_secret_is_ready() -> None:
    settings = load(slack_bot_token="xoxb-1", slack_signing_secret="s3cret")
    settings.require_for_serve()
    assert settings.socket_mode is False


def test_socket_mode_needs_no_signing_secret(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("SLACK_APP_TOKEN", "xapp-1-abc")
    settings = load()
    settings.require_for_serve()
    assert settings.socket_mode is True


def test_socket_mode_app_token_must_be_app_level() -> None:
    with pytest.raises(SettingsError, match="^SLACK_APP_TOKEN .*xapp-"):
        load(slack_bot_token="xoxb-1", slack_app_token="xoxb-wrong").require_for_serve()
