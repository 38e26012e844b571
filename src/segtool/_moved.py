"""Old module paths of segtool 0.1 that still import, with a DeprecationWarning.

The modules moved into packages (``segtool.scoring`` is now
:mod:`segtool.pipelines.score`, ``segtool.maskio`` is :mod:`segtool.io.maskio`, ...).
``import segtool.scoring`` keeps working: a finder on ``sys.meta_path`` answers
for the old name with the new module itself (one module object, so patching
either name patches both). The names exported by :mod:`segtool` did not move.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

MOVED_MODULES = {
    "segtool.atomic": "segtool.io.atomic",
    "segtool.storage": "segtool.io.storage",
    "segtool.files": "segtool.io.files",
    "segtool.imagesize": "segtool.io.imagesize",
    "segtool.maskio": "segtool.io.maskio",
    "segtool.memory": "segtool.io.memory",
    "segtool.convert": "segtool.pipelines.rasterize",
    "segtool.scoring": "segtool.pipelines.score",
    "segtool.stats": "segtool.pipelines.stats",
    "segtool.pairing": "segtool.pipelines.pairing",
    "segtool.errormaps": "segtool.pipelines.errormaps",
    "segtool.parallel": "segtool.pipelines.parallel",
    "segtool.executors": "segtool.pipelines.executors",
    "segtool.viz.batch": "segtool.pipelines.overlay",
    "segtool.viz.rasterized": "segtool.pipelines.rasterize_viz",
    "segtool.report": "segtool.reports.rows",
    "segtool.score_report": "segtool.reports.score_html",
    "segtool.viz.html": "segtool.reports.html",
    "segtool.viz.svg": "segtool.reports.svg",
    "segtool.viz.worst": "segtool.pipelines.score_collector",
}


class _MovedModuleLoader(importlib.abc.Loader):
    def __init__(self, new_name: str) -> None:
        self.new_name = new_name

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        return importlib.import_module(self.new_name)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the new module is already imported."""


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        new_name = MOVED_MODULES.get(fullname)
        if new_name is None:
            return None
        warnings.warn(
            f"{fullname} moved to {new_name}; the old name will be removed in segtool 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.util.spec_from_loader(fullname, _MovedModuleLoader(new_name))


def install() -> None:
    """Answer imports of the old module paths (once per process)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
