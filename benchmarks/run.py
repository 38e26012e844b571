"""Run every benchmark (benchmarks/bench_*.py), one after the other, and print their tables.

Each benchmark measures its variants side by side in one run and reports ratios,
since absolute times on shared machines vary by 5 to 15%. Pass names to run only
some: ``python benchmarks/run.py score rasterize``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n## {name}\n", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses and pickling look modules up by name
        spec.loader.exec_module(module)
        sys.argv = [str(path)]  # each benchmark with its defaults: the names given here are not its options
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
