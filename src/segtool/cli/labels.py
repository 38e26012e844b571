"""``segtool labels``: the built-in label sets, listed or written out as a file to edit."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ..errors import LabelMapError
from ..labelsets import LABEL_SETS, label_set
from ..reports.rows import Column, write_rows
from .app import app
from .common import OutputFormat, save_text, user_errors


@app.command()
def labels(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help=f"A built-in label set: {', '.join(LABEL_SETS)}."),
    ] = None,
    list_sets: Annotated[
        bool,
        typer.Option("--list", help="List the built-in label sets (name, classes, ignored ids, source)."),
    ] = False,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="Write the set's label map here: .csv (id,name,color[,category]), .txt (labelme) or "
            ".json; - for stdout (CSV). Default: stdout.",
        ),
    ] = "-",
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How --list prints its rows.")
    ] = OutputFormat.table,
) -> None:
    """List the built-in label sets, or write one out as a label map file (any --labels takes a set's
    name or such a file)."""
    with user_errors():
        if list_sets or name is None:
            rows = []
            for set_name in LABEL_SETS:
                found = label_set(set_name)
                assert found is not None
                rows.append(
                    {
                        "name": set_name,
                        "classes": len(found.label_map),
                        "ignored": " ".join(map(str, found.ignore)),
                        "source": found.origin,
                    }
                )
            columns = [Column("name", "name"), Column("classes", "classes"), Column("ignored", "ignored")]
            write_rows(
                rows,
                [*columns, Column("source", "source")],
                output_format.value,
                sys.stdout,
                summary={"label_sets": len(rows)},
            )
            return
        found = label_set(name)
        if found is None:
            raise LabelMapError(f"no built-in label set {name!r} (known: {', '.join(LABEL_SETS)})")
        suffix = output.rsplit(".", 1)[-1].lower() if "." in output else "csv"
        if suffix == "txt":
            text = found.label_map.to_txt()
        elif suffix == "json":
            text = json.dumps(found.label_map.to_json(), indent=1) + "\n"
        else:
            text = found.to_csv()
        save_text(output, text, what="the label map")
