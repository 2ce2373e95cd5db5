"""One result on the Analyze and Session review pages (issue 13): the (annotated) video at a
bounded height with the result and its actions beside it, Save once, plain words."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from romcam.analysis import analyze_landmarks
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.synthetic import synthetic_pose
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.media.video import H264Writer, VideoReader, probe_video
from romcam.store import MeasurementInput, RecordingInput, Store
from romcam.ui.analyze import Analyzed
from tests.integration.ui.app_helpers import analyzed_elsewhere, page_app
from tests.integration.ui.test_review_page import add_rejected_knee

#: Tallest a video may be shown (px): 60 % of a 1366x768 laptop screen.
BOUND_PX = 0.6 * 768
#: A portrait phone clip's shape, small: 216 x 384 px (9:16).
PORTRAIT = (216, 384)
#: Raw ids that must not reach a person: test, metric, view and quality codes.
RAW_IDS = re.compile(
    r"\b(?:" + "|".join(METRIC_IDS) + r"|shoulder_abduction|knee_flexion|side_left|side_right|"
    r"no_data|not_held|wrong_view|mdc95|None)\b"
)


def portrait_recording(folder: Path, frames: int = 24) -> RecordingInput:
    """A grey portrait video of shoulder flexion (left, side view) with its landmark and angle
    files, as a stored measurement keeps them."""
    folder.mkdir(parents=True, exist_ok=True)
    curve = np.concatenate([np.linspace(0.0, 120.0, frames // 2), np.full(frames // 2, 120.0)])
    pose = synthetic_pose(
        {"shoulder_flexion_left": curve}, view="side_left", fps=10.0, image_size=PORTRAIT
    )
    video = folder / "video.mp4"
    with H264Writer(video, *PORTRAIT, 10.0) as writer:
        for i in range(frames):
            writer.write(np.full((PORTRAIT[1], PORTRAIT[0], 3), 128, dtype=np.uint8), i / 10.0)
    landmarks = write_landmarks_csv(folder / "landmarks.csv", pose)
    angles = folder / "angles.csv"
    analyze_landmarks(pose)[0].to_dataframe().to_csv(angles, index=False)
    return RecordingInput(video=video, landmarks=landmarks, angles=angles, duration_s=frames / 10)


def shown_heights(at: AppTest) -> list[float]:
    """Height (px) each shown video takes: its set width over the file's aspect ratio."""
    widths = [v.proto.width_config.pixel_width for v in at.get("video")]
    assert all(widths), "every video has a pixel width (a full-width one is unbounded)"
    return [w * PORTRAIT[1] / PORTRAIT[0] for w in widths]


def _analyzed_page(analyzed: Analyzed) -> AppTest:
    at = page_app("analyze", "analyze_page")
    at.session_state["romcam_analyze_result"] = analyzed
    at.run()
    at.selectbox(key="analyze_test").set_value("shoulder_flexion").run()
    at.radio(key="analyze_side").set_value("left").run()
    assert not at.exception and not at.error
    return at


def test_save_stores_the_result_once_and_says_so(session_id: int, tmp_path: Path) -> None:
    analyzed = analyzed_elsewhere(tmp_path / "upload", "shoulder_flexion_left", "side_left")
    at = _analyzed_page(analyzed)
    at.button(key="analyze_save").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
    [saved] = [b for b in at.button if b.label.startswith("Saved as measurement")]
    assert saved.label == f"Saved as measurement #{m.id}" and saved.disabled
    assert "Save measurement" not in [b.label for b in at.button]
    at.run()
    assert [b.label for b in at.button if b.label.startswith("Save")] == [saved.label]
    with Store.open() as store:
        assert [x.id for x in store.list_measurements(session_id)] == [m.id]
    # A new analysis (of the same video) can be saved again.
    at.session_state["romcam_analyze_result"] = analyzed_elsewhere(
        tmp_path / "again", "shoulder_flexion_left", "side_left"
    )
    at.run()
    at.button(key="analyze_save").click().run()
    with Store.open() as store:
        assert len(store.list_measurements(session_id)) == 2


def test_analyze_shows_a_portrait_video_at_a_bounded_height_beside_the_result(
    session_id: int, tmp_path: Path
) -> None:
    analyzed = analyzed_elsewhere(tmp_path / "upload", "shoulder_flexion_left", "side_left")
    files = portrait_recording(tmp_path / "portrait")
    result = dataclasses.replace(
        analyzed.result, annotated_mp4=files.video, video=probe_video(files.video or "")
    )
    at = _analyzed_page(Analyzed("portrait.mp4", analyzed.folder, result))
    [height] = shown_heights(at)
    assert 300 < height <= BOUND_PX
    # The video and the result are the two places of one row; Save is in the result's place.
    [row] = [b for b in at.main.children.values() if b.type == "flex_container" and video_in(b)]
    video_place, result_place = row.children.values()
    assert video_in(video_place) and not video_in(result_place)
    assert result_place.button(key="analyze_save").label == "Save measurement"
    metrics = {m.label: m.value for m in result_place.metric}
    assert metrics == {"Shoulder flexion (left)": "90.0 deg", "Quality": "ok", "View": "left side"}


def video_in(block: object) -> bool:
    """True when a video element is anywhere inside ``block``."""
    return any(getattr(node, "type", "") == "video" for node in _walk(block))


def _walk(block: object) -> list[object]:
    children = list(getattr(block, "children", {}).values())
    return children + [n for c in children for n in _walk(c)]


@pytest.fixture
def stored(data_dir: Path, tmp_path: Path) -> tuple[int, int]:
    """(session id, measurement id) of a portrait shoulder flexion with its landmarks, and a
    rejected knee flexion pair in the same session."""
    with Store.open() as store:
        session = store.start_session(store.add_client("Portrait Client").id)
        m = store.add_measurement(
            session.id,
            MeasurementInput(
                "shoulder_flexion", "left", "before", 120.0, view="side_left", source="video"
            ),
            portrait_recording(tmp_path / "src"),
        )
    add_rejected_knee(session.id)
    return session.id, m.id


def test_review_draws_the_annotated_video_once_at_a_bounded_height(
    stored: tuple[int, int],
) -> None:
    _, measurement_id = stored
    at = page_app("review", "review_page").run()
    assert not at.exception and not at.error
    assert at.get("video") == []  # nothing is drawn for a closed measurement
    at.session_state[f"review_open_{measurement_id}"] = True
    at.run(timeout=120)
    assert not at.exception and not at.error
    with Store.open() as store:
        rec = store.get_measurement(measurement_id).recording
        raw = store.path_of(rec.video_path)
    annotated = raw.with_name("annotated.mp4")
    assert annotated.is_file()
    with VideoReader(raw) as a, VideoReader(annotated) as b:
        differences = [
            np.abs(x.image.astype(int) - y.image).mean() for x, y in zip(a, b, strict=True)
        ]
    assert len(differences) == 24 and min(differences) > 2  # the skeleton and readout drawn
    [height] = shown_heights(at)
    assert 300 < height <= BOUND_PX
    drawn = annotated.stat().st_mtime_ns
    at.run()  # shown again from the file, not drawn again
    assert annotated.stat().st_mtime_ns == drawn and len(at.get("video")) == 1
    assert "Delete" in [b.label for b in at.button]


def test_review_speaks_plain_words(stored: tuple[int, int]) -> None:
    _, measurement_id = stored
    at = page_app("review", "review_page").run()
    at.session_state[f"review_open_{measurement_id}"] = True
    at.run(timeout=120)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    knee = table[table["Test"] == "Knee flexion (left)"].iloc[0]
    assert knee["After"] == "106.5 (rejected: knee hidden)"
    assert knee["After, % of normal"] == "—"  # not "None"
    assert set(table["Test"]) == {"Knee flexion (left)", "Shoulder flexion (left)"}
    texts = [*table.columns, *table.astype(str).to_numpy().ravel()]
    texts += [e.proto.label for e in at.expander]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    texts += [c.value for c in at.caption] + [w.value for w in at.warning]
    shown = [t for t in texts if RAW_IDS.search(t)]
    assert shown == [], shown
    labels = [e.proto.label for e in at.expander]
    assert f"#{measurement_id} Shoulder flexion (left) — before: 120.0 deg · uploaded video" in (
        labels
    )
    assert any("filmed from the left side" in c.value for c in at.caption)
    chart = at.get("vega_lite_chart")[0].proto.spec
    assert "Knee flexion (left)" in chart and "knee_flexion" not in chart
