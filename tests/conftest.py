"""Test-wide settings.

Hypothesis: no per-example deadline (these 2-core machines are shared, and a slow
example is not a failing one); in CI (``CI`` set) examples are derived from a fixed
seed, so a run can be repeated exactly. Speed is measured in benchmarks/, never here.
"""

import os

from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
