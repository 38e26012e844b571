"""A second segtool checkout (today's main, say) measured next to this one, in the same run.

Before/after ratios are only fair when both sides share the machine's load,
so the benchmarks take turns between the two. ``--baseline SRC`` names the
other checkout's ``src`` folder (e.g. a worktree of main at the commit before a
change: ``git worktree add --detach ../segtool-main main``). Its ``segtool``
package is imported under the name ``segtool_baseline``: segtool's modules
import each other relatively, so the two copies live side by side in one
process. Command-line runs start ``python -m segtool`` with the checkout's
``src`` first on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

NAME = "segtool_baseline"


def load_baseline(src: str | Path) -> ModuleType:
    """The ``segtool`` package under ``src``, imported as ``segtool_baseline``."""
    package = Path(src).resolve() / "segtool"
    if not (package / "__init__.py").is_file():
        raise SystemExit(f"--baseline: no segtool package in {src}")
    spec = importlib.util.spec_from_file_location(
        NAME, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module


def baseline_attribute(*candidates: str):
    """The first of ``module:attribute`` names the baseline has (modules moved between versions)."""
    for candidate in candidates:
        module_name, attribute = candidate.split(":")
        try:
            return getattr(importlib.import_module(f"{NAME}.{module_name}"), attribute)
        except (ImportError, AttributeError):
            continue
    raise SystemExit(f"--baseline: none of {', '.join(candidates)} found")


def cli_environment(src: str | Path) -> dict[str, str]:
    """The environment for ``python -m segtool`` of the checkout under ``src``."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(Path(src).resolve()), environment.get("PYTHONPATH", "")])
    return environment
