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
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import pandas as pd

from romcam import __version__
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.filtering import smooth_table
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.metric_table import MetricTable
from romcam.core.neck_from_face import FACE_METRICS, HeadTrack
from romcam.core.posture_summary import PostureEntry, summarize_posture
from romcam.core.summary import MetricSummary, TestReport, reports_for_tests, summarize
from romcam.errors import NoSubjectError
from romcam.media.annotated_video import AnnotatedVideoWriter
from romcam.media.head_pose_csv import HEAD_POSE_CSV, write_head_pose_csv
from romcam.media.video import VideoFrame, VideoInfo, VideoReader, prefetch
from romcam.output_paths import check_writable_dir, refuse_input_as_output
from romcam.staging import OutputStaging

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile
    from romcam.core.head_pose import HeadPose
    from romcam.pose.estimator import FramePose

log = logging.getLogger(__name__)

LANDMARKS_CSV = "landmarks.csv"
ANGLES_CSV = "angles.csv"
SUMMARY_JSON = "summary.json"
ANNOTATED_MP4 = "annotated.mp4"
#: Every file an analysis can write into its output folder: a run replaces these (and removes
#: those it did not write this time); it never touches other files there.
OUTPUT_NAMES = (LANDMARKS_CSV, ANGLES_CSV, SUMMARY_JSON, ANNOTATED_MP4, HEAD_POSE_CSV)
#: Warn when at least this share of frames showed two or more people.
CROWD_WARN_SHARE = 0.05
#: Warn when the subject was found in fewer than this share of frames.
SPARSE_WARN_SHARE = 0.5

#: Without a neck test, the face model runs when the subject's ears are at least this far
#: apart (pixels) in the first frame with a subject. The eye corners are then ~25 px apart,
#: so one pixel of landmark error tilts the eye line by ~2 deg; smaller heads give head
#: angles too coarse for a neck range and are not worth the model's cost
#: (benchmarks/README.md).
FACE_MIN_EAR_PX = 80.0

ProgressFn = Callable[[int, int], None]


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


@dataclass
class _PassResult:
    pose: PoseSequence
    info: VideoInfo
    warnings: list[str]
    truncated: bool
    heads: HeadTrack | None


def _people_warning(crowded: int, total: int) -> str | None:
    if total and crowded / total >= CROWD_WARN_SHARE:
        return (
            f"two or more people were in frame in {100 * crowded / total:.0f}% of frames; "
            "the measurements follow the tracked subject"
        )
    return None


@dataclass(frozen=True)
class _Options:
    model_path: str | Path | None
    write_annotated: bool
    headline: str | None
    progress: ProgressFn | None
    max_people: int
    tests: Sequence[tuple[AssessmentTest, Side | None]] = ()
    face: bool | None = None
    face_model_path: str | Path | None = None


class _FaceStage:
    """The face model beside the pose model, in the same decode pass.

    It runs on every frame when ``face`` is True, never when False; when None (auto), on
    every frame if a neck metric's test was asked for, else if the subject's ears are at
    least FACE_MIN_EAR_PX apart in the first frame with a subject (decided once: a turned
    head narrows the ears, yet needs the face model most).
    """

    def __init__(self, opts: _Options, stack: ExitStack) -> None:
        neck_test = any(test.metric in FACE_METRICS for test, _ in opts.tests)
        self.on: bool | None = True if opts.face is None and neck_test else opts.face
        self._model_path = opts.face_model_path
        self._stack = stack
        self._estimator: Any = None
        self._heads: list[HeadPose | None] = []

    def decide(self, fp: FramePose | None, width: int, height: int) -> bool:
        """Whether the face model runs (settled at the first frame with a subject in auto)."""
        if self.on is None and fp is not None:
            ears = fp.image[[LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]], :2]
            apart = float(np.linalg.norm((ears[0] - ears[1]) * (width, height)))
            self.on = apart >= FACE_MIN_EAR_PX
            log.debug("face model %s (ears %.0f px apart)", "on" if self.on else "off", apart)
        return bool(self.on)

    def process(self, rgb: np.ndarray, ms: int, fp: FramePose | None) -> HeadPose | None:
        """This frame's head pose (None: no face, or the face model is off); recorded."""
        head = None
        if self.decide(fp, rgb.shape[1], rgb.shape[0]):
            if self._estimator is None:
                from romcam.pose.face import HeadPoseEstimator

                self._estimator = self._stack.enter_context(HeadPoseEstimator(self._model_path))
            head = self._estimator.process(rgb, ms)
        self._heads.append(head)
        return head

    def track(self, detected: np.ndarray) -> HeadTrack | None:
        """The frames' head poses, emptied where the pose is not the subject's (None: off)."""
        if not self.on:
            return None
        track = HeadTrack.from_poses(self._heads)
        keep = np.asarray(detected, dtype=bool)
        rotation = np.where(keep[:, None, None], track.rotation, np.nan)
        return HeadTrack(rotation=rotation, confidence=np.where(keep, track.confidence, np.nan))


def _run_pass(
    reader: VideoReader,
    staging: Path | None,
    opts: _Options,
    annotated: AnnotatedVideoWriter | None,
) -> _PassResult:
    """Decode, estimate, write landmarks and annotated frames; returns the collected pose."""
    from romcam.pose.estimator import PoseEstimator, PoseSequenceBuilder

    info = reader.info
    builder = PoseSequenceBuilder(info.width, info.height)
    crowded, detected = 0, 0
    lm_path = staging / LANDMARKS_CSV if staging is not None else None
    with ExitStack() as stack:
        estimator = stack.enter_context(PoseEstimator(opts.model_path, max_people=opts.max_people))
        face = _FaceStage(opts, stack)
        lm_writer = (
            None if lm_path is None else stack.enter_context(_landmark_writer(lm_path, info))
        )
        for (index, time_s, frame_bgr), rgb in prefetch(reader, _with_rgb):
            ms = round(time_s * 1000)
            fp = estimator.process(rgb, ms)  # it keeps them increasing
            head = face.process(rgb, ms, fp)
            people = int(estimator.people_in_last_frame)
            crowded += people >= 2
            detected += fp is not None
            if lm_writer is not None:
                lm_writer.write(index, time_s, fp)
            builder.append(index, time_s, fp)
            if annotated is not None:
                image, world = (None, None) if fp is None else (fp.image, fp.world)
                annotated.with_heads = bool(face.on)  # settled before a subject's frame
                annotated.put(frame_bgr, time_s, image, world, people, head=head)
            if opts.progress is not None:
                opts.progress(index + 1, max(info.frame_count, index + 1))
    frames = len(builder)
    if detected == 0:
        raise NoSubjectError(
            f"no person was found in {info.path.name}; film the whole subject in good light"
        )
    warnings = [w for w in (_people_warning(crowded, frames),) if w]
    if detected < SPARSE_WARN_SHARE * frames:
        warnings.append(
            f"the subject was found in only {detected} of {frames} frames; "
            "film the whole subject in good light"
        )
    pose, identity_warning = _first_subject_only(builder.build())
    if identity_warning:
        warnings.append(identity_warning)
        if lm_path is not None:  # the subject's landmarks only, so `romcam angles` agrees
            from romcam.media.landmark_csv import write_landmarks_csv

            write_landmarks_csv(lm_path, pose)
    if reader.truncated:
        end = float(pose.time_s[-1])
        warnings.append(f"{reader.problem}; the results cover 0 to {end:.1f} s only")
    return _PassResult(pose, info, warnings, reader.truncated, face.track(pose.detected))


def _first_subject_only(pose: PoseSequence) -> tuple[PoseSequence, str | None]:
    """``pose`` with other people's frames emptied (``core.identity``), and the warning."""
    from romcam.core.identity import keep_subject, split_subjects

    split = split_subjects(pose)
    if not split.others.any():
        return pose, None
    return keep_subject(pose, split), split.warning()


def hidden_parts(table: MetricTable) -> list[str]:
    """Warnings naming the body parts the model placed but could not see ("hips hidden
    0.0–25.4 s (98 % of frames) ..."), from the table's ``hidden`` parts."""
    from romcam.core.occlusion import hidden_parts_warnings

    detected = ~np.asarray(table.flags.get("no_subject", np.zeros(len(table), dtype=bool)))
    return hidden_parts_warnings(table.hidden, np.asarray(table.time_s), detected)


def _with_rgb(frame: VideoFrame) -> tuple[VideoFrame, np.ndarray]:
    return frame, cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)


def _landmark_writer(path: Path, info: VideoInfo) -> Any:
    from romcam.media.landmark_csv import LandmarkCsvWriter

    return LandmarkCsvWriter(path, info.width, info.height)


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
            (FACE_MIN_EAR_PX); its head angles are added to angles.csv.
        face_model_path: face model file (default: ``model_files.resolve_face_model``).

    Raises:
        VideoError, NoSubjectError, ModelError, CalibrationError: with one clear sentence;
        InputError when ``out_dir`` cannot be written or an output would replace ``video``.
    """
    profile = resolve_calibration(calibration)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        check_output_folder(Path(video), out)
    with VideoReader(video, max_frames=max_frames, max_seconds=max_seconds) as reader:
        staging = OutputStaging(out, OUTPUT_NAMES) if out is not None else None
        try:
            opts = _Options(
                model_path,
                write_annotated,
                headline,
                progress,
                max_people,
                tests,
                face,
                face_model_path,
            )
            result = _analyze_staged(reader, staging, profile, opts)
        finally:
            if staging is not None:
                staging.discard()
    return result


def check_output_folder(video: Path, out_dir: Path, *, option: str = "the output folder") -> None:
    """InputError, before any work, when ``out_dir`` cannot be written or an output written
    there would replace ``video``; the message names ``out_dir`` as ``option``."""
    check_writable_dir(out_dir, option=option)
    refuse_input_as_output(
        [out_dir / name for name in OUTPUT_NAMES], [video], fix="choose another output folder"
    )


def _analyze_staged(
    reader: VideoReader,
    staging: OutputStaging | None,
    profile: CalibrationProfile | None,
    opts: _Options,
) -> AnalysisResult:
    info = reader.info
    annotated = None
    if staging is not None and opts.write_annotated:
        annotated = AnnotatedVideoWriter(
            staging.path / ANNOTATED_MP4,
            info.width,
            info.height,
            info.fps,
            headline=opts.headline,
            calibration=profile,
        )
    try:
        passed = _run_pass(reader, staging.path if staging else None, opts, annotated)
    finally:
        if annotated is not None:
            annotated.close()
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
    )
    if staging is None:
        return result
    _write_tables(staging.path, result)
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
