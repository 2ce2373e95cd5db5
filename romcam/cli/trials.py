"""Trial commands and options: ``trial exclude ID --reason TEXT`` / ``trial include ID`` (leave
a trial out of its test's mean, kept in the record with why; count it again), the per-trial pain
options of ``measure`` (``--first-pain-deg``, ``--pain``) and the trials' listing the commands
print ("Shoulder flexion (left), before: 152 ± 2°, 3 trials" and each trial below it).

A stored measurement is one trial; the trials of a test are the measurements of one session,
phase, test and side. The numbers (mean ± SD, outliers) come from ``romcam.outcomes.trials``.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from romcam.cli.common import db_option, fmt, frame_rows, open_store, print_table
from romcam.core.assessments import test_label
from romcam.errors import InputError

if TYPE_CHECKING:  # pandas, SQLAlchemy: imported when a command runs, not for --help
    import pandas as pd

    from romcam.store import MeasurementRecord, Store

#: How a trial without a value is written in ``--first-pain-deg`` / ``--pain``: an empty entry.
PAIN_HELP = (
    "one value per VIDEO, comma-separated in the videos' order; leave an entry empty for a "
    "trial without one (e.g. 3,,4)"
)


@dataclass(frozen=True)
class TrialPain:
    """Pain given for one trial: ``first_pain`` where pain began (the value's unit and sign, as
    romcam shows the value) and ``score`` 0-10 at the end range; None = not given."""

    first_pain: float | None = None
    score: int | None = None


def add_pain_options(p: argparse.ArgumentParser) -> None:
    """``--first-pain-deg`` and ``--pain`` on the ``measure`` parser."""
    p.add_argument(
        "--first-pain-deg",
        default=None,
        metavar="DEG[,DEG...]",
        help="the angle where pain began, as romcam shows the value (negative for tests "
        "measured toward the minimum, e.g. shoulder extension: write --first-pain-deg=-40); "
        + PAIN_HELP,
    )
    p.add_argument(
        "--pain",
        default=None,
        metavar="0-10[,0-10...]",
        help="pain at the end range, 0 (none) to 10 (worst); " + PAIN_HELP,
    )


def trial_pain(args: argparse.Namespace, videos: int) -> list[TrialPain]:
    """Each video's pain from ``--first-pain-deg`` / ``--pain``; InputError (one sentence,
    before any analysis) when a count does not match the videos or a value is not usable."""
    onsets = _entries(args.first_pain_deg, "--first-pain-deg", videos)
    scores = _entries(args.pain, "--pain", videos)
    return [
        TrialPain(_degrees(onset), _score(score))
        for onset, score in zip(onsets, scores, strict=True)
    ]


def _entries(text: str | None, option: str, videos: int) -> list[str]:
    if text is None:
        return [""] * videos
    entries = [e.strip() for e in text.split(",")]
    if len(entries) != videos:
        given = f"{len(entries)} value{'s' if len(entries) != 1 else ''}"
        raise InputError(
            f"{option} has {given} for {videos} video{'s' if videos != 1 else ''}; give one "
            "per video, comma-separated (an empty entry for none, e.g. 3,,4)"
        )
    return entries


def _degrees(entry: str) -> float | None:
    if not entry:
        return None
    try:
        value = float(entry)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"--first-pain-deg: {entry!r} is not an angle; give a number, e.g. 120")
    return value


def _score(entry: str) -> int | None:
    if not entry:
        return None
    if not entry.isdigit() or not 0 <= int(entry) <= 10:
        raise InputError(f"--pain: {entry!r} is not a pain score; give a whole number 0 to 10")
    return int(entry)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``trial`` command (``exclude``, ``include``)."""
    db = db_option()
    p = subparsers.add_parser(
        "trial", help="leave a trial out of its test's mean (with a reason) or count it again"
    )
    sub = p.add_subparsers(dest="trial_command", required=True, metavar="ACTION")
    exc = sub.add_parser(
        "exclude",
        parents=[db],
        help="leave a trial out of its test's mean; it stays in the record with the reason",
    )
    exc.add_argument("id", type=int, help="measurement id (see `romcam measurement list`)")
    exc.add_argument("--reason", required=True, help="why, in a few words (shown with it)")
    exc.set_defaults(func=run_trial_exclude)
    inc = sub.add_parser("include", parents=[db], help="count an excluded trial again")
    inc.add_argument("id", type=int, help="measurement id")
    inc.set_defaults(func=run_trial_include)


def run_trial_exclude(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        m = store.exclude_measurement(args.id, args.reason)
        print(f"Trial {m.id} is left out of the mean: {m.excluded_reason}")
        print_trials_of_test(store, m)
    return 0


def run_trial_include(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        m = store.include_measurement(args.id)
        print(f"Trial {m.id} is counted again")
        print_trials_of_test(store, m)
    return 0


def print_trials_of_test(store: Store, m: MeasurementRecord) -> None:
    """The trials of ``m``'s test in its session and phase: the mean ± SD line, then one row
    per trial (value, pain, and a note for an outlier or an excluded trial)."""
    from romcam.outcomes.mdc import load_mdc_table
    from romcam.outcomes.trials import label_of, trials_of

    group = _test_rows(store.measurements_frame(session_id=m.session_id), m)
    trials = trials_of(group, load_mdc_table(None, {}).mdc(m.test))
    print(f"\n{test_label(m.test, m.side)}, {m.phase}: {label_of(trials, m.unit)}")
    rows = []
    marks = zip(frame_rows(group), trials.outliers, trials.excluded, strict=True)
    for k, (r, outlier, reason) in enumerate(marks, start=1):
        note = f"excluded: {reason}" if reason else ""
        if outlier:
            note = f"far from the others: `romcam trial exclude {r.measurement_id} --reason ...`"
        score = "-" if _missing(r.pain_score) else f"{int(r.pain_score)}/10"
        value = fmt(float(r.value), 1, f" {m.unit}")
        rows.append([str(k), str(r.measurement_id), value, fmt(r.first_pain), score, note])
    print_table(["trial", "id", "value", "pain from", "pain", "note"], rows)


def _test_rows(frame: pd.DataFrame, m: MeasurementRecord) -> pd.DataFrame:
    """The tidy-frame rows of ``m``'s test, side and phase in its session, in measuring order."""
    side = frame["side"].fillna("")
    same = (frame["phase"] == m.phase) & (frame["test"] == m.test) & (side == (m.side or ""))
    return frame[same].sort_values("measured_at", kind="stable")


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
