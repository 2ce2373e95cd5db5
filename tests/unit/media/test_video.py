"""Video probe, frame reader and H.264 writer on small clips generated in the test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from romcam.errors import VideoError
from romcam.media.video import (
    H264Writer,
    VideoReader,
    even_size,
    frame_to_bgr,
    frame_to_rgb,
    iter_frames,
    prefetch,
    probe_video,
)

W, H = 160, 120


def _moving_bar(i: int) -> np.ndarray:
    """A BGR frame with a white bar whose x position encodes the frame index."""
    frame = np.zeros((H, W, 3), np.uint8)
    x = (i * 4) % (W - 8)
    frame[:, x : x + 8] = 255
    return frame


def _bar_position(frame: np.ndarray) -> int:
    cols = frame[:, :, 1].mean(axis=0)
    return int(np.flatnonzero(cols > 128)[0])


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "bar.mp4"
    with H264Writer(path, W, H, 29.97) as writer:
        for i in range(60):
            writer.write(_moving_bar(i))
    return path


def test_probe_reads_header(clip: Path) -> None:
    info = probe_video(clip)
    assert (info.width, info.height, info.codec) == (W, H, "h264")
    assert info.fps == pytest.approx(29.97, abs=1e-3)  # not rounded to 29
    assert info.frame_count == 60
    assert info.duration_s == pytest.approx(60 / 29.97, abs=0.05)
    assert info.to_dict()["path"] == str(clip)


def test_reader_yields_frames_in_order_with_pts_times(clip: Path) -> None:
    with VideoReader(clip) as reader:
        frames = list(reader)
    assert reader.frames_read == 60 and not reader.truncated and reader.problem is None
    assert [f.frame_index for f in frames] == list(range(60))
    times = np.array([f.time_s for f in frames])
    np.testing.assert_allclose(times, np.arange(60) / 29.97, atol=1e-3)
    assert frames[0].image.shape == (H, W, 3) and frames[0].image.dtype == np.uint8
    for i in (0, 17, 59):  # lossy codec: the bar stays within a pixel or two
        assert abs(_bar_position(frames[i].image) - (i * 4) % (W - 8)) <= 2


def test_reader_limits_are_not_truncation(clip: Path) -> None:
    assert len(list(iter_frames(clip, max_frames=7))) == 7
    with VideoReader(clip, max_seconds=1.0) as reader:
        frames = list(reader)
    assert len(frames) == 30 and not reader.truncated


def test_reader_releases_file_when_abandoned(clip: Path) -> None:
    reader = VideoReader(clip)
    gen = iter(reader)
    next(gen)
    gen.close()  # generator finally closes the container
    reader.close()  # idempotent


def test_writer_keeps_variable_frame_times(tmp_path: Path) -> None:
    path = tmp_path / "vfr.mp4"
    times = [0.0, 0.05, 0.1, 0.3, 0.35, 0.4]
    with H264Writer(path, W, H, 20.0) as writer:
        for i, t in enumerate(times):
            writer.write(_moving_bar(i), t)
    got = [f.time_s for f in iter_frames(path)]
    np.testing.assert_allclose(got, times, atol=2e-3)


def test_writer_accepts_repeated_and_bursty_live_frame_times(tmp_path: Path) -> None:
    # A live camera: repeated times, a stall, then a burst faster than the nominal rate.
    path = tmp_path / "live.mp4"
    times = [0.0, 0.1, 0.1, 0.1, 0.12, 0.5, 0.51, 0.52, 0.53, 0.9] + [
        1.0 + i / 100 for i in range(30)
    ]
    with H264Writer(path, W, H, 30.0) as writer:
        for i, t in enumerate(times):
            writer.write(_moving_bar(i), t)
    got = [f.time_s for f in iter_frames(path)]
    assert len(got) == len(times)
    assert np.all(np.diff(got) > 0)
    np.testing.assert_allclose(got, times, atol=2e-3)


def test_writer_output_is_browser_playable_h264(clip: Path) -> None:
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"


def test_writer_resizes_frames_of_another_size(tmp_path: Path) -> None:
    path = tmp_path / "r.mp4"
    with H264Writer(path, 80, 60, 10) as writer:
        writer.write(np.full((H, W, 3), 100, np.uint8))
    frame = next(iter_frames(path))
    assert frame.image.shape == (60, 80, 3)
    assert abs(int(frame.image.mean()) - 100) <= 3


@pytest.mark.parametrize(
    ("size", "max_height", "expected"),
    [
        ((1920, 1080), 720, (1280, 720)),
        ((1768, 994), 720, (1280, 720)),
        ((641, 361), None, (640, 360)),
        ((1080, 1920), 720, (404, 720)),
    ],
)
def test_even_size(
    size: tuple[int, int], max_height: int | None, expected: tuple[int, int]
) -> None:
    assert even_size(*size, max_height=max_height) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"width": 161, "height": 120, "fps": 30}, "even"),
        ({"width": 160, "height": 120, "fps": 0}, "fps"),
    ],
)
def test_writer_rejects_bad_settings(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        H264Writer(tmp_path / "x.mp4", **kwargs)


def test_writer_rejects_non_bgr_frame(tmp_path: Path) -> None:
    with H264Writer(tmp_path / "x.mp4", W, H, 30) as writer, pytest.raises(ValueError, match="BGR"):
        writer.write(np.zeros((H, W), np.uint8))


def test_truncated_video_delivers_decoded_frames_and_flags_it(clip: Path, tmp_path: Path) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with VideoReader(cut) as reader:
        frames = list(reader)
    assert 5 < len(frames) < 54
    assert reader.truncated
    assert reader.problem is not None and "truncated" in reader.problem


def _write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d, c: d / "missing.mp4", "no such file"),
        (lambda d, c: d, "not a file"),
        (
            lambda d, c: _write_bytes(d, "notes.mp4", b"these are not video bytes" * 50),
            "cannot be opened as a video",
        ),
        (
            lambda d, c: _write_bytes(d, "head.mp4", c.read_bytes()[:2000]),
            "no frame could be decoded|cannot be opened",
        ),
    ],
    ids=["missing", "directory", "not-a-video", "header-only"],
)
def test_bad_files_raise_one_sentence(tmp_path: Path, clip: Path, make, match: str) -> None:
    path = make(tmp_path, clip)
    with pytest.raises(VideoError, match=match):
        probe_video(path)


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "tone.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=8000)
        samples = np.zeros((1, 1024), np.float32)
        for _ in range(4):
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate = 8000
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(VideoError, match="no video stream"):
        probe_video(path)


def test_prefetch_keeps_order_and_applies_transform() -> None:
    assert list(prefetch(range(50), lambda i: i * i, depth=3)) == [i * i for i in range(50)]


def test_prefetch_raises_producer_errors() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise VideoError("broken stream")

    gen = prefetch(items(), lambda i: i)
    assert next(gen) == 1
    with pytest.raises(VideoError, match="broken stream"):
        next(gen)


def test_prefetch_stops_its_thread_when_closed_early(clip: Path) -> None:
    before = threading.active_count()
    with VideoReader(clip) as reader:
        gen = prefetch(reader, lambda f: f.frame_index, depth=2)
        assert next(gen) == 0
        gen.close()
    assert threading.active_count() == before


def test_prefetch_rejects_bad_depth() -> None:
    with pytest.raises(ValueError, match="depth"):
        list(prefetch([1], lambda i: i, depth=0))


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv444p"])
def test_frame_to_rgb_is_the_bgr_frame_with_channels_swapped(pix_fmt: str) -> None:
    # The chunk workers feed the models from frame_to_rgb; the serial pass from frame_to_bgr
    # then BGR->RGB. Both must give the model the same pixels.
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)
    rgb = frame_to_rgb(frame)
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, frame_to_bgr(frame)[:, :, ::-1])
