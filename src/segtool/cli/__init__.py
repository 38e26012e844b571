"""The command line: Typer only. It parses options, calls the library and renders results."""

from . import rasterize as _rasterize  # noqa: F401  (registers the command)
from . import score as _score  # noqa: F401
from . import stats as _stats  # noqa: F401
from . import overlay as _overlay  # noqa: F401
from .app import app


def main() -> None:
    app()
