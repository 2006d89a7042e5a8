"""`casebot import FILE`: cases from CSV (header = the case field names) or JSON (a list).

Per-line errors name the line and field; good lines are stored and posted, bad ones are not;
re-importing the same file creates nothing new (idempotent on event_id). A CSV header naming a
column that is not a case field refuses the whole file before anything is stored: a misspelt
`custodial` or `sentence_date` column would otherwise be dropped without a word, and every
line read without it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.case_input import FIELDS
from bot.domain.enums import CaseState
from bot.domain.errors import CasebotError
from bot.domain.input_messages import did_you_mean
from bot.services.case_events import JOINED, NEW_CASE
from bot.services.facade import Services
from bot.services.intake import Rejected

CHUNK = 500  # rows per transaction: large enough to be fast, small enough to keep locks short


Progress = Callable[[int, int], None]  # (rows done, rows in the file), after each chunk


class ImportFileError(CasebotError):
    """The file as a whole cannot be read (not a line-level problem)."""


@dataclass
class ImportReport:
    """What an import stored: new cases (`created`), later events of a person's open case counted
    apart (`joined` a waiting case, `currently_managed` kept by its practitioner), repeats, rejects."""

    created: int = 0
    joined: int = 0
    currently_managed: int = 0
    repeated: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs. CSV lines count from the header (line 1); JSON items from 1."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: cannot read: the file is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportFileError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(data, list):
            raise ImportFileError(f"{path}: must be a JSON list of case objects")
        return [(index, item) for index, item in enumerate(data, start=1)]
    return list(_csv_rows(path, text))


def _header_problems(names: Sequence[str]) -> list[str]:
    """'column N ...' for each header cell that is not a case field or repeats an earlier one.
    Blank header cells (a trailing comma) carry no field and are ignored, as before."""
    problems = []
    first: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        if not name:
            continue
        if name in first:
            problems.append(f"column {number} {name[:40]!r} repeats column {first[name]}")
        elif name not in FIELDS:
            problems.append(f"column {number} {name[:40]!r} is not a known field{did_you_mean(name, FIELDS)}")
        first.setdefault(name, number)
    return problems


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [name.strip() for name in reader.fieldnames or ()]
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line 1: cannot read the header: {exc}") from None
    problems = _header_problems(header)
    if problems:
        lines = [f"{path}: line 1: {problem}" for problem in problems]
        raise ImportFileError("\n".join([*lines, f"{path}: nothing imported; correct the header and import the file again"]))
    if "event_id" not in header:
        raise ImportFileError(f"{path}: line 1: the header must name the case fields (event_id, crn, name, team, ...)")
    reader.fieldnames = header
    start = reader.line_num + 1  # a quoted cell may span lines: report where the record starts
    try:
        for row in reader:
            yield start, {k: v for k, v in row.items() if k}
            start = reader.line_num + 1
    except csv.Error as exc:  # e.g. a cell over the csv module's 131,072-character limit
        raise ImportFileError(f"{path}: line {start}: cannot read this CSV record: {exc}") from None


async def import_file(services: Services, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Store the good rows, one transaction per `CHUNK`; `progress` hears after each chunk of a
    file longer than one chunk (a shorter one is done before anyone could read a count)."""
    rows = read_rows(path)
    report = ImportReport()
    label = "item" if path.suffix.lower() == ".json" else "line"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        results = await services.receive_cases([row for _, row in chunk], source="import")
        for (line, _), result in zip(chunk, results, strict=True):
            if isinstance(result, Rejected):
                report.rejected += 1
                report.problems += [f"{path}: {label} {line}: {e.field}: {e.message}" for e in result.error.errors]
            elif result.stored == NEW_CASE:
                report.created += 1
            elif result.stored == JOINED:
                report.joined += 1
            elif result.stored == CaseState.CURRENTLY_MANAGED:
                report.currently_managed += 1
            else:
                report.repeated += 1
        if progress is not None and len(rows) > CHUNK:
            progress(start + len(chunk), len(rows))
    return report
