"""The home check's panel beside the camera: the live read-out in plain words, the pain
button, "Start this one again", the 0-10 pain score of the trial just saved, and an
encouraging sentence after each saved trial.

Captured trials are stored as on the Assess page (``romcam.ui.live_save.store_captured``),
in today's session of the client's own store, made with the first trial of the day.
Runs under AppTest.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

import streamlit as st

from romcam.core.metric_specs import metric_spec
from romcam.errors import RomcamError
from romcam.home.local import daily_results, todays_session
from romcam.home.plan import HomePlan, PlanItem
from romcam.home.words import Earlier, amount, praise
from romcam.live.processor import LiveProcessor, LiveUpdate
from romcam.live.trial_session import TrialResult
from romcam.ui.assess import LIVE_NOTICE, read_messages
from romcam.ui.home_context import HomeContext
from romcam.ui.live_save import LiveChoice, NotSaved, remove_dir, store_captured
from romcam.ui.live_status import PAIN_KEY
from romcam.ui.live_trials import LAST_SAVED, SavedTrial, pain_score_ui

if TYPE_CHECKING:
    from romcam.store import Store
    from romcam.store.records import ClientRecord

#: Session-state key of the sentences said after each saved trial, newest last.
PRAISE_KEY = "home_praise"
_TEST_DONE = "home_test_done"
_HOLD_WORDS = {
    "neutral": "Keep still, looking straight ahead",
    "trial": "Hold still at your furthest point",
    "done": "Captured",
}


def earlier_value(
    store: Store, client: ClientRecord, plan: HomePlan, test: str, side: str | None
) -> Earlier | None:
    """What today's value is compared with: the last earlier day's home result, else the
    clinic's last value from the plan; None when there is neither."""
    try:
        days = daily_results(store, client)
    except RomcamError:
        days = None
    if days is not None and not days.empty:
        rows = days[(days["test"] == test) & (days["side"] == (side or ""))]
        rows = rows[rows["day"] < date.today()]
        if not rows.empty:
            return Earlier(float(rows.iloc[-1]["value"]), "last time", rows.iloc[-1]["day"])
    clinic = plan.clinic_value(test, side)  # type: ignore[arg-type]
    if clinic is None:
        return None
    return Earlier(clinic.value, "at the clinic", clinic.measured_at.date())


def save_home_trial(
    context: HomeContext, choice: LiveChoice, item: PlanItem, result: TrialResult
) -> bool:
    """Store a captured trial in today's session (started with the day's first trial) and
    say how it went; False when it was not stored."""
    earlier = earlier_value(
        context.store, context.client, context.plan, result.test_id, result.side
    )
    try:
        session = todays_session(context.store, context.client)
    except RomcamError as exc:
        if result.video_path is not None:
            remove_dir(result.video_path.parent)
        st.session_state[LIVE_NOTICE] = f"That one could not be saved: {exc}."
        return False
    record = store_captured(context.store, replace(choice, session_id=session.id), result)
    if isinstance(record, NotSaved) and record.rejected:
        st.session_state[LIVE_NOTICE] = (
            f"That one did not count ({record.why}). No problem: go back to the start and "
            "try again, slowly, holding still at your furthest point."
        )
        return False
    if isinstance(record, NotSaved):
        st.session_state[LIVE_NOTICE] = f"That one could not be saved: {record.why}."
        return False
    st.session_state.pop(LIVE_NOTICE, None)
    said = praise(result.metric_id, record.value, earlier, item.target)
    st.session_state.setdefault(PRAISE_KEY, []).append(said)
    st.session_state[LAST_SAVED] = SavedTrial(record.id, result.trial, record.value)
    st.toast(said, icon=":material/celebration:")
    if result.trial >= item.trials:  # the test is done: the page ticks it off
        st.session_state[_TEST_DONE] = True
    return True


def times_text(update: LiveUpdate, next_by_itself: bool) -> str:
    """``Time 2 of 3``; after a capture, what comes next (the number counts the stored
    trials: a capture not stored is not one)."""
    k, n = update.trial, update.trials
    again = (
        "go back to the start position and the next one begins by itself"
        if next_by_itself
        else "press “Start this one again” for the next one"
    )
    if update.phase != "done":
        return f"**Time {k} of {n}**"
    if k < 1:
        how = "go back to the start position" if next_by_itself else "press “Start this one again”"
        return f"**That one was not saved:** {how} to do it again."
    if k < n:
        return f"**{k} of {n} done.** {again[:1].upper()}{again[1:]}."
    return f"**All {n} done for this test.** Well done! Go on with the next test."


def _readout_ui(update: LiveUpdate, metric_id: str, next_by_itself: bool) -> None:
    """The newest frame in plain words: which time of how many, the angle, what to fix, the
    hold bar."""
    spec = metric_spec(metric_id)
    st.markdown(times_text(update, next_by_itself))
    value = amount(update.value, spec.unit) if math.isfinite(update.value) else "—"
    st.metric(spec.label, value)
    if update.problems:
        fixes = "\n".join(f"- {p}" for p in update.problems)
        st.warning(f"**Please fix:**\n{fixes}", icon=":material/warning:")
    else:
        st.success("Good position: the camera sees you well.", icon=":material/check:")
    words = _HOLD_WORDS[update.phase]
    st.progress(update.hold_progress, text=f"{words}: {update.hold_progress:.0%}")


def _buttons_ui(processor: LiveProcessor, playing: bool, update: LiveUpdate | None) -> None:
    """Pain starts here (key P, while a trial runs) and Start this one again."""
    trial_running = playing and update is not None and update.phase == "trial"
    row = st.container(horizontal=True)
    if row.button(
        "Pain starts here",
        key="home_first_pain",
        shortcut=PAIN_KEY,
        icon=":material/sentiment_dissatisfied:",
        disabled=not trial_running,
        help=f"If it starts to hurt, press this (or the {PAIN_KEY} key) at that point.",
    ):
        processor.mark_first_pain()
    if row.button(
        "Start this one again",
        key="home_new_trial",
        icon=":material/restart_alt:",
        disabled=not playing,
        help="Forget this attempt and begin again." if playing else "Press START first.",
    ):
        processor.reset()
        st.session_state.pop(LIVE_NOTICE, None)


def home_status_ui(
    processor: LiveProcessor,
    context: HomeContext,
    choice: LiveChoice,
    item: PlanItem,
    playing: bool,
) -> None:
    """Beside the video: a notice, the read-out while the camera plays, the buttons, the
    pain score of the trial just saved and what was said after each trial."""
    update = read_messages(processor, lambda result: save_home_trial(context, choice, item, result))
    if st.session_state.pop(_TEST_DONE, False):
        st.rerun()  # the whole page: today's list ticks the test off
    notice = st.session_state.get(LIVE_NOTICE)
    if notice:
        st.warning(notice)
    if playing and update is None:
        st.caption("Starting the camera: the first seconds load the measuring (a moment).")
    elif playing and update is not None:
        _readout_ui(update, processor.config.metric_id, processor.config.min_excursion > 0)
    _buttons_ui(processor, playing, update)
    said: list[str] = st.session_state.get(PRAISE_KEY, [])
    if said:
        st.success(said[-1], icon=":material/celebration:")
    pain_score_ui(context.store)
