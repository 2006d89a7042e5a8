"""The teams and staff file (CONTRACT.md, "Teams and staff file"): parse, validate, locate errors.

Errors name the path in the file (`teams[0].practitioners[2].grade`) and its line, so an
administrator can fix the file without guessing. Pure: text in, models or errors out.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from bot.domain.tiers import Tier
from bot.domain.yaml_source import YamlSyntaxError, field_path, node_line, read_yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

GRADES = ("PO", "PQiP", "PSO")  # seeds/004: Probation Officer, trainee PO, Probation Services Officer
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{6,}$")
SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,}$")

StaffCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class TeamsFileError(Exception):
    """The file cannot be loaded; `problems` are 'line N: path: message' strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _slack_user(value: str) -> str:
    if not SLACK_USER.match(value):
        raise ValueError(f"'{value[:30]}' is not a Slack user id (like U0123ABCD)")
    return value


class PractitionerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_code: StaffCode
    name: str = Field(min_length=1, max_length=200)
    grade: Literal["PO", "PQiP", "PSO"]
    slack_user: str
    capacity_points: int = Field(default=100, gt=0, le=10_000)
    visor_vetted: bool = False
    ready_for_tiers: list[Literal["A", "B", "C", "D"]] = Field(default_factory=list)
    # Cases already held outside casebot, by tier, e.g. {B2: 3, C1: 5}: the workload baseline.
    caseload: dict[str, Annotated[int, Field(ge=0, le=10_000)]] = Field(default_factory=dict)
    contracted_hours: float = Field(default=37.0, gt=0, le=80)
    available_hours: float = Field(default=37.0, ge=0, le=80)

    _user = field_validator("slack_user")(_slack_user)

    @field_validator("caseload")
    @classmethod
    def _tiers(cls, value: dict[str, int]) -> dict[str, int]:
        return {str(Tier.parse(tier)): count for tier, count in value.items()}

    @model_validator(mode="after")
    def _hours(self) -> PractitionerIn:
        if self.available_hours > self.contracted_hours:
            raise ValueError("available_hours cannot be more than contracted_hours")
        return self


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: StaffCode
    name: str = Field(min_length=1, max_length=200)
    channel: str
    service: Literal["probation", "prison"] = "probation"
    spos: list[str] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)
    practitioners: list[PractitionerIn] = Field(default_factory=list)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not SLACK_CHANNEL.match(value):
            raise ValueError(f"'{value[:30]}' is not a Slack channel id (like C0123ABCD)")
        return value

    @field_validator("spos", "notify")
    @classmethod
    def _users(cls, values: list[str]) -> list[str]:
        return [_slack_user(v) for v in values]


class TeamsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teams: list[TeamIn] = Field(min_length=1)


def _duplicates(data: Any) -> list[str]:
    """Repeated team or staff codes, read from the raw file so they are reported alongside
    every other problem, not only once the rest is fixed."""
    teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(teams, list):
        return []
    team_codes = [str(t.get("code")).strip() for t in teams if isinstance(t, dict) and t.get("code") is not None]
    staff_codes = [
        str(p.get("staff_code")).strip()
        for t in teams if isinstance(t, dict) and isinstance(t.get("practitioners"), list)
        for p in t["practitioners"] if isinstance(p, dict) and p.get("staff_code") is not None
    ]  # fmt: skip
    problems = []
    for label, codes in (("team code", team_codes), ("staff code", staff_codes)):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            problems.append(f"each {label} must appear once; repeated: {', '.join(dupes)}")
    return problems


def parse_teams_file(text: str) -> TeamsFile:
    """Validate the whole file or raise `TeamsFileError` listing every problem with its line."""
    try:
        root, data = read_yaml(text)
    except YamlSyntaxError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise TeamsFileError([f"{where}malformed YAML: {exc.problem}"]) from None
    problems = [f"(file): {p}" for p in _duplicates(data)]
    try:
        parsed = TeamsFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = node_line(root, loc)
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "literal_error" and loc and loc[-1] == "grade":
                message = f"unknown grade {error.get('input')!r}: use one of {', '.join(GRADES)}"
            prefix = f"line {line}: " if line else ""
            problems.append(f"{prefix}{field_path(loc)}: {message}")
        raise TeamsFileError(problems) from None
    if problems:
        raise TeamsFileError(problems)
    return parsed
