"""analyze_video(jobs=2) against the serial pass on real footage (romcam.parallel_analysis)."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from romcam.analysis import AnalysisResult, analyze_video
from romcam.errors import InputError, ModelError
from romcam.media.video import H264Writer, VideoReader, iter_frames
from romcam.parallel_analysis import plan_for
from romcam.worker_start import start_workers_early
from tests.conftest import MODEL_PATH, REPO_ROOT, shared_video

pytestmark = pytest.mark.footage

#: End ranges of the chunked run within this of the serial run's (degrees or cm): the
#: summary's zero-phase filter and hold detection see the same landmarks up to the model's
#: jitter after an overlap.
END_RANGE_TOLERANCE = 2.0
#: Every angle of every frame (degrees) within this of the serial run's.
ANGLE_TOLERANCE = 0.5
#: Image landmarks (normalised) away from chunk starts within this of the serial run's.
LANDMARK_TOLERANCE = 0.01
#: Clip and seconds: a seated subject (1080p H.264, 28 fps; all of it, keyframes 9 s apart,
#: the face model on), the two people at the
#: therapist's table (VP8), people walking in and out (MPEG-4, 10 fps).
CLIPS = {
    "seated": ("shoulder_abduction_front_seated_02.mp4", 17.6),
    "two_people": ("hard_two_people_therapist_table_occlusion_01.webm", 10.0),
    "walk_in_out": ("intel_people_walk_in_out.mp4", 24.0),
}

Runs = tuple[AnalysisResult, AnalysisResult, list[int], list[str]]


@pytest.fixture(scope="module", params=sorted(CLIPS))
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """(serial result, jobs=2 result, chunk starts, the chunked run's fallback log lines)."""
    name, seconds = CLIPS[request.param]
    video = shared_video(name)
    out = tmp_path_factory.mktemp(request.param)
    kwargs = {"model_path": MODEL_PATH, "max_seconds": seconds}
    serial = analyze_video(video, out / "serial", write_annotated=False, **kwargs)
    with VideoReader(video, max_seconds=seconds) as reader:
        plan = plan_for(reader, 2)
    assert plan is not None and len(plan.chunks) == 2
    records: list[str] = []
    handler = _ListHandler(records)
    logger = logging.getLogger("romcam.parallel_analysis")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    start_workers_early()  # in this folder: the workers must not depend on its cwd
    try:
        with contextlib.chdir(video.parent):  # relative paths, resolved here, not in a worker
            chunked = analyze_video(
                Path(video.name),
                out / "chunked",
                write_annotated=False,
                jobs=2,
                model_path=Path(os.path.relpath(MODEL_PATH, video.parent)),
                max_seconds=seconds,
            )
    finally:
        logger.removeHandler(handler)
    return serial, chunked, [c.start for c in plan.chunks[1:]], records


class _ListHandler(logging.Handler):
    def __init__(self, records: list[str]) -> None:
        super().__init__(logging.INFO)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def test_the_chunked_run_ran_in_chunks(runs: Runs) -> None:
    assert not any("instead" in line for line in runs[3]), runs[3]


def test_same_frames_times_and_subject(runs: Runs) -> None:
    serial, chunked, _, _ = runs
    np.testing.assert_array_equal(chunked.pose.frame, serial.pose.frame)
    np.testing.assert_array_equal(chunked.pose.time_s, serial.pose.time_s)
    # The same person in the same frames: the subject is chosen over the whole video.
    np.testing.assert_array_equal(chunked.pose.detected, serial.pose.detected)
    assert chunked.warnings == serial.warnings


def test_landmarks_match_away_from_chunk_starts(runs: Runs) -> None:
    serial, chunked, starts, _ = runs
    away = np.ones(len(serial.pose), dtype=bool)
    for start in starts:
        away[start : start + 5] = False
    both = serial.pose.detected & away
    diff = np.abs(chunked.pose.image[both, :, :2] - serial.pose.image[both, :, :2])
    assert np.nanmax(diff) <= LANDMARK_TOLERANCE


def test_every_angle_matches_head_angles_included(runs: Runs) -> None:
    """Frame by frame, face-model head angles included: the face model's VIDEO-mode angles
    settle more slowly than the pose landmarks (1.87 deg apart on the seated clip with a
    0.5 s overlap; chunk_plan.FACE_OVERLAP_S)."""
    serial, chunked, _, _ = runs
    for metric, values in serial.table.values.items():
        other = chunked.table.values[metric]
        np.testing.assert_array_equal(np.isnan(other), np.isnan(values), err_msg=metric)
        assert np.nanmax(np.abs(other - values), initial=0.0) <= ANGLE_TOLERANCE, metric


def test_same_end_ranges(runs: Runs) -> None:
    serial, chunked, _, _ = runs
    assert set(chunked.summary) == set(serial.summary)
    for metric, expected in serial.summary.items():
        got = chunked.summary[metric]
        for end in ("max", "min"):
            if expected[end] is None:
                assert got[end] is None, (metric, end)
            else:
                assert got[end] == pytest.approx(expected[end], abs=END_RANGE_TOLERANCE)


def test_no_seam_in_angles_csv(runs: Runs) -> None:
    """At each chunk border the angles jump no more than the serial run's do there."""
    serial, chunked, starts, _ = runs
    assert serial.angles_csv is not None and chunked.angles_csv is not None
    a, b = pd.read_csv(serial.angles_csv), pd.read_csv(chunked.angles_csv)
    assert list(a.columns) == list(b.columns)
    angles = [c for c in a.columns if c not in ("frame", "time_s") and a[c].dtype == float]
    for start in starts:
        rows = slice(start - 3, start + 3)
        serial_jump = a[angles].iloc[rows].diff().abs().max()
        chunked_jump = b[angles].iloc[rows].diff().abs().max()
        worse = chunked_jump - serial_jump.fillna(0)
        assert (worse.fillna(0) <= END_RANGE_TOLERANCE).all(), worse[worse > 2].to_dict()


def test_the_annotated_video_has_every_frame(tmp_path: Path) -> None:
    video = shared_video(CLIPS["walk_in_out"][0])
    result = analyze_video(video, tmp_path / "o", model_path=MODEL_PATH, max_seconds=20, jobs=2)
    assert result.annotated_mp4 is not None
    with VideoReader(result.annotated_mp4) as reader:
        assert sum(1 for _ in reader) == len(result.pose) == 200


def test_a_worker_error_is_its_one_sentence(tmp_path: Path) -> None:
    """The face model is loaded in the workers only: its error comes back unchanged."""
    broken = tmp_path / "broken_face.task"
    broken.write_bytes(b"not a model" * 100)
    video = shared_video(CLIPS["walk_in_out"][0])
    kwargs = {"model_path": MODEL_PATH, "max_seconds": 20, "face": True}
    with pytest.raises(ModelError) as serial:
        analyze_video(video, None, face_model_path=broken, **kwargs)
    with pytest.raises(ModelError) as chunked:
        analyze_video(video, None, face_model_path=broken, jobs=2, **kwargs)
    assert "broken_face.task" in str(chunked.value) and "\n" not in str(chunked.value)
    assert str(chunked.value) == str(serial.value)


def test_a_truncated_video_is_reported_as_the_serial_pass_does(tmp_path: Path) -> None:
    whole = tmp_path / "whole.mp4"  # H.264 with its index first: a cut copy still opens
    with H264Writer(whole, 768, 432, 10.0) as writer:
        for frame in iter_frames(shared_video(CLIPS["walk_in_out"][0]), max_seconds=30):
            writer.write(frame.image, frame.time_s)
    data = whole.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    kwargs = {"model_path": MODEL_PATH, "write_annotated": False}
    serial = analyze_video(cut, tmp_path / "serial", **kwargs)
    chunked = analyze_video(cut, tmp_path / "chunked", jobs=2, **kwargs)
    assert chunked.truncated and serial.truncated
    assert chunked.warnings == serial.warnings
    np.testing.assert_array_equal(chunked.pose.frame, serial.pose.frame)


@pytest.mark.parametrize("jobs", [0, -2, 1.5, True])
def test_bad_jobs_are_refused(jobs: object, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the number of jobs must be 1 or more"):
        analyze_video(shared_video(CLIPS["seated"][0]), None, jobs=jobs)  # type: ignore[arg-type]


def test_one_job_is_the_serial_pass() -> None:
    """jobs=1 never loads the chunk machinery (no process pool, no packet scan)."""
    code = (
        "import sys; from romcam.analysis import analyze_video; "
        f"analyze_video({str(shared_video(CLIPS['walk_in_out'][0]))!r}, None, "
        f"model_path={str(MODEL_PATH)!r}, max_frames=3, jobs=1); "
        "print('romcam.parallel_analysis' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
