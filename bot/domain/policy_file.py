"""The region's allocation policy file: its parser, its errors, and the shipped default.

Policy is data: which grades hold each tier, what a PQiP counts as, readiness and ViSOR checks,
allocation targets, touchpoint timings, reallocation reasons, OMiC thresholds. The documents'
rules are the shipped default (`default_policy.yml`, every entry citing its source; see
docs/policy-sources.md); a region loads its own file with `casebot policy load FILE`.

Every field is required, so a region's file says everything it means and the shipped default is
the one place defaults live. Errors name the line and the field path (`tiers.C.within_policy[1]`)
in our own words. Pure: text in, a `Policy` or a `PolicyFileError` out (reading the packaged
default file is the one exception, done once and cached). The schema is `Policy`
(bot/domain/policy_schema.py), made of the sections in bot/domain/policy_sections.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from bot.domain.errors import CasebotError
from bot.domain.policy_schema import Policy
from bot.domain.policy_sections import REASON_CODE, Check, Duration, Reminders, shown
from bot.domain.yaml_source import YamlSyntaxError, field_path, node_line, read_yaml, repeated_keys

# The one door to the policy: what other modules take from here.
__all__ = [
    "REASON_CODE",
    "Check",
    "Duration",
    "Policy",
    "PolicyFileError",
    "PolicyProblem",
    "Reminders",
    "default_policy",
    "default_policy_text",
    "field_line",
    "parse_policy",
]


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong with a policy file: where (1-based line, None when unknown) and what."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}" if self.line is not None else f"{self.field}: {self.message}"


class PolicyFileError(CasebotError):
    """The file cannot be used; `problems` lists every one found, in file order."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def _our_words(error: Any) -> str:
    """The validation error, said our way (never the validation library's own phrasing)."""
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    simple = {
        "missing": "is missing: every setting must be given (see the shipped default with `casebot policy show`)",
        "extra_forbidden": "is not a policy setting: check its spelling and indentation",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be text",
        "dict_type": "must be a set of named entries (name: value, one per line)",
        "model_type": "must be a set of named entries (name: value, one per line)",
        "model_attributes_type": "must be a set of named entries (name: value, one per line)",
        "list_type": "must be a list, like [PO, PSO]",
        "tuple_type": "must be a list, like [PO, PSO]",
        "string_too_short": "must not be empty",
    }
    if kind in simple:
        return simple[kind]
    if kind == "literal_error":
        choices = ctx.get("expected", "").replace(" or ", ", ")
        if isinstance(given, bool):  # `no`, `off`, `yes` and `on` are YAML's words for false and true
            return f"reads as {str(given).lower()} (YAML takes yes, no, on and off as true or false): use one of {choices}"
        return f"{shown(given)} is not allowed here: use one of {choices}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} entries"
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters"
    bounds = {"greater_than": "more than {}", "greater_than_equal": "{} or more", "less_than": "less than {}", "less_than_equal": "{} or less"}
    if kind in bounds:
        return f"must be {bounds[kind].format(next(iter(ctx.values())))}"
    if kind == "policy_keys":
        return str(ctx["message"])
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    return f"{shown(given)} is not a valid value here"


def parse_policy(text: str) -> Policy:
    """Validate the whole file or raise `PolicyFileError` listing every problem with its line."""
    try:
        root, data = read_yaml(text)
    except YamlSyntaxError as exc:
        raise PolicyFileError([PolicyProblem(exc.line, "(file)", f"this is not valid YAML: {exc.problem}")]) from None
    if data is None:
        raise PolicyFileError([PolicyProblem(None, "(file)", "the file is empty: start from the shipped default (`casebot policy show`)")])
    problems = [PolicyProblem(line, field_path(loc), "is written twice; keep one (YAML would silently use the last)") for line, loc in repeated_keys(root)]
    try:
        parsed = Policy.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if error["type"] == "policy_keys" and error["ctx"]["key"] is not None:
                loc += (error["ctx"]["key"],)
            problems.append(PolicyProblem(node_line(root, loc, key_line=True), field_path(loc), _our_words(error)))
    else:
        if not problems:
            return parsed
    problems.sort(key=lambda p: (p.line or 0, p.field))
    raise PolicyFileError(problems)


def field_line(text: str, field: str) -> int | None:
    """The line of a top-level setting in a valid policy file (for problems found after parsing)."""
    return node_line(read_yaml(text)[0], (field,), key_line=True)


@lru_cache(maxsize=1)
def default_policy_text() -> str:
    """The shipped default file, as text (package data beside this module)."""
    return resources.files(__package__).joinpath("default_policy.yml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The shipped default policy: the documents' rules, used until a region loads its own."""
    return parse_policy(default_policy_text())
