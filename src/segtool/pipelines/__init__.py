"""Folder jobs: folders in, results out, each mapping a worker over files.

* :mod:`.jobs`: the one job runner every pipeline maps its worker through.
* :mod:`.rasterize`: annotation files -> label masks and a label map (``segtool rasterize``);
  :mod:`.label_plan` decides the map before any mask is written, :mod:`.rasterize_viz`
  draws the masks it wrote over their photos (``--viz``).
* :mod:`.score`: predicted masks against ground truth (``segtool score``), paired by
  :mod:`.pairing` (:mod:`.prediction_files` says why files do not pair); one pair is
  scored in :mod:`.score_pairs`, the run's settings are :mod:`.score_settings`, its gates
  :mod:`.thresholds`, what the report keeps :mod:`.score_collector`; :mod:`.errormaps`
  writes one error map per pair (``--error-maps``).
* :mod:`.stats`: class balance of a set of masks (``segtool stats``).
* :mod:`.overlay`: masks over their photos for whole folders (``segtool overlay``).
* :mod:`.executors` and :mod:`.parallel`: where the work runs (local processes or
  threads, or a Dask cluster), always yielding results in input order.
"""
