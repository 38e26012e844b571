"""Scores of groups of classes (Cityscapes' categories: flat, construction, ..., vehicle).

A category is scored as if its classes were one class: the confusion matrix is summed in
blocks. Over the valid pixels of an image (ground truth not ignored):

* TP_g = pixels whose true class and predicted value are both in g;
* FN_g = pixels whose true class is in g and whose prediction is not;
* FP_g = pixels whose prediction is in g and whose true class is not (any other valid pixel).

A prediction that is no class, or a class in no category, is in no category. Dice and IoU then
follow from TP, FP and FN as for classes (:mod:`.classwise`, undefined when all three are 0),
in both aggregations: dataset (counts summed over the images first: cityscapesScripts' category
IoU) and per image.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .confusion import JointCounts


def category_counts(
    joint: JointCounts, categories: Mapping[int, str], names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TP, FP and FN of each category in ``names``, from an image's (valid) joint counts.

    Parameters
    ----------
    joint : JointCounts
        The image's (true, predicted, count) triples, ignored pixels already left out.
    categories : mapping of int to str
        Class id -> category.
    names : sequence of str
        The categories, in the order of the returned arrays.

    Returns
    -------
    tp, fp, fn : ndarray of int64
        Aligned with ``names``.

    References
    ----------
    .. [1] M. Cordts et al., "The Cityscapes dataset for semantic urban scene understanding",
       CVPR 2016 (category IoU: cityscapesScripts ``getIouScoreForCategory``).

    Examples
    --------
    >>> joint = JointCounts(np.array([7, 7, 8, 26]), np.array([7, 26, 7, 26]), np.array([5, 1, 2, 4]))
    >>> category_counts(joint, {7: "flat", 8: "flat", 26: "vehicle"}, ["flat", "vehicle"])
    (array([7, 4]), array([0, 1]), array([1, 0]))
    """
    index = {name: position for position, name in enumerate(names)}
    lookup = {class_id: index[name] for class_id, name in categories.items() if name in index}
    outside = len(names)  # the code of "in no category"

    def codes(values: np.ndarray) -> np.ndarray:
        return np.array([lookup.get(int(value), outside) for value in values], dtype=np.int64)

    true, pred, count = codes(joint.true), codes(joint.pred), np.asarray(joint.count, np.int64)
    size = outside + 1
    same = true == pred
    tp = np.bincount(true[same], weights=count[same], minlength=size)[:outside]
    gt_total = np.bincount(true, weights=count, minlength=size)[:outside]
    pred_total = np.bincount(pred, weights=count, minlength=size)[:outside]
    return tp.astype(np.int64), (pred_total - tp).astype(np.int64), (gt_total - tp).astype(np.int64)
