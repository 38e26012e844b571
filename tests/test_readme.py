"""The README runs as written, after ``make demo``, from the repository root.

What runs, in the README's order, in a temporary copy of the repository in which the ``segtool``
lines of the Makefile's ``demo`` recipe have run first, so the outputs ``make demo`` leaves in
``demo-out/`` exist:

- every ``python`` fenced block, on its own, as if pasted into a fresh interpreter;
- every line of any other fenced block that starts with ``segtool `` or ``$ segtool `` (a
  ``\\`` at the end continues it; output lines under a ``$`` line and ``#`` comments are not
  run). A line with shell syntax (a pipe, a redirection, ``$``...) runs in bash (with
  pipefail; exit 141, a reader such as ``head`` that stopped early, counts as success) with
  ``segtool`` on the PATH; any other line runs in this process through Typer's CliRunner.

Each must succeed (exit code 0, no exception). The output shown under a ``$ segtool`` line must
be what the command prints, into a pipe or in an 80-column terminal (``...`` elides; spacing and
line breaks are not compared, words and numbers are). The one way out is an HTML comment on the line
right before the block's opening fence: ``<!-- readme-test: skip (why) -->``, for URLs to object
stores and long runs. Nothing is skipped by guessing: an example that fails here would fail a
reader too.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import segtool
from segtool.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
# Left out of the copy: what the repository does not track, and outputs the demo makes anew.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "demo-out", "bench-out", "build", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)

MARKER_HELP = "<!-- readme-test: skip (why) -->"
SKIP_MARKER = re.compile(r"<!--\s*readme-test:\s*skip\b.*-->")
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
ESCAPE_CODE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
RULE = re.compile("─+")
SIGPIPE_EXIT = 141
SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?~{}\[\]!]")


@dataclass(frozen=True)
class Example:
    """One runnable README example: a python block or one segtool command line."""

    kind: str  # "python" or "shell"
    line: int  # 1-based line in README.md where it starts
    text: str
    sample: str = ""  # the output shown under a `$ segtool` line

    @property
    def id(self) -> str:
        first = self.text.strip().splitlines()[0]
        return f"README.md:{self.line} {first[:60]}"


def fenced_blocks(markdown: str):
    """Yield (language, first content line number, lines, skipped) for each fenced block."""
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, language = opening.groups()
        skipped = index > 0 and SKIP_MARKER.search(lines[index - 1]) is not None
        start = index + 1
        index = start
        while index < len(lines) and not lines[index].strip().startswith(fence):
            index += 1
        yield language.lower(), start + 1, lines[start:index], skipped
        index += 1


def command_lines(block: list[str], first_line: int):
    """Yield (line number, command, sample output) for the segtool lines of a shell block.

    The sample output of a ``$ segtool`` line is the lines under it, up to the next ``$`` line.
    """
    index = 0
    while index < len(block):
        raw = block[index].strip()
        number = first_line + index
        prompted = raw.startswith("$ ")
        text = raw[2:] if prompted else raw
        index += 1
        if not text.startswith("segtool "):
            continue
        while text.endswith("\\") and index < len(block):
            text = text[:-1].rstrip() + " " + block[index].strip()
            index += 1
        sample = []
        while prompted and index < len(block) and not block[index].lstrip().startswith("$ "):
            sample.append(block[index])
            index += 1
        yield number, text, "\n".join(sample)


def readme_examples(markdown: str) -> list[Example]:
    """The README's runnable examples in document order, the skipped blocks left out."""
    examples = []
    for language, first_line, block, skipped in fenced_blocks(markdown):
        if skipped:
            continue
        if language == "python":
            examples.append(Example("python", first_line, "\n".join(block)))
        else:
            examples.extend(Example("shell", *found) for found in command_lines(block, first_line))
    return examples


def demo_commands(makefile: str) -> list[str]:
    """The segtool lines of the Makefile's ``demo`` recipe, with its variables expanded."""
    variables = dict(re.findall(r"^(\w+)\s*:?=\s*(.*?)\s*$", makefile, flags=re.M))

    def expand(text: str) -> str:
        while (found := re.search(r"\$\((\w+)\)", text)) is not None:
            text = text.replace(found.group(0), variables.get(found.group(1), ""))
        return text

    recipe = re.search(r"^demo:.*\n((?:\t.*\n?)+)", makefile, flags=re.M)
    assert recipe, "the Makefile has no demo recipe"
    commands = []
    for line in recipe.group(1).splitlines():
        words = shlex.split(expand(line.strip()))
        if words and Path(words[0]).name == "segtool":
            commands.append(shlex.join(["segtool", *words[1:]]))
    return commands


def run_command(command: str, cwd: Path) -> str:
    """Run one ``segtool ...`` line in cwd and return stdout then stderr; fail unless it exits 0."""
    if SHELL_SYNTAX.search(command):
        completed = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=cwd,
            env=_shell_environment(cwd),
            capture_output=True,
            text=True,
            timeout=300,
        )
        code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
        if code == SIGPIPE_EXIT:  # `segtool ... | head`: the reader stopped early, as documented
            code = 0
    else:
        result = CliRunner().invoke(app, shlex.split(command, comments=True)[1:], terminal_width=80)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert code == 0, (
        f"{command!r} exited {code} (fix the README example; a block that cannot run here, such as an "
        f"object-store URL, gets {MARKER_HELP} on the line before its fence)\n"
        f"stdout:\n{stdout[-2000:]}\nstderr:\n{stderr[-2000:]}"
    )
    return stdout + "\n" + stderr


def run_in_terminal(command: str, cwd: Path, columns: int = 80) -> str | None:
    """What the command shows in a pseudo-terminal of ``columns`` columns (None without ``script``)."""
    if shutil.which("script") is None:
        return None
    shell_line = f"stty cols {columns} rows 200; {command}"
    completed = subprocess.run(
        ["script", "-qec", shell_line, "/dev/null"],
        cwd=cwd,
        env=_shell_environment(cwd),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return completed.stdout


def missing_from(sample: str, output: str) -> str | None:
    """The first piece of ``sample`` (split at its ``...`` elisions) not in ``output`` in order.

    Both are compared with escape codes removed and runs of spaces, line breaks and table rules
    squeezed, so that a paragraph wrapped by hand or a table padded to another width still match.
    """
    haystack = _squeezed(output)
    position = 0
    for piece in map(_squeezed, sample.split("...")):
        found = haystack.find(piece, position)
        if found < 0:
            return piece
        position = found + len(piece)
    return None


def _squeezed(text: str) -> str:
    return " ".join(RULE.sub("─", ESCAPE_CODE.sub("", text)).split())


def _shell_environment(cwd: Path) -> dict[str, str]:
    """PATH with a ``segtool`` that runs this interpreter on the segtool under test."""
    bin_dir = cwd / ".readme-bin"
    shim = bin_dir / "segtool"
    if not shim.exists():
        bin_dir.mkdir()
        shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m segtool "$@"\n')
        shim.chmod(0o755)
    source = str(Path(segtool.__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": python_path}


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory):
    """A copy of the repository root in which the Makefile's demo commands have run."""
    root = tmp_path_factory.mktemp("readme") / "repo"
    shutil.copytree(ROOT, root, ignore=NOT_COPIED)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for command in demo_commands(MAKEFILE.read_text(encoding="utf-8")):
            run_command(command, root)
    assert (root / "demo-out").is_dir()
    return root


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_readme_example_runs(example, after_demo, monkeypatch):
    monkeypatch.chdir(after_demo)
    if example.kind == "python":
        code = compile(example.text, f"README.md:{example.line}", "exec")
        exec(code, {"__name__": "__readme__"})
    else:
        output = run_command(example.text, after_demo)
        missing = missing_from(example.sample, output) if example.sample else None
        if missing is not None:
            in_terminal = run_in_terminal(example.text, after_demo)
            assert in_terminal is not None and missing_from(example.sample, in_terminal) is None, (
                f"README.md:{example.line}: the output shown under `$ {example.text}` is neither what it "
                f"prints into a pipe nor in an 80-column terminal; re-paste it from "
                f'`script -qc "stty cols 80; {example.text}"` ("..." may elide lines). '
                f"First piece not in the piped output: {missing[:300]!r}"
            )


def test_extraction_finds_the_examples_and_honours_the_marker():
    markdown = "\n".join(
        [
            "```",
            "make demo",
            "segtool stats demo-out/masks  # counts",
            "# a comment",
            "segtool score a \\",
            "  b --format csv",
            "```",
            "<!-- readme-test: skip (an object store) -->",
            "```",
            "segtool score s3://bucket/pred s3://bucket/gt",
            "```",
            "```console",
            "$ segtool stats m",
            "Class balance",
            " ...",
            "$ make demo",
            "```",
            "```python",
            "import segtool",
            "```",
        ]
    )
    assert readme_examples(markdown) == [
        Example("shell", 3, "segtool stats demo-out/masks  # counts"),
        Example("shell", 5, "segtool score a b --format csv"),
        Example("shell", 13, "segtool stats m", "Class balance\n ..."),
        Example("python", 19, "import segtool"),
    ]


def test_sample_output_matches_up_to_spacing_and_elisions():
    output = (
        "\x1b[3mScores per class\x1b[0m\n ──────\n"
        "  0   a   0.98\n  1   b   0.50\n  2   c   0.25\nnote: a long\nline\n"
    )
    assert (
        missing_from("Scores per class\n ───\n 0  a  0.98\n ...\n 2  c  0.25\nnote: a\nlong line", output)
        is None
    )
    assert missing_from("Scores per class\n 0 a 0.99", output) == "Scores per class 0 a 0.99"
    assert missing_from(" 2 c 0.25\n ...\n 1 b 0.50", output) == "1 b 0.50"  # out of order


def test_demo_commands_are_the_makefile_recipe_expanded():
    makefile = (
        "VENV := .venv\nOUT := demo-out\n\n"
        "demo: stamp\n\trm -rf $(OUT)\n\t$(VENV)/bin/segtool stats $(OUT)/m\n\n"
        "other:\n\t$(VENV)/bin/segtool not-this\n"
    )
    assert demo_commands(makefile) == ["segtool stats demo-out/m"]
