"""The rasterizer on small cases worked out by hand (pixel (r, c) has its centre at (c + 0.5, r + 0.5))."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from segtool.annotations import AnnotatedImage, Bitmap, Ellipse, Points, Polygon, Polyline, Shape
from segtool.errors import AnnotationError, UnknownLabelError
from segtool.labels import LabelMap
from segtool.raster import geometry_mask, rasterize_image, rasterize_per_label

SOURCE = Path("scene.json")


def ring(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, dtype=np.float64)


def polygon(*rings: np.ndarray) -> Polygon:
    return Polygon(rings=tuple(rings))


def box(left: float, top: float, right: float, bottom: float) -> np.ndarray:
    return ring((left, top), (right, top), (right, bottom), (left, bottom))


def image(height: int, width: int, *shapes: tuple[str, object] | Shape) -> AnnotatedImage:
    made = [
        item if isinstance(item, Shape) else Shape(item[0], item[1], f"shape {number}")
        for number, item in enumerate(shapes, start=1)
    ]
    return AnnotatedImage(SOURCE, PurePosixPath("scene"), height, width, made)


def pixels(mask: np.ndarray) -> list[tuple[int, int]]:
    return [tuple(point) for point in np.argwhere(mask).tolist()]


# -- polygons -----------------------------------------------------------------------------
def test_square_from_5_to_15_is_exactly_100_pixels():
    mask = geometry_mask(polygon(box(5, 5, 15, 15)), 20, 20)
    # Centres 5.5 .. 14.5 lie in [5, 15): rows and columns 5..14.
    expected = np.zeros((20, 20), dtype=bool)
    expected[5:15, 5:15] = True
    assert mask.sum() == 100
    assert np.array_equal(mask, expected)


def test_triangle_counted_by_hand():
    # Inside x + y < 4: centres (c + .5) + (r + .5) < 4, i.e. c + r < 3 -> 3 + 2 + 1 pixels.
    # The 4 centres with c + r = 3 lie on the hypotenuse, a right-hand edge: out.
    mask = geometry_mask(polygon(ring((0, 0), (4, 0), (0, 4))), 5, 5)
    assert pixels(mask) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0)]


def test_two_triangles_sharing_an_edge_split_its_pixels():
    # The diagonal of the 4x4 square passes through 4 pixel centres (c = r). For the upper
    # triangle it is a left edge (centres on it are in), for the lower one a right edge.
    upper = geometry_mask(polygon(ring((0, 0), (4, 0), (4, 4))), 4, 4)
    lower = geometry_mask(polygon(ring((0, 0), (4, 4), (0, 4))), 4, 4)
    assert upper.sum() == 4 + 3 + 2 + 1 and lower.sum() == 0 + 1 + 2 + 3
    assert not (upper & lower).any() and (upper | lower).all()


def test_hole_is_left_out_whichever_way_its_ring_turns():
    outer, hole = box(0, 0, 10, 10), box(3, 3, 7, 7)
    for inner in (hole, hole[::-1]):
        mask = geometry_mask(polygon(outer, inner), 10, 10)
        assert mask.sum() == 100 - 16
        assert not mask[3:7, 3:7].any() and mask[2, 2] and mask[7, 7]


def test_two_disjoint_parts_are_both_drawn():
    mask = geometry_mask(polygon(box(0, 0, 2, 2), box(5, 5, 8, 8)), 10, 10)
    assert mask.sum() == 4 + 9
    assert mask[0:2, 0:2].all() and mask[5:8, 5:8].all()


def test_rectangle_at_fractional_coordinates():
    # Columns whose centre is in [0.6, 3.4): 1.5 and 2.5; rows in [1.2, 2.9): 1.5 and 2.5.
    assert pixels(geometry_mask(polygon(box(0.6, 1.2, 3.4, 2.9)), 5, 5)) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    # Half-integer sides go through centres: the left and top ones are in, the others out.
    assert pixels(geometry_mask(polygon(box(0.5, 0.5, 2.5, 1.5)), 4, 4)) == [(0, 0), (0, 1)]
    # Narrower than a pixel and between two centres: nothing.
    assert not geometry_mask(polygon(box(1.6, 0, 2.4, 3)), 4, 4).any()


def test_vertices_outside_the_image_are_clipped_and_reported():
    square = polygon(box(-3, -3, 4, 4))
    result = rasterize_image(image(10, 10, ("car", square)), LabelMap.from_names(["car"]))
    # Same as the square drawn 10 pixels further on a larger canvas, then cut back.
    moved = geometry_mask(polygon(box(7, 7, 14, 14)), 30, 30)[10:20, 10:20]
    assert np.array_equal(result.labels == 1, moved) and moved.sum() == 16
    assert result.warnings == [
        f"{SOURCE}: shape 1: extends beyond the image (width 10, height 10); clipped to it"
    ]


def test_far_away_vertex_does_not_break_the_fill():
    # Edges to (1e9, 5) cross every row of this 10x10 image far to the right: all 100 pixels are in.
    assert geometry_mask(polygon(ring((0, 0), (1e9, 5), (0, 10))), 10, 10).all()


def test_shape_entirely_outside_draws_nothing_and_says_so():
    result = rasterize_image(
        image(10, 10, ("car", polygon(box(20, 20, 30, 30)))), LabelMap.from_names(["car"])
    )
    assert not result.labels.any()
    assert result.warnings == [
        f"{SOURCE}: shape 1: lies outside the image (width 10, height 10); nothing drawn"
    ]


def test_polygon_smaller_than_a_pixel_is_reported():
    result = rasterize_image(
        image(4, 4, ("car", polygon(box(1.6, 1.6, 2.4, 2.4)))), LabelMap.from_names(["car"])
    )
    assert not result.labels.any()
    assert result.warnings == [
        f"{SOURCE}: shape 1: covers no pixel centre (smaller or thinner than a pixel); nothing drawn"
    ]


@pytest.mark.parametrize(
    "points", [[(1, 1), (5, 5)], [(1, 1), (5, 5), (3, 3)], [(2, 2), (2, 2), (2, 2), (2, 2)]]
)
def test_zero_area_polygon_draws_nothing_with_a_warning(points):
    result = rasterize_image(image(8, 8, ("car", polygon(ring(*points)))), LabelMap.from_names(["car"]))
    assert not result.labels.any()
    assert len(result.warnings) == 1 and "shape 1: polygon has zero area" in result.warnings[0]
    assert result.warnings[0].startswith(str(SOURCE))


def test_zero_area_ring_of_a_polygon_is_ignored_and_reported():
    result = rasterize_image(
        image(5, 5, ("car", polygon(box(0, 0, 2, 2), ring((3, 3), (4, 4))))), LabelMap.from_names(["car"])
    )
    assert (result.labels == 1).sum() == 4
    assert result.warnings == [f"{SOURCE}: shape 1: ring 2 of 2 has zero area; ignored"]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e13])
def test_unusable_coordinate_is_an_error_naming_file_and_shape(bad):
    shapes = [
        ("car", polygon(box(0, 0, 2, 2))),
        Shape("car", polygon(ring((0, 0), (bad, 1), (2, 2))), "shape 7"),
    ]
    with pytest.raises(AnnotationError) as caught:
        rasterize_image(image(5, 5, *shapes), LabelMap.from_names(["car"]))
    assert caught.value.path == str(SOURCE) and str(caught.value).startswith(f"{SOURCE}: shape 7: ")


# -- ellipses, lines, points, bitmaps -------------------------------------------------------
@pytest.mark.parametrize("radius, expected", [(1, 4), (2, 12), (5, 80)])
def test_circle_centred_on_a_pixel_corner(radius, expected):
    # Per quadrant, centres (i + .5, j + .5) with (i + .5)^2 + (j + .5)^2 <= r^2:
    # r = 1: 1; r = 2: 3 (0.5, 2.5, 2.5); r = 5: 5 + 5 + 4 + 4 + 2 = 20.
    mask = geometry_mask(Ellipse(cx=10.0, cy=10.0, rx=radius, ry=radius), 20, 20)
    assert mask.sum() == expected
    assert np.array_equal(mask, mask[::-1, :]) and np.array_equal(mask, mask.T)


def test_circle_centred_on_a_pixel_centre_includes_its_boundary():
    # Radius 1 around the centre of pixel (10, 10): the 4 neighbours are exactly 1 away.
    assert pixels(geometry_mask(Ellipse(cx=10.5, cy=10.5, rx=1, ry=1), 20, 20)) == [
        (9, 10),
        (10, 9),
        (10, 10),
        (10, 11),
        (11, 10),
    ]


def test_ellipse_turned_a_quarter_is_the_ellipse_with_its_axes_swapped():
    turned = geometry_mask(Ellipse(cx=10.0, cy=8.0, rx=6.0, ry=2.5, angle=90), 16, 20)
    upright = geometry_mask(Ellipse(cx=10.0, cy=8.0, rx=2.5, ry=6.0), 16, 20)
    assert np.array_equal(turned, upright) and turned.sum() > 0


def test_horizontal_line_is_one_pixel_thick():
    # Width 1 around y = 3.2: only row 3 (centre 3.5, 0.3 away). Columns 2..7 lie within
    # the rounded ends; column 8 is added because the end point (8, 3.2) lies in it.
    mask = geometry_mask(Polyline(points=ring((2, 3.2), (8, 3.2))), 6, 10)
    assert pixels(mask) == [(3, column) for column in range(2, 9)]


def test_diagonal_line_of_width_one_has_no_gaps():
    mask = geometry_mask(Polyline(points=ring((0.3, 0.1), (19.7, 7.9))), 10, 20)
    assert mask.any(axis=0).all()  # every column the line crosses has a pixel
    assert mask.sum() < 2 * 20


def test_point_covers_the_pixel_it_falls_in():
    assert pixels(geometry_mask(Points(points=ring((2.2, 3.7))), 6, 6)) == [(3, 2)]
    # A larger radius adds the centres within reach: here the 4 neighbours at distance 1.
    assert geometry_mask(Points(points=ring((4.5, 4.5))), 8, 8, point_radius=1).sum() == 5


def test_bitmap_is_placed_at_its_box_and_clipped():
    bitmap = Bitmap(mask=np.ones((3, 3), dtype=bool), left=8, top=-1)
    result = rasterize_image(image(5, 10, ("car", bitmap)), LabelMap.from_names(["car"]))
    assert pixels(result.labels) == [(0, 8), (0, 9), (1, 8), (1, 9)]
    assert result.warnings == [
        f"{SOURCE}: shape 1: extends beyond the image (width 10, height 5); clipped to it"
    ]


def test_lines_and_points_can_be_left_out():
    shapes = [("a", Polyline(points=ring((0, 0.5), (5, 0.5)))), ("a", Points(points=ring((3.5, 3.5))))]
    labels = LabelMap.from_names(["a"])
    assert rasterize_image(image(5, 5, *shapes), labels).labels.sum() > 0
    assert not rasterize_image(image(5, 5, *shapes), labels, skip_lines_and_points=True).labels.any()


# -- labels, order, dtype -------------------------------------------------------------------
def two_squares() -> list[tuple[str, Polygon]]:
    """A big square, then a small one inside it."""
    return [("big", polygon(box(0, 0, 8, 8))), ("small", polygon(box(2, 2, 4, 4)))]


def test_file_order_paints_later_shapes_over_earlier_ones():
    labels = LabelMap.from_names(["big", "small"])  # big = 1, small = 2
    drawn = rasterize_image(image(8, 8, *two_squares()), labels).labels
    assert (drawn == 2).sum() == 4 and (drawn == 1).sum() == 60
    hidden = rasterize_image(image(8, 8, *two_squares()[::-1]), labels).labels
    assert (hidden == 2).sum() == 0 and (hidden == 1).sum() == 64


def test_area_order_keeps_small_shapes_visible():
    labels = LabelMap.from_names(["big", "small"])
    drawn = rasterize_image(image(8, 8, *two_squares()[::-1]), labels, order="area").labels
    assert (drawn == 2).sum() == 4 and (drawn == 1).sum() == 60


def test_area_order_breaks_ties_by_file_order():
    shapes = [("a", polygon(box(0, 0, 4, 4))), ("b", polygon(box(2, 0, 6, 4)))]  # both 16 pixels
    drawn = rasterize_image(image(4, 6, *shapes), LabelMap.from_names(["a", "b"]), order="area").labels
    assert np.array_equal(drawn[0], [1, 1, 2, 2, 2, 2])


def test_z_order_sorts_by_z_then_file_order():
    big, small = two_squares()
    shapes = [
        Shape("big", big[1], "shape 1", z=1),
        Shape("small", small[1], "shape 2", z=0),
        Shape("small", polygon(box(5, 5, 6, 6)), "shape 3", z=1),
    ]
    drawn = rasterize_image(image(8, 8, *shapes), LabelMap.from_names(["big", "small"]), order="z").labels
    # Painted: shape 2 (z 0), shape 1 (z 1, hides it), shape 3 (z 1, after shape 1 in the file).
    assert (drawn == 2).sum() == 1 and drawn[5, 5] == 2 and drawn[2, 2] == 1


def test_more_than_255_labels_give_uint16_with_the_right_ids():
    names = [f"c{number:03d}" for number in range(300)]
    labels = LabelMap.from_names(names)
    result = rasterize_image(
        image(4, 4, ("c299", polygon(box(0, 0, 2, 2))), ("c000", polygon(box(2, 2, 4, 4)))), labels
    )
    # Ids 1, 2, ... skip the ignore value 255, so the 300th name gets 301.
    assert result.labels.dtype == np.uint16
    assert result.labels[0, 0] == 301 and result.labels[3, 3] == 1 and result.labels[0, 3] == 0


def test_ids_that_fit_give_uint8():
    result = rasterize_image(image(4, 4, *two_squares()), LabelMap.from_names(["big", "small"]))
    assert result.labels.dtype == np.uint8


def test_counts_are_the_visible_pixels_of_each_value():
    shapes = [*two_squares(), ("__ignore__", polygon(box(6, 6, 10, 10)))]
    result = rasterize_image(image(10, 10, *shapes), LabelMap.from_names(["big", "small"]))
    # big 8x8 = 64 less small's 2x2 and the ignore square's 2x2 corner over it = 56; small 4;
    # ignore 4x4 = 16; background 100 - 56 - 4 - 16 = 24.
    assert result.counts == {0: 24, 1: 56, 2: 4, 255: 16}
    bitmap = ("small", Bitmap(mask=np.ones((1, 3), dtype=bool), left=0, top=9))  # counted on the array
    assert rasterize_image(image(10, 10, *shapes, bitmap), LabelMap.from_names(["big", "small"])).counts == {
        0: 21,
        1: 56,
        2: 7,
        255: 16,
    }


def test_padded_labels_are_a_view_after_a_zero_column():
    result = rasterize_image(
        image(4, 6, ("car", polygon(box(0, 0, 6, 2)))), LabelMap.from_names(["car"]), padded=True
    )
    rows = result.labels.base.reshape(4, 7)
    assert rows[:, 0].tolist() == [0, 0, 0, 0] and rows[:, 1:].tolist() == [[1] * 6] * 2 + [[0] * 6] * 2
    assert np.shares_memory(rows, result.labels) and result.counts == {0: 12, 1: 12}


def test_ignore_label_paints_the_ignore_value():
    shapes = [("car", polygon(box(0, 0, 4, 4))), ("__ignore__", polygon(box(0, 0, 2, 2)))]
    drawn = rasterize_image(image(4, 4, *shapes), LabelMap.from_names(["car"])).labels
    assert (drawn == 255).sum() == 4 and (drawn == 1).sum() == 12


def test_unknown_label_error_ignore_or_skip():
    shapes = [("car", polygon(box(0, 0, 2, 2))), ("bus", polygon(box(2, 2, 4, 4)))]
    labels = LabelMap.from_names(["car"])
    with pytest.raises(UnknownLabelError) as caught:
        rasterize_image(image(4, 4, *shapes), labels)
    assert (
        caught.value.path == str(SOURCE) and "shape 2" in str(caught.value) and "'bus'" in str(caught.value)
    )

    ignored = rasterize_image(image(4, 4, *shapes), labels, unknown_label="ignore")
    assert (ignored.labels == 255).sum() == 4
    assert ignored.warnings == [
        f"{SOURCE}: shape 2: label 'bus' is not in the label map; painted with the ignore value 255"
    ]
    skipped = rasterize_image(image(4, 4, *shapes), labels, unknown_label="skip")
    assert (skipped.labels == 1).sum() == 4 and (skipped.labels != 1).sum() == 12
    assert skipped.warnings == [f"{SOURCE}: shape 2: label 'bus' is not in the label map; not drawn"]


def test_per_label_masks_overlap_and_list_every_label():
    labels = LabelMap.from_names(["big", "small", "unused"])
    shapes = [*two_squares(), ("__ignore__", polygon(box(6, 6, 8, 8)))]
    result = rasterize_per_label(image(8, 8, *shapes), labels)
    assert list(result.masks) == ["big", "small", "unused", "__ignore__"]
    assert result.masks["big"].dtype == np.bool_
    assert result.masks["big"].sum() == 64 and result.masks["small"].sum() == 4  # nothing painted over
    assert not result.masks["unused"].any() and result.masks["__ignore__"].sum() == 4


def test_a_background_shape_in_the_binary_layout_says_it_erases_nothing():
    labels = LabelMap.from_names(["big"])
    shapes = [("big", polygon(box(0, 0, 8, 8))), ("_background_", polygon(box(2, 2, 6, 6)))]
    result = rasterize_per_label(image(8, 8, *shapes), labels)
    assert result.masks["big"].sum() == 64  # as documented: each label's own mask, overlaps kept
    assert result.warnings == [
        f"{SOURCE}: shape 2: background in the binary layout, which has no background mask and keeps "
        "overlapping labels: it erases nothing; nothing drawn"
    ]  # was: 'covers no pixel centre (smaller or thinner than a pixel)', for a 16-pixel square


def test_labelme_convention_fills_the_outline_too():
    # Pillow fills every pixel the outline touches: rows and columns 5..15.
    assert geometry_mask(polygon(box(5, 5, 15, 15)), 20, 20, convention="labelme").sum() == 121


def test_labelme_convention_cuts_holes_as_the_exclusive_or_of_rings():
    # Each ring as Pillow fills it: 11x11 for (0,0)-(10,10), 5x5 for (3,3)-(7,7).
    mask = geometry_mask(polygon(box(0, 0, 10, 10), box(3, 3, 7, 7)), 12, 12, convention="labelme")
    assert mask.sum() == 121 - 25 and not mask[3:8, 3:8].any()


def test_labelme_convention_refuses_rotated_ellipses():
    with pytest.raises(AnnotationError, match="rotated"):
        rasterize_image(
            image(10, 10, ("a", Ellipse(5, 5, 3, 2, angle=30))),
            LabelMap.from_names(["a"]),
            convention="labelme",
        )


@pytest.mark.parametrize(
    "options",
    [
        dict(order="size"),
        dict(convention="pillow"),
        dict(unknown_label="drop"),
        dict(line_width=0),
        dict(point_radius=-1),
        dict(convention="labelme", line_width=2.5),
    ],
)
def test_bad_options_are_value_errors(options):
    with pytest.raises(ValueError):
        rasterize_image(image(4, 4, *two_squares()), LabelMap.from_names(["big", "small"]), **options)
