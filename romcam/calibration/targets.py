"""Printable calibration targets at exact physical size: a checkerboard and an ArUco marker.

Each target is a page layout in millimetres (black rectangles + text lines) drawn twice: as a
vector PDF on an A4 page (matplotlib, figure size = page size) and as a PNG whose pixel pitch is
exactly 120 px/cm, recorded in the PNG's pHYs chunk (304.8 dpi), so 25 mm = 300 px.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from romcam.calibration.markers import MARKER_DICTIONARY, MARKER_DICTIONARY_NAME, MARKER_ID

logger = logging.getLogger(__name__)

MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)  # portrait width, height
#: PNG pixels per millimetre: integer pixels for 25 mm squares and 100/6 mm marker cells.
PNG_PX_PER_MM = 12


@dataclass(frozen=True)
class CheckerboardSpec:
    """A checkerboard by its inner corners (what OpenCV finds) and square side in mm."""

    inner_cols: int = 9
    inner_rows: int = 6
    square_mm: float = 25.0

    def __post_init__(self) -> None:
        if self.inner_cols < 3 or self.inner_rows < 3 or self.inner_cols == self.inner_rows:
            raise ValueError(
                "a checkerboard needs >= 3 inner corners each way and different counts (so its "
                f"orientation is unambiguous); got {self.inner_cols}x{self.inner_rows}"
            )
        if not self.square_mm > 0:
            raise ValueError(f"square_mm must be > 0; got {self.square_mm}")

    @property
    def pattern_size(self) -> tuple[int, int]:
        """(columns, rows) of inner corners, as OpenCV's patternSize."""
        return self.inner_cols, self.inner_rows

    def object_points(self) -> np.ndarray:
        """(N, 3) float32 inner-corner positions in mm on the board plane (z = 0), row-major."""
        xs, ys = np.meshgrid(np.arange(self.inner_cols), np.arange(self.inner_rows))
        pts = np.stack([xs.ravel(), ys.ravel(), np.zeros(xs.size)], axis=1)
        return (pts * self.square_mm).astype(np.float32)


@dataclass(frozen=True)
class Rect:
    """A black rectangle on the page: top-left x, y and size in mm (y down)."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextLine:
    """A line of text whose baseline starts at x, y mm; size in points."""

    x: float
    y: float
    size_pt: float
    text: str


@dataclass(frozen=True)
class PageLayout:
    """One printable page: size in mm and what is drawn on it."""

    name: str
    width_mm: float
    height_mm: float
    rects: tuple[Rect, ...]
    texts: tuple[TextLine, ...]


def checkerboard_rects(spec: CheckerboardSpec, x0: float, y0: float) -> list[Rect]:
    """Black squares of ``spec``'s board with its top-left square (black) at x0, y0 mm."""
    s = spec.square_mm
    return [
        Rect(x0 + c * s, y0 + r * s, s, s)
        for r in range(spec.inner_rows + 1)
        for c in range(spec.inner_cols + 1)
        if (r + c) % 2 == 0
    ]


def marker_bits(marker_id: int = MARKER_ID) -> np.ndarray:
    """(6, 6) bool, True = black cell, of a DICT_4X4_50 marker including its black border."""
    dictionary = cv2.aruco.getPredefinedDictionary(MARKER_DICTIONARY)
    return cv2.aruco.generateImageMarker(dictionary, marker_id, 6, borderBits=1) < 128


def marker_rects(side_mm: float, x0: float, y0: float, marker_id: int = MARKER_ID) -> list[Rect]:
    """Black cells of the marker whose outer black edge is ``side_mm`` wide, top-left at x0, y0."""
    bits = marker_bits(marker_id)
    cell = side_mm / bits.shape[0]
    return [
        Rect(x0 + c * cell, y0 + r * cell, cell, cell)
        for r, c in zip(*np.nonzero(bits), strict=True)
    ]


def checkerboard_page(spec: CheckerboardSpec | None = None) -> PageLayout:
    """The checkerboard centred on a landscape A4 page, with printing instructions."""
    spec = spec or CheckerboardSpec()
    page_w, page_h = A4_MM[1], A4_MM[0]
    board_w = (spec.inner_cols + 1) * spec.square_mm
    board_h = (spec.inner_rows + 1) * spec.square_mm
    x0, y0 = (page_w - board_w) / 2, (page_h - board_h) / 2
    texts = (
        TextLine(
            x0,
            y0 - 6,
            9,
            f"romcam checkerboard: {spec.inner_cols}x{spec.inner_rows} inner "
            f"corners, {spec.square_mm:g} mm squares. Print at 100 % (no fit-to-page).",
        ),
        TextLine(
            x0,
            y0 + board_h + 9,
            8,
            f"Check with a ruler: each square must be "
            f"{spec.square_mm:g} mm. Glue flat on stiff card.",
        ),
    )
    return PageLayout(
        "checkerboard", page_w, page_h, tuple(checkerboard_rects(spec, x0, y0)), texts
    )


def marker_page(side_mm: float = 100.0, marker_id: int = MARKER_ID) -> PageLayout:
    """The ArUco marker on a portrait A4 page, with its top marked and a check length."""
    page_w, page_h = A4_MM
    x0, y0 = (page_w - side_mm) / 2, 60.0
    texts = (
        TextLine(x0, y0 - 14, 10, "TOP - hang this edge level (spirit or phone level)"),
        TextLine(
            x0,
            y0 - 6,
            8,
            f"ArUco {MARKER_DICTIONARY_NAME} id {marker_id}. Print at 100 % (no fit-to-page).",
        ),
        TextLine(
            x0,
            y0 + side_mm + 10,
            8,
            f"Check with a ruler: the black square must be "
            f"{side_mm:g} mm wide. Keep the white border.",
        ),
        TextLine(
            x0, y0 + side_mm + 16, 8, f"Scale: romcam calibrate scale --marker-cm {side_mm / 10:g}"
        ),
    )
    return PageLayout(
        "aruco_marker", page_w, page_h, tuple(marker_rects(side_mm, x0, y0, marker_id)), texts
    )


def render_png_array(layout: PageLayout, px_per_mm: int = PNG_PX_PER_MM) -> np.ndarray:
    """(H, W) uint8 page image, white with black rectangles and text, at ``px_per_mm``."""
    height = round(layout.height_mm * px_per_mm)
    width = round(layout.width_mm * px_per_mm)
    page = np.full((height, width), 255, dtype=np.uint8)
    for r in layout.rects:
        x1, y1 = round(r.x * px_per_mm), round(r.y * px_per_mm)
        x2, y2 = round((r.x + r.w) * px_per_mm), round((r.y + r.h) * px_per_mm)
        page[y1:y2, x1:x2] = 0
    for t in layout.texts:
        # Hershey simplex cap height is ~22 px at scale 1; 1 pt = 0.3528 mm.
        scale = t.size_pt * 0.3528 * 0.72 * px_per_mm / 22
        origin = (round(t.x * px_per_mm), round(t.y * px_per_mm))
        cv2.putText(page, t.text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 2, cv2.LINE_AA)
    return page


def write_png(layout: PageLayout, path: Path, px_per_mm: int = PNG_PX_PER_MM) -> Path:
    """Write the page as a PNG with its physical pixel pitch in the pHYs chunk."""
    from PIL import Image  # Pillow comes with matplotlib

    dpi = px_per_mm * MM_PER_INCH
    Image.fromarray(render_png_array(layout, px_per_mm)).save(path, dpi=(dpi, dpi))
    return path


def write_pdf(layout: PageLayout, path: Path) -> Path:
    """Write the page as a one-page vector PDF exactly ``layout``'s size."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(layout.width_mm / MM_PER_INCH, layout.height_mm / MM_PER_INCH))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, layout.width_mm)
    ax.set_ylim(layout.height_mm, 0)  # y down, as on the page
    ax.set_axis_off()
    for r in layout.rects:
        ax.add_patch(
            Rectangle(
                (r.x, r.y),
                r.w,
                r.h,
                facecolor="black",
                edgecolor="none",
                linewidth=0,
                antialiased=False,
            )
        )
    for t in layout.texts:
        ax.text(t.x, t.y, t.text, fontsize=t.size_pt, va="baseline", ha="left")
    fig.savefig(
        path,
        format="pdf",
        metadata={"Title": f"romcam {layout.name}", "Creator": "romcam", "CreationDate": None},
    )
    return path


def write_targets(
    out_dir: Path, spec: CheckerboardSpec | None = None, marker_side_mm: float = 100.0
) -> list[Path]:
    """Write checkerboard and marker pages as PDF and PNG into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for layout in (checkerboard_page(spec), marker_page(marker_side_mm)):
        written.append(write_pdf(layout, out_dir / f"{layout.name}.pdf"))
        written.append(write_png(layout, out_dir / f"{layout.name}.png"))
    logger.info("wrote %d target files to %s", len(written), out_dir)
    return written
