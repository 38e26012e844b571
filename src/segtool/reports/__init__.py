"""Results rendered for people and programs: rows as table/CSV/JSON/Markdown, the HTML report.

* :mod:`.rows`: rows of results as a Rich table, CSV, JSON or Markdown (every command).
* :mod:`.numbers`: numbers for people, one format per column (every table, Markdown and HTML).
* :mod:`.score_html`: the HTML report of a scoring run (``score --report``), built from
  :mod:`.html` (page builders), :mod:`.svg` (hand-written charts) and :mod:`.pictures`
  (each listed image's ground truth, prediction and error map), from what
  :mod:`segtool.pipelines.score_collector` kept of the per-image scores.
"""
