"""Folder jobs: folders in, results out, each mapping a worker over files.

* :mod:`.rasterize`: annotation files -> label masks and a label map (``segtool rasterize``);
  :mod:`.rasterize_viz` draws the masks it wrote over their photos (``--viz``).
* :mod:`.score`: predicted masks against ground truth (``segtool score``), paired by
  :mod:`.pairing`; :mod:`.errormaps` writes one error map per pair (``--error-maps``).
* :mod:`.stats`: class balance of a set of masks (``segtool stats``).
* :mod:`.overlay`: masks over their photos for whole folders (``segtool overlay``).
* :mod:`.executors` and :mod:`.parallel`: where the work runs (local processes or
  threads, or a Dask cluster), always yielding results in input order.
"""
