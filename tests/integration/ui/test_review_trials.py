"""Session review under AppTest: each test's trials with their mean ± SD, the outlier flag,
excluding a trial with a reason (kept, struck through, included again), and a trial's pain on
its angle curve and beside its value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romcam.store import MeasurementInput, Store
from romcam.ui.current import session_key
from tests.integration.ui.app_helpers import fill_store, page_app, write_trial_files


@pytest.fixture
def trials(data_dir: Path, tmp_path: Path) -> tuple[int, int, list[int]]:
    """Visit 2 of the filled store gets three more 'before' trials (the third an outlier), the
    first with a recording, where pain began at 120 deg and 4/10 at the end."""
    filled = fill_store(tmp_path / "src")
    session = filled.session_ids[1]
    ids = []
    with Store.open() as store:
        for k, (value, onset, score) in enumerate(
            [(161.0, 120.0, 4), (159.0, None, 5), (128.0, None, None)]
        ):
            files = write_trial_files(tmp_path / f"t{k}", "shoulder_abduction_right", value)
            trial = MeasurementInput(
                "shoulder_abduction", "right", "before", value, first_pain=onset, pain_score=score
            )
            ids.append(store.add_measurement(session, trial, files if k == 0 else None).id)
    return filled.client_id, session, ids


def _review(client_id: int, session_id: int, *opened: int):
    at = page_app("review", "review_page").run()
    at.sidebar.selectbox(key=session_key(client_id)).set_value(session_id).run()
    for measurement_id in opened:
        at.session_state[f"review_open_{measurement_id}"] = True
    return at.run()


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_trials_show_their_mean_and_the_outlier(trials) -> None:
    client_id, session_id, ids = trials
    at = _review(client_id, session_id)
    assert not at.exception and not at.error
    text = _markdown(at)
    # 160 (fill_store's 'before'), 161, 159, 128: mean 152, SD 16.
    assert "**Shoulder abduction (right), before: 152 ± 16°, 4 trials**" in text
    assert f"Trial 2 · #{ids[0]} · **161°** · pain from 120° · pain 4/10" in text
    assert f"Trial 4 · #{ids[2]} · **128°** · :orange-badge[outlier" in text
    assert "**Shoulder abduction (right), after: 165°, 1 trial**" in text


def test_exclude_with_a_reason_then_include_again(trials) -> None:
    client_id, session_id, ids = trials
    outlier = ids[2]
    at = _review(client_id, session_id)
    assert at.button(key=f"review_exclude_{outlier}").disabled  # no reason yet
    at.text_input(key=f"review_exclude_reason_{outlier}").input("lost balance").run()
    at.button(key=f"review_exclude_{outlier}").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        assert store.get_measurement(outlier).excluded_reason == "lost balance"
    text = _markdown(at)
    assert "before: 160 ± 1°, 3 trials (1 excluded: lost balance)**" in text
    assert f"Trial 4 · #{outlier} · ~~128°~~ — excluded: lost balance" in text
    # The measurement itself is kept, struck through in its title.
    assert any("~~128.0 deg~~ (excluded: lost balance)" in e.label for e in at.expander)
    at.button(key=f"review_include_{outlier}").click().run()
    with Store.open() as store:
        assert store.get_measurement(outlier).excluded_reason is None
    assert "before: 152 ± 16°, 4 trials**" in _markdown(at)


def test_pain_is_on_the_angle_curve_and_beside_the_value(trials) -> None:
    client_id, session_id, ids = trials
    at = _review(client_id, session_id, ids[0])
    assert not at.exception and not at.error
    assert "Pain began at 120°; pain 4/10 at the end range." in _markdown(at)
    (curve,) = [c for c in at.get("vega_lite_chart") if "pain from" in c.proto.spec]
    layers = json.loads(curve.proto.spec)["layer"]
    pain = [lay for lay in layers if lay.get("mark", {}).get("strokeDash") == [8, 3, 2, 3]]
    assert [lay["encoding"]["y"]["datum"] for lay in pain] == [120.0]
    words = [lay["mark"].get("text") for lay in layers if lay["mark"].get("color") == "#c2185b"]
    assert "pain from 120° · pain 4/10 at the end" in words
