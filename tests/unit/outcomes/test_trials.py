"""The trials of a test (issue 15): mean ± SD with n, excluded and untrusted trials, the outlier
flag, the pain-free range, the real-change threshold widened by the trials' uncertainty, and
the reports that show them. Hand-built tidy frames; no model, no database."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from romcam.outcomes import compare
from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.report import progress_report, session_report
from romcam.outcomes.report_charts import before_after_figure, progress_figure
from romcam.outcomes.trials import (
    outlier_flags,
    summarize_trials,
    trial_values_text,
    trials_label,
)

T0 = datetime(2026, 2, 2, 9, 0)


def trial(
    value: float,
    *,
    session: int = 1,
    phase: str = "before",
    minute: int = 0,
    day: int = 0,
    **extra: object,
) -> dict[str, object]:
    started = T0 + timedelta(days=day)
    return {
        "session_id": session,
        "started_at": started,
        "client": "Ada",
        "phase": phase,
        "test": "shoulder_flexion",
        "side": "right",
        "metric": "shoulder_flexion_right",
        "value": value,
        "unit": "deg",
        "measured_at": started + timedelta(minutes=minute),
        "quality": "ok",
        "quality_reason": "",
        "first_pain": None,
        "pain_score": None,
        "uncertainty": None,
        "excluded_reason": None,
        **extra,
    }


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# -- the trials' numbers ---------------------------------------------------------------------


def test_three_trials_give_mean_sample_sd_and_n() -> None:
    t = summarize_trials([163.0, 165.0, 167.0], mdc95=9.0)
    assert t.mean == pytest.approx(165.0)
    assert t.sd == pytest.approx(2.0)  # sample SD (ddof=1) of 163, 165, 167
    assert (t.n, t.n_excluded) == (3, 0)
    assert t.values == (163.0, 165.0, 167.0) and t.outliers == (False, False, False)
    assert trials_label(t.mean, t.sd, t.n, "deg") == "165 ± 2°, 3 trials"


def test_one_trial_has_no_sd_and_reads_one_trial() -> None:
    t = summarize_trials([150.0], mdc95=9.0)
    assert t.mean == 150.0 and math.isnan(t.sd) and t.n == 1
    assert t.outliers == (False,)
    assert trials_label(t.mean, t.sd, t.n, "deg") == "150°, 1 trial"


def test_two_trials_are_never_flagged_however_far_apart() -> None:
    t = summarize_trials([120.0, 170.0], mdc95=9.0)
    assert t.mean == pytest.approx(145.0) and t.sd == pytest.approx(statistics.stdev([120, 170]))
    assert t.outliers == (False, False)  # neither is "the other one"


def test_an_excluded_trial_is_listed_with_its_reason_but_not_counted() -> None:
    t = summarize_trials([163.0, 140.0, 167.0], mdc95=9.0, excluded=[None, "trunk leaned", None])
    assert t.mean == pytest.approx(165.0) and t.n == 2 and t.n_excluded == 1
    assert t.counted == (True, False, True) and t.excluded == ("", "trunk leaned", "")
    assert t.outliers == (False, False, False)  # two counted: no flag
    label = trials_label(t.mean, t.sd, t.n, "deg", t.excluded)
    assert label == "165 ± 3°, 2 trials (1 excluded: trunk leaned)"
    assert trial_values_text(t.values, t.counted, t.outliers, t.excluded, "deg") == (
        "163°, 140° (excluded: trunk leaned), 167°"
    )


def test_untrusted_trials_count_only_when_no_trial_is_trusted() -> None:
    t = summarize_trials([150.0, 175.0], mdc95=9.0, trusted=[True, False])
    assert t.mean == 150.0 and t.counted == (True, False)
    none_ok = summarize_trials([150.0, 175.0], mdc95=9.0, trusted=[False, False])
    assert none_ok.mean == pytest.approx(162.5) and none_ok.n == 2


def test_a_trial_far_from_the_others_is_flagged() -> None:
    # Others 164, 166: mean 165, SD 1.41; 180 is 15 away > max(MDC95 9, 2.8).
    t = summarize_trials([164.0, 166.0, 180.0], mdc95=9.0)
    assert t.outliers == (False, False, True)
    assert t.n == 3 and t.mean == pytest.approx(170.0)  # flagged, still counted
    assert trial_values_text(t.values, t.counted, t.outliers, t.excluded, "deg").endswith(
        "180° (outlier)"
    )


def test_a_trial_within_the_mdc_or_the_others_spread_is_not_flagged() -> None:
    # 8 deg from the others' mean: within an MDC95 of 9.
    assert not summarize_trials([164.0, 166.0, 173.0], mdc95=9.0).outliers[2]
    # Evenly spread trials: 168 is 12 from the others' mean of 156 (more than the MDC95), but
    # the others themselves spread that much (2 SD of 150, 156, 162 = 12): ordinary scatter.
    assert not any(summarize_trials([150.0, 156.0, 162.0, 168.0], mdc95=9.0).outliers)
    # The limit is strict: exactly MDC95 away is not an outlier.
    assert not outlier_flags(
        pd.Series([160.0, 160.0, 160.0, 169.0]).to_numpy(), pd.Series([True] * 4).to_numpy(), 9.0
    )[3]


def test_collapse_carries_the_trials_pain_and_uncertainty() -> None:
    df = frame(
        trial(163.0, minute=0, first_pain=118.0, pain_score=3, uncertainty=3.0),
        trial(165.0, minute=1, first_pain=122.0, pain_score=4, uncertainty=4.0),
        trial(130.0, minute=2, excluded_reason="client turned", first_pain=90.0),
        trial(167.0, minute=3, pain_score=5),
    )
    r = compare.collapse(df).iloc[0]
    assert r["value"] == pytest.approx(165.0) and r["sd"] == pytest.approx(2.0)
    assert (r["n"], r["n_excluded"], r["n_trials"]) == (3, 1, 4)
    assert r["label"] == "165 ± 2°, 3 trials (1 excluded: client turned)"
    assert r["trial_values"] == (163.0, 165.0, 130.0, 167.0)
    assert r["first_pain"] == pytest.approx(120.0)  # the counted trials that recorded it
    assert r["pain_score"] == pytest.approx(4.0)
    assert r["uncertainty"] == pytest.approx(math.sqrt((9 + 16 + 0) / 3))  # RMS, missing = 0
    assert compare.collapse(df, "best")["value"].iloc[0] == 167.0
    every_one_out = df.assign(excluded_reason="camera moved")
    assert compare.collapse(every_one_out).empty  # no trial counted: no value


# -- pain-free range and the real-change threshold --------------------------------------------


def test_pain_free_range_before_and_after() -> None:
    df = frame(
        trial(140.0, first_pain=118.0, pain_score=6),
        trial(142.0, minute=1, first_pain=122.0, pain_score=6),
        trial(160.0, phase="after", minute=30, first_pain=150.0, pain_score=3),
    )
    r = compare.before_after(df).iloc[0]
    assert (r["before_first_pain"], r["after_first_pain"]) == (120.0, 150.0)
    assert r["pain_free_change"] == pytest.approx(30.0)
    assert (r["before_pain_score"], r["after_pain_score"]) == (6.0, 3.0)
    assert (r["before_n"], r["after_n"]) == (2, 1)
    assert r["before_label"] == "141 ± 1°, 2 trials"


def test_pain_free_range_over_visits() -> None:
    df = frame(
        trial(130.0, session=1, first_pain=120.0, pain_score=6),
        trial(135.0, session=2, day=14),  # no pain asked this visit
        trial(150.0, session=3, day=28, first_pain=150.0, pain_score=2),
    )
    p = compare.progress(df).iloc[0]
    assert (p["pain_free_first"], p["pain_free_latest"]) == (120.0, 150.0)
    assert p["pain_free_change"] == pytest.approx(30.0)
    assert (p["pain_score_first"], p["pain_score_latest"]) == (6.0, 2.0)


def nine_degrees(u: float | None) -> pd.DataFrame:
    return frame(
        trial(100.0, uncertainty=u),
        trial(109.0, phase="after", minute=30, uncertainty=u),
    )


def test_uncertainty_widens_the_real_change_threshold() -> None:
    table = MdcTable().with_overrides({"shoulder_flexion": 8.0})
    sure = compare.before_after(nine_degrees(None), table).iloc[0]
    assert sure["threshold"] == pytest.approx(8.0)
    assert sure["verdict"] == compare.MORE_RANGE  # 9 > 8
    unsure = compare.before_after(nine_degrees(4.0), table).iloc[0]
    assert unsure["threshold"] == pytest.approx(math.sqrt(8**2 + 4**2 + 4**2))  # 9.80
    assert unsure["verdict"] == compare.WITHIN_ERROR
    visits = nine_degrees(4.0).assign(session_id=[1, 2], phase="before")
    visits.loc[1, "started_at"] = T0 + timedelta(days=14)
    p = compare.progress(visits, table).iloc[0]
    assert p["threshold"] == pytest.approx(unsure["threshold"])
    assert p["verdict"] == compare.WITHIN_ERROR


def test_progress_of_any_phase_takes_the_visits_last_phase() -> None:
    df = frame(
        trial(120.0, minute=0),
        trial(124.0, minute=1),
        trial(140.0, phase="after", minute=30),
        trial(130.0, session=2, day=14),
    )
    series = compare.visit_series(df, phase=None)
    assert series["value"].tolist() == [140.0, 130.0]  # visit 1's after, visit 2's before


# -- reports ---------------------------------------------------------------------------------


def test_session_report_shows_the_trials_and_the_pain() -> None:
    df = frame(
        trial(163.0, minute=0, first_pain=118.0, pain_score=6),
        trial(165.0, minute=1, first_pain=122.0, pain_score=6),
        trial(167.0, minute=2),
        trial(130.0, minute=3, excluded_reason="trunk leaned"),
        trial(164.0, phase="after", minute=30, first_pain=150.0, pain_score=3),
        trial(166.0, phase="after", minute=31),
        trial(185.0, phase="after", minute=32),
    )
    html = session_report(df)
    assert "<h2>Trials</h2>" in html
    assert "165 ± 2°, 3 trials (1 excluded: trunk leaned)" in html
    assert "163°, 165°, 167°, 130° (excluded: trunk leaned)" in html
    assert "164°, 166°, 185° (outlier)" in html  # 20 from the others' mean of 165 > 9
    assert "A trial marked outlier" in html
    assert "<th>Pain-free range</th>" in html and "120° → 150°" in html
    assert "6/10 → 3/10" in html
    assert "<th>Threshold used</th>" in html
    assert "<th>Excluded (why)</th>" in html and "<td>trunk leaned</td>" in html
    assert html.count("<img") == 1  # the chart, with its pain ticks


def test_progress_report_shows_each_visits_trials_and_pain() -> None:
    df = frame(
        trial(130.0, session=1, first_pain=120.0, pain_score=6),
        trial(134.0, session=1, minute=1),
        trial(150.0, session=2, day=14, first_pain=150.0, pain_score=2),
    )
    html = progress_report(df)
    assert "132 ± 3°, 2 trials" in html and "130°, 134°" in html
    assert "150°, 1 trial" in html
    assert "<th>Pain-free range</th>" in html and "120° → 150°" in html
    assert "6/10 → 2/10" in html


def test_reports_without_pain_have_no_pain_columns() -> None:
    df = frame(trial(140.0), trial(150.0, phase="after", minute=30))
    html = session_report(df)
    assert "<th>Pain-free range</th>" not in html.split("<h2>Trials</h2>")[0]
    assert "140°, 1 trial" in html


def test_charts_mark_where_pain_began_and_the_trials_spread() -> None:
    df = frame(
        trial(130.0, session=1, first_pain=120.0),
        trial(134.0, session=1, minute=1),
        trial(150.0, session=2, day=14, first_pain=145.0),
        trial(150.0, session=2, day=14, minute=1, phase="after", first_pain=148.0),
    )
    bars = before_after_figure(compare.before_after(df))
    (ax,) = bars.axes
    pain = [line for line in ax.get_lines() if line.get_label() == "pain began"]
    assert len(pain) == 1
    assert np.asarray(pain[0].get_xdata()).tolist() == [
        120.0,
        145.0,
        148.0,
    ]  # befores, then the after
    series = compare.visit_series(df)
    fig = progress_figure(series, "Shoulder flexion (right)", 9.0)
    labels = [t.get_text() for t in _legend_texts(fig)]
    assert "pain began" in labels and "± SD of the trials" in labels
    (pax,) = fig.axes
    marks = [line for line in pax.get_lines() if line.get_label() == "pain began"]
    assert np.asarray(marks[0].get_ydata()).tolist() == [120.0, 145.0]


def _legend_texts(fig: Figure) -> list[Text]:
    FigureCanvasAgg(fig).draw()
    return list(fig.legends[0].get_texts())


def test_session_report_lists_a_trials_compensation_peaks() -> None:
    df = frame(
        trial(140.0, compensation={"trunk_lateral_lean": 7.5}),
        trial(150.0, phase="after", minute=30, compensation=None),
    )
    html = session_report(df)
    assert "<th>Compensation (peak)</th>" in html and "trunk lateral lean 7.5°" in html
    assert "<th>Compensation (peak)</th>" not in session_report(frame(trial(140.0)))


def test_empty_cells_of_nullable_columns_count_as_not_given() -> None:
    df = frame(trial(140.0), trial(144.0, minute=1, first_pain=120.0, pain_score=5)).astype(
        {"excluded_reason": "string", "pain_score": "Int64", "first_pain": "Float64"}
    )
    r = compare.collapse(df).iloc[0]
    assert (r["n"], r["n_excluded"]) == (2, 0)
    assert (r["first_pain"], r["pain_score"]) == (120.0, 5.0)


# -- camera set-up of the compared values (engineer D's setup_geometry) ----------------------

NEAR = {"distance_m": 2.0, "camera_height_m": 1.0, "yaw_deg": 0.0, "roll_deg": 0.0}
FAR = {**NEAR, "distance_m": 2.6}  # 30 % further: beyond the 10 % tolerance


def test_a_changed_camera_set_up_is_said_beside_the_comparison() -> None:
    df = frame(
        trial(140.0, setup=NEAR),
        trial(142.0, minute=1, setup=NEAR),
        trial(155.0, phase="after", minute=30, setup=FAR),
    )
    r = compare.before_after(df).iloc[0]
    assert r["setup_note"].startswith("Different camera set-up from the earlier measurement")
    html = session_report(df)
    assert "<li>Shoulder flexion (right): Different camera set-up" in html
    same = frame(trial(140.0, setup=NEAR), trial(155.0, phase="after", minute=30, setup=NEAR))
    assert compare.before_after(same)["setup_note"].tolist() == [""]
    visits = frame(trial(140.0, setup=NEAR), trial(150.0, session=2, day=14, setup=FAR))
    assert compare.progress(visits)["setup_note"].iloc[0].startswith("Different camera set-up")
    assert "Different camera set-up" in progress_report(visits)
    unknown = frame(trial(140.0), trial(155.0, phase="after", minute=30))
    assert compare.before_after(unknown)["setup_note"].tolist() == [""]
