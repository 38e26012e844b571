"""Row writers: exact CSV/JSON text, undefined values, rounding only in tables, no wrapping in pipes."""

import csv
import io
import json
import math

import pytest

from segtool.reports.rows import Column, CsvRowWriter, render_markdown, to_json, write_rows

ROWS = [
    {"class_id": 1, "class_name": "a|b", "dice": 0.1 + 0.2, "iou": float("nan"), "in_mean": True},
    {"class_id": None, "class_name": "mean", "dice": 2 / 3, "iou": None, "in_mean": False},
]
COLUMNS = ["class_id", "class_name", "dice", "iou", "in_mean"]


def written(output_format, rows=ROWS, columns=COLUMNS, **options):
    stream = io.StringIO()
    write_rows(rows, columns, output_format, stream, **options)
    return stream.getvalue()


def test_csv_full_precision_and_empty_undefined():
    text = written("csv", title="ignored in CSV", notes=["not in CSV either"])
    assert text.splitlines() == [
        "class_id,class_name,dice,iou,in_mean",
        "1,a|b,0.30000000000000004,,true",  # repr: reads back to the same float
        ",mean,0.6666666666666666,,false",
    ]
    assert float(next(csv.DictReader(io.StringIO(text)))["dice"]) == 0.1 + 0.2


def test_json_has_null_not_nan_and_parses_strictly():
    text = written("json")
    assert "NaN" not in text
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert document["rows"][0] == {
        "class_id": 1,
        "class_name": "a|b",
        "dice": 0.30000000000000004,
        "iou": None,
        "in_mean": True,
    }
    assert to_json({"x": math.inf, "y": [float("nan")]}) == '{\n  "x": null,\n  "y": [\n    null\n  ]\n}\n'


def test_json_document_replaces_the_default_document():
    assert json.loads(written("json", json_document={"settings": {"k": 1}})) == {"settings": {"k": 1}}


def test_json_is_settings_rows_summary_with_the_csv_columns_as_keys():
    document = json.loads(
        written("json", columns=["class_name", "dice"], settings={"k": 1}, summary={"total": 2})
    )
    assert document == {
        "settings": {"k": 1},
        "rows": [{"class_name": "a|b", "dice": 0.30000000000000004}, {"class_name": "mean", "dice": 2 / 3}],
        "summary": {"total": 2},
    }


def test_summary_rows_are_for_people_only():
    """A mean or total row ends the table and the Markdown, after a rule; CSV and JSON rows never hold it."""
    rows, mean = ROWS[:1], ROWS[1:]
    table = written("table", rows=rows, summary_rows=mean).splitlines()
    mean_line = next(index for index, line in enumerate(table) if " mean " in line)
    assert set(table[mean_line - 1].strip()) == {"─"} and table[mean_line - 2].split()[:2] == ["1", "a|b"]
    assert (
        written("markdown", rows=rows, summary_rows=mean).splitlines()[-1] == "| - | mean | 0.6667 | - | no |"
    )
    assert written("csv", rows=rows, summary_rows=mean).splitlines() == [
        "class_id,class_name,dice,iou,in_mean",
        "1,a|b,0.30000000000000004,,true",
    ]
    assert [
        row["class_name"] for row in json.loads(written("json", rows=rows, summary_rows=mean))["rows"]
    ] == ["a|b"]


def test_markdown_rounds_escapes_and_lists_notes():
    text = render_markdown(ROWS, [*COLUMNS[:3], Column("iou", "IoU\nper image")], title="T", notes=["n1"])
    assert text.splitlines() == [
        "### T",
        "",
        "| class_id | class_name | dice | IoU per image |",
        "|---:|---|---:|---:|",
        r"| 1 | a\|b | 0.3000 | - |",
        "| - | mean | 0.6667 | - |",
        "",
        "- n1",
    ]


def test_table_rounds_and_shows_mean_and_std():
    rows = [{"name": "x", "m": 0.123456, "s": 0.0101}, {"name": "y", "m": float("nan"), "s": 0.5}]
    columns = [Column("name"), Column("m", "Dice", std_key="s")]
    lines = written("table", rows=rows, columns=columns).splitlines()
    assert any(line.split() == ["x", "0.1235", "±", "0.0101"] for line in lines)
    assert any(line.split() == ["y", "-"] for line in lines)  # undefined mean: a dash, no std


def test_wide_table_in_a_pipe_is_not_wrapped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    columns = [Column(f"column_{index}", f"a long header number {index}") for index in range(8)]
    row = {f"column_{index}": index + 0.5 for index in range(8)}
    lines = written("table", rows=[row], columns=columns, caption="caption").splitlines()
    header = next(line for line in lines if "header number 0" in line)
    assert "header number 7" in header and len(header) > 80  # one line, wider than the terminal
    body = next(line for line in lines if "0.5000" in line)
    assert body.split() == [f"{index + 0.5:.4f}" for index in range(8)]
    assert lines[-1] == "caption" and all(line == line.rstrip() for line in lines)


def test_streaming_csv_writes_the_header_once():
    stream = io.StringIO()
    writer = CsvRowWriter(stream, ["image", "dice"])
    writer.write([{"image": "a", "dice": 1.0}])
    writer.write([{"image": "b", "dice": float("nan"), "ignored": 3}])
    assert stream.getvalue() == "image,dice\na,1.0\nb,\n"


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown output format"):
        written("yaml")


# -- one number format per column (issue 17, item 4) ------------------------------------------------
SMALL_AND_LARGE = [
    {"class_name": "a", "dice": 0.5, "std": 0.000109, "n": 2},
    {"class_name": "b", "dice": 0.000109, "std": 0.16203, "n": 2},
]


def column_cells(lines, names=("a", "b")):
    """The cells after the class name of the rows named ``names``."""
    return [next(line.split()[1:] for line in lines if line.split()[:1] == [name]) for name in names]


@pytest.mark.parametrize("output_format", ["table", "markdown"])
def test_a_column_of_0_000109_and_0_5_is_written_in_one_format(output_format):
    columns = [Column("class_name"), Column("dice", "Dice", std_key="std", n_key="n")]
    text = written(output_format, rows=SMALL_AND_LARGE, columns=columns)
    lines = [line.replace("|", " ") for line in text.splitlines()]
    assert column_cells(lines) == [["0.5000", "±", "0.0001"], ["0.0001", "±", "0.1620"]]
    assert "e-" not in text


def test_a_column_too_small_for_more_decimals_is_scientific_in_every_cell():
    rows = [{"class_name": "a", "w": 0.5}, {"class_name": "b", "w": 1.5e-9}, {"class_name": "c", "w": 0.0}]
    lines = written("table", rows=rows, columns=["class_name", "w"]).splitlines()
    assert column_cells(lines, "abc") == [["5.000e-01"], ["1.500e-09"], ["0.000e+00"]]


def test_a_column_gets_the_decimals_its_smallest_value_needs_and_csv_keeps_full_precision():
    rows = [{"class_name": "a", "w": 0.5}, {"class_name": "b", "w": 0.00004}]
    lines = written("table", rows=rows, columns=["class_name", "w"]).splitlines()
    assert column_cells(lines) == [["0.50000"], ["0.00004"]]
    assert written("csv", rows=rows, columns=["class_name", "w"]).splitlines()[1:] == ["a,0.5", "b,4e-05"]
