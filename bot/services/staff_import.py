"""`casebot staff import FILE`: the workforce source's figures and absences for many practitioners.

CSV (the header names the staff feed's fields, README "The staff feed") or JSON lines (`.jsonl`
or `.ndjson`: one object a line, the body of `PUT /api/v1/staff/{staff_code}` plus its
`staff_code`). Each line is checked by the same validator as the API (bot/domain/staff_input.py);
a bad line or an unknown staff code is reported as `FILE: line N: field: message` and not
stored; the good lines are stored together. A header naming an unknown column refuses the
whole file before anything is stored, as `casebot import` does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.errors import CasebotError, InvalidInput
from bot.domain.input_messages import did_you_mean
from bot.domain.staff_input import FIELDS, StaffIn, parse_staff
from bot.services.facade import Services

JSON_LINES = (".jsonl", ".ndjson")


class StaffFileError(CasebotError):
    """The file as a whole cannot be read (not a line-level problem)."""


@dataclass
class StaffImportReport:
    updated: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StaffFileError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StaffFileError(f"{path}: cannot read: the file is not UTF-8 text") from None


def _json_lines(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except ValueError:
            yield number, None  # reported by the validator as "must be a JSON object"


def _csv_lines(path: Path, text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or ()]
    unknown = [
        f"{path}: line 1: column {n} {name[:40]!r} is not a staff field{did_you_mean(name, FIELDS)}"
        for n, name in enumerate(header, 1)
        if name and name not in FIELDS
    ]
    if unknown or "staff_code" not in header:
        problems = unknown or [f"{path}: line 1: the header must name the staff fields ({', '.join(FIELDS)})"]
        raise StaffFileError("\n".join([*problems, f"{path}: nothing imported; correct the header and import the file again"]))
    reader.fieldnames = header
    start = reader.line_num + 1
    try:
        for row in reader:
            yield start, {k: v for k, v in row.items() if k}
            start = reader.line_num + 1
    except csv.Error as exc:
        raise StaffFileError(f"{path}: line {start}: cannot read this CSV record: {exc}") from None


def read_lines(path: Path) -> list[tuple[int, Any]]:
    """(line number, raw record) pairs: CSV lines count from the header (line 1)."""
    text = _read(path)
    return list(_json_lines(text) if path.suffix.lower() in JSON_LINES else _csv_lines(path, text))


async def import_staff(services: Services, path: Path) -> StaffImportReport:
    """Validate every line, store the good ones in one transaction, report the rest in line order."""
    report = StaffImportReport()
    found: list[tuple[int, str]] = []  # (line, "field: message")
    good: list[tuple[int, StaffIn]] = []
    for line, raw in read_lines(path):
        try:
            good.append((line, parse_staff(raw)))
        except InvalidInput as exc:
            report.rejected += 1
            found += [(line, f"{e.field}: {e.message}") for e in exc.errors]
    last = {record.staff_code: line for line, record in good}
    for line, record in good:  # the last line of a code wins, as a later PUT would; say so
        if last[record.staff_code] != line:
            found.append((line, f"staff_code: '{record.staff_code[:20]}' appears again at line {last[record.staff_code]}, which is the one stored"))
    result = await services.update_staff([r for line, r in good if last[r.staff_code] == line], actor="cli")
    for code in result.unknown:
        report.rejected += 1
        found.append((last[code], f"staff_code: no practitioner with staff code '{code[:20]}' is loaded (`casebot teams load`)"))
    report.updated = len(result.updated)
    report.problems = [f"{path}: line {line}: {text}" for line, text in sorted(found, key=lambda item: item[0])]
    return report
