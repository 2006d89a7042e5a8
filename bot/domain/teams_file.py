"""The teams and staff file (README, "The teams and staff file"): parse, validate, locate errors.

Errors name the line, the path in the file (`teams[0].practitioners[2].grade`) and what to fix,
in words an administrator uses ("must be a number above 0", "is not a known key: did you mean
'capacity_points'?"), never the parser's; a repeated code names both of its lines. Every problem
is reported at once, in line order, so one edit round fixes the file. Pure: text in, models or
errors out.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from bot.domain.channel_detail import DEFAULT_CHANNEL_DETAIL, ChannelDetail
from bot.domain.errors import CasebotError
from bot.domain.input_messages import did_you_mean, plain_message
from bot.domain.tiers import Tier
from bot.domain.yaml_source import YamlSyntaxError, field_path, node_line, read_yaml, repeated_keys

GRADES = ("PO", "PQiP", "PSO")  # seeds/004: Probation Officer, trainee PO, Probation Services Officer
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{6,}$")
SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{6,}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
PHONE = re.compile(r"^[0-9+() -]{6,40}\Z")

StaffCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class TeamsFileError(CasebotError):
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
    # How the prison reaches a community offender manager (seeds/003 para 1.15 notice).
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)

    _user = field_validator("slack_user")(_slack_user)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError(f"'{value[:40]}' is not an email address (like name@probation.example)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.match(str(value)):
            raise ValueError("must be a phone number: digits, spaces, +, ( ) and -")
        return value

    @field_validator("caseload")
    @classmethod
    def _tiers(cls, value: dict[str, int]) -> dict[str, int]:
        return {str(Tier.parse(tier)): count for tier, count in value.items()}

    @model_validator(mode="after")
    def _hours(self) -> PractitionerIn:
        if self.available_hours > self.contracted_hours:
            raise ValueError("available_hours cannot be more than contracted_hours")
        return self


class SpoIn(BaseModel):
    """An SPO: a Slack user id, or `{slack_user, staff_code, name}` so the write-back and the
    audit export can name them as the system of record knows them (docs/write-back.md)."""

    model_config = ConfigDict(extra="forbid")

    slack_user: str
    staff_code: StaffCode | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)

    _user = field_validator("slack_user")(_slack_user)


class TeamIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: StaffCode
    name: str = Field(min_length=1, max_length=200)
    channel: str
    service: Literal["probation", "prison"] = "probation"
    channel_detail: ChannelDetail = DEFAULT_CHANNEL_DETAIL  # what the channel's cards show (bot/domain/channel_detail.py)
    spos: list[SpoIn] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)
    # Staff codes of notify people (and SPOs given as bare ids), by Slack user id, so a
    # case's exclusion or restriction list can name them (README, "What the channel may see").
    staff_codes: dict[str, StaffCode] = Field(default_factory=dict)
    # Who signs off an exceptional public interest allocation (seeds/003 para 3.5).
    senior_approvers: list[str] = Field(default_factory=list)
    practitioners: list[PractitionerIn] = Field(default_factory=list)

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not SLACK_CHANNEL.match(value):
            raise ValueError(f"'{value[:30]}' is not a Slack channel id (like C0123ABCD)")
        return value

    @field_validator("notify", "senior_approvers")
    @classmethod
    def _users(cls, values: list[str]) -> list[str]:
        return [_slack_user(v) for v in values]

    @field_validator("spos", mode="before")
    @classmethod
    def _spo_entries(cls, values: Any) -> Any:
        """`U0SPO0001` is short for `{slack_user: U0SPO0001}`."""
        if isinstance(values, list):
            return [{"slack_user": v} if isinstance(v, str) else v for v in values]
        return values

    @property
    def spo_user_ids(self) -> list[str]:
        return [spo.slack_user for spo in self.spos]

    @property
    def spo_staff(self) -> dict[str, dict[str, str | None]]:
        """Slack id -> staff code and name, for the SPOs the file names fully."""
        return {s.slack_user: {"staff_code": s.staff_code, "name": s.name} for s in self.spos if s.staff_code or s.name}

    @field_validator("staff_codes")
    @classmethod
    def _coded_users(cls, values: dict[str, str]) -> dict[str, str]:
        return {_slack_user(user): code for user, code in values.items()}


class TeamsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teams: list[TeamIn] = Field(min_length=1)


Problem = tuple[int | None, str]  # (line, "path: message"); line None when the file has no lines


def _duplicates(data: Any, root: yaml.Node | None) -> list[Problem]:
    """Repeated team or staff codes, each reported at its second line naming the first, read
    from the raw file so they come alongside every other problem, not once the rest is fixed."""
    teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(teams, list):
        return []
    team_codes = [(("teams", i, "code"), t.get("code")) for i, t in enumerate(teams) if isinstance(t, dict)]
    staff_codes = [
        (("teams", i, "practitioners", j, "staff_code"), p.get("staff_code"))
        for i, t in enumerate(teams) if isinstance(t, dict) and isinstance(t.get("practitioners"), list)
        for j, p in enumerate(t["practitioners"]) if isinstance(p, dict)
    ]  # fmt: skip
    problems: list[Problem] = []
    for label, entries in (("team code", team_codes), ("staff code", staff_codes)):
        first: dict[str, tuple[Any, ...]] = {}
        for loc, value in entries:
            if value is None:
                continue
            code = str(value).strip()
            if code not in first:
                first[code] = loc
                continue
            earlier = first[code]
            problems.append((
                node_line(root, loc),
                f"{field_path(loc)}: {label} '{code[:30]}' is already used at line {node_line(root, earlier)} "
                f"({field_path(earlier[:-1])}); each {label} must appear once",
            ))  # fmt: skip
    return problems


def _known_keys(loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys allowed in the mapping that holds `loc`'s last key (file, team or practitioner)."""
    if "spos" in loc[:-1]:
        return tuple(SpoIn.model_fields)
    depth = sum(isinstance(part, str) for part in loc[:-1])
    model = (TeamsFile, TeamIn, PractitionerIn)[min(depth, 2)]
    return tuple(model.model_fields)


def _message(error: Any, data: Any) -> str:
    """One pydantic error in the file's words."""
    loc = tuple(error["loc"])
    if not loc:
        if data is None:
            return "is empty: list the teams under `teams:` (see docs/example-teams.yml)"
        return "must be a mapping that starts with `teams:` (see docs/example-teams.yml)"
    if error["type"] == "literal_error" and loc[-1] == "grade":
        return f"unknown grade {str(error.get('input'))[:30]!r}: use one of {', '.join(GRADES)}"
    if error["type"] == "extra_forbidden":
        return "is not a known key" + did_you_mean(str(loc[-1]), _known_keys(loc))
    return plain_message(error)


def parse_teams_file(text: str) -> TeamsFile:
    """Validate the whole file or raise `TeamsFileError` listing every problem with its line."""
    try:
        root, data = read_yaml(text)
    except YamlSyntaxError as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise TeamsFileError([f"{where}malformed YAML: {exc.problem}"]) from None
    problems = _duplicates(data, root)
    problems += [(line, f"{field_path(loc)}: is written twice in the same entry; YAML keeps only the last, so keep one") for line, loc in repeated_keys(root)]
    parsed = None
    try:
        parsed = TeamsFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append((node_line(root, loc), f"{field_path(loc)}: {_message(error, data)}"))
    if problems or parsed is None:
        problems.sort(key=lambda problem: problem[0] or 0)
        raise TeamsFileError([f"line {line}: {text}" if line else text for line, text in problems])
    return parsed
