"""Plane geometry: wrapping, signed/interior angles, the up frame and the roll correction."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.geometry import (
    direction_deg,
    image_to_up,
    interior_angle,
    mirror_x,
    rotate,
    signed_angle,
    wrap_deg,
)


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (0.0, 0.0),
        (180.0, 180.0),
        (-180.0, 180.0),
        (190.0, -170.0),
        (540.0, 180.0),
        (-30.0, -30.0),
        (359.5, -0.5),
    ],
)
def test_wrap_deg_range_is_half_open(angle: float, expected: float) -> None:
    assert wrap_deg(angle) == pytest.approx(expected)


def test_wrap_deg_keeps_nan() -> None:
    assert np.isnan(wrap_deg(np.array([np.nan]))[0])


@pytest.mark.parametrize("deg", [-179.0, -120.0, -45.0, 0.0, 10.0, 90.0, 135.0, 180.0])
def test_signed_angle_is_counter_clockwise_positive(deg: float) -> None:
    u = np.array([[1.0, 0.0]])
    v = rotate(u, deg)
    assert signed_angle(u, v)[0] == pytest.approx(deg, abs=1e-9)
    # Rotating both vectors together does not change the angle between them.
    assert signed_angle(rotate(u, 33.0), rotate(v, 33.0))[0] == pytest.approx(deg, abs=1e-9)


def test_signed_angle_nan_for_degenerate_vectors() -> None:
    out = signed_angle(np.array([[0.0, 0.0], [np.nan, 1.0]]), np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert np.isnan(out).all()


def test_interior_angle() -> None:
    a, b = np.array([[0.0, 1.0]]), np.array([[0.0, 0.0]])
    assert interior_angle(a, b, np.array([[1.0, 0.0]]))[0] == pytest.approx(90.0)
    assert interior_angle(a, b, np.array([[0.0, -2.0]]))[0] == pytest.approx(180.0)
    assert interior_angle(a, b, np.array([[-1.0, 1.0]]))[0] == pytest.approx(45.0)


def test_direction_deg() -> None:
    v = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, -3.0]])
    np.testing.assert_allclose(direction_deg(v), [45.0, 180.0, -90.0])


def test_image_to_up_flips_y_and_centres() -> None:
    px = np.array([[0.0, 0.0], [100.0, 50.0], [200.0, 100.0]])
    np.testing.assert_allclose(image_to_up(px, 200, 100), [[-100, 50], [0, 0], [100, -50]])


@pytest.mark.parametrize("roll", [-12.0, -3.0, 4.5, 20.0])
def test_roll_correction_levels_a_tilted_horizontal(roll: float) -> None:
    """A level line shown rising to the right by ``roll`` on screen becomes horizontal."""
    r = np.radians(roll)
    start = np.array([300.0, 400.0])
    end = start + 200.0 * np.array([np.cos(r), -np.sin(r)])  # screen y points down
    up = image_to_up(np.stack([start, end]), 640, 480, roll)
    assert direction_deg((up[1] - up[0])[None])[0] == pytest.approx(0.0, abs=1e-9)


def test_roll_correction_keeps_segment_angles() -> None:
    rng = np.random.default_rng(3)
    a, b, c = (rng.uniform(0, 500, size=(20, 2)) for _ in range(3))
    before = interior_angle(a, b, c)
    after = interior_angle(*(image_to_up(p, 640, 480, 17.0) for p in (a, b, c)))
    np.testing.assert_allclose(before, after, atol=1e-9)


def test_mirror_x_per_frame() -> None:
    pts = np.array([[[1.0, 2.0]], [[3.0, 4.0]]])
    np.testing.assert_allclose(mirror_x(pts, np.array([1.0, -1.0])), [[[1, 2]], [[-3, 4]]])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: signed_angle(np.zeros((3, 3)), np.zeros((3, 2))), r"u must be .*\(\.\.\., 2\)"),
        (lambda: rotate([1.0, 2.0], 10.0), r"points must be"),  # type: ignore[arg-type]
        (lambda: image_to_up(np.zeros((2, 2)), 0, 10), "image size must be positive"),
        (
            lambda: image_to_up(np.zeros((2, 2)), 10, 10, float("nan")),
            "roll_deg must be a finite number",
        ),
        (lambda: image_to_up(np.zeros((2, 3)), 10, 10), r"pixels must be"),
    ],
)
def test_bad_input(call: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()  # type: ignore[operator]
