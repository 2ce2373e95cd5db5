"""Phone clips with a display matrix (issue 12, item 1): probed at their displayed size and
decoded upright, for the analysis and for calibration alike. Real footage, lossless copies."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from romcam.errors import VideoError
from romcam.media.pictures import load_pictures, sample_video_frames
from romcam.media.video import iter_frames, probe_video
from tests.integration.rotated_clips import ROTATIONS, SIZE, RotatedClips, write_lossless

WIDTH, HEIGHT = SIZE


def _frames(path: Path) -> list[np.ndarray]:
    return [frame.image for frame in iter_frames(path)]


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_probe_reports_the_displayed_size_and_the_rotation(
    rotated_clips: RotatedClips, rotation: int
) -> None:
    info = probe_video(rotated_clips.rotated[rotation])
    assert (info.width, info.height, info.rotation_deg) == (WIDTH, HEIGHT, rotation)
    assert info.to_dict()["rotation_deg"] == rotation
    upright = probe_video(rotated_clips.upright)
    assert (upright.width, upright.height, upright.rotation_deg) == (WIDTH, HEIGHT, 0)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_decoded_frames_equal_the_upright_clip(rotated_clips: RotatedClips, rotation: int) -> None:
    expected = _frames(rotated_clips.upright)
    got = _frames(rotated_clips.rotated[rotation])
    assert len(got) == len(expected) == 50
    # Lossless clips: turned upright, every pixel is the upright clip's pixel.
    for want, have in zip(expected, got, strict=True):
        assert have.shape == (HEIGHT, WIDTH, 3)
        assert np.array_equal(have, want)


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_ffmpeg_itself_shows_the_test_clips_upright(
    rotated_clips: RotatedClips, rotation: int
) -> None:
    """The clips mean what the tests assume: OpenCV's FFmpeg, turning frames by the display
    matrix on its own (CAP_PROP_ORIENTATION_AUTO), shows the upright picture."""
    first = []
    for path in (rotated_clips.upright, rotated_clips.rotated[rotation]):
        capture = cv2.VideoCapture(str(path))
        assert capture.get(cv2.CAP_PROP_ORIENTATION_AUTO) == 1
        ok, frame = capture.read()
        capture.release()
        assert ok
        first.append(frame)
    assert first[1].shape == (HEIGHT, WIDTH, 3)
    assert np.array_equal(first[0], first[1])


@pytest.mark.parametrize("rotation", ROTATIONS)
def test_calibration_samples_upright_frames_like_the_analysis(
    rotated_clips: RotatedClips, rotation: int
) -> None:
    """Guard: OpenCV's reader already turned these (see the test above); romcam's reader,
    used now, must too."""
    expected = list(sample_video_frames(rotated_clips.upright, max_frames=6))
    got = load_pictures([rotated_clips.rotated[rotation]], max_video_frames=6)
    assert len(got) == len(expected) == 6
    for want, have in zip(expected, got, strict=True):
        assert have.shape == (HEIGHT, WIDTH)
        assert np.array_equal(have, want)


def _tagged_clip(folder: Path, name: str, **display: float | bool) -> Path:
    """A short clip whose display matrix is set by Stream.set_display_rotation(**display)."""
    path = folder / name
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(**display)  # type: ignore[arg-type]
        for i in range(5):
            image = np.full((48, 64, 3), 40 * i, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(stream.encode(None))
    return path


@pytest.fixture(scope="module")
def tilted_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tagged_clip(tmp_path_factory.mktemp("tilted"), "tilted.mp4", degrees=-30)


@pytest.fixture(scope="module")
def mirrored_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tagged_clip(tmp_path_factory.mktemp("mirror"), "mirror.mp4", degrees=0, hflip=True)


TILTED = r"tilted.mp4: its display matrix turns the picture by 30.0 degrees, not a multiple"


def test_a_tilted_display_matrix_is_refused_by_the_analysis(tilted_clip: Path) -> None:
    with pytest.raises(VideoError, match=TILTED):
        probe_video(tilted_clip)


def test_calibration_refuses_the_same_tilted_video(tilted_clip: Path) -> None:
    """One rule: before, OpenCV's reader used the tilted clip's frames unturned."""
    with pytest.raises(VideoError, match=TILTED):
        load_pictures([tilted_clip])


def test_a_mirroring_display_matrix_is_refused(mirrored_clip: Path) -> None:
    with pytest.raises(VideoError, match=r"mirror.mp4: its display matrix mirrors the picture"):
        probe_video(mirrored_clip)


def test_the_mp4_writer_used_for_the_test_clips_round_trips(tmp_path: Path) -> None:
    """write_lossless keeps pixels bit-exact (the equality tests above rely on it)."""
    rng = np.random.default_rng(3)
    frames = [(i / 25, rng.integers(0, 256, (48, 64, 3), np.uint8)) for i in range(3)]
    write_lossless(tmp_path / "rt.mp4", frames, 0)
    for (_, want), have in zip(frames, _frames(tmp_path / "rt.mp4"), strict=True):
        assert np.array_equal(have, want)
