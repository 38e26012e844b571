"""Generate segtool's bundled examples: synthetic photos, their LabelMe JSON, model predictions.

Run from the repository root (after the package is installed)::

    .venv/bin/python examples/make_examples.py

It rewrites ``examples/annotations/`` (JPEG images + LabelMe 5.x JSON) and
``examples/predictions/`` (one label PNG per annotated image). Everything is drawn
from fixed seeds, so a re-run gives the same files (JPEG bytes may differ across
libjpeg versions).

How the data is made
--------------------
* Each scene is painted from "true" outlines (smooth or cornered polygons) with
  textures, shading, blur and sensor noise, then saved as JPEG.
* The annotation of an object is what a person clicking in LabelMe would make of
  its true outline: 10 to 60 vertices along it (every corner, plus points spaced
  along the edges), each off by a fraction of a pixel, at the float coordinates a
  zoomed-in view produces, clipped to the image. Shapes are listed in the order
  they were drawn, so later shapes cover earlier ones where they overlap.
* The predictions are segtool's own rasterization of the annotations (the class
  ids ``segtool rasterize examples/annotations`` assigns without ``--labels``),
  then spoiled the way a real model spoils them: every boundary moved by a smooth
  random displacement of a few pixels, plus one scripted mistake per image (see
  ``examples/README.md``).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
ANNOTATIONS = HERE / "annotations"
PREDICTIONS = HERE / "predictions"
WIDTH, HEIGHT = 640, 480
LABELME_VERSION = "5.4.1"
JPEG_QUALITY = 85

Polygon = np.ndarray  # (N, 2) float (x, y) vertices of a closed ring
RGB = tuple[float, float, float]


# -- annotations --------------------------------------------------------------------------------
@dataclass
class Annotation:
    """One LabelMe shape as it will be written."""

    label: str
    points: list[list[float]]
    shape_type: str = "polygon"
    group_id: int | None = None

    def to_labelme(self) -> dict:
        return {"label": self.label, "points": self.points, "group_id": self.group_id,
                "description": "", "shape_type": self.shape_type, "flags": {}}


@dataclass
class Mistake:
    """A scripted prediction error: ``kind`` is "miss", "relabel", "region" or "blob"."""

    kind: str
    shape_index: int | None = None  # which annotation ("miss", "relabel")
    label: str | None = None  # the class predicted instead ("relabel", "region", "blob")
    polygon: Polygon | None = None  # where ("region", "blob")
    description: str = ""


@dataclass
class Scene:
    """A painted image, its annotations (in drawing order) and the prediction's mistake."""

    name: str  # path relative to examples/annotations, without suffix
    pixels: np.ndarray  # (H, W, 3) uint8 RGB
    annotations: list[Annotation]
    mistake: Mistake
    embed_image: bool = False


class Annotator:
    """Turns true outlines into what a person clicks: a few vertices, a little off, zoom-quantised."""

    def __init__(self, rng: np.random.Generator, *, zoom: float, jitter: float = 0.45) -> None:
        self.rng, self.zoom, self.jitter = rng, zoom, jitter
        self.annotations: list[Annotation] = []

    def polygon(self, label: str, outline: Polygon, *, clicks: int, corners: bool = False,
                group_id: int | None = None) -> int:
        """Annotate a closed outline with at least ``clicks`` vertices; return the shape's index.

        With ``corners`` every sharp corner of the outline is clicked as well (buildings,
        roads); otherwise the outline is treated as smooth (it came from a contour).
        """
        ring = clip_to_image(outline)
        vertices = self._clicked(resample(ring, clicks, self.rng, keep_corners=corners))
        if not 10 <= len(vertices) <= 60:
            raise AssertionError(f"{label}: {len(vertices)} vertices, want 10..60")
        return self._add(Annotation(label, vertices, "polygon", group_id))

    def rectangle(self, label: str, corner_a: tuple[float, float], corner_b: tuple[float, float]) -> int:
        return self._add(Annotation(label, self._clicked(np.array([corner_a, corner_b], float)), "rectangle"))

    def circle(self, label: str, centre: tuple[float, float], radius: float) -> int:
        """LabelMe stores a circle as its centre and one point on the circumference."""
        angle = self.rng.uniform(0, 2 * math.pi)
        rim = (centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle))
        return self._add(Annotation(label, self._clicked(np.array([centre, rim], float)), "circle"))

    def _clicked(self, points: np.ndarray) -> list[list[float]]:
        points = points + self.rng.normal(0.0, self.jitter, points.shape)
        points = np.round(points * self.zoom) / self.zoom  # one screen pixel of the zoomed view
        points[:, 0] = np.clip(points[:, 0], 0, WIDTH)
        points[:, 1] = np.clip(points[:, 1], 0, HEIGHT)
        return [[float(x) + 0.0, float(y) + 0.0] for x, y in points]  # + 0.0 turns -0.0 into 0.0

    def _add(self, annotation: Annotation) -> int:
        self.annotations.append(annotation)
        return len(self.annotations) - 1


def resample(ring: Polygon, count: int, rng: np.random.Generator, *, keep_corners: bool) -> Polygon:
    """At least ``count`` points spaced irregularly along a closed ring, plus its corners if asked."""
    closed = np.vstack([ring, ring[:1]])
    lengths = np.hypot(*np.diff(closed, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(lengths)])
    total = arc[-1]
    corner_arcs = np.empty(0)
    if keep_corners:
        before = ring - np.roll(ring, 1, axis=0)
        after = np.roll(ring, -1, axis=0) - ring
        cross = before[:, 0] * after[:, 1] - before[:, 1] * after[:, 0]
        turn = np.abs(np.arctan2(cross, np.einsum("ij,ij->i", before, after)))
        corner_arcs = arc[:-1][turn > math.radians(20)]
    stations = np.empty(0)
    spaced = count
    while len(stations) < count:  # clicks that land on a corner merge with it: add more
        spacing = total / spaced
        stations = (np.arange(spaced) + rng.uniform(-0.3, 0.3, spaced)) * spacing + rng.uniform(0, spacing)
        stations %= total
        if len(corner_arcs):
            gaps = np.abs(stations[:, None] - corner_arcs[None, :])
            gaps = np.minimum(gaps, total - gaps)
            stations = np.concatenate([stations[(gaps >= 0.35 * spacing).all(axis=1)], corner_arcs])
        stations = np.unique(stations)
        spaced += 1
    segment = np.clip(np.searchsorted(arc, stations, side="right") - 1, 0, len(ring) - 1)
    fraction = ((stations - arc[segment]) / np.maximum(lengths[segment], 1e-9))[:, None]
    return closed[segment] + fraction * (closed[segment + 1] - closed[segment])


def clip_to_image(ring: Polygon) -> Polygon:
    """Sutherland-Hodgman clipping of a ring to the image rectangle [0, W] x [0, H]."""
    for axis, limit, keep_below in ((0, 0.0, False), (0, WIDTH, True), (1, 0.0, False), (1, HEIGHT, True)):
        inside = (ring[:, axis] <= limit) if keep_below else (ring[:, axis] >= limit)
        out: list[np.ndarray] = []
        for index in range(len(ring)):
            current, previous = ring[index], ring[index - 1]
            if inside[index] != inside[index - 1]:
                t = (limit - previous[axis]) / (current[axis] - previous[axis])
                out.append(previous + t * (current - previous))
            if inside[index]:
                out.append(current)
        ring = np.array(out)
    return ring


# -- geometry helpers ---------------------------------------------------------------------------
def ellipse(cx: float, cy: float, rx: float, ry: float, *, count: int = 72, angle: float = 0.0) -> Polygon:
    t = np.linspace(0, 2 * math.pi, count, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def blob(cx: float, cy: float, radius: float, rng: np.random.Generator, *, lumpiness: float = 0.12,
         squash: float = 1.0, count: int = 160) -> Polygon:
    """A lumpy closed outline (tree crowns, bushes, stains)."""
    t = np.linspace(0, 2 * math.pi, count, endpoint=False)
    r = np.ones_like(t)
    for frequency in (3, 5, 8, 13):
        r += lumpiness * (3 / frequency) ** 0.7 * np.sin(frequency * t + rng.uniform(0, 2 * math.pi))
    return np.stack([cx + radius * r * np.cos(t), cy + squash * radius * r * np.sin(t)], axis=1)


def rounded_rect(x0: float, y0: float, x1: float, y1: float, radius: float, *, per_corner: int = 6) -> Polygon:
    points = []
    for cx, cy, start in ((x1 - radius, y0 + radius, -90), (x1 - radius, y1 - radius, 0),
                          (x0 + radius, y1 - radius, 90), (x0 + radius, y0 + radius, 180)):
        for step in range(per_corner + 1):
            a = math.radians(start + 90 * step / per_corner)
            points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return np.array(points)


def rotated(ring: Polygon, angle: float, centre: tuple[float, float]) -> Polygon:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    shifted = ring - centre
    return np.stack([c * shifted[:, 0] - s * shifted[:, 1], s * shifted[:, 0] + c * shifted[:, 1]], 1) + centre


def in_quad(quad: Polygon, u0: float, v0: float, u1: float, v1: float) -> Polygon:
    """The sub-quad [u0, u1] x [v0, v1] of a quad (corners: top-left, top-right, bottom-right,
    bottom-left), by bilinear interpolation: windows on a facade in perspective."""
    def at(u: float, v: float) -> np.ndarray:
        top = quad[0] + u * (quad[1] - quad[0])
        bottom = quad[3] + u * (quad[2] - quad[3])
        return top + v * (bottom - top)
    return np.array([at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)])


def outline_of(parts: list[Polygon], *, smooth: int = 9) -> Polygon:
    """The outer outline of a union of polygons, traced on a 4x grid and smoothed."""
    scale = 4
    everything = np.vstack(parts)
    origin = np.floor(everything.min(axis=0)) - 2
    size = np.ceil((everything.max(axis=0) - origin + 2) * scale).astype(int)
    grid = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillPoly(grid, [np.round((part - origin) * scale).astype(np.int32) for part in parts], 255)
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)[:, 0, :].astype(float)
    kernel = np.ones(smooth) / smooth
    wrapped = np.vstack([contour[-smooth:], contour, contour[:smooth]])
    smoothed = np.stack([np.convolve(wrapped[:, i], kernel, "same") for i in (0, 1)], 1)[smooth:-smooth]
    return (smoothed + 0.5) / scale + origin


def x_on_line(a: tuple[float, float], b: tuple[float, float]) -> Callable[[float], float]:
    """x as a function of y on the line through ``a`` and ``b``."""
    return lambda y: a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1])


def y_on_line(a: tuple[float, float], b: tuple[float, float]) -> Callable[[float], float]:
    """y as a function of x on the line through ``a`` and ``b``."""
    return lambda x: a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


# -- painting -----------------------------------------------------------------------------------
Shade = Callable[[np.ndarray, np.ndarray], np.ndarray]


class Canvas:
    """A float RGB image that polygons are painted onto with texture and shading."""

    def __init__(self, rng: np.random.Generator, background: RGB = (0, 0, 0)) -> None:
        self.rng = rng
        self.pixels = np.empty((HEIGHT, WIDTH, 3), np.float32)
        self.pixels[:] = background
        self._noise: dict[float, np.ndarray] = {}
        self.rows, self.cols = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)

    def noise(self, scale: float) -> np.ndarray:
        """Unit-variance noise with features about ``scale`` pixels wide: a random window of a
        field twice the image's size, so that objects do not share one pattern."""
        if scale not in self._noise:
            field = self.rng.standard_normal((2 * HEIGHT, 2 * WIDTH)).astype(np.float32)
            if scale > 0.3:
                field = cv2.GaussianBlur(field, (0, 0), scale)
            self._noise[scale] = field / field.std()
        top, left = int(self.rng.integers(HEIGHT)), int(self.rng.integers(WIDTH))
        return self._noise[scale][top:top + HEIGHT, left:left + WIDTH]

    def coverage(self, polygons: list[Polygon]) -> np.ndarray:
        mask = np.zeros((HEIGHT, WIDTH), np.uint8)
        cv2.fillPoly(mask, [np.round(p * 16).astype(np.int32) for p in polygons], 255, cv2.LINE_AA, shift=4)
        return mask.astype(np.float32) / 255

    def paint(self, polygons: Polygon | list[Polygon], colour: RGB, *, grain: float = 5.0,
              scale: float = 1.0, shade: Shade | None = None, opacity: float = 1.0) -> None:
        """Fill polygons with ``colour`` plus grain; ``shade(u, v)`` multiplies the colour, with
        u, v running 0..1 across the polygons' bounding box."""
        polygons = [polygons] if isinstance(polygons, np.ndarray) else polygons
        alpha = self.coverage(polygons) * opacity
        texture = np.empty_like(self.pixels)
        texture[:] = colour
        if shade is not None:
            everything = np.vstack(polygons)
            (x0, y0), (x1, y1) = everything.min(axis=0), everything.max(axis=0)
            u = (self.cols - x0) / max(x1 - x0, 1)
            v = (self.rows - y0) / max(y1 - y0, 1)
            texture *= np.clip(shade(u, v), 0, 3)[..., None]
        if grain:
            texture += grain * self.noise(scale)[..., None]
        self.pixels += (texture - self.pixels) * alpha[..., None]

    def photo(self, *, exposure: float = 1.0, vignette: float = 0.25, sensor_noise: float = 3.0) -> np.ndarray:
        """Lens blur, vignetting, sensor noise and clipping: the float canvas as 8-bit RGB."""
        image = cv2.GaussianBlur(self.pixels, (0, 0), 0.7)
        image *= (1 + 0.05 * self.noise(90.0))[..., None]  # uneven light
        radius = np.hypot((self.cols - WIDTH / 2) / (WIDTH / 2), (self.rows - HEIGHT / 2) / (HEIGHT / 2))
        image *= (exposure * (1 - vignette * radius ** 2 / 2))[..., None]
        image += self.rng.normal(0, sensor_noise, image.shape).astype(np.float32)
        return np.clip(image, 0, 255).astype(np.uint8)


def vertical(top: float, bottom: float) -> Shade:
    return lambda u, v: top + (bottom - top) * v


def cylinder(dark: float = 0.55, light: float = 1.25) -> Shade:
    """Shading of an upright cylinder lit from the front-left (cans, bottles, trunks)."""
    return lambda u, v: dark + (light - dark) * np.sin(np.pi * np.clip(u * 0.9 + 0.05, 0, 1)) ** 0.6 * (1.1 - 0.2 * u)


# -- street scenes ------------------------------------------------------------------------------
@dataclass
class StreetLayout:
    """What stands where in a street scene seen from the middle of the road."""

    vanish: tuple[float, float]
    sky: tuple[RGB, RGB]  # top, horizon
    facades: tuple[RGB, RGB]  # left, right
    cars: list[tuple[float, float, float, RGB]]  # centre x, bottom y, width, colour (far to near)
    people: list[tuple[float, float, float, RGB]]  # x, foot y, height, shirt colour (far to near)
    trees: list[tuple[float, float, float]] = field(default_factory=list)  # trunk x, ground y, crown radius
    zebra: bool = False
    exposure: float = 1.0


def street_scene(name: str, layout: StreetLayout, seed: int, mistake: Mistake,
                 *, zoom: float, embed_image: bool = False) -> Scene:
    """Road, sidewalks, facades, skyline, sky, trees, cars and people, annotated in drawing order."""
    rng = np.random.default_rng(seed)
    canvas = Canvas(rng, layout.sky[1])
    notes = Annotator(rng, zoom=zoom)
    vx, vy = layout.vanish
    far_y = vy + 24  # where the street meets the far buildings
    left_base = x_on_line(layout.vanish, (-900, HEIGHT))
    left_curb = x_on_line(layout.vanish, (-40, HEIGHT))
    right_curb = x_on_line(layout.vanish, (WIDTH + 40, HEIGHT))
    right_base = x_on_line(layout.vanish, (WIDTH + 900, HEIGHT))

    # sky: everything above the facades and the skyline
    sky_poly = np.array([(0, 0), (WIDTH, 0), (WIDTH, HEIGHT), (0, HEIGHT)], float)
    canvas.paint(sky_poly, layout.sky[0], grain=0, shade=lambda u, v: 1 + 0.25 * np.clip(v * 2.2, 0, 1))
    canvas.paint(sky_poly, (235, 238, 245), grain=0, opacity=0.25)
    clouds = np.clip(canvas.noise(25.0) * 0.6 + 0.1, 0, 1) * np.clip(1.2 - canvas.rows / (far_y + 40), 0, 1)
    canvas.pixels += (np.array((250, 250, 252), np.float32) - canvas.pixels) * (0.45 * clouds)[..., None]

    # facades: the top edge runs to the vanishing point too
    left_far_x, right_far_x = left_base(far_y), right_base(far_y)
    top_left, bottom_left = y_on_line(layout.vanish, (0, 18)), y_on_line(layout.vanish, (-900, HEIGHT))
    top_right, bottom_right = y_on_line(layout.vanish, (WIDTH, 30)), y_on_line(layout.vanish, (WIDTH + 900, HEIGHT))
    left_facade = np.array([(0, top_left(0)), (left_far_x, top_left(left_far_x)),
                            (left_far_x, far_y), (0, bottom_left(0))])
    right_facade = np.array([(right_far_x, top_right(right_far_x)), (WIDTH, top_right(WIDTH)),
                             (WIDTH, bottom_right(WIDTH)), (right_far_x, far_y)])

    # the far skyline: blocks between the two facades
    edges = np.linspace(left_far_x, right_far_x, 6)
    heights = far_y - rng.uniform(45, 95, 5)
    skyline = [(edges[0], far_y)]
    for x0, x1, top in zip(edges[:-1], edges[1:], heights):
        skyline += [(x0, top), (x1, top)]
    skyline.append((edges[-1], far_y))
    skyline = np.array(skyline)

    sky_outline = np.array([(0, 0), (WIDTH, 0), right_facade[1], right_facade[0], *skyline[-2:0:-1],
                            left_facade[1], left_facade[0]])
    notes.polygon("sky", sky_outline, clicks=24, corners=True)

    haze = np.array(layout.sky[1]) * 0.55 + np.array((120, 115, 110)) * 0.45
    for i, (x0, x1, top) in enumerate(zip(edges[:-1], edges[1:], heights)):
        block = np.array([(x0, top), (x1, top), (x1, far_y), (x0, far_y)])
        tone = tuple(haze * rng.uniform(0.85, 1.1))
        canvas.paint(block, tone, grain=3, shade=vertical(1.05, 0.9))
        for row in np.arange(top + 6, far_y - 6, 9):
            for col in np.arange(x0 + 4, x1 - 6, 8):
                canvas.paint(np.array([(col, row), (col + 4, row), (col + 4, row + 5), (col, row + 5)]),
                             tuple(haze * 0.7), grain=2, opacity=0.7)
    notes.polygon("building", skyline, clicks=16, corners=True)

    for facade, colour in ((left_facade, layout.facades[0]), (right_facade, layout.facades[1])):
        canvas.paint(facade, colour, grain=7, scale=1.2, shade=vertical(1.1, 0.8))
        for u in np.arange(0.06, 0.94, 0.13):
            for v in np.arange(0.08, 0.72, 0.16):
                canvas.paint(in_quad(facade, u, v, u + 0.07, v + 0.1), (55, 65, 80), grain=6,
                             shade=vertical(1.3, 0.8))
        canvas.paint(in_quad(facade, 0.0, 0.86, 1.0, 1.0), tuple(np.array(colour) * 0.6), grain=6)
        notes.polygon("building", facade, clicks=10, corners=True)

    # road (annotated a little under the curbs) and sidewalks
    road = np.array([(left_curb(far_y), far_y), (right_curb(far_y), far_y),
                     (right_curb(HEIGHT), HEIGHT), (left_curb(HEIGHT), HEIGHT)])
    canvas.paint(road, (92, 94, 98), grain=9, scale=0.8, shade=vertical(1.15, 0.85))
    for t0 in np.arange(0.0, 1.0, 0.12):
        y0, y1 = far_y + (HEIGHT - far_y) * t0 ** 1.6, far_y + (HEIGHT - far_y) * (t0 + 0.06) ** 1.6
        half0, half1 = 0.5 + 5 * (y0 - vy) / 260, 0.5 + 5 * (y1 - vy) / 260
        canvas.paint(np.array([(vx - half0, y0), (vx + half0, y0), (vx + half1, y1), (vx - half1, y1)]),
                     (225, 222, 210), grain=8)
    if layout.zebra:
        y0, y1 = far_y + 95, far_y + 150
        for k in np.linspace(-0.42, 0.42, 9):
            xs0 = vx + k * (right_curb(y0) - left_curb(y0))
            xs1 = vx + k * (right_curb(y1) - left_curb(y1))
            w0, w1 = 0.03 * (right_curb(y0) - left_curb(y0)), 0.03 * (right_curb(y1) - left_curb(y1))
            canvas.paint(np.array([(xs0 - w0, y0), (xs0 + w0, y0), (xs1 + w1, y1), (xs1 - w1, y1)]),
                         (232, 230, 222), grain=10)
    wider = np.array([(left_curb(far_y) - 2, far_y), (right_curb(far_y) + 2, far_y),
                      (right_curb(HEIGHT) + 14, HEIGHT), (left_curb(HEIGHT) - 14, HEIGHT)])
    notes.polygon("road", wider, clicks=12, corners=True)

    for base, curb, side in ((left_base, left_curb, -1), (right_base, right_curb, 1)):
        walk = np.array([(base(far_y), far_y), (curb(far_y), far_y), (curb(HEIGHT), HEIGHT), (base(HEIGHT), HEIGHT)])
        canvas.paint(walk, (150, 146, 140), grain=10, scale=1.0, shade=vertical(1.1, 0.9))
        for t in np.linspace(0.05, 1.0, 14) ** 1.7:
            y = far_y + (HEIGHT - far_y) * t
            joint = np.array([(base(y), y - 0.6), (curb(y), y - 0.6), (curb(y), y + 0.6), (base(y), y + 0.6)])
            canvas.paint(joint, (110, 106, 100), grain=4, opacity=0.6)
        kerb = np.array([(curb(far_y), far_y), (curb(far_y) - side * 1.5, far_y),
                         (curb(HEIGHT) - side * 22, HEIGHT), (curb(HEIGHT), HEIGHT)])
        canvas.paint(kerb, (185, 182, 175), grain=8)
        notes.polygon("sidewalk", walk, clicks=12, corners=True)

    # trees (trunk and crown: two shapes of one object), then cars and people, far to near
    for group, (x, ground, radius) in enumerate(layout.trees, start=1):
        trunk = np.array([(x - 7, ground), (x - 4, ground - 1.5 * radius), (x + 4, ground - 1.5 * radius),
                          (x + 7, ground), (x + 11, ground + 3), (x - 11, ground + 3)])
        canvas.paint(trunk, (85, 62, 45), grain=12, scale=0.8, shade=cylinder())
        crown = blob(x + rng.uniform(-8, 8), ground - 2.2 * radius, radius, rng)
        canvas.paint(crown, (58, 92, 40), grain=22, scale=1.6, shade=lambda u, v: 1.25 - 0.45 * v - 0.2 * u)
        canvas.paint(crown, (95, 140, 60), grain=30, scale=0.8, opacity=0.35)
        notes.polygon("tree", trunk, clicks=10, corners=True, group_id=group)
        notes.polygon("tree", crown, clicks=44, group_id=group)

    for x, bottom, width, colour in layout.cars:
        parts = car_parts(canvas, x, bottom, width, colour)
        notes.polygon("car", outline_of(parts), clicks=int(20 + width / 8))
    for x, foot, height, shirt in layout.people:
        parts = person_parts(canvas, rng, x, foot, height, shirt)
        notes.polygon("person", outline_of(parts), clicks=int(22 + height / 8))

    pixels = canvas.photo(exposure=layout.exposure)
    return Scene(name, pixels, notes.annotations, mistake, embed_image)


def car_parts(canvas: Canvas, x: float, bottom: float, width: float, colour: RGB) -> list[Polygon]:
    """Paint a car seen from behind; return the polygons that make up its silhouette."""
    w = width
    canvas.paint(ellipse(x, bottom - 2, 0.58 * w, 0.07 * w), (25, 25, 28), grain=3, opacity=0.7)
    wheels = [rounded_rect(x + side * 0.38 * w - 0.08 * w, bottom - 0.2 * w, x + side * 0.38 * w + 0.08 * w,
                           bottom, 0.03 * w) for side in (-1, 1)]
    body = rounded_rect(x - 0.5 * w, bottom - 0.56 * w, x + 0.5 * w, bottom - 0.1 * w, 0.08 * w)
    cabin = np.array([(x - 0.34 * w, bottom - 0.86 * w), (x + 0.34 * w, bottom - 0.86 * w),
                      (x + 0.44 * w, bottom - 0.54 * w), (x - 0.44 * w, bottom - 0.54 * w)])
    cabin = outline_of([cabin], smooth=int(0.1 * w) | 1)
    for wheel in wheels:
        canvas.paint(wheel, (22, 22, 24), grain=4)
    canvas.paint([body, cabin], colour, grain=5, shade=lambda u, v: 1.2 - 0.4 * v + 0.1 * np.cos(6 * u))
    window = np.array([(x - 0.3 * w, bottom - 0.82 * w), (x + 0.3 * w, bottom - 0.82 * w),
                       (x + 0.38 * w, bottom - 0.58 * w), (x - 0.38 * w, bottom - 0.58 * w)])
    canvas.paint(window, (40, 48, 60), grain=4, shade=lambda u, v: 0.8 + 0.8 * np.clip(u - v, 0, 1))
    for side in (-1, 1):
        light = rounded_rect(x + side * 0.44 * w - 0.055 * w, bottom - 0.5 * w, x + side * 0.44 * w + 0.055 * w,
                             bottom - 0.4 * w, 0.015 * w)
        canvas.paint(light, (190, 30, 25), grain=8)
    canvas.paint(rounded_rect(x - 0.12 * w, bottom - 0.34 * w, x + 0.12 * w, bottom - 0.26 * w, 0.01 * w),
                 (225, 225, 215), grain=6)
    canvas.paint(rounded_rect(x - 0.5 * w, bottom - 0.2 * w, x + 0.5 * w, bottom - 0.1 * w, 0.04 * w),
                 (35, 35, 38), grain=4)
    return [body, cabin, *wheels]


def person_parts(canvas: Canvas, rng: np.random.Generator, x: float, foot: float, height: float,
                 shirt: RGB) -> list[Polygon]:
    """Paint a walking person; return the polygons that make up the silhouette."""
    h, top = height, foot - height
    stride = rng.uniform(0.05, 0.1) * h
    skin = (205, 160, 130) if rng.uniform() < 0.5 else (150, 105, 80)
    trousers = (40, 45, 65) if rng.uniform() < 0.6 else (95, 85, 70)

    def limb(x0: float, y0: float, x1: float, y1: float, width0: float, width1: float) -> Polygon:
        return np.array([(x0 - width0, y0), (x0 + width0, y0), (x1 + width1, y1), (x1 - width1, y1)])

    legs = [limb(x - 0.05 * h, top + 0.5 * h, x - stride, foot - 0.03 * h, 0.05 * h, 0.032 * h),
            limb(x + 0.05 * h, top + 0.5 * h, x + stride * 0.8, foot - 0.03 * h, 0.05 * h, 0.032 * h)]
    shoes = [rounded_rect(sx - 0.045 * h, foot - 0.035 * h, sx + 0.05 * h, foot, 0.012 * h)
             for sx in (x - stride, x + stride * 0.8)]
    torso = np.array([(x - 0.13 * h, top + 0.16 * h), (x + 0.13 * h, top + 0.16 * h),
                      (x + 0.11 * h, top + 0.52 * h), (x - 0.11 * h, top + 0.52 * h)])
    arms = [limb(x - 0.12 * h, top + 0.18 * h, x - 0.16 * h - stride * 0.5, top + 0.5 * h, 0.035 * h, 0.028 * h),
            limb(x + 0.12 * h, top + 0.18 * h, x + 0.15 * h + stride * 0.4, top + 0.49 * h, 0.035 * h, 0.028 * h)]
    hands = [ellipse(x - 0.16 * h - stride * 0.5, top + 0.51 * h, 0.025 * h, 0.03 * h, count=24),
             ellipse(x + 0.15 * h + stride * 0.4, top + 0.5 * h, 0.025 * h, 0.03 * h, count=24)]
    neck = limb(x, top + 0.11 * h, x, top + 0.17 * h, 0.025 * h, 0.03 * h)
    head = ellipse(x, top + 0.07 * h, 0.05 * h, 0.068 * h, count=40)
    hair = ellipse(x, top + 0.045 * h, 0.053 * h, 0.048 * h, count=40)
    for leg in legs:
        canvas.paint(leg, trousers, grain=6, shade=vertical(1.0, 0.8))
    for shoe in shoes:
        canvas.paint(shoe, (30, 28, 26), grain=4)
    for hand in hands:
        canvas.paint(hand, skin, grain=4)
    canvas.paint([neck, head], skin, grain=5, shade=lambda u, v: 1.15 - 0.3 * u)
    canvas.paint(hair, (45, 35, 28), grain=8)
    canvas.paint([torso, *arms], shirt, grain=7, shade=lambda u, v: 1.15 - 0.25 * v - 0.15 * u)
    return [*legs, *shoes, torso, *arms, *hands, neck, head, hair]


# -- aerial tile --------------------------------------------------------------------------------
def aerial_scene(seed: int) -> Scene:
    """A suburban tile from above: a road with cars, houses, a courtyard block, trees."""
    rng = np.random.default_rng(seed)
    canvas = Canvas(rng, (112, 128, 78))
    notes = Annotator(rng, zoom=1.75, jitter=0.35)
    whole = np.array([(0, 0), (WIDTH, 0), (WIDTH, HEIGHT), (0, HEIGHT)], float)
    canvas.paint(whole, (112, 128, 78), grain=14, scale=6.0)
    patches = np.clip(canvas.noise(40.0), 0, None)
    canvas.pixels += (np.array((150, 135, 95), np.float32) - canvas.pixels) * (0.5 * patches / patches.max())[..., None]
    canvas.pixels += 9 * canvas.noise(0.7)[..., None]

    # the road: a gentle S-curve across the tile
    xs = np.linspace(-40, WIDTH + 40, 60)
    centre = np.stack([xs, 300 + 45 * np.sin(xs / 210) - 0.12 * (xs - 320)], 1)
    direction = np.gradient(centre, axis=0)
    normal = np.stack([-direction[:, 1], direction[:, 0]], 1) / np.hypot(*direction.T)[:, None]
    road = np.vstack([centre + 21 * normal, (centre - 21 * normal)[::-1]])
    canvas.paint(road, (120, 118, 115), grain=7, scale=0.7)
    for k in range(0, 58, 3):
        dash = np.vstack([centre[k:k + 2] + 0.9 * normal[k:k + 2], (centre[k:k + 2] - 0.9 * normal[k:k + 2])[::-1]])
        canvas.paint(dash, (230, 228, 215), grain=6)
    notes.polygon("road", road, clicks=36, corners=True)

    # buildings with shadows; the big block has an inner courtyard (a hole)
    shadow_offset = np.array([7.0, 9.0])
    block_centre = (215.0, 125.0)
    outer = rotated(np.array([(-95, -72), (95, -72), (95, 72), (-95, 72)], float) + block_centre, 9, block_centre)
    court = rotated(np.array([(-42, -30), (42, -30), (42, 30), (-42, 30)], float) + block_centre, 9, block_centre)
    canvas.paint(outer + shadow_offset, (40, 45, 35), grain=4, opacity=0.6)
    canvas.paint(outer, (150, 148, 145), grain=10, scale=0.6, shade=lambda u, v: 1.05 - 0.1 * v)
    canvas.paint(court, (105, 125, 80), grain=12, scale=2.0)
    canvas.paint(np.vstack([court[:2], court[1:2] + (0, 6), court[:1] + (0, 6)]), (40, 45, 35), grain=3, opacity=0.5)
    for (u0, v0) in ((0.12, 0.12), (0.8, 0.12), (0.12, 0.82), (0.82, 0.8)):
        canvas.paint(in_quad(outer, u0, v0, u0 + 0.06, v0 + 0.07), (95, 95, 100), grain=4)
    notes.polygon("building", outer, clicks=12, corners=True, group_id=1)
    notes.polygon("_background_", court, clicks=10, corners=True, group_id=1)

    houses = [((470.0, 115.0), 62, 44, -14, (150, 70, 55)), ((590.0, 190.0), 50, 40, 20, (120, 95, 85)),
              ((95.0, 390.0), 58, 46, 5, (165, 80, 60)), ((380.0, 420.0), 66, 42, -8, (135, 135, 140))]
    for (cx, cy), half_w, half_h, angle, roof in houses:
        rect = np.array([(-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h)], float)
        footprint = rotated(rect + (cx, cy), angle, (cx, cy))
        canvas.paint(footprint + shadow_offset, (40, 45, 35), grain=4, opacity=0.6)
        upper = rotated(np.array([(-half_w, -half_h), (half_w, -half_h), (half_w, 0), (-half_w, 0)], float)
                        + (cx, cy), angle, (cx, cy))
        lower = rotated(np.array([(-half_w, 0), (half_w, 0), (half_w, half_h), (-half_w, half_h)], float)
                        + (cx, cy), angle, (cx, cy))
        canvas.paint(upper, roof, grain=9, scale=0.6)
        canvas.paint(lower, tuple(np.array(roof) * 0.72), grain=9, scale=0.6)
        notes.polygon("building", footprint, clicks=10, corners=True)

    ell = np.array([(0, 0), (120, 0), (120, 40), (45, 40), (45, 95), (0, 95)], float)
    ell = rotated(ell + (470, 330), -6, (530, 370))
    canvas.paint(ell + shadow_offset, (40, 45, 35), grain=4, opacity=0.6)
    canvas.paint(ell, (175, 170, 160), grain=8, scale=0.6, shade=lambda u, v: 1.05 - 0.1 * u)
    notes.polygon("building", ell, clicks=10, corners=True)

    # cars on the road: small, one of them is the object the prediction misses
    car_indices = []
    for k, colour in ((12, (200, 200, 205)), (40, (40, 60, 120))):
        (cx, cy), (dx, dy) = centre[k] - 10 * normal[k] * (1 if k < 30 else -1), direction[k]
        angle = math.degrees(math.atan2(dy, dx))
        car = rotated(rounded_rect(cx - 10, cy - 4.5, cx + 10, cy + 4.5, 2.5, per_corner=4), angle, (cx, cy))
        canvas.paint(car + (2, 3), (30, 30, 30), grain=2, opacity=0.5)
        canvas.paint(car, colour, grain=6)
        canvas.paint(rotated(rounded_rect(cx - 2, cy - 3.5, cx + 5, cy + 3.5, 1, per_corner=2), angle, (cx, cy)),
                     (45, 50, 60), grain=4)
        car_indices.append(notes.polygon("car", car, clicks=11))

    # trees: lumpy crowns with shadows; one annotated as a circle, one overlapping a roof
    for i, (cx, cy, radius) in enumerate(((60, 70, 30), (370, 200, 22), (560, 410, 26), (330, 60, 18),
                                          (45, 230, 24), (262, 418, 20))):
        crown = blob(cx, cy, radius, rng, lumpiness=0.09)
        canvas.paint(crown + shadow_offset * 1.2, (30, 40, 25), grain=4, opacity=0.65)
        canvas.paint(crown, (50, 85, 40), grain=24, scale=1.5, shade=lambda u, v: 1.3 - 0.35 * (u + v))
        if i == 0:
            notes.circle("tree", (cx, cy), radius * 1.02)
        else:
            notes.polygon("tree", crown, clicks=int(12 + radius * 0.8))

    mistake = Mistake("miss", shape_index=car_indices[1],
                      description="the dark car on the road is missed (predicted as road)")
    return Scene("aerial/tile_017", canvas.photo(vignette=0.1, sensor_noise=2.5), notes.annotations, mistake)


# -- shelf --------------------------------------------------------------------------------------
def shelf_scene(seed: int) -> Scene:
    """A supermarket shelf: three boards, bottles, boxes, cans and price tags."""
    rng = np.random.default_rng(seed)
    canvas = Canvas(rng, (210, 200, 180))
    notes = Annotator(rng, zoom=1.25, jitter=0.5)
    whole = np.array([(0, 0), (WIDTH, 0), (WIDTH, HEIGHT), (0, HEIGHT)], float)
    canvas.paint(whole, (205, 196, 178), grain=6, scale=3.0, shade=lambda u, v: 1.1 - 0.25 * v - 0.1 * u)
    boards = [(148.0, 0.6), (305.0, -0.4), (462.0, 0.3)]  # top of the board's front edge, tilt (px over the width)
    board_polys = []
    for top, tilt in boards:
        board = np.array([(0, top - 8), (WIDTH, top - 8 + tilt), (WIDTH, top + 14 + tilt), (0, top + 14)])
        canvas.paint(board, (175, 178, 182), grain=6, shade=vertical(1.2, 0.75))
        canvas.paint(np.array([(0, top - 8), (WIDTH, top - 8 + tilt), (WIDTH, top - 4 + tilt), (0, top - 4)]),
                     (230, 232, 235), grain=5)
        board_polys.append(board)
        notes.polygon("shelf", board, clicks=10, corners=True)

    palette = [(200, 40, 40), (40, 90, 170), (235, 190, 40), (40, 140, 80), (150, 60, 140), (230, 110, 30)]
    relabelled = None
    row_layouts = [  # per board: (kind, width) from left to right
        [("box", 78), ("box", 70), ("bottle", 44), ("bottle", 44), ("can", 38), ("can", 38), ("box", 86),
         ("bottle", 50)],
        [("can", 40), ("can", 40), ("can", 40), ("bottle", 46), ("box", 92), ("bottle", 44), ("box", 72),
         ("can", 38)],
        [("box", 96), ("bottle", 52), ("box", 80), ("can", 42), ("can", 42), ("bottle", 48), ("box", 70)],
    ]
    for row, ((top, tilt), layout) in enumerate(zip(boards, row_layouts)):
        base = top - 8
        x = rng.uniform(8, 18)
        previous_box: tuple[float, float, float] | None = None
        for kind, width in layout:
            colour = palette[int(rng.integers(len(palette)))]
            if kind == "box":
                height = rng.uniform(95, 120)
                x0, x1, y0 = x, x + width, base - height
                box = np.array([(x0, y0), (x1, y0), (x1, base), (x0, base)])
                canvas.paint(box, colour, grain=6, shade=lambda u, v: 1.1 - 0.2 * u)
                canvas.paint(np.array([(x0, y0 + 0.35 * height), (x1, y0 + 0.35 * height),
                                       (x1, y0 + 0.55 * height), (x0, y0 + 0.55 * height)]), (240, 238, 230), grain=5)
                canvas.paint(ellipse(x0 + width / 2, y0 + 0.75 * height, width * 0.22, height * 0.1),
                             tuple(np.array(colour) * 0.55), grain=5)
                if row == 1 and width == 92:
                    notes.rectangle("box", (x0, y0), (x1, base))
                else:
                    side = np.array([(x0, y0), (x1, y0), (x1, base), (x0, base)])
                    notes.polygon("box", side, clicks=10, corners=True)
                previous_box = (x0, x1, y0)
                x = x1 + rng.uniform(3, 8)
            elif kind == "bottle":
                height = rng.uniform(110, 135)
                # a bottle stands partly in front of the box to its left (annotated after it)
                if previous_box is not None and rng.uniform() < 0.9:
                    x -= 0.45 * width
                cx = x + width / 2
                half = width / 2
                outline = np.array([(cx - half, base), (cx - half, base - 0.55 * height),
                                    (cx - 0.2 * width, base - 0.78 * height), (cx - 0.14 * width, base - 0.94 * height),
                                    (cx - 0.16 * width, base - height), (cx + 0.16 * width, base - height),
                                    (cx + 0.14 * width, base - 0.94 * height), (cx + 0.2 * width, base - 0.78 * height),
                                    (cx + half, base - 0.55 * height), (cx + half, base)])
                cap = rounded_rect(cx - 0.17 * width, base - height - 1, cx + 0.17 * width, base - 0.95 * height, 1.5)
                outline = outline_of([outline, cap], smooth=7)
                glass = colour if rng.uniform() < 0.5 else (60, 110, 70)
                canvas.paint(outline, glass, grain=5, shade=cylinder(0.5, 1.35))
                canvas.paint(np.array([(cx - half, base - 0.45 * height), (cx + half, base - 0.45 * height),
                                       (cx + half, base - 0.2 * height), (cx - half, base - 0.2 * height)]),
                             (238, 232, 215), grain=5, shade=cylinder(0.7, 1.1))
                canvas.paint(cap, (200, 200, 40), grain=5)
                notes.polygon("bottle", outline, clicks=22)
                previous_box = None
                x += width + rng.uniform(3, 8)
            else:
                height = rng.uniform(58, 68)
                cx, half = x + width / 2, width / 2
                body = np.array([(cx - half, base - height), (cx + half, base - height),
                                 (cx + half, base - 3), (cx - half, base - 3)])
                outline = outline_of([body, ellipse(cx, base - height, half, 4, count=36),
                                      ellipse(cx, base - 3, half, 4, count=36)], smooth=5)
                canvas.paint(outline, colour, grain=5, shade=cylinder(0.45, 1.4))
                canvas.paint(ellipse(cx, base - height, half * 0.92, 3.2, count=36), (200, 200, 205), grain=4)
                index = notes.polygon("can", outline, clicks=16)
                if row == 1 and relabelled is None:
                    relabelled = index
                previous_box = None
                x += width + rng.uniform(2, 6)

    # price tags on the front edge of each board, annotated after the board they overlap
    for top, tilt in boards:
        for tag_x in np.arange(rng.uniform(30, 60), WIDTH - 60, rng.uniform(150, 190)):
            tag = rounded_rect(tag_x, top - 2, tag_x + 46, top + 20, 2.5, per_corner=3)
            canvas.paint(tag, (245, 230, 90) if rng.uniform() < 0.5 else (245, 245, 240), grain=4)
            for line in range(3):
                y = top + 3 + line * 5
                canvas.paint(np.array([(tag_x + 5, y), (tag_x + 30 - 6 * line, y), (tag_x + 30 - 6 * line, y + 2),
                                       (tag_x + 5, y + 2)]), (40, 40, 40), grain=3)
            notes.polygon("price_tag", tag, clicks=10)

    mistake = Mistake("relabel", shape_index=relabelled, label="bottle",
                      description="the first can on the middle board is predicted as a bottle")
    return Scene("shelf", canvas.photo(exposure=1.02, vignette=0.3), notes.annotations, mistake)


# -- the set ------------------------------------------------------------------------------------
def scenes() -> list[Scene]:
    street = StreetLayout(
        vanish=(338.0, 205.0), sky=((95, 140, 200), (190, 205, 225)),
        facades=((178, 140, 110), (205, 195, 175)),
        cars=[(392.0, 318.0, 92.0, (150, 20, 25)), (300.0, 392.0, 150.0, (200, 205, 210))],
        people=[(585.0, 372.0, 150.0, (50, 110, 160))],
        trees=[(92.0, 368.0, 58.0)])
    crossing = StreetLayout(
        vanish=(300.0, 190.0), sky=((70, 80, 130), (235, 160, 110)),
        facades=((120, 110, 120), (150, 130, 115)),
        cars=[(318.0, 262.0, 72.0, (30, 60, 130))],
        people=[(250.0, 338.0, 118.0, (190, 60, 50)), (395.0, 352.0, 126.0, (230, 200, 60))],
        trees=[(575.0, 330.0, 48.0)], zebra=True, exposure=0.8)

    false_person = Mistake(
        "blob", label="person", polygon=blob(30.0, 400.0, 14.0, np.random.default_rng(7), squash=2.2),
        description="a person-shaped false positive on the left sidewalk, where nobody stands")
    sidewalk_as_road = Mistake(
        "region", label="road", polygon=np.array([(470.0, 300.0), (560.0, 330.0), (600.0, 420.0), (500.0, 400.0)]),
        description="a patch of the right sidewalk near the kerb is predicted as road")

    return [
        street_scene("street", street, 11, false_person, zoom=1.6),
        aerial_scene(23),
        shelf_scene(37),
        street_scene("crossing", crossing, 41, sidewalk_as_road, zoom=2.2, embed_image=True),
    ]


# -- writing ------------------------------------------------------------------------------------
def write_scene(scene: Scene) -> Path:
    """Write the JPEG (or embed it) and the LabelMe JSON; return the JSON's path."""
    json_path = ANNOTATIONS / f"{scene.name}.json"
    image_path = json_path.with_suffix(".jpg")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(scene.pixels, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    assert ok
    if scene.embed_image:
        image_path.unlink(missing_ok=True)
        image_data = base64.b64encode(jpeg.tobytes()).decode("ascii")
    else:
        image_path.write_bytes(jpeg.tobytes())
        image_data = None
    document = {
        "version": LABELME_VERSION,
        "flags": {},
        "shapes": [annotation.to_labelme() for annotation in scene.annotations],
        "imagePath": image_path.name,
        "imageData": image_data,
        "imageHeight": HEIGHT,
        "imageWidth": WIDTH,
    }
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return json_path


def write_prediction(scene: Scene, json_path: Path, label_map, *, seed: int) -> None:
    """Rasterize the annotations with segtool, apply the scene's mistake and boundary noise, write."""
    from segtool.annotations import load_annotation_file
    from segtool.maskio import write_mask
    from segtool.raster import rasterize_image

    (image,) = load_annotation_file(json_path)
    if [shape.label for shape in image.shapes] != [a.label for a in scene.annotations]:
        raise AssertionError(f"{json_path}: the reader's shapes do not match the annotations written")
    mistake = scene.mistake
    if mistake.kind == "miss":
        del image.shapes[mistake.shape_index]
    elif mistake.kind == "relabel":
        image.shapes[mistake.shape_index] = dataclasses.replace(image.shapes[mistake.shape_index],
                                                                label=mistake.label)
    labels = rasterize_image(image, label_map).labels
    if mistake.kind == "region":
        region = np.zeros(labels.shape, np.uint8)
        cv2.fillPoly(region, [np.round(mistake.polygon).astype(np.int32)], 1)
        sidewalk = labels == label_map.id_of("sidewalk")
        labels[(region == 1) & sidewalk] = label_map.id_of(mistake.label)
    labels = displace_boundaries(labels, np.random.default_rng(seed))
    if mistake.kind == "blob":
        cv2.fillPoly(labels, [np.round(mistake.polygon).astype(np.int32)], label_map.id_of(mistake.label))
    target = PREDICTIONS / f"{scene.name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_mask(target, labels, palette=label_map.palette())


def displace_boundaries(labels: np.ndarray, rng: np.random.Generator, *, amplitude: float = 2.5) -> np.ndarray:
    """Move every class boundary by a smooth random displacement field of a few pixels."""
    height, width = labels.shape
    fields = []
    for _ in range(2):
        field = cv2.GaussianBlur(rng.standard_normal((height, width)).astype(np.float32), (0, 0), 18)
        fields.append(field / np.abs(field).max() * amplitude)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    return cv2.remap(labels, cols + fields[0], rows + fields[1], cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)


def main() -> None:
    from segtool.labels import LabelMap

    written = [(scene, write_scene(scene)) for scene in scenes()]
    label_map = LabelMap.from_names({a.label for scene, _ in written for a in scene.annotations})
    for number, (scene, json_path) in enumerate(written):
        write_prediction(scene, json_path, label_map, seed=100 + number)
    for scene, json_path in written:
        print(f"{json_path.relative_to(HERE)}: {len(scene.annotations)} shapes; "
              f"prediction: {scene.mistake.description}")


if __name__ == "__main__":
    main()
