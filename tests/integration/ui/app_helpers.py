"""Helpers for the dashboard's AppTest tests: a real store filled with known measurements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from romcam.core.metric_specs import METRIC_IDS
from romcam.media.video import H264Writer
from romcam.store import MeasurementInput, RecordingInput, Store

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
