"""A reader that closes stdout early ends segtool quietly, as it ends other Unix tools."""

import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from segtool.io.maskio import write_mask


@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE on this platform")
def test_closed_stdout_is_sigpipe_not_an_error(tmp_path):
    # 2048 classes: the CSV (~500 kB) is far larger than a pipe's buffer, so segtool is still
    # writing when the reader goes away, however fast it is. So many classes need a label map.
    labels = np.arange(2048, dtype=np.uint16).reshape(32, 64)
    for folder in ("pred", "gt"):
        write_mask(tmp_path / folder / "a.png", labels)
    names = "\n".join(f"{class_id},c{class_id}," for class_id in range(1, 2048) if class_id != 255)
    (tmp_path / "gt" / "labels.csv").write_text(f"id,name,color\n0,_background_,\n{names}\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "segtool",
            "score",
            str(tmp_path / "pred"),
            str(tmp_path / "gt"),
            "-f",
            "csv",
            "-j",
            "1",
            "-q",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).parent,
    )
    assert process.stdout.read(10) == b"class_id,c"
    process.stdout.close()  # like `| head -c 10`
    stderr = process.stderr.read()
    # Killed by SIGPIPE (the shell shows 141), with nothing on stderr: not exit 1 ("bad input").
    assert process.wait() == -signal.SIGPIPE
    assert stderr == b""
