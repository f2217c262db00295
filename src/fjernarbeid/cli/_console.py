"""The one way the command line prints with rich: data are never read as markup.

Rich interprets ``[bold]…[/]`` and ``:emoji:`` in every string it prints, and a table cell is such
a string. A value, a respondent id, a column name or a file path holding ``[/bold]`` then raises
``MarkupError`` — after the outputs were written — or silently changes what is shown. Every console
of the package therefore comes from :func:`console`, with markup, emoji codes and highlighting
off: a string is printed exactly as it is. Where a line wants style, it says so with
:func:`styled` (style and text as separate parts, so a value can never carry style of its own) or
:func:`error_line`. A test (``tests/cli/test_console.py``) checks that no module constructs a rich
``Console`` of its own.
"""

from __future__ import annotations

import re
from typing import Iterable

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from fjernarbeid.errors import plain_message


# Control characters in data (C0 but line break and tab, DEL, C1): a terminal obeys them, so a cell holding
# ESC [2J clears the screen and ESC ] 0; … sets the window's title. They are shown as escapes instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``), as Python's repr writes it."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)


class _LiteralConsole(Console):
    """rich's console printing the text of data as it is, control characters made visible; the control
    codes rich itself writes (styles, cursor movement) are untouched."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style) for segment in buffer)


def console(stderr: bool = False, **options) -> Console:
    """A rich console that prints strings literally (no markup, no emoji codes, no highlighting, control
    characters shown as escapes)."""
    options.setdefault("soft_wrap", True)
    return _LiteralConsole(stderr=stderr, markup=False, emoji=False, highlight=False, **options)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line from plain strings and ``(text, style)`` pairs: ``styled(("error: ", "bold red"), message)``."""
    return Text.assemble(*(part if isinstance(part, tuple) else (str(part), "") for part in parts))


def error_line(message: str, label: str = "error: ", style: str = "bold red") -> Text:
    return styled((label, style), str(message))


def print_error(message: str) -> None:
    """``error: message`` on standard error, the message printed exactly as it is."""
    console(stderr=True).print(error_line(plain_message(str(message))))


# What one write may hand a pipe before its reader is asked again: a pipe holds 64 KiB on Linux.
_CHUNK = 1 << 16


def echo_text(text: str) -> None:
    """``text`` and a line break on standard output, in pieces of 64 KiB, each flushed.

    One large write into a pipe whose reader goes away meanwhile (``fjernarbeid validate … --format json |
    head``) returns the part that was taken and no error, so the program would end with its own exit code
    having written a fraction of the JSON; in pieces, the next one raises BrokenPipeError and the command
    ends with 141 as the README says.
    """
    import sys

    text += "\n"
    for start in range(0, len(text), _CHUNK):
        sys.stdout.write(text[start:start + _CHUNK])
        sys.stdout.flush()
