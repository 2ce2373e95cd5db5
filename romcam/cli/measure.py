"""Measurement commands: ``measure`` (analyze one or several videos of one test, each a trial,
and store each trial's result) and ``measurement list|relabel|delete``. Each takes ``--db URL``.

Several videos are several trials of the test: each is analysed and stored on its own (one
store transaction per trial), so a trial that fails is named and the others are kept. Pain is
given per trial, one comma-separated value per video in the videos' order, an empty entry for
a trial without one: ``--first-pain-deg 120,,118 --pain 3,4,4``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.cli.analyze import add_jobs_option
from romcam.cli.common import db_option, fmt, open_store, print_table
from romcam.cli.trials import TrialPain, add_pain_options, print_trials_of_test, trial_pain
from romcam.core.assessments import TESTS_BY_ID, AssessmentTest, assessment_test, test_label
from romcam.errors import InputError, RomcamError
from romcam.staging import private_staging

if TYPE_CHECKING:  # SQLAlchemy behind it: imported when a command runs, not for --help
    from romcam.store import MeasurementRecord, Store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``measure`` and ``measurement`` commands."""
    db = db_option()
    p = subparsers.add_parser(
        "measure",
        parents=[db],
        help="analyze videos of one test (each a trial) and store the results in a session",
        description="Run the pose model on each VIDEO, take the held end range of --test/--side "
        "and store it in SESSION as one trial, with copies of the video, landmark and angle "
        "files. Several videos are several trials of the test (usually 3): each is stored on "
        "its own and the output ends with the trials' mean ± SD.",
    )
    p.add_argument("session", type=int, help="session id (see `romcam session list CLIENT`)")
    p.add_argument(
        "video", type=Path, nargs="+", help="video of the test; several videos: one per trial"
    )
    p.add_argument("--test", required=True, choices=sorted(TESTS_BY_ID), help="test id")
    p.add_argument("--side", choices=("left", "right"), default=None, help="side tested")
    p.add_argument("--phase", default="before", help="before, after or another short label")
    p.add_argument("--calibration", default=None, metavar="NAME", help="calibration profile")
    p.add_argument("--model", type=Path, default=None, help="pose model .task file")
    p.add_argument(
        "--keep-rejected",
        action="store_true",
        help="store the result even when its quality check failed",
    )
    add_pain_options(p)
    add_jobs_option(p)
    p.set_defaults(func=run_measure)

    p = subparsers.add_parser("measurement", help="list, relabel or delete stored measurements")
    sub = p.add_subparsers(dest="measurement_command", required=True, metavar="ACTION")
    lst = sub.add_parser("list", parents=[db], help="list a session's measurements")
    lst.add_argument("session", type=int)
    lst.set_defaults(func=run_measurement_list)
    rel = sub.add_parser("relabel", parents=[db], help="change a measurement's phase")
    rel.add_argument("id", type=int)
    rel.add_argument("phase")
    rel.set_defaults(func=run_measurement_relabel)
    dele = sub.add_parser("delete", parents=[db], help="delete a measurement and its files")
    dele.add_argument("id", type=int)
    dele.set_defaults(func=run_measurement_delete)


def _checked_test(args: argparse.Namespace) -> AssessmentTest:
    """The test asked for, once --test/--side and --phase are known to be usable (each wrong
    one is reported before the minutes of analysis)."""
    test = assessment_test(args.test)
    try:
        test.metric_id(args.side)
    except ValueError as exc:
        raise InputError(f"{exc}; --side is for tests done on each side separately") from None
    from romcam.store.records import check_label

    check_label("--phase", args.phase)
    return test


def run_measure(args: argparse.Namespace) -> int:
    test = _checked_test(args)
    pains = trial_pain(args, len(args.video))
    stored: list[MeasurementRecord] = []
    failed: list[str] = []
    with open_store(args) as store:
        store.get_session(args.session)  # fail before the slow analysis
        for video in args.video:
            if len(args.video) > 1 and not video.is_file():
                raise InputError(f"{video} is not a file; check the path (no trial was run)")
        for k, (video, pain) in enumerate(zip(args.video, pains, strict=True), start=1):
            trial = f"trial {k} of {len(args.video)} ({video})" if len(args.video) > 1 else None
            try:
                record = _measure_one(args, store, test, video, pain)
            except RomcamError as exc:
                if trial is None:
                    raise
                print(f"{trial[:1].upper()}{trial[1:]}: not stored: {exc}", file=sys.stderr)
                failed.append(trial)
                continue
            stored.append(record)
            _print_measure(record, trial)
        if stored:
            print_trials_of_test(store, stored[-1])
    if failed:
        kept = f"the other {len(stored)} were stored" if stored else "none was stored"
        raise InputError(f"{' and '.join(failed)} failed ({kept}); measure the failed videos again")
    return 0


def _measure_one(
    args: argparse.Namespace, store: Store, test: AssessmentTest, video: Path, pain: TrialPain
) -> MeasurementRecord:
    """Analyse one trial's video and store its measurement (one transaction)."""
    from romcam.analysis import analyze_video
    from romcam.store.from_results import (
        NotMeasuredError,
        RejectedResultError,
        WrongSideError,
        measurement_from_analysis,
    )

    # A client's landmarks and angles wait in romcam's private data directory, never in the
    # shared temp folder; a killed run's folder is removed by the next measure.
    with private_staging("measure") as tmp:
        result = analyze_video(
            video,
            tmp / "out",
            model_path=args.model,
            calibration=args.calibration,
            write_annotated=False,
            tests=[(test, args.side)],
            jobs=args.jobs,
        )
        for warning in result.warnings:
            print(f"romcam: warning: {warning}", file=sys.stderr)
        try:
            measurement, recording = measurement_from_analysis(
                result,
                test,
                args.side,
                phase=args.phase,
                keep_rejected=args.keep_rejected,
                video=video,
                first_pain=pain.first_pain,
                pain_score=pain.score,
            )
        except RejectedResultError as exc:
            raise InputError(
                f"{video}: {exc}, or pass --keep-rejected to store it anyway"
            ) from None
        except WrongSideError as exc:
            raise InputError(f"{video}: {exc} (--side)") from None
        except NotMeasuredError as exc:
            raise InputError(f"{video}: {exc}") from None
        return store.add_measurement(args.session, measurement, recording)


def _print_measure(m: MeasurementRecord, trial: str | None = None) -> None:
    stored = f"{trial[:1].upper()}{trial[1:]}: stored" if trial else "Stored"
    pain = []
    if m.first_pain is not None:
        pain.append(f"pain from {m.first_pain:.1f} {m.unit}")
    if m.pain_score is not None:
        pain.append(f"pain {m.pain_score}/10 at the end")
    print(
        f"{stored} measurement {m.id} in session {m.session_id}: {test_label(m.test, m.side)}, "
        f"{m.phase}: {m.value:.1f} {m.unit} (quality {m.quality})"
        + (f"; {', '.join(pain)}" if pain else "")
    )
    if m.quality_reason:
        print(f"romcam: warning: {m.quality_reason}")


def run_measurement_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        items = store.list_measurements(args.session)
    rows = [
        [
            str(m.id),
            m.phase,
            test_label(m.test, m.side),
            fmt(m.value),
            m.unit,
            m.quality,
            fmt(m.first_pain),
            "-" if m.pain_score is None else f"{m.pain_score}/10",
            m.measured_at.strftime("%H:%M:%S"),
            f"excluded: {m.excluded_reason}" if m.excluded_reason else "",
        ]
        for m in items
    ]
    if not rows:
        print("No measurements in this session yet; add one with `romcam measure`.")
        return 0
    headers = ["id", "phase", "test", "value", "unit", "quality", "pain from", "pain"]
    print_table([*headers, "time (UTC)", "trial"], rows)
    return 0


def run_measurement_relabel(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        m = store.relabel_measurement(args.id, args.phase)
    print(f"Measurement {m.id} is now '{m.phase}'")
    return 0


def run_measurement_delete(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        store.delete_measurement(args.id)
    print(f"Deleted measurement {args.id} and its files")
    return 0
