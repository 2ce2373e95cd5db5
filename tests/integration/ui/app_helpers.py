"""Helpers for the dashboard's AppTest tests: a real store filled with known measurements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from romcam.analysis import AnalysisResult, analyze_landmarks
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.synthetic import synthetic_pose
from romcam.media.video import H264Writer, probe_video
from romcam.store import MeasurementInput, RecordingInput, Store
from romcam.ui.analyze import Analyzed

PAGE_SCRIPT = """
import logging
from romcam.ui.{module} import {page}
{page}()
"""


def page_app(module: str, page: str, timeout: float = 60) -> AppTest:
    """An AppTest running one dashboard page function (``romcam.ui.<module>.<page>()``)."""
    return AppTest.from_string(
        PAGE_SCRIPT.format(module=module, page=page), default_timeout=timeout
    )


def upload_and_analyze(at: AppTest, name: str, data: bytes, mime: str = "video/mp4") -> AppTest:
    """On the Analyze page: right shoulder abduction, upload ``data`` as ``name``, Analyze."""
    at.run()
    at.selectbox(key="analyze_test").set_value("shoulder_abduction").run()
    at.radio(key="analyze_side").set_value("right").run()
    at.file_uploader(key="analyze_upload").set_value((name, data, mime)).run()
    next(b for b in at.button if b.label == "Analyze").click().run(timeout=180)
    return at


def write_trial_files(folder: Path, metric: str, peak: float) -> RecordingInput:
    """A tiny real H.264 video and an angle table rising from 0 to ``peak`` (held 1 s)."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / "trial.mp4"
    with H264Writer(video, 64, 48, 10.0) as writer:
        for i in range(10):
            writer.write(np.full((48, 64, 3), 20 * i, dtype=np.uint8))
    t = np.arange(30) / 10.0
    curve = np.clip(t / 1.5, 0, 1) * peak
    table = {"frame": np.arange(30), "time_s": t}
    table.update({m: np.full(30, np.nan) for m in METRIC_IDS})
    table[metric] = curve
    angles = folder / "angles.csv"
    pd.DataFrame(table).to_csv(angles, index=False)
    return RecordingInput(video=video, angles=angles, duration_s=3.0)


@dataclass(frozen=True)
class Filled:
    """Ids of what :func:`fill_store` created."""

    client_id: int
    session_ids: tuple[int, ...]
    measurement_ids: tuple[int, ...]


def fill_store(tmp: Path, name: str = "Ada Client") -> Filled:
    """One client, two visits 30 days apart, each with right shoulder abduction before/after.

    Values (degrees): visit 1 before 120 / after 150, visit 2 before 160 / after 165.
    """
    values = ((120.0, 150.0), (160.0, 165.0))
    with Store.open() as store:
        client = store.add_client(name)
        start = datetime(2026, 9, 1, 10, tzinfo=UTC)
        sessions, measurements = [], []
        for visit, pair in enumerate(values):
            session = store.start_session(
                client.id, therapist="Tess", started_at=start + timedelta(days=30 * visit)
            )
            sessions.append(session.id)
            for phase, value in zip(("before", "after"), pair, strict=True):
                files = write_trial_files(
                    tmp / f"v{visit}-{phase}", "shoulder_abduction_right", value
                )
                m = store.add_measurement(
                    session.id,
                    MeasurementInput(
                        "shoulder_abduction",
                        "right",
                        phase,
                        value,
                        held_max=value,
                        held_min=0.0,
                        view="front",
                        source="live",
                    ),
                    files,
                )
                measurements.append(m.id)
    return Filled(client.id, tuple(sessions), tuple(measurements))


def analyzed_elsewhere(
    folder: Path,
    metric: str = "elbow_flexion_right",
    view: str = "front",
    curve: np.ndarray | None = None,
) -> Analyzed:
    """Elbow flexion raised to 90 deg and held, filmed from the front (without the model): the
    held value is there, but the test needs a side view, so the result is rejected. ``curve``
    (degrees, one per frame at 30 frames/s) replaces the raise-and-hold."""
    files = write_trial_files(folder, metric, 90.0)
    if curve is None:
        curve = np.concatenate([np.linspace(0.0, 90.0, 30), np.full(60, 90.0)])
    pose = synthetic_pose({metric: curve}, view=view)
    table, summary = analyze_landmarks(pose)
    result = AnalysisResult(
        video=probe_video(files.video or ""),
        pose=pose,
        table=table,
        summary=summary,
        out_dir=folder,
        landmarks_csv=None,
        angles_csv=files.angles,
        summary_json=None,
        annotated_mp4=None,
        warnings=(),
    )
    return Analyzed("elbow.mp4", folder, result)
