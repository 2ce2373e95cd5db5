"""Recorded video -> landmarks, angle table, summary and annotated video, in one streamed pass.

decode -> pose model -> landmark file -> (annotate -> H.264, on a worker thread). Frames are
never kept: memory stays flat with the video's length (only the landmark arrays grow, ~1 kB a
frame). Outputs are written into a hidden staging folder inside ``out_dir``
(``romcam.staging.OutputStaging``) and moved into place together only when the whole analysis
succeeded; a failed run leaves no half-written file and no mix of two runs' files.

A truncated video is analyzed up to where decoding stopped; the result carries a warning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from romcam import __version__
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.filtering import smooth_table
from romcam.core.landmarks import PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.metric_table import MetricTable
from romcam.core.neck_from_face import HeadTrack
from romcam.core.posture_summary import PostureEntry, summarize_posture
from romcam.core.summary import MetricSummary, TestReport, reports_for_tests, summarize
from romcam.errors import InputError
from romcam.media.annotated_video import AnnotatedVideoWriter
from romcam.media.head_pose_csv import HEAD_POSE_CSV, write_head_pose_csv
from romcam.media.video import VideoInfo, VideoReader
from romcam.output_paths import check_writable_dir, refuse_input_as_output
from romcam.pose_pass import (
    PassOptions,
    PassResult,
    ProgressFn,
    run_pass,
)
from romcam.staging import OutputStaging

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile
    from romcam.parallel_analysis import ChunkPlan

log = logging.getLogger(__name__)

LANDMARKS_CSV = "landmarks.csv"
ANGLES_CSV = "angles.csv"
SUMMARY_JSON = "summary.json"
ANNOTATED_MP4 = "annotated.mp4"
#: Every file an analysis can write into its output folder: a run replaces these (and removes
#: those it did not write this time); it never touches other files there.
OUTPUT_NAMES = (LANDMARKS_CSV, ANGLES_CSV, SUMMARY_JSON, ANNOTATED_MP4, HEAD_POSE_CSV)


@dataclass(frozen=True, kw_only=True)
class AnalysisResult:
    """Everything one analysis produced; paths are None when not written."""

    video: VideoInfo
    pose: PoseSequence
    table: MetricTable
    summary: dict[str, MetricSummary]
    warnings: tuple[str, ...]
    #: Posture metrics while still and upright (``core/posture_summary``).
    posture: dict[str, PostureEntry] = field(default_factory=dict)
    #: The requested tests' end ranges (``--test``; ``core/summary.reports_for_tests``).
    tests: tuple[TestReport, ...] = ()
    #: True when decoding stopped early (the results cover the decoded part only).
    truncated: bool = False
    #: The face model's head pose per frame (None: the face model did not run).
    heads: HeadTrack | None = None
    #: Name of the calibration profile applied (None: none).
    calibration: str | None = None
    #: The recording's camera set-up, the store's ``setup`` JSON (``core/setup_geometry``);
    #: None when the torso was never seen.
    setup: dict[str, float | str] | None = None
    out_dir: Path | None = None
    landmarks_csv: Path | None = None
    angles_csv: Path | None = None
    summary_json: Path | None = None
    annotated_mp4: Path | None = None


def resolve_calibration(
    calibration: CalibrationProfile | str | None,
) -> CalibrationProfile | None:
    """A profile from a profile, a saved profile's name, or None."""
    if calibration is None or not isinstance(calibration, str):
        return calibration
    from romcam.calibration.profile import load_profile

    return load_profile(calibration)


def analyze_landmarks(
    pose: PoseSequence,
    *,
    calibration: CalibrationProfile | str | None = None,
    heads: HeadTrack | None = None,
) -> tuple[MetricTable, dict[str, MetricSummary]]:
    """Zero-phase smoothed metric table and summary of ``pose`` (lens, roll, scale applied);
    with ``heads`` the front-view neck metrics come from the head pose (``core.neck_from_face``)."""
    profile = resolve_calibration(calibration)
    roll, px_per_cm = 0.0, None
    if profile is not None:
        from romcam.calibration.apply import undistort_pose

        pose = undistort_pose(pose, profile)
        roll = profile.roll_deg or 0.0
        px_per_cm = profile.px_per_cm_at(pose.image_width, pose.image_height)
    level_known = profile is not None and profile.roll_deg is not None
    table = compute_metrics(
        pose, roll_deg=roll, px_per_cm=px_per_cm, level_known=level_known, heads=heads
    )
    smoothed = smooth_table(table, method="zero_phase")
    return smoothed, summarize(smoothed, pose=pose)


def hidden_parts(table: MetricTable) -> list[str]:
    """Warnings naming the body parts the model placed but could not see ("hips hidden
    0.0–25.4 s (98 % of frames) ..."), from the table's ``hidden`` parts."""
    from romcam.core.occlusion import hidden_parts_warnings

    detected = ~np.asarray(table.flags.get("no_subject", np.zeros(len(table), dtype=bool)))
    return hidden_parts_warnings(table.hidden, np.asarray(table.time_s), detected)


def summary_document(
    summary: Mapping[str, MetricSummary],
    *,
    video: VideoInfo | None = None,
    warnings: Sequence[str] = (),
    posture: Mapping[str, PostureEntry] | None = None,
    tests: Sequence[TestReport] = (),
) -> dict[str, Any]:
    """The content of summary.json: romcam version, video info, warnings, per-metric summary
    (end ranges), posture (while still and upright) and the requested tests."""
    return {
        "romcam_version": __version__,
        "video": None if video is None else video.to_dict(),
        "warnings": list(warnings),
        "metrics": dict(summary),
        "posture": dict(posture or {}),
        "tests": list(tests),
    }


def angles_table(table: MetricTable, heads: HeadTrack | None = None) -> pd.DataFrame:
    """The content of angles.csv: the metric table and, when the face model ran, the
    camera-relative head angles and face confidence (``HeadTrack.columns``)."""
    frame = table.to_dataframe()
    if heads is not None:
        for name, column in heads.columns().items():
            frame[name] = column
    return frame


def _write_tables(staging: Path, result: AnalysisResult) -> None:
    angles_table(result.table, result.heads).to_csv(
        staging / ANGLES_CSV, index=False, float_format="%.3f"
    )
    if result.heads is not None:
        write_head_pose_csv(staging / HEAD_POSE_CSV, result.pose, result.heads)
    doc = summary_document(
        result.summary,
        video=result.video,
        warnings=result.warnings,
        posture=result.posture,
        tests=result.tests,
    )
    (staging / SUMMARY_JSON).write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")


def analyze_video(
    video: str | Path,
    out_dir: str | Path | None,
    *,
    model_path: str | Path | None = None,
    calibration: CalibrationProfile | str | None = None,
    write_annotated: bool = True,
    headline: str | None = None,
    progress: ProgressFn | None = None,
    max_frames: int | None = None,
    max_seconds: float | None = None,
    max_people: int = 2,
    tests: Sequence[tuple[AssessmentTest, Side | None]] = (),
    face: bool | None = None,
    face_model_path: str | Path | None = None,
    jobs: int | None = 1,
) -> AnalysisResult:
    """Analyze ``video``; write landmarks.csv, angles.csv, summary.json, annotated.mp4.

    Args:
        out_dir: output folder (created), or None to write nothing.
        model_path: pose model file (default: ``romcam.pose.model_files.resolve_model``).
        calibration: a CalibrationProfile or the name of a saved one.
        write_annotated: also write the annotated H.264 video.
        headline: metric id shown big in the annotated video (default: the metric moving most).
        progress: called with (frames done, estimated total frames) after every frame.
        max_frames, max_seconds: analyze only the start of the video.
        max_people: people the pose model looks for. 2 (default) lets the tracker follow the
            subject when someone else walks in and warns about it; 1 is about 1.5x faster
            (MediaPipe stops searching for a second person) but cannot tell.
        tests: (test, side) pairs to report in ``tests`` (a sided test without a side: both).
        face: run the face model for the neck metrics (``core.neck_from_face``): True always,
            False never, None (default) for a neck test or a head large enough in the frame
            (``pose_pass.FACE_MIN_EAR_PX``); its head angles are added to angles.csv.
        face_model_path: face model file (default: ``model_files.resolve_face_model``).
        jobs: processes that estimate poses, each on its own stretch of the video
            (``romcam.parallel_analysis``); 1 (default) is the serial pass, None every
            available core capped by memory and by the video's length. The results match
            the serial pass's (same frames, same subject; landmarks within the model's noise;
            identical on the three test clips). With ``max_people=1`` the model's tracking
            carries state through the whole video, so a chunk's hidden (low-visibility)
            landmarks can differ from the serial pass's (an end range by 4.6 degrees on a
            clip of people walking in and out).
            The workers are forked from a fork server that imports romcam's main module
            (``romcam.worker_start``; spawned where there is none): a script that asks for
            more than one job must call this under ``if __name__ == "__main__":``.

    Raises:
        VideoError, NoSubjectError, ModelError, CalibrationError: with one clear sentence;
        InputError when ``out_dir`` cannot be written or an output would replace ``video``.
    """
    profile = resolve_calibration(calibration)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        check_output_folder(Path(video), out)
    check_jobs(jobs)
    opts = PassOptions(
        model_path, write_annotated, headline, progress, max_people, tests, face, face_model_path
    )
    with ExitStack() as stack:
        reader = stack.enter_context(
            VideoReader(video, max_frames=max_frames, max_seconds=max_seconds)
        )
        staging = OutputStaging(out, OUTPUT_NAMES) if out is not None else None
        try:
            plan = None if jobs == 1 else _plan_chunks(reader, jobs, face)
            passed = None if plan is None else _chunked_pass(reader, plan, staging, profile, opts)
            if passed is None:
                if plan is not None:  # the chunked pass fell back after reading: start again
                    reader = stack.enter_context(
                        VideoReader(video, max_frames=max_frames, max_seconds=max_seconds)
                    )
                passed = _serial_pass(reader, staging, profile, opts)
            result = _analyze_staged(passed, staging, profile, opts)
        finally:
            if staging is not None:
                staging.discard()
    return result


def check_jobs(jobs: int | None) -> None:
    """InputError unless ``jobs`` is None (every available core) or an integer >= 1."""
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InputError(
            f"the number of jobs must be 1 or more (or left out for every core); got {jobs!r}"
        )


def check_output_folder(video: Path, out_dir: Path, *, option: str = "the output folder") -> None:
    """InputError, before any work, when ``out_dir`` cannot be written or an output written
    there would replace ``video``; the message names ``out_dir`` as ``option``."""
    check_writable_dir(out_dir, option=option)
    refuse_input_as_output(
        [out_dir / name for name in OUTPUT_NAMES], [video], fix="choose another output folder"
    )


def make_annotated_writer(
    info: VideoInfo,
    staging: OutputStaging | None,
    profile: CalibrationProfile | None,
    opts: PassOptions,
) -> AnnotatedVideoWriter | None:
    """The annotated video's writer in the staging folder (None: not asked for)."""
    if staging is None or not opts.write_annotated:
        return None
    return AnnotatedVideoWriter(
        staging.path / ANNOTATED_MP4,
        info.width,
        info.height,
        info.fps,
        headline=opts.headline,
        calibration=profile,
    )


def _serial_pass(
    reader: VideoReader,
    staging: OutputStaging | None,
    profile: CalibrationProfile | None,
    opts: PassOptions,
) -> PassResult:
    annotated = make_annotated_writer(reader.info, staging, profile, opts)
    try:
        lm_path = staging.path / LANDMARKS_CSV if staging else None
        return run_pass(reader, lm_path, opts, annotated)
    finally:
        if annotated is not None:
            annotated.close()


def _plan_chunks(reader: VideoReader, jobs: int | None, face: bool | None) -> ChunkPlan | None:
    """The chunks for ``jobs`` processes; None: the serial pass (``parallel_analysis``)."""
    from romcam.parallel_analysis import plan_for

    return plan_for(reader, jobs, face)


def _chunked_pass(
    reader: VideoReader,
    plan: ChunkPlan,
    staging: OutputStaging | None,
    profile: CalibrationProfile | None,
    opts: PassOptions,
) -> PassResult | None:
    """The pose pass on several processes (``romcam.parallel_analysis``); None: run the
    serial pass (the chunked result could differ from it)."""
    from romcam.parallel_analysis import parallel_pass

    annotated = make_annotated_writer(reader.info, staging, profile, opts)
    try:
        lm_path = staging.path / LANDMARKS_CSV if staging else None
        return parallel_pass(reader, plan, lm_path, opts, annotated)
    finally:
        if annotated is not None:
            annotated.close()


def _analyze_staged(
    passed: PassResult,
    staging: OutputStaging | None,
    profile: CalibrationProfile | None,
    opts: PassOptions,
) -> AnalysisResult:
    """Everything after pose estimation (one path for the serial and the chunked pass)."""
    from romcam.calibration.setup_camera import trial_setup

    info = passed.info
    table, summary = analyze_landmarks(passed.pose, calibration=profile, heads=passed.heads)
    passed.warnings.extend(hidden_parts(table))
    for w in passed.warnings:
        # The warnings travel in the result (the CLI prints them, the page shows them): logged
        # at INFO so the command line does not say each one twice.
        log.info("%s: %s", info.path.name, w)
    result = AnalysisResult(
        video=info,
        pose=passed.pose,
        table=table,
        summary=summary,
        warnings=tuple(passed.warnings),
        posture=summarize_posture(table, passed.pose),
        tests=tuple(reports_for_tests(table, opts.tests, passed.pose)),
        truncated=passed.truncated,
        heads=passed.heads,
        calibration=profile.name if profile is not None else None,
        setup=trial_setup(passed.pose, profile),
    )
    if staging is None:
        return result
    _write_tables(staging.path, result)
    annotated = opts.write_annotated
    names = [LANDMARKS_CSV, ANGLES_CSV, SUMMARY_JSON] + ([ANNOTATED_MP4] if annotated else [])
    names += [HEAD_POSE_CSV] if result.heads is not None else []
    placed = staging.commit(names)
    return replace(
        result,
        out_dir=staging.out_dir,
        landmarks_csv=placed[LANDMARKS_CSV],
        angles_csv=placed[ANGLES_CSV],
        summary_json=placed[SUMMARY_JSON],
        annotated_mp4=placed.get(ANNOTATED_MP4),
    )
