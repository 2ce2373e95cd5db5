"""Posture formulas referenced to the horizontal / vertical, in subject-frame up coordinates."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core import posture


def _p(*xy: float) -> np.ndarray:
    return np.array([xy], dtype=float)


@pytest.mark.parametrize("tilt", [-8.0, 0.0, 3.0, 12.0])
def test_line_tilt_left_higher_positive(tilt: float) -> None:
    a = np.radians(tilt)
    left, right = _p(np.cos(a), np.sin(a)), _p(-np.cos(a), -np.sin(a))
    assert posture.line_tilt(left, right)[0] == pytest.approx(tilt)


@pytest.mark.parametrize("lean", [-15.0, 0.0, 4.0, 30.0])
def test_lean_from_vertical(lean: float) -> None:
    a = np.radians(lean)
    assert posture.lean_from_vertical(_p(0, 0), _p(np.sin(a), np.cos(a)))[0] == pytest.approx(lean)


@pytest.mark.parametrize(
    ("ear", "cva"),
    [((0.0, 1.0), 90.0), ((1.0, 1.0), 45.0), ((-1.0, 1.0), 135.0), ((2.0, 1.0), 26.565)],
)
def test_craniovertebral_angle(ear: tuple[float, float], cva: float) -> None:
    got = posture.craniovertebral_angle(_p(0.0, 0.0), _p(*ear))[0]
    assert got == pytest.approx(cva, abs=1e-3)


def test_forward_head_px() -> None:
    shoulder = np.array([[10.0, 0.0], [10.0, 0.0]])
    ear = np.array([[14.0, 9.0], [7.0, 9.0]])
    np.testing.assert_allclose(posture.forward_head_px(shoulder, ear), [4.0, -3.0])
