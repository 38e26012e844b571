"""Files in and out: storage (local paths and fsspec URLs), atomic writes, finding files, masks.

* :mod:`.storage`: one path type for local files and fsspec URLs (:class:`~.storage.Location`).
* :mod:`.atomic`: every output is written to a temporary file beside it, then renamed.
* :mod:`.files`: finding input files in folders and pairing two folders by relative path.
* :mod:`.reading`: opening inputs: regular files only, never more than a stated size.
* :mod:`.imagesize`: an image's size from its header, without decoding it.
* :mod:`.maskio`: reading label masks as stored indices (PNG, ``.npy``) and writing them fast.
* :mod:`.maskpair`: a ground-truth mask and its prediction read together, sizes checked.
* :mod:`.jsonparse`: every JSON document parsed one way (msgspec, with the standard library's errors).
* :mod:`.memory`: keep freed memory for reuse (set by the command line, process-wide).
"""
