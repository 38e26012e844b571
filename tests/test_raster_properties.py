"""Properties of the centre rule, checked on random shapes against brute-force tests written here.

The brute-force tests look at every pixel centre on its own and share no code
with the rasterizer (which works row by row on spans).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path, PurePosixPath

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from segtool.annotations import AnnotatedImage, Bitmap, Ellipse, Points, Polygon, Polyline, Shape
from segtool.labels import LabelMap
from segtool.raster import geometry_mask, rasterize_image, rasterize_per_label

HEIGHT, WIDTH = 24, 30


# -- brute force ----------------------------------------------------------------------------
def even_odd_integer(rings: list[np.ndarray], height: int, width: int) -> np.ndarray:
    """Even-odd at every centre, exactly, for integer vertices (all numbers doubled to stay integral).

    A centre is inside when an odd number of edges cross its row line at or left of it;
    an edge crosses the line y when y_low <= y < y_high.
    """
    cx = (2 * np.arange(width) + 1)[None, :]
    cy = (2 * np.arange(height) + 1)[:, None]
    inside = np.zeros((height, width), dtype=bool)
    for ring in rings:
        doubled = 2 * np.asarray(ring, dtype=np.int64)
        for (x0, y0), (x1, y1) in zip(doubled, np.roll(doubled, -1, axis=0), strict=True):
            if y0 == y1:
                continue
            (xl, yl), (xu, yu) = ((x0, y0), (x1, y1)) if y0 < y1 else ((x1, y1), (x0, y0))
            on_row = (yl <= cy) & (cy < yu)
            # crossing x <= centre x, with x = xl + (cy - yl)(xu - xl)/(yu - yl) and yu > yl
            left_of_centre = (cy - yl) * (xu - xl) <= (cx - xl) * (yu - yl)
            inside ^= on_row & left_of_centre
    return inside


def centres(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)


def distance_to_path(points: np.ndarray, height: int, width: int) -> np.ndarray:
    """Distance from every centre to the nearest point of the polyline (or the point)."""
    x, y = centres(height, width)
    best = np.full((height, width), np.inf)
    segments = itertools.pairwise(points) if len(points) > 1 else [(points[0], points[0])]
    for a, b in segments:
        d = b - a
        length2 = float(d @ d)
        t = (
            np.zeros_like(x)
            if length2 == 0
            else np.clip(((x - a[0]) * d[0] + (y - a[1]) * d[1]) / length2, 0, 1)
        )
        best = np.minimum(best, np.hypot(x - a[0] - t * d[0], y - a[1] - t * d[1]))
    return best


def containing_pixels(points: np.ndarray, height: int, width: int) -> np.ndarray:
    mask = np.zeros((height, width), dtype=bool)
    for x, y in np.floor(points).astype(int):
        if 0 <= x < width and 0 <= y < height:
            mask[y, x] = True
    return mask


# -- strategies ----------------------------------------------------------------------------
coordinate = st.floats(-6, 36, allow_nan=False, width=32).map(float)
integer_point = st.tuples(st.integers(-4, WIDTH + 4), st.integers(-4, HEIGHT + 4))
float_ring = st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=12).map(
    lambda points: np.array(points, dtype=np.float64)
)
integer_ring = st.lists(integer_point, min_size=3, max_size=10).map(
    lambda points: np.array(points, dtype=np.float64)
)


@st.composite
def star_polygon(draw) -> np.ndarray:
    """A simple polygon: vertices at increasing angles around a centre, inside the image."""
    count = draw(st.integers(3, 14))
    angles = np.sort(
        np.array(
            draw(
                st.lists(
                    st.floats(0, 2 * math.pi, exclude_max=True), min_size=count, max_size=count, unique=True
                )
            )
        )
    )
    # Every gap between neighbouring angles below half a turn keeps the centre inside and the
    # ring simple; a wider gap lets an edge pass the centre on the wrong side and cross another.
    assume(np.diff(np.append(angles, angles[0] + 2 * math.pi)).max() < math.pi)
    radii = np.array(draw(st.lists(st.floats(0.5, 10), min_size=count, max_size=count)))
    cx, cy = draw(st.floats(11, WIDTH - 11)), draw(st.floats(11, HEIGHT - 11))
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


@st.composite
def convex_polygon(draw) -> np.ndarray:
    """Vertices on an ellipse at increasing angles."""
    count = draw(st.integers(4, 12))
    angles = np.sort(
        np.array(
            draw(
                st.lists(
                    st.floats(0, 2 * math.pi, exclude_max=True), min_size=count, max_size=count, unique=True
                )
            )
        )
    )
    rx, ry = draw(st.floats(2, 14)), draw(st.floats(2, 11))
    cx, cy = draw(st.floats(0, WIDTH)), draw(st.floats(0, HEIGHT))
    return np.column_stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)])


def mask_of(*rings: np.ndarray) -> np.ndarray:
    return geometry_mask(Polygon(rings=tuple(rings)), HEIGHT, WIDTH)


# -- polygons ------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.lists(float_ring, min_size=1, max_size=3), st.integers(0, 11), st.booleans())
def test_mask_does_not_depend_on_where_or_which_way_rings_are_listed(rings, start, reverse):
    def relisted(ring: np.ndarray) -> np.ndarray:
        ring = np.roll(ring, -(start % len(ring)), axis=0)
        return ring[::-1] if reverse else ring

    assert np.array_equal(mask_of(*rings), mask_of(*(relisted(ring) for ring in rings)))
    assert np.array_equal(mask_of(*rings), mask_of(*rings[::-1]))


@settings(max_examples=200, deadline=None)
@given(st.lists(integer_ring, min_size=1, max_size=3))
def test_integer_vertices_agree_with_an_exact_point_in_polygon_test(rings):
    assert np.array_equal(mask_of(*rings), even_odd_integer(rings, HEIGHT, WIDTH))


@settings(max_examples=200, deadline=None)
@given(star_polygon())
def test_pixel_count_stays_within_the_proven_bound_of_the_area(ring):
    """|n - A| <= 1/2 * sum over edges of (|dx| + ceil(|dy|)) <= (sqrt(2) * perimeter + edges) / 2.

    Row by row: the centres in a span [a, b) number b - a give or take less than 1, and a
    row has one span per two crossings, so at most ceil(|dy|) / 2 per edge; the row's
    length at its centre line differs from the strip's area by at most half the
    horizontal distance the boundary travels inside the strip (midpoint rule).
    """
    edges = np.roll(ring, -1, axis=0) - ring
    x, y = ring[:, 0], ring[:, 1]
    area = abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1))) / 2
    bound = 0.5 * float(np.abs(edges[:, 0]).sum() + np.ceil(np.abs(edges[:, 1])).sum())
    perimeter = float(np.hypot(edges[:, 0], edges[:, 1]).sum())
    assert bound <= (math.sqrt(2) * perimeter + len(ring)) / 2 + 1e-9
    assert abs(int(mask_of(ring).sum()) - area) <= bound


@settings(max_examples=150, deadline=None)
@given(convex_polygon(), st.data())
def test_polygons_sharing_an_edge_share_none_of_its_pixels_and_leave_no_gap(ring, data):
    cut = data.draw(st.integers(2, len(ring) - 2))
    first, second = ring[: cut + 1], np.concatenate([ring[cut:], ring[:1]])
    one, other = mask_of(first), mask_of(second)
    assert not (one & other).any()
    assert np.array_equal(one | other, mask_of(ring))


@settings(max_examples=100, deadline=None)
@given(float_ring, st.integers(-40, 40), st.integers(-40, 40))
@example(np.array([(0.0, 1.0), (5.0, 5.0), (1e-9, 1e-9)]), 0, 0)  # 1e-9 + 50 is not exact in float64
def test_shifting_by_whole_pixels_shifts_the_mask(ring, dx, dy):
    """Clipping never changes a pixel: draw on a large canvas, move, and cut back.

    The vertices are first put on a grid of 2**-20 pixel, so that adding whole pixels is exact in
    float64 (a vertex at 1e-9 moved by 50 would be a different point, not the same one shifted).
    """
    ring = np.round(ring * 2**20) / 2**20
    big = geometry_mask(Polygon(rings=(ring + [50, 50],)), HEIGHT + 100, WIDTH + 100)
    moved = geometry_mask(Polygon(rings=(ring + [dx, dy],)), HEIGHT, WIDTH)
    assert np.array_equal(moved, big[50 - dy : 50 - dy + HEIGHT, 50 - dx : 50 - dx + WIDTH])


# -- ellipses, lines, points ---------------------------------------------------------------
quarter = st.integers(-16, 144).map(lambda value: value / 4)
quarter_radius = st.integers(1, 60).map(lambda value: value / 4)


@settings(max_examples=200, deadline=None)
@given(quarter, quarter, quarter_radius, quarter_radius, st.sampled_from([0, 90, 180, -90]))
def test_upright_ellipse_matches_the_exact_inequality(cx, cy, rx, ry, angle):
    x, y = centres(HEIGHT, WIDTH)
    if angle % 180:
        rx, ry = ry, rx
    # Everything is a multiple of 1/4, so these products are exact.
    expected = ((x - cx) * ry) ** 2 + ((y - cy) * rx) ** 2 <= (rx * ry) ** 2
    given_ellipse = (
        Ellipse(cx=cx, cy=cy, rx=rx, ry=ry) if angle % 180 == 0 else Ellipse(cx, cy, ry, rx, angle)
    )
    assert np.array_equal(geometry_mask(given_ellipse, HEIGHT, WIDTH), expected)


@settings(max_examples=150, deadline=None)
@given(coordinate, coordinate, st.floats(0.2, 15), st.floats(0.2, 15), st.floats(-360, 360))
def test_turned_ellipse_matches_the_inequality_away_from_its_boundary(cx, cy, rx, ry, angle):
    x, y = centres(HEIGHT, WIDTH)
    theta = math.radians(angle)
    u = (x - cx) * math.cos(theta) + (y - cy) * math.sin(theta)
    v = -(x - cx) * math.sin(theta) + (y - cy) * math.cos(theta)
    level = (u / rx) ** 2 + (v / ry) ** 2
    mask = geometry_mask(Ellipse(cx=cx, cy=cy, rx=rx, ry=ry, angle=angle), HEIGHT, WIDTH)
    clear = np.abs(level - 1) > 1e-9
    assert np.array_equal(mask[clear], (level <= 1)[clear])


point_list = st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=6).map(
    lambda points: np.array(points, dtype=np.float64)
)


@settings(max_examples=150, deadline=None)
@given(point_list, st.floats(0.2, 4))
def test_line_covers_centres_within_half_its_width_and_its_vertices(points, line_width):
    distance = distance_to_path(points, HEIGHT, WIDTH)
    expected = (distance <= line_width / 2) | containing_pixels(points, HEIGHT, WIDTH)
    mask = geometry_mask(Polyline(points=points), HEIGHT, WIDTH, line_width=line_width)
    clear = np.abs(distance - line_width / 2) > 1e-9
    assert np.array_equal(mask[clear], expected[clear])


@settings(max_examples=100, deadline=None)
@given(point_list, st.floats(0, 3))
def test_points_cover_centres_within_their_radius_and_their_own_pixel(points, radius):
    distance = np.min([distance_to_path(point[None, :], HEIGHT, WIDTH) for point in points], axis=0)
    expected = (distance <= radius) | containing_pixels(points, HEIGHT, WIDTH)
    mask = geometry_mask(Points(points=points), HEIGHT, WIDTH, point_radius=radius)
    clear = np.abs(distance - radius) > 1e-9
    assert np.array_equal(mask[clear], expected[clear])


# -- painting many shapes ------------------------------------------------------------------
geometry = st.one_of(
    st.lists(float_ring, min_size=1, max_size=2).map(lambda rings: Polygon(rings=tuple(rings))),
    st.tuples(coordinate, coordinate, st.floats(0.5, 9), st.floats(0.5, 9), st.floats(-90, 90)).map(
        lambda args: Ellipse(*args)
    ),
    point_list.map(lambda points: Polyline(points=points)),
    point_list.map(lambda points: Points(points=points)),
    st.tuples(
        st.integers(-5, WIDTH),
        st.integers(-5, HEIGHT),
        st.integers(1, 8),
        st.integers(1, 8),
        st.integers(0, 2**16),
    ).map(
        lambda args: Bitmap(
            mask=np.random.default_rng(args[4]).random((args[3], args[2])) < 0.6, left=args[0], top=args[1]
        )
    ),
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", "__ignore__"]), geometry), max_size=8),
    st.sampled_from(["file", "area"]),
)
def test_painting_equals_drawing_each_shape_in_turn(shapes, order):
    labels = LabelMap.from_names(["a", "b", "c"])
    image = AnnotatedImage(
        Path("x.json"),
        PurePosixPath("x"),
        HEIGHT,
        WIDTH,
        [Shape(label, shape, f"shape {n}") for n, (label, shape) in enumerate(shapes, start=1)],
    )
    masks = [geometry_mask(shape, HEIGHT, WIDTH) for _, shape in shapes]
    sequence = list(range(len(shapes)))
    if order == "area":
        sequence.sort(key=lambda index: -int(masks[index].sum()))
    expected = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    for index in sequence:
        expected[masks[index]] = labels.id_of(shapes[index][0])
    result = rasterize_image(image, labels, order=order)
    assert np.array_equal(result.labels, expected)
    values, pixels = np.unique(expected, return_counts=True)
    assert result.counts == dict(zip(values.tolist(), pixels.tolist(), strict=True))
    padded = rasterize_image(image, labels, order=order, padded=True)
    assert np.array_equal(padded.labels, expected) and padded.counts == result.counts
    assert (
        padded.labels.base.size == HEIGHT * (WIDTH + 1)
        and not padded.labels.base.reshape(HEIGHT, -1)[:, 0].any()
    )

    per_label = rasterize_per_label(image, labels).masks
    for name in ("a", "b", "c", "__ignore__"):
        union = np.zeros((HEIGHT, WIDTH), dtype=bool)
        for (label, _), mask in zip(shapes, masks, strict=True):
            if label == name:
                union |= mask
        assert np.array_equal(per_label.get(name, np.zeros_like(union)), union)
