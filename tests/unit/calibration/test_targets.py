"""Printable targets: exact physical size in the PDF and the PNG, and detectable by OpenCV."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from romcam.calibration.markers import detect_markers
from romcam.calibration.targets import (
    MM_PER_INCH,
    CheckerboardSpec,
    checkerboard_page,
    marker_page,
    render_png_array,
    write_pdf,
    write_png,
)

PT_PER_MM = 72 / MM_PER_INCH


def pdf_filled_boxes_mm(path: Path) -> tuple[tuple[float, float], np.ndarray]:
    """(page width, height) and (N, 4) x0, y0, x1, y1 of filled 4-corner paths, in mm."""
    data = path.read_bytes()
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box is not None
    page = (float(box.group(1)) / PT_PER_MM, float(box.group(2)) / PT_PER_MM)
    boxes = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(stream.group(1)).decode("latin1")
        except zlib.error:
            continue
        quad = r"([\d.]+) ([\d.]+) m\s+" + r"([\d.]+) ([\d.]+) l\s+" * 3 + r"h\s+f"
        for m in re.finditer(quad, text):
            xy = np.array(m.groups(), dtype=float).reshape(4, 2) / PT_PER_MM
            boxes.append([*xy.min(axis=0), *xy.max(axis=0)])
    return page, np.array(boxes)


def test_checkerboard_pdf_is_a4_with_25_mm_squares(tmp_path: Path) -> None:
    page, boxes = pdf_filled_boxes_mm(write_pdf(checkerboard_page(), tmp_path / "c.pdf"))
    assert page == pytest.approx((297.0, 210.0), abs=0.01)
    squares = boxes[(boxes[:, 2] - boxes[:, 0]) < 100]  # drop the white page background
    assert len(squares) == 35  # 10 x 7 squares, half black
    np.testing.assert_allclose(squares[:, 2] - squares[:, 0], 25.0, atol=1e-3)
    np.testing.assert_allclose(squares[:, 3] - squares[:, 1], 25.0, atol=1e-3)
    extent = squares[:, 2].max() - squares[:, 0].min(), squares[:, 3].max() - squares[:, 1].min()
    assert extent == pytest.approx((250.0, 175.0), abs=1e-3)


def test_marker_pdf_is_a4_with_a_100_mm_marker(tmp_path: Path) -> None:
    page, boxes = pdf_filled_boxes_mm(write_pdf(marker_page(), tmp_path / "m.pdf"))
    assert page == pytest.approx((210.0, 297.0), abs=0.01)
    cells = boxes[(boxes[:, 2] - boxes[:, 0]) < 100]
    np.testing.assert_allclose(cells[:, 2] - cells[:, 0], 100.0 / 6, atol=1e-3)
    extent = cells[:, 2].max() - cells[:, 0].min(), cells[:, 3].max() - cells[:, 1].min()
    assert extent == pytest.approx((100.0, 100.0), abs=1e-3)


def test_checkerboard_png_has_physical_pixels_and_is_detected(tmp_path: Path) -> None:
    path = write_png(checkerboard_page(), tmp_path / "c.png")
    with Image.open(path) as im:
        dpi = im.info["dpi"]
        pixels = np.asarray(im.convert("L"))
    assert dpi == pytest.approx((304.8, 304.8), abs=0.01)  # 120 px/cm
    assert pixels.shape == (2520, 3564)  # 210 x 297 mm
    small = cv2.resize(pixels, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    found, corners = cv2.findChessboardCorners(small, CheckerboardSpec().pattern_size)
    assert found
    grid = corners.reshape(6, 9, 2) * 4  # back to full-resolution pixels
    steps = np.linalg.norm(np.diff(grid, axis=1), axis=2)
    assert np.median(steps) == pytest.approx(300.0, abs=1.0)  # 25 mm at 120 px/cm


def test_marker_png_is_detected_at_100_mm(tmp_path: Path) -> None:
    path = write_png(marker_page(), tmp_path / "m.png")
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("L"))
    small = cv2.resize(pixels, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    found = detect_markers(small)
    assert list(found) == [0]
    side = np.linalg.norm(np.diff(found[0], axis=0, append=found[0][:1]), axis=1) * 4
    np.testing.assert_allclose(side, 1200.0, atol=4.0)  # 100 mm at 12 px/mm


def text_lines(letters: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """(top row, bottom row, first column, last column, ink pixels) of each line of text in an
    (H, W) bool mask of letter ink, top to bottom."""
    rows = np.flatnonzero(letters.any(axis=1))
    breaks = np.flatnonzero(np.diff(rows) > 1)
    lines = []
    for top, bottom in zip(rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, -1]], strict=True):
        cols = np.flatnonzero(letters[top : bottom + 1].any(axis=0))
        lines.append((top, bottom, cols[0], cols[-1], int(letters[top : bottom + 1].sum())))
    return lines


def test_committed_targets_match_the_generator() -> None:
    # The squares must match to the pixel. The text cannot: OpenCV releases draw its Hershey
    # font a little differently (5.0 -> 5.1 moved a third of the letter pixels and made lines
    # up to 2.5 % shorter), so each line of text must only stand at the same place with about
    # the same length and weight: a moved, added or reworded line fails, a one-letter edit may
    # not.
    folder = Path(__file__).resolve().parents[3] / "calibration"
    for name, layout in (("checkerboard", checkerboard_page()), ("aruco_marker", marker_page())):
        with Image.open(folder / f"{name}.png") as im:
            committed = np.asarray(im.convert("L"))
        rendered = render_png_array(layout)
        squares = render_png_array(replace(layout, texts=())) < 128
        letters = [(img < 128) & ~squares for img in (committed, rendered)]
        near_text = cv2.dilate((letters[0] | letters[1]).astype(np.uint8), np.ones((9, 9))) > 0
        np.testing.assert_array_equal(committed[~near_text], rendered[~near_text])
        got, want = (text_lines(m) for m in letters)
        assert len(got) == len(want) == len(layout.texts)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g[:3], w[:3], atol=6)  # 0.5 mm at 12 px/mm
            assert g[3] - g[2] == pytest.approx(w[3] - w[2], rel=0.04)  # the line's length
            assert g[4] == pytest.approx(w[4], rel=0.1)
        assert (folder / f"{name}.pdf").read_bytes().startswith(b"%PDF")
