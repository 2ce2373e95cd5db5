"""``romcam analyze`` with several videos or a folder: every check first, the videos one after
the other with a bar for the batch and one for the current video, a table at the end.

The batch itself (plan, run, outcomes) is ``romcam.batch``; this module only talks to the user.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from romcam.cli.analyze import (
    EXIT_SOME_FAILED,
    EXIT_TRUNCATED,
    _cell,
    _first_clause,
    _progress_bar,
    _test_headline,
    held_ends,
    test_name,
)
from romcam.cli.common import print_table
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.metric_specs import metric_spec

if TYPE_CHECKING:
    from romcam.batch import AnalyzeOptions, BatchItem, ProgressFn, VideoOutcome
    from romcam.core.summary import MetricSummary, TestReport

TABLE_HEADERS = ("video", "status", "frames", "video s", "took s", "output", "result or reason")


def run_batch_command(
    args: argparse.Namespace, tests: list[tuple[AssessmentTest, Side | None]]
) -> int:
    """Analyze ``args.videos`` (files and folders); the exit status of the whole batch."""
    from romcam.batch import plan_batch, run_batch

    options = _checked_options(args, tests)
    plan = plan_batch(args.videos, args.out)
    if plan.skipped:
        names = ", ".join(str(p) for p in plan.skipped)
        print(f"romcam: skipped, not videos: {names}", file=sys.stderr)
    bars = _BatchBars(len(plan.items))
    try:
        outcomes = run_batch(plan, options, on_start=bars.start, on_done=bars.done)
    finally:
        bars.close()
    print()
    print_table(TABLE_HEADERS, [table_row(o, options.headline) for o in outcomes])
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        print(f"romcam: {failed} of {len(outcomes)} videos failed", file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_TRUNCATED if any(o.status == "truncated" for o in outcomes) else 0


def _checked_options(
    args: argparse.Namespace, tests: list[tuple[AssessmentTest, Side | None]]
) -> AnalyzeOptions:
    """The options every video shares, the model files and the calibration loaded once, so a
    wrong one is one error before the batch, not the same failure on every video."""
    from romcam.analysis import resolve_calibration
    from romcam.batch import AnalyzeOptions
    from romcam.pose.model_files import resolve_model, validate_face_model

    return AnalyzeOptions(
        model_path=resolve_model(args.model),
        calibration=resolve_calibration(args.calibration),
        write_annotated=not args.no_video,
        headline=args.headline or _test_headline(tests),
        max_seconds=args.max_seconds,
        max_people=1 if args.single_person else 2,
        tests=tuple(tests),
        face={"auto": None, "on": True, "off": False}[args.face],
        face_model_path=validate_face_model(args.face_model) if args.face_model else None,
        jobs=args.jobs,
    )


class _BatchBars:
    """A bar of videos for the batch and a bar of frames for the video being analysed (both
    on stderr, only on a terminal); a line per finished video on stdout."""

    def __init__(self, n_videos: int) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.total = n_videos
        self.batch = tqdm(
            total=n_videos,
            unit="video",
            desc="batch",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
            position=0,
        )
        self._close_video = lambda: None
        self.finished = 0

    def start(self, item: BatchItem) -> ProgressFn:
        update, self._close_video = _progress_bar(0, desc=item.video.name, position=1, leave=False)
        return update

    def done(self, outcome: VideoOutcome) -> None:
        self._close_video()
        self._close_video = lambda: None
        self.batch.update(1)
        self.finished += 1
        what = outcome.status if outcome.reason is None else f"failed: {outcome.reason}"
        self._tqdm.write(f"[{self.finished}/{self.total}] {outcome.video}: {what}", file=sys.stdout)
        for warning in outcome.warnings:
            self._tqdm.write(f"romcam: warning: {outcome.video.name}: {warning}", file=sys.stderr)

    def close(self) -> None:
        self._close_video()
        self.batch.close()


def table_row(outcome: VideoOutcome, headline: str | None) -> list[str]:
    """One line of the summary table (:data:`TABLE_HEADERS`)."""
    ran = outcome.status != "failed"
    return [
        str(outcome.video),
        outcome.status,
        str(outcome.frames) if ran else "-",
        f"{outcome.video_s:.1f}" if ran else "-",
        f"{outcome.took_s:.1f}",
        str(outcome.out_dir) if ran else "-",
        outcome.reason or result_cell(outcome, headline),
    ]


def result_cell(outcome: VideoOutcome, headline: str | None) -> str:
    """The tests asked for (each end range, or the code of why none: summary.json has the
    reason), else the headline metric's held range: ``headline``, or the held metric that
    moved most."""
    if outcome.tests:
        return "; ".join(_test_cell(r) for r in outcome.tests)
    summary = outcome.summary
    metric = headline if headline in summary else _moved_most(summary)
    if metric is None:
        return "no end range held"
    entry, spec = summary[metric], metric_spec(metric)
    if entry.get("quality") != "ok":
        return f"{spec.label}: not measured, {_first_clause(entry)}"
    low, high = held_ends(entry)
    return f"{spec.label} {_cell(low)} to {_cell(high)} {entry.get('unit', '')}".rstrip()


def _test_cell(report: TestReport) -> str:
    if report["quality"] != "ok":
        return f"{test_name(report)}: {report['quality']}"
    return f"{test_name(report)} {_cell(report['end_range'])} {metric_spec(report['metric']).unit}"


def _moved_most(summary: Mapping[str, MetricSummary]) -> str | None:
    held = [m for m, e in summary.items() if e.get("quality") == "ok"]
    return max(held, key=lambda m: summary[m].get("excursion") or 0.0, default=None)
