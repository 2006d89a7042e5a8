"""A count that moves on a person's terminal and says nothing to CI logs or pipes.

A 10,000-row import takes long enough that a silent terminal looks hung, but a progress line
in a CI log or a file someone parses is noise: so the count is shown only when the stream is a
terminal, rewritten in place with a carriage return, and ended with a newline when done.
"""

from __future__ import annotations

from typing import TextIO

from bot.services.importer import Progress


def terminal_progress(stream: TextIO, label: str) -> Progress | None:
    """A progress callback writing to `stream`, or None when `stream` is not a terminal."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r{label}: {done:,} of {total:,} rows" + ("\n" if done >= total else ""))
        stream.flush()

    return show
