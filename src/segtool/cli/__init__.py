"""The command line: Typer only. It parses options, calls the library and renders results."""

import signal

from . import compare as _compare  # noqa: F401
from . import labels as _labels  # noqa: F401
from . import overlay as _overlay  # noqa: F401
from . import rasterize as _rasterize  # noqa: F401  (registers the command)
from . import score as _score  # noqa: F401
from . import stats as _stats  # noqa: F401
from .app import app
from .common import info
from .stderr import only_segtool_on_stderr


def main() -> None:
    """Run the command line.

    A reader that closes stdout early (``segtool score ... | head``) ends segtool
    the way it ends other Unix tools, by SIGPIPE, silently, instead of the exit
    code 1 that means bad input. Outputs written to files are atomic, so nothing
    half-written is left by that. Libraries' own stderr lines are dropped (see
    :mod:`.stderr`): every line on stderr is segtool's.

    Ctrl-C is handled by each command around its work (one ``interrupted:`` line saying what
    was written). Outside that (Typer building the command, options read before the work,
    results printed after it), Typer exits 130 without a word: here that exit gets its line.
    """
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    with only_segtool_on_stderr():
        try:
            app()
        except SystemExit as stop:
            if isinstance(getattr(stop.__context__, "__cause__", None), KeyboardInterrupt):
                info("interrupted: every file written is complete (segtool writes whole files or none)")
            raise
