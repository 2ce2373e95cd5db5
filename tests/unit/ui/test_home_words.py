"""The home check's read-out in plain words: which time of how many, and what comes next."""

from __future__ import annotations

from romcam.live.processor import LiveUpdate
from romcam.ui.home_live import times_text


def _update(phase: str, trial: int, trials: int) -> LiveUpdate:
    return LiveUpdate(
        time_s=1.0,
        frames=30,
        phase=phase,  # type: ignore[arg-type]
        value=90.0,
        view="front",
        problems=(),
        people=1,
        hold_progress=0.5,
        fps=15.0,
        camera_fps=15.0,
        trial=trial,
        trials=trials,
    )


def test_times_text() -> None:
    assert times_text(_update("trial", 1, 2), True) == "**Time 1 of 2**"
    assert times_text(_update("done", 1, 2), True) == (
        "**1 of 2 done.** Go back to the start position and the next one begins by itself."
    )
    assert times_text(_update("done", 1, 2), False) == (
        "**1 of 2 done.** Press “Start this one again” for the next one."
    )
    assert times_text(_update("done", 2, 2), True) == (
        "**All 2 done for this test.** Well done! Go on with the next test."
    )
    assert times_text(_update("done", 0, 2), True) == (
        "**That one was not saved:** go back to the start position to do it again."
    )
    assert times_text(_update("done", 0, 2), False) == (
        "**That one was not saved:** press “Start this one again” to do it again."
    )
