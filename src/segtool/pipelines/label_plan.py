"""The label map of a ``rasterize`` run: one output folder, one label map, ids that never change.

The map a run paints with is built, before any mask is written, from (strongest first):

1. the map already in the output folder (``OUT/labels.csv``, else ``OUT/labels.txt``): its ids
   never change, whatever else is given;
2. ``--labels``: its labels join the folder's; one that would renumber a folder label, or take
   a folder id for another name, is an error naming the label and both ids;
3. without ``--labels``, the ids the annotation files declare (COCO ``categories``), unless
   ``relabel="sorted"``; files that declare different ids for one label (or one id for two
   labels) are an error naming both files, and so is a declared id that disagrees with the folder;
4. every other label found, sorted by name, after the highest id so far (skipping the ignore
   value); each such label added to an existing folder map or to declared ids is reported.

Background is 0 (``_background_``). A declared id 0 under another name is the background when
no annotation uses it (tools such as Roboflow declare a supercategory there) and an error
otherwise: its pixels could not be told from unannotated ones. The ignore value is the one
asked for (``--ignore-value``, or the ``--labels`` file's), else the folder's, else 255; asking
for another value than the folder's is an error, since the folder's masks already hold theirs.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from ..errors import LabelMapError, shown
from ..io.files import found_label_file
from ..io.storage import Location, LocationLike, as_path
from ..labels import BACKGROUND_NAME, DEFAULT_IGNORE_VALUE, IGNORE_NAME, Label, LabelMap, voc_colour
from ..words import plural

#: Which ids declared labels get: as declared (COCO category ids), or sorted by name.
Relabel = Literal["declared", "sorted"]
RELABEL_CHOICES: tuple[Relabel, ...] = get_args(Relabel)


@dataclass(frozen=True)
class DeclaredIds:
    """Label ids one annotation file declares (COCO categories), and the file (for messages)."""

    source: Location
    ids: tuple[tuple[str, int], ...]


@dataclass
class LabelPlan:
    """The map to paint with, and one line for each label it gives an id the user did not choose."""

    label_map: LabelMap
    added: list[str] = field(default_factory=list)


def read_folder_map(folder: LocationLike) -> LabelMap | None:
    """The label map an output folder holds: ``labels.csv``, else ``labels.txt``; None when neither.

    When both exist they must give the same names to the same ids (segtool writes both).
    """
    folder = as_path(folder)
    rich, plain = folder / "labels.csv", folder / "labels.txt"
    rich_map = LabelMap.read(rich) if found_label_file(rich) else None
    plain_map = LabelMap.read(plain) if found_label_file(plain) else None
    if rich_map is not None and plain_map is not None and _pairs(rich_map) != _pairs(plain_map):
        raise LabelMapError(
            f"{plain.name} and {rich.name} in the output folder disagree "
            f"({_first_difference(plain_map, rich_map)}); delete the wrong one",
            path=folder,
        )
    return rich_map if rich_map is not None else plain_map


def plan_label_map(
    found: Iterable[str],
    *,
    folder_map: LabelMap | None = None,
    given: LabelMap | None = None,
    declared: Iterable[DeclaredIds] = (),
    used: Iterable[str] = (),
    ignore_value: int | None = None,
    relabel: Relabel = "declared",
) -> LabelPlan:
    """The map of a run (see the module docstring).

    ``found``: every label the inputs name (shapes and declared label lists); ``used``: the
    labels shapes paint (to tell an unused declared id 0 from a used one); ``ignore_value``:
    the value asked for, or None for the folder's (else 255); a ``given`` map's own ignore
    value wins. A :class:`LabelMapError` for a conflict, before anything is written.
    """
    if relabel not in RELABEL_CHOICES:
        raise ValueError(f"relabel must be one of {RELABEL_CHOICES}, not {relabel!r}")
    if given is not None:
        ignore_value = given.ignore_value
    if folder_map is not None:
        if ignore_value is not None and ignore_value != folder_map.ignore_value:
            raise LabelMapError(
                f"the folder's ignore value is {folder_map.ignore_value} but this run's is {ignore_value}; "
                "the masks of one folder share one ignore value: rasterize into another folder",
                path=folder_map.source,
            )
        ignore_value = folder_map.ignore_value
    ignore_value = DEFAULT_IGNORE_VALUE if ignore_value is None else ignore_value
    labels = {label.name: label for label in folder_map or ()}
    start = f"the folder's map {folder_map.source}" if folder_map is not None else ""
    if given is not None:
        _join(labels, {label.name: label.id for label in given}, folder_map, f"--labels {given.source}")
        labels.update({label.name: label for label in given})  # the given colours
        start = start or "--labels"
    elif relabel == "declared":
        ids, origin, backgrounds = _declared_ids(declared, set(used), ignore_value)
        found = set(found) - backgrounds
        if ids:
            _join(labels, ids, folder_map, origin)
            for name, label_id in ids.items():
                labels.setdefault(name, Label(label_id, name, voc_colour(label_id)))
            start = start or origin
    if not any(label.id == 0 for label in labels.values()) and BACKGROUND_NAME not in labels:
        labels[BACKGROUND_NAME] = Label(0, BACKGROUND_NAME, voc_colour(0))
    plan = LabelPlan(LabelMap(labels.values(), ignore_value=ignore_value))
    if given is not None:
        return plan  # labels not in the given map are unknown labels, not new ones
    new = sorted(set(found) - set(labels) - {BACKGROUND_NAME, IGNORE_NAME})
    highest = max(label.id for label in labels.values())
    free = (label_id for label_id in range(highest + 1, 65536) if label_id != ignore_value)
    for name in new:
        next_id = next(free, None)
        if next_id is None:
            raise LabelMapError(f"no id left for label {shown(name)} after id {highest} (ids end at 65535)")
        labels[name] = Label(next_id, name, voc_colour(next_id))
        if start:
            plan.added.append(f"label {shown(name)} is not in {start}: added as id {next_id}")
    plan.label_map = LabelMap(labels.values(), ignore_value=ignore_value)
    return plan


def _declared_ids(
    declared: Iterable[DeclaredIds], used: set[str], ignore_value: int
) -> tuple[dict[str, int], str, set[str]]:
    """The ids declared by all files, agreeing with each other; where they come from, for messages;
    and the names declared for id 0 that no shape uses (other names of the background)."""
    ids: dict[str, int] = {}
    backgrounds: set[str] = set()
    by_name: dict[str, Location] = {}
    by_id: dict[int, tuple[str, Location]] = {}
    sources: list[Location] = []
    for entry in declared:
        if entry.source not in sources:
            sources.append(entry.source)
        for name, label_id in entry.ids:
            if label_id == 0 and name != BACKGROUND_NAME:
                if name in used:
                    raise LabelMapError(
                        f"category {shown(name)} has id 0, which is the background (unannotated pixels); "
                        "pass --relabel sorted or --labels",
                        path=entry.source,
                    )
                backgrounds.add(name)
                continue
            if label_id == ignore_value:
                raise LabelMapError(
                    f"category {shown(name)} has id {label_id}, which is the ignore value; "
                    "pass another --ignore-value, or --relabel sorted",
                    path=entry.source,
                )
            if name in ids and ids[name] != label_id:
                raise LabelMapError(
                    f"label {shown(name)} is declared as id {label_id} here but as id {ids[name]} in "
                    f"{by_name[name]}; pass --relabel sorted or --labels",
                    path=entry.source,
                )
            owner = by_id.get(label_id)
            if owner is not None and owner[0] != name:
                raise LabelMapError(
                    f"id {label_id} is declared for {shown(name)} here but for {shown(owner[0])} in "
                    f"{owner[1]}; pass --relabel sorted or --labels",
                    path=entry.source,
                )
            ids[name] = label_id
            by_name.setdefault(name, entry.source)
            by_id.setdefault(label_id, (name, entry.source))
    origin = f"the ids declared in {sources[0]}" if len(sources) == 1 else "the declared ids"
    return ids, origin, backgrounds


def _join(
    labels: Mapping[str, Label], ids: Mapping[str, int], folder_map: LabelMap | None, origin: str
) -> None:
    """Check that ``ids`` keeps every id of the folder's ``labels``: an error naming each label, both ids."""
    if folder_map is None:
        return
    owners = {label.id: label.name for label in labels.values()}
    conflicts = []
    for name, label_id in ids.items():
        if name in labels and labels[name].id != label_id:
            conflicts.append(f"{shown(name)} is id {labels[name].id} here, id {label_id} in {origin}")
        elif name not in labels and label_id in owners:
            conflicts.append(f"id {label_id} is {shown(owners[label_id])} here, {shown(name)} in {origin}")
    if conflicts:
        raise LabelMapError(
            f"the output folder's ids would change ({'; '.join(conflicts)}); a folder's ids never change: "
            "rasterize into another folder, or give a map that keeps them",
            path=folder_map.source,
        )


def unknown_label_report(
    labels_by_file: Mapping[Location, Counter],
    label_map: LabelMap,
    *,
    first_shapes: Mapping[Location, Mapping[str, str]] | None = None,
    map_name: str | None = None,
) -> tuple[list[str], set[Location]]:
    """Every label that ``label_map`` lacks, over all files at once: one line per label with its
    shapes, its files (the first three named), where its first shape is (``first_shapes``: each
    file's first shape of each label, as ``Shape.where``) and the closest name in the map; and
    the files that hold any (they fail, so nothing of theirs is drawn with a label left out).

    >>> from pathlib import Path
    >>> lines, files = unknown_label_report({Path("a.json"): Counter(car=2)}, LabelMap.from_names(["Car"]))
    >>> print(lines[0])  # doctest: +ELLIPSIS
    label 'car' is not in the label map: 2 shapes in 1 file (a.json); did you mean 'Car'? ...
    """
    shapes: Counter = Counter()
    files: dict[str, list[Location]] = {}
    for path, counts in labels_by_file.items():
        for name, count in counts.items():
            if name not in label_map and not (name == BACKGROUND_NAME and 0 in label_map.ids):
                shapes[name] += count
                files.setdefault(name, []).append(path)
    by_folded = {name.casefold(): name for name in label_map.names}
    where = f" {map_name}" if map_name else ""
    lines = []
    for name in sorted(shapes):
        paths = files[name]
        named = ", ".join(map(str, paths[:3])) + (f", and {len(paths) - 3} more" if len(paths) > 3 else "")
        close = difflib.get_close_matches(name.casefold(), by_folded, n=1, cutoff=0.75)
        hint = f"; did you mean {shown(by_folded[close[0]])}?" if close else ""
        first = (first_shapes or {}).get(paths[0], {}).get(name)
        first = f", first {paths[0]}: {first}" if first else ""
        lines.append(
            f"label {shown(name)} is not in the label map{where}: {plural(shapes[name], 'shape')} in "
            f"{plural(len(paths), 'file')} ({named}){first}{hint} "
            "(add it to --labels, or pass --unknown-label ignore|skip)"
        )
    return lines, {path for paths in files.values() for path in paths}


def _pairs(label_map: LabelMap) -> list[tuple[int, str]]:
    return [(label.id, label.name) for label in label_map]


def _first_difference(plain: LabelMap, rich: LabelMap) -> str:
    for label_id in sorted(set(plain.ids) | set(rich.ids)):
        if plain.name_of(label_id) != rich.name_of(label_id):
            names = plain.name_of(label_id), rich.name_of(label_id)
            return f"id {label_id} is {shown(names[0])} in one, {shown(names[1])} in the other"
    return "they hold different ids"
