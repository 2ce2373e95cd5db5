"""A live trial carries its own uncertainty to the store (synthetic subject, real SQLite)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.uncertainty import trial_uncertainty
from romcam.live.trial_session import LiveConfig, TrialSession, trial_summary
from romcam.store import Store
from romcam.ui.assess import LiveChoice, save_trial
from tests.unit.live.feed import frame_pose, frames, moving

#: Left arm: rest, raised to 150 deg, held 1.5 s, lowered.
ABDUCTION = {"shoulder_abduction_left": ([0, 1, 2, 3.5, 4.5], [10, 10, 150, 150, 10])}


def test_a_live_trial_is_saved_with_its_uncertainty(tmp_path: Path) -> None:
    test = assessment_test("shoulder_abduction")
    config = LiveConfig(test=test, side="left", record_dir=None)
    session = TrialSession(config, lambda _: None)
    pose = moving(ABDUCTION, 5.5, "front")
    for t, img in frames(pose, 0, None):
        session.step(img, t, frame_pose(pose, t), 1)
        if session.captured is not None:
            break
    trial = session.captured
    assert trial is not None and trial.uncertainty is not None
    summary = trial_summary(trial.table, config)
    expected = trial_uncertainty(trial.table, summary).total  # live: the hold term
    assert trial.uncertainty == pytest.approx(expected, abs=0.005)
    assert np.isfinite(trial.uncertainty) and trial.uncertainty < 2.0  # a steady synthetic hold
    with Store.open(f"sqlite:///{tmp_path / 'r.db'}", root=tmp_path / "data") as store:
        store.add_client("Live")
        sid = store.start_session("Live").id
        choice = LiveChoice(session_id=sid, phase="test", test=test, side="left")
        saved = save_trial(store, choice, trial)
    assert saved.uncertainty == trial.uncertainty
