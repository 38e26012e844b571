"""What every command shares: exit codes, the stderr console, progress, error handling, common options.

stdout carries data only; messages, warnings and progress go to stderr.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..annotations import FORMATS
from ..errors import OutputError, OutputPlacementError, SegtoolError
from ..io.atomic import open_output
from ..io.files import LABEL_FILE_NAMES, LABELME2VOC_NAMES
from ..io.maskio import MASK_SUFFIXES
from ..pipelines.parallel import default_jobs

EXIT_OK = 0
EXIT_FAILED = 1  # bad input, or some files failed
EXIT_USAGE = 2  # Typer/Click usage errors
EXIT_BELOW_THRESHOLD = 3  # score --fail-under or --fail-over was not met
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)

DEFAULT_JOBS = default_jobs()
JobsOption = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        show_default=False,
        help="Worker processes (default: all cores). Results do not depend on it.",
    ),
]
ThreadJobsOption = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        show_default=False,
        help="Worker threads (default: all cores); decoding and counting release Python's GIL. "
        "Results do not depend on it.",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress bar, notes or warnings on stderr (errors are still shown)."
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", hidden=True, help="Show the traceback of an error.")]
#: ``--images`` of score and compare: the photos under their error maps (one rule, segtool.pipelines.photos).
ImagesOption = Annotated[
    str | None,
    typer.Option(
        metavar="DIR",
        help="Photos matched to the ground truth by relative path (any image suffix; else LabelMe's "
        "imageData in DIR/<name>.json), drawn under the error maps and the report's pictures. A "
        "missing or unusable photo is a warning: that picture is drawn without it.",
    ),
]

#: At most this many warnings about pictures are printed; one line counts the others.
LISTED_PICTURE_WARNINGS = 20

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
# What a message may not print raw: lone surrogates (undecodable bytes of file names), control
# characters (C0, DEL, C1: ESC starts terminal sequences), line and paragraph separators, and the
# bidirectional overrides and isolates that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class OutputFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


def printable(text: str) -> str:
    """``text`` as one printable line: the bytes of undecodable file names (surrogate escapes) shown
    as ``\\xNN``, control characters as ``\\xNN`` (a newline as ``\\n``), line separators, bidi
    controls and any other lone surrogate as ``\\uNNNN``. So a file or label name cannot forge a
    second line or send an escape sequence to the terminal.

    >>> printable("a\\nerror: b\\x1b[31m\\u2028c\\udce9")
    'a\\\\nerror: b\\\\x1b[31m\\\\u2028c\\\\xe9'
    """
    return _UNPRINTABLE.sub(_show_code, text)


def _show_code(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return repr(match.group())[1:-1] if code < 0x100 else f"\\u{code:04x}"


def error(message: str) -> None:
    """Print one error line on stderr; the message is literal text (brackets are not markup)."""
    stderr.print(f"[bold red]error:[/] {escape(printable(message))}", markup=True, highlight=False)


def warn(message: str) -> None:
    """Print one warning line on stderr; the message is literal text."""
    stderr.print(f"[yellow]warning:[/] {escape(printable(message))}", markup=True, highlight=False)


def warn_pictures(messages: list[str], *, quiet: bool) -> None:
    """Warnings about pictures drawn without their photo (or without pictures), each once and at most
    :data:`LISTED_PICTURE_WARNINGS`; none of them fails the run."""
    if quiet:
        return
    messages = list(dict.fromkeys(messages))  # a photo warns once
    for message in messages[:LISTED_PICTURE_WARNINGS]:
        warn(message)
    if len(messages) > LISTED_PICTURE_WARNINGS:
        more = len(messages) - LISTED_PICTURE_WARNINGS
        warn(f"... and {more} more pictures drawn without a photo or without pictures")


def info(message: str, *, quiet: bool = False) -> None:
    if not quiet:
        stderr.print(printable(message), markup=False, highlight=False)


def parse_ignore_values(values: list[str] | None) -> tuple[int, ...] | None:
    """``--ignore`` values: None when not given (the command's default), () for ``none``, else the ids."""
    if not values:
        return None
    if [value.lower() for value in values] == ["none"]:
        return ()
    try:
        ids = tuple(int(value) for value in values)
    except ValueError:
        raise typer.BadParameter(
            f"expected whole numbers or 'none', got {' '.join(values)}", param_hint="--ignore"
        ) from None
    if any(not 0 <= value <= 65535 for value in ids):
        raise typer.BadParameter("ignore values must lie in 0..65535", param_hint="--ignore")
    return ids


STDOUT_NAME = "-"
#: Names a mask folder's label map is read from.
INPUT_NAMES = (*LABEL_FILE_NAMES, LABELME2VOC_NAMES)


def output_stream(path: str) -> contextlib.AbstractContextManager[IO[str]]:
    """A text stream for an output option: stdout for ``-`` (left open), else
    :func:`segtool.io.atomic.open_output` as UTF-8, undecodable file names' bytes as they were."""
    if path == STDOUT_NAME:
        return contextlib.nullcontext(sys.stdout)
    return open_output(path, "w", encoding="utf-8", newline="", errors="surrogateescape")


def check_one_stdout(outputs: dict[str, str | None]) -> None:
    """A usage error when more than one output option (``{option: path}``) is ``-``: their data would mix."""
    on_stdout = [option for option, path in outputs.items() if path == STDOUT_NAME]
    if len(on_stdout) > 1:
        raise typer.BadParameter(
            f"{' and '.join(on_stdout)} would {'both' if len(on_stdout) == 2 else 'all'} write to "
            "stdout ('-'); give all but one a file "
            "(the scores go to stdout unless -o FILE)",
            param_hint=on_stdout[-1],
        )


def check_outputs_are_not_inputs(
    outputs: dict[str, str | None], *, folders: tuple[str, ...], files: tuple[str | None, ...] = ()
) -> None:
    """A usage error, before anything is read, when an output option names an input of the run.

    Refused (links followed): one of ``files`` (a label map, a mask given as PRED or GT), and under
    one of ``folders`` a mask (``.png``, ``.npy``: it is read, or the next run reads it) or a label
    map name (the next run would take it for the folder's map). Other files beside the masks
    (``gt/scores.csv``) are fine. URLs are not checked.
    """
    _check_distinct(outputs)
    inputs = {os.path.realpath(path) for path in (*folders, *files) if path and os.path.exists(path)}
    roots = [os.path.realpath(folder) for folder in folders if "://" not in folder and os.path.isdir(folder)]
    for option, path in outputs.items():
        if path is None or path == STDOUT_NAME or "://" in path:
            continue
        real = os.path.realpath(path)
        if os.path.isdir(real):
            raise typer.BadParameter(f"{path} is a folder; name a file", param_hint=option)
        inside = any(os.path.commonpath([root, real]) == root for root in roots)
        name = os.path.basename(real)
        if real in inputs or (inside and (Path(name).suffix.lower() in MASK_SUFFIXES or name in INPUT_NAMES)):
            raise typer.BadParameter(
                f"{path} is an input of this run (a mask or a label map, or read as one by the next run); "
                "write it elsewhere",
                param_hint=option,
            )


def _check_distinct(outputs: dict[str, str | None]) -> None:
    """A usage error when two output options name one file (links followed): one would be lost.

    Devices and FIFOs (``/dev/null``) may be named twice."""
    seen: dict[str, str] = {}
    for option, path in outputs.items():
        if path is None or path == STDOUT_NAME or "://" in path:
            continue
        real = os.path.realpath(path)
        if os.path.exists(real) and not os.path.isfile(real):
            continue
        if real in seen:
            raise typer.BadParameter(
                f"{seen[real]} and {option} both name {path}: one would replace the other; "
                "give each its own file",
                param_hint=option,
            )
        seen[real] = option


def save_text(path: str, text: str, *, what: str = "") -> None:
    """Write ``text`` to ``path`` (``-``: stdout) as UTF-8, atomically for a regular file, undecodable file
    names' bytes as they were (surrogate escapes); an :class:`OutputError` naming ``what`` ("the report")
    when it cannot be written."""
    try:
        with output_stream(path) as stream:
            stream.write(text)
    except OSError as exc:
        raise OutputError(
            f"cannot write{' ' + what if what else ''}: {exc.strerror or exc}", path=path
        ) from None


@contextlib.contextmanager
def user_errors(debug: bool = False) -> Iterator[None]:
    """Turn a :class:`SegtoolError` into one line on stderr and exit code 1 (a traceback with --debug);
    an :class:`OutputPlacementError` (an output folder among the inputs, or a file) is a usage error,
    exit 2."""
    try:
        yield
    except SegtoolError as exc:
        if debug:
            raise
        error(str(exc))
        raise typer.Exit(EXIT_USAGE if isinstance(exc, OutputPlacementError) else EXIT_FAILED) from None


@contextlib.contextmanager
def on_ctrl_c(what_is_left: str) -> Iterator[None]:
    """Ctrl-C: one line ``interrupted: <what_is_left>`` on stderr and exit 130, no traceback.

    Enter it outside the outputs' own context managers, so that their temporary files are gone
    (outputs are atomic) before the line is printed. rasterize says how far it got its own way.
    """
    try:
        yield
    except KeyboardInterrupt:
        info(f"interrupted: {what_is_left}")
        raise typer.Exit(EXIT_INTERRUPTED) from None


@contextlib.contextmanager
def progress_tasks(*, quiet: bool = False) -> Iterator[Callable[[str, int], Callable[..., None]]]:
    """A transient progress display on stderr, silent when stderr is not a terminal or ``quiet``.

    Yields ``new_task(description, total)``, which returns ``advance(n=1)``: the
    shape of the ``progress`` callback the library's long-running functions take.
    """
    if quiet or not stderr.is_terminal:
        yield lambda description, total: lambda n=1: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )
    with bar:

        def new_task(description: str, total: int) -> Callable[..., None]:
            task = bar.add_task(description, total=total)
            return lambda n=1: bar.advance(task, n)

        yield new_task


# -- free-text options ----------------------------------------------------------------------
def non_empty_text(value: str | None) -> str | None:
    """Typer callback: free text that must name something (None: the option was not given)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty")
    return value


def known_input_format(value: str | None) -> str | None:
    """Typer callback: a format name the readers know (None: detect it per file)."""
    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, FORMATS))}")
    return value
