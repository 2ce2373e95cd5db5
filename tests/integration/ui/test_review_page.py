"""Session review page under AppTest, against a real SQLite store in a temp data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romcam.outcomes.compare import before_after
from romcam.store import MeasurementInput, Store
from romcam.ui.current import session_key, session_label
from tests.integration.ui.app_helpers import Filled, fill_store, page_app


@pytest.fixture
def filled(data_dir: Path, tmp_path: Path):
    return fill_store(tmp_path / "src")


def _open_visit(filled, visit: int, *opened: int):
    """The review page on visit ``visit`` with the measurements ``opened`` opened."""
    at = page_app("review", "review_page").run()
    at.sidebar.selectbox(key=session_key(filled.client_id)).set_value(
        filled.session_ids[visit]
    ).run()
    for measurement_id in opened:
        at.session_state[f"review_open_{measurement_id}"] = True
    return at.run() if opened else at


def test_before_after_table_chart_and_recordings(filled) -> None:
    at = _open_visit(filled, 0, *filled.measurement_ids[:2])
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    assert list(shown["Test"]) == ["Shoulder abduction (right)"]
    assert shown["Before"].iloc[0] == "120.0" and shown["After"].iloc[0] == "150.0"
    assert shown["Change"].iloc[0] == "+30.0"
    with Store.open() as store:
        expected = before_after(store.measurements_frame(session_id=filled.session_ids[0]))
    assert shown["Verdict"].iloc[0] == expected["verdict"].iloc[0]
    # One before/after chart + one angle curve per opened measurement, each with its video.
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    assert len(at.get("video")) == 2
    assert len(at.expander) == 2
    assert all('"type": "rule"' in c.proto.spec for c in charts[1:])  # normal end range
    # Each stored value marked over the stretch where its curve held it (1.5 s on, see
    # write_trial_files), not as a rule across the whole chart.
    for chart in charts[1:]:
        spec = json.loads(chart.proto.spec)
        held = [lay["encoding"] for lay in spec["layer"] if "x2" in lay.get("encoding", {})]
        assert [(h["x"]["datum"], h["x2"]["datum"]) for h in held] == [(1.5, 2.9)]


def test_relabel_measurement(filled) -> None:
    first = filled.measurement_ids[2]
    at = _open_visit(filled, 1, first)
    at.selectbox(key=f"review_phase_{first}").set_value("after").run()
    at.button(key=f"review_relabel_{first}").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        assert store.get_measurement(first).phase == "after"


def test_delete_needs_confirmation_and_removes_files(filled) -> None:
    target = filled.measurement_ids[0]
    at = _open_visit(filled, 0, target)
    with Store.open() as store:
        video = store.path_of(store.get_measurement(target).recording.video_path)
    assert video.is_file()
    assert at.button(key=f"review_delete_{target}").disabled
    at.checkbox(key=f"review_confirm_{target}").check().run()
    at.button(key=f"review_delete_{target}").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        remaining = [m.id for m in store.list_measurements(filled.session_ids[0])]
    assert remaining == [filled.measurement_ids[1]]
    assert not video.exists()
    assert len(at.expander) == 1


def test_empty_store_says_what_to_do(data_dir: Path) -> None:
    at = page_app("review", "review_page").run()
    assert not at.exception
    assert "Choose or add a client in the sidebar." in at.info[0].value


def test_bad_database_url_is_an_error_not_a_crash(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROMCAM_DATABASE_URL", "notadb://nowhere")
    at = page_app("review", "review_page").run()
    assert not at.exception
    assert "Could not open the database" in at.error[0].value


def test_printable_session_report(filled) -> None:
    at = _open_visit(filled, 0)
    at.button(key=f"review_report_{filled.session_ids[0]}_build").click().run()
    assert not at.exception and not at.error
    html = at.session_state[f"review_report_{filled.session_ids[0]}"]
    assert "<html" in html.lower() and "shoulder" in html.lower()
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("session report" in label for label in labels)


def add_rejected_knee(session_id: int) -> int:
    """Knee flexion (left) in a session: before 100 deg (ok), after 106.5 deg saved although
    it failed the quality check ("knee hidden"). Returns the rejected measurement's id."""
    with Store.open() as store:
        store.add_measurement(session_id, MeasurementInput("knee_flexion", "left", "before", 100))
        m = store.add_measurement(
            session_id,
            MeasurementInput(
                "knee_flexion",
                "left",
                "after",
                106.5,
                quality="rejected",
                quality_reason="knee hidden",
            ),
        )
    return m.id


def test_rejected_value_is_marked_and_not_compared(filled: Filled) -> None:
    rejected_id = add_rejected_knee(filled.session_ids[0])
    at = _open_visit(filled, 0, rejected_id)
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    knee = shown[shown["Test"] == "Knee flexion (left)"].iloc[0]
    assert knee["Before"] == "100.0" and knee["After"] == "106.5 (rejected: knee hidden)"
    assert knee["After, % of normal"] == "—" and knee["Change"] == "—"  # not 79 % of normal
    assert knee["Verdict"] == "not comparable: the after value was rejected"
    abduction = shown[shown["Test"] == "Shoulder abduction (right)"].iloc[0]
    assert abduction["Change"] == "+30.0"  # the trusted pair is compared as before
    assert "left out of % of normal" in " ".join(c.value for c in at.caption)
    assert "rejected (left out)" in at.get("vega_lite_chart")[0].proto.spec  # grey bar, legend
    label = next(e.proto.label for e in at.expander if e.proto.label.startswith(f"#{rejected_id}"))
    assert "106.5 deg (rejected: knee hidden)" in label
    assert any("knee hidden" in w.value for w in at.warning)
    assert "106.5 deg (rejected)" in [m.value for m in at.metric]  # the reason is told apart
    at.button(key=f"review_report_{filled.session_ids[0]}_build").click().run()
    html = at.session_state[f"review_report_{filled.session_ids[0]}"]
    assert "106.5 (rejected: knee hidden)" in html and "79%" not in html
    assert "not comparable: the after value was rejected" in html


def test_the_session_is_shown_once_as_a_heading(filled: Filled) -> None:
    """The session was shown three times: the sidebar's picker, a "Client: … · Session #n"
    line and a second Session picker on the page. Now the sidebar chooses, the page heads."""
    at = _open_visit(filled, 1)
    assert not at.exception and not at.error
    pickers = [s for s in at.selectbox if s.label == "Session"]
    assert [p.key for p in pickers] == [session_key(filled.client_id)]  # the sidebar's only
    new = filled.session_ids[1]
    assert len(pickers[0].options) == 2  # older sessions are browsed there
    with Store.open() as store:
        label = session_label(store.get_session(new))  # "Session #2 (1 Oct 2026 12:00)"
    lines = [m.value for m in at.markdown if f"Session #{new} " in m.value]
    assert lines == [f"**Ada Client** · {label} · therapist Tess · 2 measurements"]
    assert not any("**Client:**" in m.value for m in at.markdown)
