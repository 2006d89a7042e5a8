"""Validation problems in casebot's words: what to fix, never how the parser failed.

The case fields (intake API and import) and the teams file are checked with pydantic, whose own
messages ("Input should be greater than 0", "Input should be a valid dictionary or instance of
TeamsFile") describe the parser, not the file. `plain_message` turns one pydantic error into a
sentence a person can act on; the caller adds the field and the line. `did_you_mean` offers the
nearest known name for a misspelt key or column. Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

ISO_DATE = "must be an ISO date (YYYY-MM-DD)"

# Messages that need nothing from the error but its type.
_BY_TYPE = {
    "missing": "is required",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values (key: value)",
    "model_type": "must be a mapping of keys to values (key: value)",
    "model_attributes_type": "must be a mapping of keys to values (key: value)",
    "date_parsing": ISO_DATE,
    "date_from_datetime_parsing": ISO_DATE,
    "date_from_datetime_inexact": f"{ISO_DATE} without a time",
    "date_type": ISO_DATE,
    "extra_forbidden": "is not a known key",
}


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as what to fix."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return str(error.get("msg", "is not valid")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in _BY_TYPE:
        return _BY_TYPE[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', 'the listed values')}"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length", 1) <= 1 else f"must be at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} {'entry' if ctx.get('min_length') == 1 else 'entries'}"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} entries"
    bounds = {
        "greater_than": "must be a number above {gt}",
        "greater_than_equal": "must be {ge} or more",
        "less_than": "must be a number below {lt}",
        "less_than_equal": "must be {le} or less",
    }
    if kind in bounds:
        return bounds[kind].format_map({key: ctx.get(key) for key in ("gt", "ge", "lt", "le")})
    return "is not valid"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """': did you mean 'x'?' for the nearest known name, or the list of known names."""
    choices = list(known)
    close = difflib.get_close_matches(word.strip().lower(), choices, n=1, cutoff=0.6)
    if close:
        return f": did you mean '{close[0]}'?"
    return f"; the known ones are {', '.join(choices)}"
