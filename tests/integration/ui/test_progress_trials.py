"""Client progress under AppTest with three trials per visit: each visit's mean with a ± SD
error bar, the trials in the tooltip, and the pain-free range over the visits (chart and
summary)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from romcam.outcomes.compare import visit_series
from romcam.store import MeasurementInput, Store
from romcam.ui.charts import history_chart
from romcam.ui.pain_layers import PAIN_DASH, PAIN_FREE_LABEL
from tests.integration.ui.app_helpers import page_app

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_visit_means_have_sd_bars_and_the_pain_free_range(data_dir: Path) -> None:
    visits = [
        ([140.0, 142.0, 138.0], [110.0, 112.0, None], 6),
        ([155.0, 153.0, 154.0], [140.0, 142.0, 138.0], 2),
    ]
    with Store.open() as store:
        client = store.add_client("Pia Pain")
        for i, (values, onsets, score) in enumerate(visits):
            session = store.start_session(client.id, started_at=T0 + timedelta(days=21 * i))
            for value, onset in zip(values, onsets, strict=True):
                trial = MeasurementInput(
                    "shoulder_flexion", "left", "before", value, first_pain=onset, pain_score=score
                )
                store.add_measurement(session.id, trial)
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    row = at.dataframe[0].value.iloc[0]
    assert row["First"] == 140.0 and row["Latest"] == 154.0  # the visits' means
    assert row["Pain-free range"] == "pain-free range 111° → 140°"
    assert row["Pain (0–10)"] == "pain 6/10 → 2/10"
    (spec,) = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len([lay for lay in spec["layer"] if "y2" in lay.get("encoding", {})]) == 1
    assert len([lay for lay in spec["layer"] if lay["mark"].get("strokeDash") == PAIN_DASH]) == 1
    assert any("latest: 154 ± 1°, 3 trials" in c.value for c in at.caption)
    # The chart's data (inline here; the page sends it apart as Arrow).
    with Store.open() as store:
        series = visit_series(store.measurements_frame(client="Pia Pain"))
    chart = history_chart(
        series.assign(visit=pd.to_datetime(series["started_at"])),
        "shoulder_flexion_left",
        x_col="visit",
        sd_col="sd",
        pain_col="first_pain",
    ).to_dict()
    data = {name: rows for name, rows in chart["datasets"].items()}
    layers = chart["layer"]
    (bars,) = [data[lay["data"]["name"]] for lay in layers if "y2" in lay.get("encoding", {})]
    assert [(round(r["_low"], 1), round(r["_high"], 1)) for r in bars] == [
        (138.0, 142.0),
        (153.0, 155.0),
    ]
    (pain,) = [
        data[lay["data"]["name"]] for lay in layers if lay["mark"].get("strokeDash") == PAIN_DASH
    ]
    assert [r["_pain"] for r in pain] == [111.0, 140.0]
    assert pain[0]["_what"] == PAIN_FREE_LABEL
    assert bars[0]["label"] == "140 ± 2°, 3 trials"  # the tooltip's trials
