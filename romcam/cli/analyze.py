"""``romcam analyze VIDEO`` and ``romcam angles LANDMARKS.csv``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from romcam.core.assessments import TESTS_BY_ID, AssessmentTest, Side, assessment_test
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.errors import InputError
from romcam.output_paths import check_writable_file, refuse_input_as_output
from romcam.paths import atomic_write_text

if TYPE_CHECKING:  # pandas behind these: imported when a command runs, not for --help
    from romcam.core.posture_summary import PostureEntry
    from romcam.core.summary import MetricSummary, TestReport
    from romcam.media.video import VideoInfo

#: Exit code when the analysis finished and was saved but the video was truncated (in a
#: batch: some were, none failed).
EXIT_TRUNCATED = 3
#: Exit code of a batch in which some videos failed (the others were analyzed and saved).
EXIT_SOME_FAILED = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` and ``angles`` commands."""
    _register_analyze(subparsers)
    _register_angles(subparsers)


def _register_analyze(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="measure joint angles in video files",
        description=(
            "Run the pose model on VIDEO and write landmarks.csv, angles.csv, summary.json and "
            "annotated.mp4 into --out. Files appear only when the whole analysis succeeded. "
            f"Exit status {EXIT_TRUNCATED}: the video was truncated; what could be decoded "
            "was analyzed and saved. Several videos, or a folder of them, are analyzed one "
            "after the other, one output folder each, with a table at the end; a video that "
            f"fails does not stop the others. Exit status then: 0 all ok, {EXIT_TRUNCATED} some "
            f"truncated, {EXIT_SOME_FAILED} some failed (how many is printed)."
        ),
    )
    p.add_argument(
        "videos",
        nargs="+",
        type=Path,
        metavar="VIDEO",
        help="video file (.mp4, .mov, .webm, .avi, ...), or a folder: its video files, sorted",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: <video name>_romcam beside the video); for several "
        "videos, the folder that gets one subfolder per video (<video name>, made unique)",
    )
    add_jobs_option(p, batch=True)
    p.add_argument("--model", type=Path, default=None, help="pose model .task file")
    p.add_argument(
        "--face-model", type=Path, default=None, help="face model .task file (neck metrics)"
    )
    p.add_argument(
        "--face",
        choices=("auto", "on", "off"),
        default="auto",
        help="run the face model for the neck metrics: auto (default) = for a --test neck_* "
        "or a head large enough in the frame",
    )
    p.add_argument(
        "--calibration",
        default=None,
        metavar="NAME",
        help="saved calibration profile to apply (see `romcam calibrate list`)",
    )
    p.add_argument("--no-video", action="store_true", help="do not write annotated.mp4")
    p.add_argument(
        "--headline",
        default=None,
        metavar="METRIC",
        help="metric id shown big in the annotated video",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        metavar="S",
        help="analyze only the first S seconds of the video",
    )
    p.add_argument(
        "--single-person",
        action="store_true",
        help="look for one person only: faster, but another person walking in is not noticed",
    )
    _test_options(p)
    p.set_defaults(func=run_analyze)


def start_workers_if_split(info: VideoInfo, jobs: int | None, max_seconds: float | None) -> None:
    """Start the chunk workers' fork server now when the video will be split, so that its
    imports run beside this process's (``romcam.worker_start``); a short video is analysed
    in this process and needs none."""
    from romcam.chunk_plan import may_split

    seconds = min(info.duration_s, max_seconds) if max_seconds is not None else info.duration_s
    if may_split(round(seconds * info.fps), info.fps, jobs):
        from romcam.worker_start import start_workers_early

        start_workers_early()


def add_jobs_option(p: argparse.ArgumentParser, *, batch: bool = False) -> None:
    """``--jobs N``: worker processes for one video (``analyze`` and ``measure``)."""
    p.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes for one video: default all cores (capped by memory), 1 = serial"
        + ("; several videos run one after the other, each with N workers" if batch else ""),
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _test_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--test",
        action="append",
        default=None,
        choices=sorted(TESTS_BY_ID),
        metavar="TEST",
        help="clinical test to report in summary.json's 'tests' (as in `romcam measure`; "
        f"repeatable): {', '.join(sorted(TESTS_BY_ID))}",
    )
    p.add_argument(
        "--side",
        choices=("left", "right"),
        default=None,
        help="side of a sided --test (neck rotation and lateral flexion: the direction); "
        "without it a sided test is measured on both sides",
    )


def requested_tests(args: argparse.Namespace) -> list[tuple[AssessmentTest, Side | None]]:
    """The (test, side) pairs of ``--test``/``--side``; InputError when they do not fit."""
    if not args.test:
        if args.side is not None:
            raise InputError("--side needs --test: give the test the side belongs to")
        return []
    pairs: list[tuple[AssessmentTest, Side | None]] = []
    for test_id in args.test:
        test = assessment_test(test_id)
        side: Side | None = args.side if test.sided else None
        if args.side is not None and not test.sided:
            raise InputError(f"--test {test_id} has no side; leave out --side")
        pairs.append((test, side))
    return pairs


def _register_angles(subparsers: argparse._SubParsersAction) -> None:
    a = subparsers.add_parser(
        "angles",
        help="recompute angles from a landmark file",
        description="Compute the angle table (and optionally the summary) from LANDMARKS.csv "
        "without running the pose model.",
    )
    a.add_argument(
        "landmarks",
        type=Path,
        help="landmarks.csv written by `romcam analyze` (a head_pose.csv beside it is used)",
    )
    a.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="angle table CSV (default: angles.csv beside the landmark file)",
    )
    a.add_argument("--summary", type=Path, default=None, help="also write this summary JSON")
    a.add_argument(
        "--calibration", default=None, metavar="NAME", help="saved calibration profile to apply"
    )
    _test_options(a)
    a.set_defaults(func=run_angles)


def _progress_bar(
    total_hint: int, desc: str = "analyzing", position: int | None = None, leave: bool = True
) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A frame bar on stderr, shown only on a terminal: (update(done, total), close)."""
    from tqdm import tqdm

    bar = tqdm(
        total=total_hint or None,
        unit="frame",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        desc=desc,
        position=position,
        leave=leave,
    )

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    return update, bar.close


def summary_lines(summary: Mapping[str, MetricSummary]) -> list[str]:
    """A short report: held end ranges (quality ok), then what was seen but not accepted.

    Metrics the camera view cannot show (e.g. a side-view angle in a front-view video) are left
    out of the second part; summary.json has every metric with its reason.
    """
    ok = [mid for mid in METRIC_IDS if mid in summary and summary[mid].get("quality") == "ok"]
    seen = [mid for mid in METRIC_IDS if mid in summary and _seen_not_held(mid, summary[mid])]
    lines: list[str] = []
    if ok:
        lines.append(f"{'held end range':<38}{'min':>8}{'max':>8}{'excursion':>11}  unit")
        for mid in ok:
            e = summary[mid]
            low, high = held_ends(e)
            span = e.get("excursion") if low is not None and high is not None else None
            cells = [_cell(x) for x in (low, high, span)]
            lines.append(
                f"{metric_spec(mid).label:<38}{cells[0]:>8}{cells[1]:>8}{cells[2]:>11}  "
                f"{e.get('unit', '')}"
            )
    else:
        lines.append("No end range was held long enough to count as a measurement.")
    if seen:
        lines.append("")
        lines.append("Seen but not accepted (range reached, not a measurement):")
        for mid in seen:
            e = summary[mid]
            reached = f"{_cell(e.get('trough'))} to {_cell(e.get('peak'))} {e.get('unit', '')}"
            lines.append(f"  {metric_spec(mid).label:<38}{reached:<22}{_first_clause(e)}")
    return lines


def held_ends(entry: MetricSummary) -> tuple[float | None, float | None]:
    """(min, max) of a metric, each None unless it is an accepted end range (not moved, not
    held: no value)."""
    low = entry.get("min") if entry.get("min_quality", "ok") == "ok" else None
    high = entry.get("max") if entry.get("max_quality", "ok") == "ok" else None
    return low, high


def posture_lines(posture: Mapping[str, PostureEntry]) -> list[str]:
    """The posture section: values taken while still and upright, with the stretch used."""
    ok = [mid for mid in METRIC_IDS if mid in posture and posture[mid].get("quality") == "ok"]
    if not ok:
        return ["No posture value: the subject was never still and upright for 2 s."]
    lines = [f"{'posture (still and upright)':<38}{'value':>8}  {'unit':<5}from - to (s)"]
    for mid in ok:
        e = posture[mid]
        lines.append(
            f"{metric_spec(mid).label:<38}{_cell(e.get('value')):>8}  {e.get('unit', ''):<5}"
            f"{_cell(e.get('from_s'))} - {_cell(e.get('to_s'))}"
        )
    return lines


def lines_for_tests(tests: Sequence[TestReport]) -> list[str]:
    """The requested tests: end range or why there is none."""
    lines = []
    for r in tests:
        name = test_name(r)
        if r["quality"] == "ok":
            unit = metric_spec(r["metric"]).unit
            lines.append(f"{name:<38}{_cell(r['end_range']):>8}  {unit}  held {r['hold_s']} s")
            if r.get("compensation_note"):  # the clean range is lower: say why
                lines.append(f"  {r['compensation_note']}")
        else:
            why = str(r["reason"] or "").split(": ", 1)[-1]
            lines.append(f"{name:<38}{'-':>8}  {r['quality']}: {why}")
    return lines


def test_name(report: TestReport) -> str:
    """The test id, and its side in brackets when it has one."""
    return report["test"] + (f" ({report['side']})" if report["side"] else "")


def print_report(
    summary: Mapping[str, MetricSummary],
    posture: Mapping[str, PostureEntry],
    tests: Sequence[TestReport],
) -> None:
    """Print the tests asked for, the held end ranges and, apart, the posture."""
    if tests:
        print("\n".join(lines_for_tests(tests)))
        print()
    print("\n".join(summary_lines(summary)))
    print()
    print("\n".join(posture_lines(posture)))


def _seen_not_held(metric_id: str, entry: MetricSummary) -> bool:
    """Rejected although the view suits the metric, values were measured and it moved."""
    if entry.get("quality") != "rejected" or entry.get("peak") is None:
        return False
    codes = {entry.get("max_quality"), entry.get("min_quality")}
    if codes <= {"not_moved", "no_data", "too_few_frames"}:
        return False  # nothing was reached: not worth a line
    from romcam.core.summary import view_problem

    spec = metric_spec(metric_id)
    return not view_problem(metric_id, spec.view, spec.side, str(entry.get("view")))


def _first_clause(entry: MetricSummary) -> str:
    reason = str(entry.get("reason", ""))
    return reason.split(": ", 1)[-1].split(";", 1)[0]


def _cell(x: Any) -> str:
    return "-" if x is None else f"{float(x):.1f}"


def _test_headline(tests: Sequence[tuple[AssessmentTest, Side | None]]) -> str | None:
    """The metric of the first test asked for (shown big in the annotated video), when it names
    one column (a sided test without --side names two)."""
    if not tests:
        return None
    test, side = tests[0]
    return None if test.sided and side is None else test.metric_id(side)


def run_analyze(args: argparse.Namespace) -> int:
    if args.headline is not None and args.headline not in METRIC_IDS:
        raise InputError(
            f"--headline {args.headline!r} is not a metric id; use one of: {', '.join(METRIC_IDS)}"
        )
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise InputError(f"--max-seconds must be > 0; got {args.max_seconds}")
    tests = requested_tests(args)
    if len(args.videos) > 1 or args.videos[0].is_dir():
        from romcam.cli.analyze_batch import run_batch_command

        return run_batch_command(args, tests)
    return _analyze_one(args, args.videos[0], tests)


def _analyze_one(
    args: argparse.Namespace, video: Path, tests: list[tuple[AssessmentTest, Side | None]]
) -> int:
    from romcam.media.video import probe_video

    info = probe_video(video)
    start_workers_if_split(info, args.jobs, args.max_seconds)  # before our heavy imports
    from romcam.analysis import analyze_video, check_output_folder

    out = args.out if args.out is not None else video.with_name(f"{video.stem}_romcam")
    check_output_folder(video, out, option="--out")  # analyze_video checks again: cheap
    update, close = _progress_bar(info.frame_count)
    try:
        result = analyze_video(
            video,
            out,
            model_path=args.model,
            calibration=args.calibration,
            write_annotated=not args.no_video,
            headline=args.headline or _test_headline(tests),
            progress=update,
            max_seconds=args.max_seconds,
            max_people=1 if args.single_person else 2,
            tests=tests,
            face={"auto": None, "on": True, "off": False}[args.face],
            face_model_path=args.face_model,
            jobs=args.jobs,
        )
    finally:
        close()
    print_report(result.summary, result.posture, result.tests)
    print(f"\nResults written to {result.out_dir}")
    for warning in result.warnings:
        print(f"romcam: warning: {warning}", file=sys.stderr)
    return EXIT_TRUNCATED if result.truncated else 0


def _check_angles_outputs(angles: Path, summary: Path | None, inputs: list[Path]) -> None:
    """InputError when the angle table or the summary cannot be written, or would replace an
    input (the landmark file, its head_pose.csv) or each other."""
    check_writable_file(angles, option="-o")
    if summary is not None:
        check_writable_file(summary, option="--summary")
    outputs = [angles] if summary is None else [angles, summary]
    refuse_input_as_output(outputs, inputs, fix="give -o/--summary another file name")


def run_angles(args: argparse.Namespace) -> int:
    from romcam.analysis import analyze_landmarks, angles_table, hidden_parts, summary_document
    from romcam.core.posture_summary import summarize_posture
    from romcam.core.summary import reports_for_tests
    from romcam.media.head_pose_csv import HEAD_POSE_CSV, read_head_pose_csv
    from romcam.media.landmark_csv import read_landmarks_csv

    tests = requested_tests(args)
    if not args.landmarks.is_file():
        raise InputError(f"{args.landmarks}: no such file; give the landmarks.csv to read")
    head_csv = args.landmarks.with_name(HEAD_POSE_CSV)
    out = args.output if args.output is not None else args.landmarks.with_name("angles.csv")
    _check_angles_outputs(out, args.summary, [args.landmarks, head_csv])
    pose = read_landmarks_csv(args.landmarks)
    if len(pose) == 0 or not pose.detected.any():
        raise InputError(f"{args.landmarks}: holds no landmarks (no frame with a subject)")
    # The face model's head pose, when `romcam analyze` wrote it beside the landmarks.
    heads = read_head_pose_csv(head_csv, pose) if head_csv.is_file() else None
    table, summary = analyze_landmarks(pose, calibration=args.calibration, heads=heads)
    posture = summarize_posture(table, pose)
    reports = reports_for_tests(table, tests, pose)
    angles = angles_table(table, heads).to_csv(index=False, float_format="%.3f")
    atomic_write_text(out, angles)
    warnings = hidden_parts(table)
    if args.summary is not None:
        doc = summary_document(summary, posture=posture, tests=reports, warnings=warnings)
        atomic_write_text(args.summary, json.dumps(doc, indent=2, allow_nan=False) + "\n")
    print_report(summary, posture, reports)
    print(f"\nAngle table written to {out}")
    for warning in warnings:
        print(f"romcam: warning: {warning}", file=sys.stderr)
    return 0
