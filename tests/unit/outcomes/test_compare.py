"""Before/after, asymmetry and progress comparisons on hand-built tidy frames."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd
import pytest

from romcam.outcomes import compare
from romcam.outcomes.mdc import MdcTable, load_mdc_table

T0 = datetime(2026, 1, 5, 9, 0)


def row(
    session: int,
    phase: str,
    test: str,
    side: str | None,
    value: float,
    *,
    day: int = 0,
    minute: int = 0,
) -> dict[str, object]:
    metric = {
        "shoulder_flexion": f"shoulder_flexion_{side}",
        "shoulder_extension": f"shoulder_flexion_{side}",
        "neck_rotation": "neck_rotation",
        "posture_side": "craniovertebral_angle",
    }[test]
    started = T0 + timedelta(days=day)
    return {
        "session_id": session,
        "started_at": started,
        "phase": phase,
        "test": test,
        "side": side,
        "metric": metric,
        "value": value,
        "unit": "deg",
        "measured_at": started + timedelta(minutes=minute),
    }


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def by(df: pd.DataFrame, **keys: object) -> pd.Series:
    sel = df
    for k, v in keys.items():
        sel = sel[sel[k].isna()] if v is None else sel[sel[k] == v]
    assert len(sel) == 1, f"expected one row for {keys}; got {len(sel)}"
    return sel.iloc[0]


def test_before_after_change_percent_and_verdicts() -> None:
    df = frame(
        [
            row(1, "before", "shoulder_flexion", "right", 140.0, minute=0),
            row(1, "before", "shoulder_flexion", "left", 160.0, minute=1),
            row(1, "after", "shoulder_flexion", "right", 155.0, minute=30),
            row(1, "after", "shoulder_flexion", "left", 164.0, minute=31),
        ]
    )
    out = compare.before_after(df)
    right = by(out, side="right")
    assert right["change"] == pytest.approx(15.0)
    assert right["change_pct"] == pytest.approx(100 * 15 / 140)
    assert right["before_pct_normal"] == pytest.approx(100 * 140 / 180)
    assert right["after_pct_normal"] == pytest.approx(100 * 155 / 180)
    assert right["gain"] == pytest.approx(15.0)
    assert right["verdict"] == compare.MORE_RANGE  # 15 > MDC 9
    left = by(out, side="left")
    assert left["verdict"] == compare.WITHIN_ERROR  # 4 <= 9
    # Left reaches 20 deg further before, 9 deg further after; same on both rows.
    assert right["asymmetry_before"] == pytest.approx(20.0)
    assert left["asymmetry_after"] == pytest.approx(9.0)


def test_extension_gain_is_more_negative_and_mdc_is_configurable() -> None:
    df = frame(
        [
            row(1, "before", "shoulder_extension", "right", -30.0),
            row(1, "after", "shoulder_extension", "right", -42.0, minute=5),
        ]
    )
    out = by(compare.before_after(df), test="shoulder_extension")
    assert out["change"] == pytest.approx(-12.0)
    assert out["gain"] == pytest.approx(12.0)
    assert out["after_pct_normal"] == pytest.approx(100 * 42 / 60)
    assert out["verdict"] == compare.MORE_RANGE
    strict = load_mdc_table(overrides={"shoulder_extension": 15.0})
    assert by(compare.before_after(df, strict), test="shoulder_extension")["verdict"] == (
        compare.WITHIN_ERROR
    )


def test_change_exactly_at_mdc_is_within_error() -> None:
    table = MdcTable().with_overrides({"shoulder_flexion": 10.0})
    df = frame(
        [
            row(1, "before", "shoulder_flexion", "right", 100.0),
            row(1, "after", "shoulder_flexion", "right", 90.0, minute=1),
        ]
    )
    out = by(compare.before_after(df, table), side="right")
    assert out["verdict"] == compare.WITHIN_ERROR
    df.loc[1, "value"] = 89.5
    assert by(compare.before_after(df, table), side="right")["verdict"] == compare.LESS_RANGE


def test_midline_sided_test_uses_the_sides_own_end_range() -> None:
    # Neck rotation: + toward the subject's left; the right side's result is the minimum.
    df = frame(
        [
            row(1, "before", "neck_rotation", "left", 50.0),
            row(1, "before", "neck_rotation", "right", -40.0, minute=1),
            row(1, "after", "neck_rotation", "right", -55.0, minute=2),
        ]
    )
    out = compare.before_after(df)
    right = by(out, side="right")
    assert right["gain"] == pytest.approx(15.0)
    assert right["before_pct_normal"] == pytest.approx(100 * 40 / 60)
    left = by(out, side="left")
    assert left["verdict"] == compare.INCOMPLETE and math.isnan(left["change"])
    asym = compare.asymmetry(df)
    assert by(asym, phase="before")["difference"] == pytest.approx(10.0)
    assert by(asym, phase="before")["asymmetry_pct"] == pytest.approx(100 * 10 / 50)


def test_posture_has_no_gain_or_percent_of_normal() -> None:
    df = frame(
        [
            row(1, "before", "posture_side", None, 44.0),
            row(1, "after", "posture_side", None, 51.0, minute=3),
        ]
    )
    out = by(compare.before_after(df), test="posture_side")
    assert out["side"] is None
    assert math.isnan(out["gain"]) and math.isnan(out["before_pct_normal"])
    assert out["verdict"] == compare.REAL_CHANGE  # 7 > MDC 6


@pytest.mark.parametrize(("how", "expected"), [("mean", 145.0), ("best", 150.0)])
def test_repeated_attempts_collapse(how: compare.How, expected: float) -> None:
    df = frame(
        [
            row(1, "before", "shoulder_flexion", "right", 140.0, minute=0),
            row(1, "before", "shoulder_flexion", "right", 150.0, minute=1),
        ]
    )
    picked = compare.collapse(df, how)
    assert picked["value"].tolist() == [pytest.approx(expected)]
    assert picked["n"].tolist() == [2]
    assert picked["sd"].tolist() == [pytest.approx(math.sqrt(50.0))]  # sample SD of 140, 150


def test_the_default_is_the_mean_of_the_trials_and_last_is_gone() -> None:
    # Issue 15: each measurement is a trial and clinical ROM is their mean; "last" (the
    # retake replaces the attempt) is no longer a choice.
    df = frame(
        [
            row(1, "before", "shoulder_flexion", "right", 140.0, minute=0),
            row(1, "before", "shoulder_flexion", "right", 150.0, minute=1),
        ]
    )
    assert compare.collapse(df)["value"].tolist() == [pytest.approx(145.0)]
    assert by(compare.before_after(df), side="right")["before"] == pytest.approx(145.0)
    with pytest.raises(ValueError, match="how must be 'mean' or 'best'"):
        compare.collapse(df, "last")  # type: ignore[arg-type]


def test_progress_first_latest_best_and_trend() -> None:
    values = [120.0, 131.0, 127.0, 138.0]  # one visit a week
    df = frame(
        [
            row(i + 1, "before", "shoulder_flexion", "right", v, day=7 * i)
            for i, v in enumerate(values)
        ]
        + [
            row(i + 1, "after", "shoulder_flexion", "right", v + 5, day=7 * i, minute=30)
            for i, v in enumerate(values)
        ]
    )
    out = by(compare.progress(df), test="shoulder_flexion")
    assert out["visits"] == 4
    assert (out["first"], out["latest"], out["best"]) == (120.0, 138.0, 138.0)
    assert out["best_at"] == T0 + timedelta(days=21)
    assert out["change"] == pytest.approx(18.0)
    assert out["verdict"] == compare.MORE_RANGE
    # Least-squares slope of the weekly values, per 30 days.
    x = [0, 7, 14, 21]
    mx, my = sum(x) / 4, sum(values) / 4
    slope = sum((a - mx) * (b - my) for a, b in zip(x, values, strict=True)) / sum(
        (a - mx) ** 2 for a in x
    )
    assert out["slope_per_30d"] == pytest.approx(slope * 30)
    after = by(compare.progress(df, phase="after"), test="shoulder_flexion")
    assert after["first"] == 125.0


def test_visit_series_and_single_visit() -> None:
    df = frame(
        [
            row(1, "before", "shoulder_flexion", "left", 150.0),
            row(2, "before", "shoulder_flexion", "left", 154.0, day=14),
        ]
    )
    series = compare.visit_series(df)
    assert series["change_from_first"].tolist() == [0.0, 4.0]
    assert series["verdict_from_first"].tolist() == ["", compare.WITHIN_ERROR]
    single = compare.progress(df[df["session_id"] == 1])
    assert single["verdict"].tolist() == [compare.INCOMPLETE]
    assert math.isnan(single["slope_per_30d"].iloc[0])


def test_empty_frame_gives_empty_tables() -> None:
    empty = pd.DataFrame(columns=list(compare.REQUIRED_COLUMNS))
    assert compare.before_after(empty).empty
    assert compare.progress(empty).empty
    assert list(compare.progress(empty).columns) == compare.PROGRESS_COLUMNS


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (pd.DataFrame({"value": [1.0]}), "lacks columns"),
        ([1, 2, 3], "expected a pandas DataFrame"),
    ],
)
def test_bad_frames(bad: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        compare.before_after(bad)  # type: ignore[arg-type]


def test_unknown_how_is_refused() -> None:
    df = frame([row(1, "before", "shoulder_flexion", "right", 140.0)])
    with pytest.raises(ValueError, match="how must be"):
        compare.collapse(df, "median")  # type: ignore[arg-type]


# -- values that failed their quality check (issue 11, item 8) ------------------------------


def rejected(r: dict[str, object], reason: str = "knee hidden") -> dict[str, object]:
    return {**r, "quality": "rejected", "quality_reason": reason}


def ok(r: dict[str, object]) -> dict[str, object]:
    return {**r, "quality": "ok", "quality_reason": ""}


def test_rejected_after_value_is_kept_marked_and_not_compared() -> None:
    df = frame(
        [
            ok(row(1, "before", "shoulder_flexion", "right", 120.0)),
            rejected(row(1, "after", "shoulder_flexion", "right", 160.0)),
            ok(row(1, "before", "shoulder_flexion", "left", 150.0)),
            ok(row(1, "after", "shoulder_flexion", "left", 170.0)),
        ]
    )
    ba = compare.before_after(df)
    right = by(ba, side="right")
    assert right["after"] == 160.0 and right["after_quality"] == "rejected"
    assert right["after_reason"] == "knee hidden"
    assert math.isnan(right["change"]) and math.isnan(right["after_pct_normal"])
    assert right["before_pct_normal"] == pytest.approx(100 * 120 / 180)
    assert right["verdict"] == "not comparable: the after value was rejected"
    left = by(ba, side="left")
    assert left["verdict"] == compare.MORE_RANGE and left["after_quality"] == "ok"
    # Left/right after treatment needs both sides trusted.
    asym = compare.asymmetry(df)
    after = asym[asym["phase"] == "after"].iloc[0]
    assert math.isnan(after["difference"]) and after["right_quality"] == "rejected"
    before = asym[asym["phase"] == "before"].iloc[0]
    assert before["difference"] == pytest.approx(30.0)


def test_both_rejected_and_unknown_quality_codes() -> None:
    df = frame(
        [
            {**row(1, "before", "shoulder_flexion", "right", 120.0), "quality": "not_held"},
            rejected(row(1, "after", "shoulder_flexion", "right", 160.0)),
        ]
    )
    r = by(compare.before_after(df), side="right")
    assert r["verdict"] == "not comparable: both values were rejected"
    assert math.isnan(r["before_pct_normal"]) and r["before_quality"] == "not_held"


def test_a_rejected_retake_does_not_replace_the_accepted_attempt() -> None:
    df = frame(
        [
            ok(row(1, "after", "shoulder_flexion", "right", 140.0, minute=1)),
            rejected(row(1, "after", "shoulder_flexion", "right", 175.0, minute=2)),
        ]
    )
    for how in ("mean", "best"):
        picked = by(compare.collapse(df, how), side="right")
        assert picked["value"] == 140.0 and picked["quality"] == "ok"
        # n counts the trials in the value (issue 15); the rejected retake is kept, not counted.
        assert picked["n"] == 1 and picked["n_trials"] == 2
        assert picked["trial_counted"] == (True, False)
    only_rejected = by(compare.collapse(df.iloc[[1]]), side="right")
    assert only_rejected["quality"] == "rejected" and only_rejected["value"] == 175.0


def test_progress_leaves_rejected_visits_out_of_trend_and_verdict() -> None:
    df = frame(
        [
            ok(row(1, "before", "shoulder_flexion", "right", 120.0, day=0)),
            rejected(row(2, "before", "shoulder_flexion", "right", 175.0, day=30)),
            ok(row(3, "before", "shoulder_flexion", "right", 124.0, day=60)),
        ]
    )
    out = by(compare.progress(df), side="right")
    assert out["visits"] == 3 and out["left_out"] == 1
    assert (out["first"], out["latest"], out["best"]) == (120.0, 124.0, 124.0)
    assert out["change"] == pytest.approx(4.0) and out["verdict"] == compare.WITHIN_ERROR
    assert math.isnan(out["slope_per_30d"])  # two trusted visits: the 175 is no third
    assert out["left_out_note"] == "2026-02-04: 175.0 (rejected: knee hidden)"
    series = compare.visit_series(df)
    middle = series.iloc[1]
    assert middle["value"] == 175.0 and math.isnan(middle["pct_normal"])
    assert middle["verdict_from_first"] == "not comparable: this value was rejected"
    last = series.iloc[2]
    assert last["change_from_first"] == pytest.approx(4.0)
    assert last["change_from_previous"] == pytest.approx(4.0)  # from visit 1, not the 175
    # Only the first visit trusted: nothing to compare it with, and the verdict says why.
    two = compare.progress(df.iloc[[0, 1]])
    assert two["verdict"].iloc[0] == "not comparable: the latest value was rejected"
    assert two["latest"].iloc[0] == 120.0 and two["left_out"].iloc[0] == 1
    none = by(compare.progress(df.iloc[[1]]), side="right")
    assert none["verdict"] == "not comparable: every value was rejected"
    assert math.isnan(none["latest"]) and math.isnan(none["slope_per_30d"])
