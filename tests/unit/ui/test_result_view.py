"""The shared result view's rules: bounded video size and the words people read."""

from __future__ import annotations

import math

import pytest

from romcam.ui.result_view import (
    MAX_VIDEO_HEIGHT_PX,
    MAX_VIDEO_WIDTH_PX,
    plain_reason,
    quality_words,
    reason_sentence,
    shown_width,
    source_words,
)


@pytest.mark.parametrize(
    ("size", "height"),
    [
        ((1080, 1920), MAX_VIDEO_HEIGHT_PX),  # portrait phone clip: bounded by the height
        ((540, 960), MAX_VIDEO_HEIGHT_PX),
        ((216, 384), MAX_VIDEO_HEIGHT_PX),  # a small one is scaled up to the same size
        ((1920, 1080), MAX_VIDEO_WIDTH_PX * 1080 / 1920),  # landscape: bounded by the width
    ],
)
def test_a_video_is_shown_within_the_bounds_with_its_aspect_ratio(
    size: tuple[int, int], height: float
) -> None:
    width = shown_width(*size)
    assert width <= MAX_VIDEO_WIDTH_PX
    assert width * size[1] / size[0] == pytest.approx(height, abs=2)


def test_reasons_lose_their_metric_ids() -> None:
    assert plain_reason("knee_flexion_left: knee hidden") == "knee hidden"
    assert plain_reason("hip_flexion_right: gaps; knee_flexion_right: not held") == (
        "gaps; not held"
    )
    assert plain_reason("held 0.4 s: too short") == "held 0.4 s: too short"
    assert plain_reason(None) == "" and plain_reason(math.nan) == ""


def test_a_reason_shown_on_its_own_is_a_sentence() -> None:
    """Analyze and Review showed "hold the end position still…" in lower case."""
    reason = "shoulder_abduction_right: hold the end position still (within ±3°) for 1 s"
    assert reason_sentence(reason) == "Hold the end position still (within ±3°) for 1 s."
    assert reason_sentence("why not?") == "Why not?"
    assert reason_sentence(None) == "" and reason_sentence("") == ""


def test_codes_in_words() -> None:
    assert quality_words("no_data") == "no value"
    assert quality_words("wrong_view") == "wrong view"
    assert quality_words(None) == ""
    assert source_words("live") == "live camera" and source_words("video") == "uploaded video"
