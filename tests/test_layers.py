"""The package's layers: no import runs back up (GUIDE: "a library with a thin command line").

From the bottom: base modules (errors, limits, arrays, words) -> io and label maps -> annotations, raster,
metrics, viz -> pipelines -> reports -> cli. Metrics never read files; nothing outside cli/ imports
Typer. The package's own ``__init__`` (the public API) and ``_moved`` (old module paths) may import
anything.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent / "src" / "segtool"
LAYER = {
    "errors": 0,
    "limits": 0,
    "arrays": 0,
    "words": 0,
    "io": 1,
    "labels": 1,
    "labelsets": 1,
    "annotations": 2,
    "raster": 2,
    "metrics": 2,
    "viz": 2,
    "pipelines": 3,
    "reports": 4,
    "cli": 5,
}
#: Within layer 2, these may use each other (readers feed the rasterizer); nothing else crosses.
SIDEWAYS = {("raster", "annotations")}
FREE = {"__init__", "__main__", "_moved"}


def _unit(parts: list[str]) -> str:
    """The layer unit of a module path below segtool: its package, or the top-level module."""
    return parts[0]


def _imports(path: Path) -> list[tuple[str, int]]:
    """(unit imported, line) for every segtool import in one module."""
    rel = path.relative_to(ROOT).with_suffix("").parts
    package = list(rel[:-1])  # what ``from .`` means, in a package's __init__ as in its modules
    tree = ast.parse(path.read_text())
    typing_only = {  # imports under ``if TYPE_CHECKING:`` are for annotations only
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # ``from . import x`` at the top: x is the unit
                    target = [node.names[0].name]
            elif node.module and node.module.split(".")[0] == "segtool":
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.append((_unit(target), node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "typer" or alias.name.startswith("typer."):
                    found.append(("typer", node.lineno))
    return found


MODULES = sorted(path for path in ROOT.rglob("*.py") if path.stem not in FREE or path.parent != ROOT)


def test_every_module_has_a_layer():
    """Imports of a module outside LAYER are not checked below, so every module has its layer."""
    units = {_unit(list(path.relative_to(ROOT).with_suffix("").parts)) for path in MODULES}
    assert units - set(LAYER) == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_import_runs_back_up_a_layer(path):
    unit = _unit(list(path.relative_to(ROOT).with_suffix("").parts))
    for imported, line in _imports(path):
        where = f"{path.relative_to(ROOT)}:{line}"
        if imported == "typer":
            assert unit == "cli", f"{where}: only cli/ imports Typer"
            continue
        if imported == unit or imported not in LAYER:
            continue
        same_layer = LAYER[imported] == LAYER[unit]
        assert (
            LAYER[imported] < LAYER[unit]
            or (same_layer and (unit, imported) in SIDEWAYS)
            or (same_layer and LAYER[unit] in (0, 1))
        ), f"{where}: {unit} (layer {LAYER[unit]}) imports {imported} (layer {LAYER[imported]})"
