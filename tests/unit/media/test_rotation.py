"""Display rotation helpers (issue 12, item 1): matrix -> quarter turn, frames turned upright."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from romcam.errors import VideoError
from romcam.media.rotation import display_rotation, upright

ONE = 1 << 16  # 1.0 in the matrix's 16.16 fixed point
W = 1 << 30  # the matrix's last entry (2.30 fixed point)
CLIP = Path("phone.mp4")


def matrix_clockwise(degrees: float, *, mirror: bool = False) -> list[int]:
    """FFmpeg's display matrix for a clockwise turn (as av_display_rotation_set writes it)."""
    rad = math.radians(degrees)
    a, b = round(ONE * math.cos(rad)), round(ONE * math.sin(rad))
    c, d = -b, a
    if mirror:  # horizontal flip after the turn: x' -> -x'
        a, c = -a, -c
    return [a, b, 0, c, d, 0, 0, 0, W]


#: 2x3 grid, values say where each pixel was: clockwise turns worked out by hand.
GRID = np.array([[1, 2, 3], [4, 5, 6]], np.uint8)
TURNED = {
    90: [[4, 1], [5, 2], [6, 3]],
    180: [[6, 5, 4], [3, 2, 1]],
    270: [[3, 6], [2, 5], [1, 4]],
}


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_upright_turns_grey_and_colour_images_clockwise(rotation: int) -> None:
    assert upright(GRID, rotation).tolist() == TURNED[rotation]
    colour = np.stack([GRID, GRID + 10, GRID + 20], axis=-1)
    turned = upright(colour, rotation)
    assert turned.flags.c_contiguous
    for channel, offset in enumerate((0, 10, 20)):
        assert (turned[:, :, channel] - offset).tolist() == TURNED[rotation]


def test_upright_without_rotation_is_the_same_array_and_refuses_other_angles() -> None:
    assert upright(GRID, 0) is GRID
    with pytest.raises(ValueError, match="0, 90, 180 or 270; got 45"):
        upright(GRID, 45)


def test_the_matrix_of_a_real_phone_portrait_clip_is_a_quarter_turn_clockwise() -> None:
    # As ffprobe prints it for a portrait phone clip ("rotation of -90.00 degrees").
    phone = [0, ONE, 0, -ONE, 0, 0, 0, 0, W]
    assert display_rotation(phone, CLIP) == 90


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_quarter_turns_are_read_back(rotation: int) -> None:
    assert display_rotation(matrix_clockwise(rotation), CLIP) == rotation


@pytest.mark.parametrize(("degrees", "expected"), [(89.6, 90), (-0.7, 0), (270.9, 270)])
def test_fixed_point_rounding_within_a_degree_counts_as_the_quarter_turn(
    degrees: float, expected: int
) -> None:
    assert display_rotation(matrix_clockwise(degrees), CLIP) == expected


def test_a_tilt_is_refused_with_one_sentence() -> None:
    with pytest.raises(VideoError, match=r"^phone.mp4: .* by 30.0 degrees, not a multiple of 90"):
        display_rotation(matrix_clockwise(30), CLIP)
    with pytest.raises(VideoError, match=r"by 88.0 degrees"):
        display_rotation(matrix_clockwise(88), CLIP)


@pytest.mark.parametrize("rotation", [0, 90])
def test_a_mirror_is_refused_because_it_swaps_left_and_right(rotation: int) -> None:
    with pytest.raises(VideoError, match=r"^phone.mp4: .*mirrors the picture.*left and right"):
        display_rotation(matrix_clockwise(rotation, mirror=True), CLIP)
