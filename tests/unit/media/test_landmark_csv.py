"""Landmark CSV: exact round trip, streaming writer, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_NAMES, N_LANDMARKS, PoseSequence
from romcam.errors import InputError
from romcam.media.landmark_csv import (
    LandmarkCsvWriter,
    landmark_columns,
    read_landmarks_csv,
    write_landmarks_csv,
)
from romcam.pose.estimator import FramePose, PoseSequenceBuilder, pose_sequence_from_frames


def random_pose(rng: np.random.Generator) -> FramePose:
    image = np.column_stack(
        [
            rng.uniform(-0.2, 1.2, (N_LANDMARKS, 2)),
            rng.normal(0, 0.3, N_LANDMARKS),
            rng.uniform(0, 1, N_LANDMARKS),
        ]
    )
    return FramePose(image=image, world=rng.normal(0, 0.4, (N_LANDMARKS, 3)))


def random_sequence(seed: int = 0, n: int = 12, world: bool = True) -> PoseSequence:
    rng = np.random.default_rng(seed)
    frames = [(k, k / 29.97, None if k in (0, 5, 6) else random_pose(rng)) for k in range(n)]
    seq = pose_sequence_from_frames(frames, 1920, 1080)
    if not world:
        return PoseSequence(seq.frame, seq.time_s, 1920, 1080, seq.image, None)
    return seq


def assert_same(a: PoseSequence, b: PoseSequence) -> None:
    np.testing.assert_array_equal(a.frame, b.frame)
    np.testing.assert_array_equal(a.time_s, b.time_s)
    assert (a.image_width, a.image_height) == (b.image_width, b.image_height)
    np.testing.assert_array_equal(a.image, b.image)  # NaN == NaN here
    if a.world is None or b.world is None:
        assert a.world is None and b.world is None
    else:
        np.testing.assert_array_equal(a.world, b.world)


@pytest.mark.parametrize("world", [True, False])
def test_round_trip_is_exact(tmp_path: Path, world: bool) -> None:
    seq = random_sequence(world=world)
    path = write_landmarks_csv(tmp_path / "pose.csv", seq)
    assert_same(read_landmarks_csv(path), seq)


def test_header_follows_the_documented_layout(tmp_path: Path) -> None:
    path = write_landmarks_csv(tmp_path / "pose.csv", random_sequence())
    header = path.read_text().splitlines()[0].split(",")
    assert header[:4] == ["frame", "time_s", "image_width", "image_height"]
    assert header[4:8] == ["nose_x", "nose_y", "nose_z", "nose_visibility"]
    last = LANDMARK_NAMES[-1]
    assert header[4 + 4 * 33 : 4 + 4 * 33 + 3] == ["nose_world_x", "nose_world_y", "nose_world_z"]
    assert header[-1] == f"{last}_world_z"
    assert len(header) == 4 + 7 * N_LANDMARKS == len(landmark_columns())


def test_frame_without_subject_keeps_its_first_cells_only(tmp_path: Path) -> None:
    path = write_landmarks_csv(tmp_path / "pose.csv", random_sequence())
    row = path.read_text().splitlines()[1].split(",")  # frame 0 has no subject
    assert row[:4] == ["0", "0.0", "1920", "1080"]
    assert set(row[4:]) == {""}


def test_streaming_writer_matches_whole_sequence_writer(tmp_path: Path) -> None:
    seq = random_sequence(seed=3)
    rng = np.random.default_rng(3)
    frames = [(k, k / 29.97, None if k in (0, 5, 6) else random_pose(rng)) for k in range(12)]
    with LandmarkCsvWriter(tmp_path / "a.csv") as writer:
        for frame, time_s, pose in frames:
            writer.write(frame, time_s, 1920, 1080, pose)
    # Size given once to the constructor, as a live recorder does.
    with LandmarkCsvWriter(tmp_path / "b.csv", 1920, 1080) as writer:
        for frame, time_s, pose in frames:
            writer.write(frame, time_s, pose)
    write_landmarks_csv(tmp_path / "c.csv", seq)
    text = (tmp_path / "c.csv").read_text()
    assert (tmp_path / "a.csv").read_text() == text == (tmp_path / "b.csv").read_text()


def test_builder_and_adapter_agree() -> None:
    rng = np.random.default_rng(1)
    frames = [(k, 0.1 * k, random_pose(rng) if k % 2 else None) for k in range(6)]
    builder = PoseSequenceBuilder(640, 480)
    for frame in frames:
        builder.append(*frame)
    seq = builder.build()
    assert_same(seq, pose_sequence_from_frames(frames, 640, 480))
    np.testing.assert_array_equal(seq.detected, [False, True] * 3)
    assert np.isnan(seq.world[0]).all()  # type: ignore[index]
    with pytest.raises(ValueError, match=r"time_s must strictly increase"):
        builder.append(6, 0.5, None)


def test_empty_builder_builds_an_empty_sequence() -> None:
    seq = PoseSequenceBuilder(640, 480).build()
    assert len(seq) == 0
    assert seq.image.shape == (0, N_LANDMARKS, 4)


def test_reader_ignores_extra_columns_and_accepts_missing_world(tmp_path: Path) -> None:
    seq = random_sequence(world=False)
    path = write_landmarks_csv(tmp_path / "pose.csv", seq)
    lines = path.read_text().splitlines()
    extra = [lines[0] + ",note"] + [line + ",hello" for line in lines[1:]]
    path.write_text("\n".join(extra) + "\n")
    assert_same(read_landmarks_csv(path), seq)


@pytest.mark.parametrize(
    ("kwargs", "args", "error", "match"),
    [
        ({}, (0, 0.0, None), ValueError, r"image size unknown"),
        (
            {"image_width": 640, "image_height": 480},
            (0, 0.0, 320, 240, None),
            ValueError,
            r"image size changed from 640x480 to 320x240",
        ),
        ({}, (0, 0.0, 0, 480, None), ValueError, r"image size must be positive"),
    ],
)
def test_writer_rejects_bad_calls(
    tmp_path: Path, kwargs: dict[str, Any], args: tuple, error: type[Exception], match: str
) -> None:
    with (
        LandmarkCsvWriter(tmp_path / "x.csv", **kwargs) as writer,
        pytest.raises(error, match=match),
    ):
        writer.write(*args)


def test_writer_rejects_non_increasing_time(tmp_path: Path) -> None:
    with LandmarkCsvWriter(tmp_path / "x.csv", 640, 480) as writer:
        writer.write(0, 0.5, None)
        with pytest.raises(ValueError, match=r"time_s must strictly increase; got 0.5 after 0.5"):
            writer.write(1, 0.5, None)


def _valid_lines(tmp_path: Path) -> list[str]:
    path = write_landmarks_csv(tmp_path / "ok.csv", random_sequence(n=4))
    return path.read_text().splitlines()


def _set_cell(lines: list[str], row: int, column: str, value: str) -> list[str]:
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    return [*lines[:row], ",".join(cells), *lines[row + 1 :]]


def _drop_columns(lines: list[str], names: set[str]) -> list[str]:
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name not in names]
    return [",".join(line.split(",")[i] for i in keep) for line in lines]


BAD_FILES = {
    "empty": (lambda lines: [], r"is empty; expected a CSV with a header row"),
    "header-only": (lambda lines: lines[:1], r"has a header but no frames"),
    "missing-columns": (
        lambda lines: _drop_columns(lines, {"time_s", "nose_x", "left_hip_visibility"}),
        r"missing 3 required column\(s\): time_s, nose_x, left_hip_visibility",
    ),
    "partial-world": (
        lambda lines: _drop_columns(lines, {"nose_world_y"}),
        r"only some world-landmark columns; missing nose_world_y",
    ),
    "non-numeric": (
        lambda lines: _set_cell(lines, 2, "left_wrist_y", "abc"),
        r"line 3, column left_wrist_y: 'abc' is not a number",
    ),
    "time-backwards": (
        lambda lines: _set_cell(lines, 3, "time_s", "0.01"),
        r"line 4: time_s 0.01 does not increase .*strictly increase",
    ),
    "time-repeated": (
        lambda lines: _set_cell(lines, 2, "time_s", "0.0"),
        r"line 3: time_s 0.0 does not increase",
    ),
    "size-changes": (
        lambda lines: _set_cell(lines, 4, "image_width", "1280"),
        r"inconsistent image sizes \(1280x1080, 1920x1080\)",
    ),
    "size-blank": (
        lambda lines: _set_cell(lines, 1, "image_height", ""),
        r"line 2: image_height is empty",
    ),
    "fractional-frame": (
        lambda lines: _set_cell(lines, 2, "frame", "1.5"),
        r"line 3: frame 1.5 is not a 0-based integer index",
    ),
    "negative-frame": (
        lambda lines: _set_cell(lines, 1, "frame", "-1"),
        r"line 2: frame -1.0 is not a 0-based integer index",
    ),
    "frame-backwards": (
        lambda lines: _set_cell(lines, 3, "frame", "0"),
        r"line 4: frame 0 does not increase \(previous row 1\); frame numbers must strictly "
        "increase",
    ),
    "frame-repeated": (
        lambda lines: _set_cell(lines, 4, "frame", "2"),
        r"line 5: frame 2 does not increase \(previous row 2\)",
    ),
    "infinite-coordinate": (
        lambda lines: _set_cell(lines, 2, "left_wrist_x", "inf"),
        r"line 3, column left_wrist_x: inf is not a usable landmark value \(expected a finite "
        r"number within ±10000\); correct that cell or leave it empty",
    ),
    "minus-infinite-visibility": (
        lambda lines: _set_cell(lines, 3, "nose_visibility", "-inf"),
        r"line 4, column nose_visibility: -inf is not a usable",
    ),
    "huge-world-coordinate": (
        lambda lines: _set_cell(lines, 4, "left_hip_world_z", "1e300"),
        r"line 5, column left_hip_world_z: 1e\+300 is not a usable landmark value",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_raise_input_error(tmp_path: Path, case: str) -> None:
    make, match = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    lines = make(_valid_lines(tmp_path))
    path.write_text("\n".join(lines) + ("\n" if lines else ""))
    with pytest.raises(InputError, match=match):
        read_landmarks_csv(path)


def test_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"landmark file .*nope\.csv not found"):
        read_landmarks_csv(tmp_path / "nope.csv")


def test_binary_file_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "video.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"is not a readable CSV"):
        read_landmarks_csv(path)
