"""Analyze-a-recording page under AppTest: upload, analysis with the real pipeline and pose
model, playback, angle curve, saving to a session; bad uploads get a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from romcam.calibration import CalibrationProfile, save_profile
from romcam.errors import InputError
from romcam.store import Store
from romcam.ui.analyze import check_upload
from tests.integration.ui.app_helpers import analyzed_elsewhere, page_app, upload_and_analyze


@pytest.mark.footage
def test_upload_analyze_play_plot_and_save(session_id: int, clip_bytes: bytes) -> None:
    at = upload_and_analyze(page_app("analyze", "analyze_page"), "My Clip.mp4", clip_bytes)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Quality"] == "ok"
    assert metrics["View"] == "front"
    value = float(metrics["Shoulder abduction (right)"].split()[0])
    assert 140 < value < 185
    assert len(at.get("video")) == 1  # the annotated video
    # The spec escapes "°" as \u00b0: read it back to compare words.
    chart = json.dumps(json.loads(at.get("vega_lite_chart")[0].proto.spec), ensure_ascii=False)
    assert "Shoulder abduction (right) (deg)" in chart and "normal end range 180°" in chart
    assert f"captured {value:.0f}°, held" in chart
    save = next(b for b in at.button if b.label == "Save measurement")
    save.click().run(timeout=60)
    assert not at.exception and not at.error
    [saved] = [b for b in at.button if b.label.startswith("Saved as measurement #")]
    assert saved.disabled
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
        assert (m.test, m.side, m.source, m.phase) == (
            "shoulder_abduction",
            "right",
            "video",
            "before",
        )
        assert m.value == pytest.approx(value, abs=0.05)
        assert m.recording is not None
        assert store.path_of(m.recording.video_path).read_bytes() == clip_bytes


@pytest.mark.footage
def test_the_calibration_profile_is_recorded(session_id: int, clip_bytes: bytes) -> None:
    """As `romcam measure` and the live page do: the profile the video was analyzed with."""
    save_profile(CalibrationProfile(name="clinic-tripod", created="2026-01-05T09:00:00Z"))
    at = page_app("analyze", "analyze_page").run()
    at.selectbox(key="analyze_calibration").set_value("clinic-tripod").run()
    upload_and_analyze(at, "clip.mp4", clip_bytes)
    assert not at.exception and not at.error
    next(b for b in at.button if b.label == "Save measurement").click().run(timeout=60)
    assert not at.exception and not at.error
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
    assert m.calibration_profile == "clinic-tripod"


def test_a_rejected_result_is_saved_only_when_asked(session_id: int, tmp_path: Path) -> None:
    """The same rule as `romcam measure --keep-rejected`."""
    at = page_app("analyze", "analyze_page")
    at.session_state["romcam_analyze_result"] = analyzed_elsewhere(tmp_path / "upload")
    at.run()
    at.selectbox(key="analyze_test").set_value("elbow_flexion").run()
    at.radio(key="analyze_side").set_value("right").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # A rejected value is not shown as a number; the reason says why (issue 11).
    assert metrics["Quality"] == "wrong view" and metrics["Elbow flexion (right)"] == "—"
    assert "needs a side view" in at.warning[0].value
    assert at.warning[0].value[0].isupper()  # a reason on its own reads as a sentence
    next(b for b in at.button if b.label == "Save measurement").click().run()
    assert not at.exception
    assert "failed its quality check" in at.error[0].value and "not saved" in at.error[0].value
    with Store.open() as store:
        assert store.list_measurements(session_id) == []
    at.checkbox(key="analyze_keep_rejected").check().run()
    next(b for b in at.button if b.label == "Save measurement").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
    assert m.quality == "rejected" and "needs a side view" in m.quality_reason
    assert m.value == pytest.approx(90.0, abs=1.0)


def test_a_result_without_a_value_offers_nothing_to_save(session_id: int, tmp_path: Path) -> None:
    """A squat's knee flexion never held at the bottom has no value: "Save it anyway" was
    offered and failed with "could not be measured ... the {side} side" (issue 13's e2e)."""
    swing = np.concatenate([np.linspace(0.0, 120.0, 30), np.linspace(120.0, 0.0, 30)])
    at = page_app("analyze", "analyze_page")
    at.session_state["romcam_analyze_result"] = analyzed_elsewhere(
        tmp_path / "upload", "knee_flexion_left", "side_left", curve=np.concatenate([swing] * 2)
    )
    at.run()
    at.selectbox(key="analyze_test").set_value("knee_flexion").run()
    at.radio(key="analyze_side").set_value("left").run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Knee flexion (left)"] == "—"
    [nothing] = [i.value for i in at.info if i.value.startswith("Nothing to save")]
    assert "knee_flexion_left" not in nothing and "{side}" not in nothing
    assert "Save measurement" not in [b.label for b in at.button]
    assert [c.label for c in at.checkbox] == []  # no "Save it anyway"
    with Store.open() as store:
        assert store.list_measurements(session_id) == []


# A file of another type cannot be picked: the uploader's type filter refuses it in the browser
# (and Streamlit refuses it on the server); check_upload repeats the check (tested below). A file
# that is not a video: test_analyze_uploads.py.
def test_bad_upload_is_a_message_not_a_crash(session_id: int) -> None:
    at = upload_and_analyze(page_app("analyze", "analyze_page"), "empty.mp4", b"")
    assert not at.exception
    assert "is empty" in at.error[0].value
    with Store.open() as store:
        assert store.list_measurements(session_id) == []


@pytest.mark.parametrize(
    ("name", "size", "match"),
    [
        ("clip.exe", 10, "not a video file"),
        ("clip.mp4", 0, "empty"),
        ("clip.mov", 501_000_000, "more than the 500 MB limit"),
    ],
)
def test_check_upload_refuses(name: str, size: int, match: str) -> None:
    with pytest.raises(InputError, match=match):
        check_upload(name, size)


def test_check_upload_makes_a_safe_name() -> None:
    assert check_upload("../../etc/My Clip (1).MP4", 1000) == "My_Clip_1.mp4"


def test_a_side_the_video_does_not_show_says_which_to_choose(
    session_id: int, tmp_path: Path
) -> None:
    at = page_app("analyze", "analyze_page")
    at.session_state["romcam_analyze_result"] = analyzed_elsewhere(
        tmp_path / "upload", "shoulder_flexion_left", "side_left"
    )
    at.run()
    at.selectbox(key="analyze_test").set_value("shoulder_flexion").run()
    at.radio(key="analyze_side").set_value("right").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Quality"] == "wrong side"
    assert at.warning[0].value == "This video shows the left side; choose left."
    assert "Save measurement" not in [b.label for b in at.button]
    at.radio(key="analyze_side").set_value("left").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Quality"] == "ok" and metrics["Shoulder flexion (left)"] == "90.0 deg"
    # Posture apart: a raised arm held still and upright is a posture stretch.
    assert "Posture (while still and upright)" in [h.value for h in at.subheader]
