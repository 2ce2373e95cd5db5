"""The client's "My progress" chart: a readable axis for one day's result, a legend of the
lines actually drawn."""

from __future__ import annotations

import pandas as pd

from romcam.ui.home_progress import progress_chart, value_domain


def test_one_result_gets_an_axis_around_it_in_whole_degrees() -> None:
    # One day's 162.8° once gave a zero-height axis labelled "162.800000".
    assert value_domain([162.8]) == [157.0, 168.0]


def test_the_axis_holds_the_target_and_the_clinic_value_too() -> None:
    low, high = value_domain([150.0, 152.0, 160.0, 128.0])
    assert low <= 128.0 - 5 and high >= 160.0 + 5


def test_the_legend_lists_only_the_lines_drawn() -> None:
    days = pd.DataFrame({"day": ["2026-12-03"], "value": [162.8]})
    spec = progress_chart(days, "shoulder_abduction_left", target=None, clinic=None).to_dict()
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == ["my result"]
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"]["domain"] == [157.0, 168.0] and y["axis"]["format"] == ".0f"
    with_target = progress_chart(days, "shoulder_abduction_left", target=160.0, clinic=None)
    scale = with_target.to_dict()["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["my result", "target"]
    assert scale["range"] == ["#1f77b4", "#2ca02c"]
