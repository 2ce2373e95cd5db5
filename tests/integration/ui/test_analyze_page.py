"""Analyze-a-recording page under AppTest: upload, analysis with the real pipeline and pose
model, playback, angle curve, saving to a session; bad uploads get a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from romcam.errors import InputError
from romcam.media.video import H264Writer
from romcam.store import Store
from romcam.ui.analyze import check_upload
from tests.conftest import MODEL_PATH
from tests.e2e.footage import held_abduction_frames
from tests.integration.ui.app_helpers import page_app


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A short MP4: arms raised, held overhead 1.5 s, lowered (see tests/e2e/footage.py)."""
    path = tmp_path_factory.mktemp("clip") / "abduction.mp4"
    frames = held_abduction_frames(width=480, hold_s=1.5)
    h, w = frames[0].shape[:2]
    with H264Writer(path, w, h, 30.0) as writer:
        for frame in frames:
            writer.write(frame)
    return path.read_bytes()


@pytest.fixture
def session_id(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("ROMCAM_MODEL", str(MODEL_PATH))
    with Store.open() as store:
        return store.start_session(store.add_client("Video Client")).id


def _upload(at: AppTest, name: str, data: bytes, mime: str = "video/mp4") -> AppTest:
    at.run()
    at.selectbox(key="analyze_test").set_value("shoulder_abduction").run()
    at.radio(key="analyze_side").set_value("right").run()
    at.file_uploader(key="analyze_upload").set_value((name, data, mime)).run()
    at.button[0].click().run(timeout=180)
    return at


@pytest.mark.footage
def test_upload_analyze_play_plot_and_save(session_id: int, clip_bytes: bytes) -> None:
    at = _upload(page_app("analyze", "analyze_page"), "My Clip.mp4", clip_bytes)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Quality"] == "ok"
    assert metrics["View"] == "front"
    value = float(metrics["Shoulder abduction (right)"].split()[0])
    assert 140 < value < 185
    assert len(at.get("video")) == 1  # the annotated video
    chart = at.get("vega_lite_chart")[0].proto.spec
    assert "Shoulder abduction (right) (deg)" in chart and '"type": "rect"' in chart
    save = next(b for b in at.button if b.label == "Save measurement")
    save.click().run(timeout=60)
    assert not at.exception and not at.error
    assert "Saved measurement #" in at.success[0].value
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


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.mp4", b"", "is empty"),
        ("fake.mp4", b"\x00not really a video" * 100, "cannot be opened as a video"),
    ],
)
# A file of another type cannot be picked: the uploader's type filter refuses it in the browser
# (and Streamlit refuses it on the server); check_upload repeats the check (tested below).
def test_bad_upload_is_a_message_not_a_crash(
    session_id: int, name: str, data: bytes, message: str
) -> None:
    at = _upload(page_app("analyze", "analyze_page"), name, data)
    assert not at.exception
    assert message in at.error[0].value
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
