"""Draw animation frames offline with Pillow: oblasts, the front line in force, the window's incidents.

The projection is equirectangular with the x axis scaled by cos(48.5°), Ukraine's middle
latitude: at this scale (about 73 px per degree of latitude) its distortion across Ukraine
(44–52.5° N) is below 6 % in east-west lengths, which no reader can see on a 1280×720 frame;
nothing is measured on the frames. The static layers (neighbours, oblasts, city labels) are
drawn once; the occupied area of each snapshot is drawn once and reused while it is in force;
per frame only the incidents of its window are drawn, deduplicated to one dot per pixel cell
and class, so a frame costs the same at 1,000 or 1,000,000 incidents.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from PIL import Image, ImageDraw, ImageFont

from geo.animation.plan import FramePlan
from geo.i18n import N_, Translator, translator
from geo.taxonomy import TARGET_TYPES, bitmask
from geo.viz.map import TARGET_CLASSES

WIDTH, HEIGHT = 1280, 720
#: Map panel (left) and the text panel (right) in a 1280×720 frame; scaled with the frame size.
HEADER, FOOTER, PANEL = 64, 56, 360
LON_RANGE, LAT_RANGE = (22.0, 40.4), (44.2, 52.5)
COS_LAT = math.cos(math.radians(48.5))
BACKGROUND = (226, 233, 238)
LAND_OTHER = (236, 234, 228)
UKRAINE_FILL = (252, 251, 247)
OBLAST_LINE = (150, 150, 150)
OCCUPIED = (127, 39, 4, 70)
CONTESTED = (253, 174, 107, 110)
CONTACT = (0, 0, 0, 255)
TEXT = (20, 20, 20)
MUTED = (70, 70, 70)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

#: A few cities named on every frame so that readers can place the dots (approximate centres).
#: Names are English message ids, shown in the frame's language.
CITIES: tuple[tuple[str, float, float], ...] = (
    (N_("Kyiv"), 30.52, 50.45), (N_("Kharkiv"), 36.23, 49.99), (N_("Odesa"), 30.73, 46.48),
    (N_("Dnipro"), 35.05, 48.46), (N_("Lviv"), 24.03, 49.84), (N_("Zaporizhzhia"), 35.14, 47.84),
    (N_("Kherson"), 32.62, 46.64), (N_("Donetsk"), 37.80, 48.00), (N_("Sumy"), 34.80, 50.91),
    (N_("Chernihiv"), 31.29, 51.49), (N_("Mykolaiv"), 31.99, 46.97), (N_("Sevastopol"), 33.52, 44.62),
)
#: The legend's class names (:data:`geo.viz.map.TARGET_CLASSES`), marked for the catalogue.
CLASS_LABELS: tuple[str, ...] = (
    N_("Residential"),
    N_("Education"),
    N_("Healthcare"),
    N_("Energy and water"),
    N_("Transport"),
    N_("Commercial, industrial, food"),
    N_("Cultural, religious, government"),
    N_("Humanitarian"),
    N_("Military"),
    N_("Other or unknown"),
)


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class FrameText:
    """Words every frame carries."""

    title: str
    filters: str
    credits: Sequence[str]
    data_date: str
    unit: str = "incidents"
    lang: str = "en"

    @property
    def translate(self) -> Translator:
        """The translator of the frame's language."""
        return translator(self.lang)


def show_date(value, _: Translator) -> str:
    """Write a date (Timestamp, date or ISO text) as in the translator's language; other text unchanged."""
    try:
        return _.date(pd.Timestamp(value).date())
    except (ValueError, TypeError):
        return str(value)


class FrameRenderer:
    """Draws frames of one animation; holds the static base image and the current snapshot layer.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Admin-1 units (outlines on every frame).
    neighbours : shapely.Geometry or None
        Neighbouring states drawn as other land.
    frontlines : geopandas.GeoDataFrame or None
        Snapshots (``geometry`` = occupied area, ``contact_line``, ``contested``).
    text : FrameText
        Title, filters, credits, data date.
    size : tuple of int
        Frame width and height in pixels (even numbers, for H.264).
    window_days : int
        Days each frame shows; older dots in the window are drawn fainter.
    """

    def __init__(self, boundaries, neighbours, frontlines, text: FrameText, size=(WIDTH, HEIGHT), window_days=7):
        self.width, self.height = int(size[0]), int(size[1])
        self.scale = self.width / WIDTH
        self.text = text
        self.frontlines = frontlines
        self.window_days = max(1, int(window_days))
        self._map_box = (0, int(HEADER * self.scale), self.width - int(PANEL * self.scale),
                         self.height - int(FOOTER * self.scale))
        x0, y0, x1, y1 = self._map_box
        span_x = (LON_RANGE[1] - LON_RANGE[0]) * COS_LAT
        span_y = LAT_RANGE[1] - LAT_RANGE[0]
        self._ppd = min((x1 - x0) / span_x, (y1 - y0) / span_y)
        self._ox = x0 + ((x1 - x0) - span_x * self._ppd) / 2
        self._oy = y0 + ((y1 - y0) - span_y * self._ppd) / 2
        self._snapshot_cache: tuple[int, Image.Image] | None = None
        self._base = self._draw_base(boundaries, neighbours)

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Return pixel x, y of longitudes and latitudes (arrays)."""
        x = self._ox + (np.asarray(lon, dtype="float64") - LON_RANGE[0]) * COS_LAT * self._ppd
        y = self._oy + (LAT_RANGE[1] - np.asarray(lat, dtype="float64")) * self._ppd
        return x, y

    def _rings(self, geometry) -> list[tuple[list, list[list]]]:
        """Polygons of ``geometry`` as pixel rings: [(exterior, [holes…]), …]."""
        out = []
        geometry = shapely.simplify(geometry, 0.5 / self._ppd)
        for polygon in getattr(geometry, "geoms", [geometry]):
            if polygon.is_empty or polygon.geom_type != "Polygon":
                continue
            rings = [polygon.exterior, *polygon.interiors]
            pixel = []
            for ring in rings:
                coords = np.asarray(ring.coords)
                x, y = self.project(coords[:, 0], coords[:, 1])
                pixel.append(list(zip(x.tolist(), y.tolist(), strict=True)))
            if len(pixel[0]) >= 3:
                out.append((pixel[0], pixel[1:]))
        return out

    def _fill(self, draw: ImageDraw.ImageDraw, geometry, fill, outline=None, width=1) -> None:
        if geometry is None or geometry.is_empty:
            return
        for exterior, holes in self._rings(geometry):
            draw.polygon(exterior, fill=fill, outline=outline, width=width)
            for hole in holes:
                if len(hole) >= 3:
                    draw.polygon(hole, fill=(0, 0, 0, 0) if len(fill) == 4 else BACKGROUND)

    def _draw_base(self, boundaries, neighbours) -> Image.Image:
        image = Image.new("RGB", (self.width, self.height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        if neighbours is not None:
            self._fill(draw, neighbours, LAND_OTHER, outline=(190, 190, 190))
        for geometry in boundaries.geometry:
            self._fill(draw, geometry, UKRAINE_FILL, outline=OBLAST_LINE)
        font = _font(max(9, int(12 * self.scale)))
        _ = self.text.translate
        for name, lon, lat in CITIES:
            name = _(name)
            x, y = self.project(lon, lat)
            x, y = float(x), float(y)
            r = 2.5 * self.scale
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(60, 60, 60))
            draw.text((x + 4 * self.scale, y - 7 * self.scale), name, fill=MUTED, font=font)
        return image

    def _snapshot_layer(self, snapshot: int) -> Image.Image:
        if self._snapshot_cache is not None and self._snapshot_cache[0] == snapshot:
            return self._snapshot_cache[1]
        layer = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        row = self.frontlines.iloc[snapshot]
        self._fill(draw, row.geometry, OCCUPIED)
        contested = row.get("contested")
        if contested is not None and not (isinstance(contested, float) and math.isnan(contested)):
            self._fill(draw, contested, CONTESTED)
        line = row.get("contact_line")
        if line is not None and not (isinstance(line, float) and math.isnan(line)) and not line.is_empty:
            line = shapely.simplify(line, 0.5 / self._ppd)
            for part in getattr(line, "geoms", [line]):
                coords = np.asarray(part.coords)
                if len(coords) >= 2:
                    x, y = self.project(coords[:, 0], coords[:, 1])
                    draw.line(list(zip(x.tolist(), y.tolist(), strict=True)), fill=CONTACT,
                              width=max(1, int(2 * self.scale)))
        self._snapshot_cache = (snapshot, layer)
        return layer

    def render(self, plan: FramePlan, points: dict[str, np.ndarray], counts: dict[str, str]) -> Image.Image:
        """Draw one frame.

        Parameters
        ----------
        plan : FramePlan
            The frame (date, window, snapshot, seam).
        points : dict
            Arrays for the window's incidents: ``x``, ``y`` (pixels), ``cls`` (index into
            :data:`geo.viz.map.TARGET_CLASSES`), ``hollow`` (bool), ``age`` (days before the frame date).
        counts : dict
            Lines for the panel: ``window`` (what the window holds), ``total`` (the whole filter).

        Returns
        -------
        PIL.Image.Image
            RGB frame.
        """
        image = self._base.copy().convert("RGBA")
        if plan.snapshot >= 0 and self.frontlines is not None:
            image.alpha_composite(self._snapshot_layer(plan.snapshot))
        image.alpha_composite(self._points_layer(points))
        frame = image.convert("RGB")
        self._draw_text(ImageDraw.Draw(frame), plan, counts)
        return frame

    def _points_layer(self, points: dict[str, np.ndarray]) -> Image.Image:
        layer = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        if len(points["x"]) == 0:
            return layer
        draw = ImageDraw.Draw(layer)
        x = np.round(points["x"]).astype(np.int64)
        y = np.round(points["y"]).astype(np.int64)
        age = np.clip(points["age"] / self.window_days, 0, 1)
        # Newest last so it is drawn on top; one dot per 3-px cell, class and style (newest wins).
        order = np.argsort(-points["age"], kind="stable")
        key = ((x[order] // 3) * 100_000 + (y[order] // 3)) * 32 + points["cls"][order] * 2 + points["hollow"][order]
        _, last = np.unique(key[::-1], return_index=True)
        keep = order[len(order) - 1 - last]
        keep = keep[np.argsort(-points["age"][keep], kind="stable")]
        r = 4.5 * self.scale
        for i in keep.tolist():
            _, _, colour, _ = TARGET_CLASSES[int(points["cls"][i])]
            rgb = tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))
            alpha = int(255 * (1.0 - 0.65 * float(age[i])))
            box = (x[i] - r, y[i] - r, x[i] + r, y[i] + r)
            if points["hollow"][i]:
                draw.ellipse(box, outline=(*rgb, alpha), width=max(1, int(1.5 * self.scale)))
            else:
                draw.ellipse(box, fill=(*rgb, alpha), outline=(40, 40, 40, alpha))
        return layer

    def _draw_text(self, draw: ImageDraw.ImageDraw, plan: FramePlan, counts: dict[str, str]) -> None:
        s = self.scale
        _ = self.text.translate
        draw.rectangle((0, 0, self.width, int(HEADER * s)), fill=(255, 255, 255))
        draw.text((int(16 * s), int(10 * s)), self.text.title, fill=TEXT, font=_font(int(22 * s), bold=True))
        if plan.window_start == plan.date:
            window = _("Incidents dated {date}", date=show_date(plan.date, _))
        else:
            window = _("Incidents dated {start} – {end}", start=show_date(plan.window_start, _),
                       end=show_date(plan.date, _))
        draw.text((int(16 * s), int(38 * s)), window, fill=MUTED, font=_font(int(15 * s)))
        draw.text((self.width - int(PANEL * s) - int(10 * s), int(12 * s)), show_date(plan.date, _), fill=TEXT,
                  font=_font(int(34 * s), bold=True), anchor="ra")
        x0 = self.width - int(PANEL * s)
        draw.rectangle((x0, int(HEADER * s), self.width, self.height - int(FOOTER * s)), fill=(255, 255, 255))
        y = int(HEADER * s) + int(10 * s)
        x = x0 + int(14 * s)
        body, small = _font(int(14 * s)), _font(int(12 * s))

        def line(text, font=body, fill=TEXT, width=44):
            nonlocal y
            for part in textwrap.wrap(text, width) or [""]:
                draw.text((x, y), part, fill=fill, font=font)
                y += int(font.size + 4)

        def key(text):
            nonlocal y
            draw.text((x + 3 * r, y), text, fill=TEXT, font=small)
            y += int(17 * s)

        if plan.snapshot >= 0:
            line(_("Front line: snapshot of {date}", date=show_date(plan.snapshot_date, _)),
                 font=_font(int(14 * s), bold=True))
        elif self.frontlines is not None and len(self.frontlines):
            first = pd.to_datetime(self.frontlines["snapshot_date"]).min()
            line(_("No front line shown: the first snapshot is dated {date}", date=show_date(first, _)),
                 fill=(150, 30, 0))
        else:
            line(_("No front line loaded"), fill=(150, 30, 0))
        if plan.seam:
            line(_("Seam: front-line source changes here, {seam}; the line may move because the mapping changed",
                   seam=plan.seam), font=small, fill=(150, 30, 0), width=52)
        y += int(4 * s)
        line(counts.get("window", ""), font=_font(int(14 * s), bold=True))
        line(counts.get("total", ""), font=small, fill=MUTED, width=52)
        y += int(6 * s)
        line(_("Filters: {filters}", filters=self.text.filters), font=small, fill=MUTED, width=52)
        y += int(8 * s)
        r = int(5 * s)
        for _code, label, colour, _codes in TARGET_CLASSES:
            draw.ellipse((x, y + 2, x + 2 * r, y + 2 + 2 * r), fill=colour, outline=(40, 40, 40))
            key(_(label))
        draw.ellipse((x, y + 2, x + 2 * r, y + 2 + 2 * r), outline=(60, 60, 60), width=max(1, int(1.5 * s)))
        key(_("hollow: approximate location"))
        draw.rectangle((x, y + 2, x + 2 * r, y + 2 + 2 * r), fill=(220, 190, 180), outline=(127, 39, 4))
        key(_("occupied area (as mapped on the snapshot date)"))
        draw.line((x, y + 7 * s, x + 2 * r, y + 7 * s), fill=CONTACT, width=max(1, int(2 * s)))
        key(_("line of contact"))
        draw.text((x, y), _.ngettext("fainter dots: older within the {n}-day window",
                                     "fainter dots: older within the {n}-day window", self.window_days),
                  fill=MUTED, font=small)
        top = self.height - int(FOOTER * s)
        draw.rectangle((0, top, self.width, self.height), fill=(245, 245, 245))
        credits = "; ".join(self.text.credits)
        foot = _font(int(11 * s))
        text = _("Data as of {date}. Sources and licences: {credits}", date=show_date(self.text.data_date, _),
                 credits=credits)
        for k, part in enumerate(textwrap.wrap(text, int(200 / max(s, 0.5)))[:3]):
            draw.text((int(12 * s), top + int(6 * s) + k * int(15 * s)), part, fill=MUTED, font=foot)


def render_card(size, title: str, lines: Sequence[str]) -> Image.Image:
    """Draw a title or end card: a heading and wrapped lines of text on white.

    Parameters
    ----------
    size : tuple of int
        Width and height.
    title : str
        Heading.
    lines : sequence of str
        Paragraphs.

    Returns
    -------
    PIL.Image.Image
    """
    width, height = int(size[0]), int(size[1])
    s = width / WIDTH
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    y = int(120 * s)
    for part in textwrap.wrap(title, 48):
        draw.text((int(80 * s), y), part, fill=TEXT, font=_font(int(36 * s), bold=True))
        y += int(46 * s)
    y += int(20 * s)
    for paragraph in lines:
        for part in textwrap.wrap(paragraph, 110):
            if y > height - int(40 * s):
                return image
            draw.text((int(80 * s), y), part, fill=MUTED, font=_font(int(16 * s)))
            y += int(22 * s)
        y += int(8 * s)
    return image


def target_classes(target_bits: np.ndarray, selected: Sequence[str] = ()) -> np.ndarray:
    """Display class (index into :data:`TARGET_CLASSES`) of each incident from its target bit set.

    A class that holds a selected target type wins; otherwise the first class in
    :data:`TARGET_CLASSES` order that the incident has; "other or unknown" when none.

    Parameters
    ----------
    target_bits : numpy.ndarray of int64
        Bit sets over :data:`geo.taxonomy.TARGET_TYPES`.
    selected : sequence of str
        Target type codes chosen in the filter.

    Returns
    -------
    numpy.ndarray of int64
    """
    bits = np.asarray(target_bits, dtype=np.int64)
    result = np.full(len(bits), len(TARGET_CLASSES) - 1, dtype=np.int64)
    chosen = np.zeros(len(bits), dtype=bool)
    wanted = bitmask(selected, TARGET_TYPES)
    order = list(range(len(TARGET_CLASSES)))
    if wanted:
        order = ([i for i in order if bitmask(TARGET_CLASSES[i][3], TARGET_TYPES) & wanted]
                 + [i for i in order if not bitmask(TARGET_CLASSES[i][3], TARGET_TYPES) & wanted])
    for i in order:
        hit = ~chosen & ((bits & bitmask(TARGET_CLASSES[i][3], TARGET_TYPES)) != 0)
        result[hit] = i
        chosen |= hit
    return result
