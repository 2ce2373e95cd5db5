"""The Assess page's panel beside the camera: the steps to a first measurement, the live
read-out, the buttons, and what the camera's error messages mean.

Only drawing and wording: :mod:`romcam.ui.assess` reads the processor's queue and saves
trials. Everything here runs under AppTest.
"""

from __future__ import annotations

import math

import streamlit as st

from romcam.core.assessments import test_label
from romcam.core.metric_specs import metric_spec
from romcam.live.processor import LiveProcessor, LiveUpdate
from romcam.media.drawing import VIEW_LABELS
from romcam.outcomes.quality import mark

#: The expander that explains the camera's error messages (collapsed: most days all is well).
CAMERA_HELP_TITLE = "Camera not working? What the messages in the video mean"
CAMERA_HELP = """- *NotFoundError* (requested device not found): no camera is connected or it was
  unplugged; plug one in and press START again, or use *Analyze a recording* with a video file.
- *NotAllowedError* (permission denied): allow the camera for this site (camera icon in the
  address bar), then press START again.
- *NotReadableError* (could not start video source): another program uses the camera;
  close it and press START again.
- The video stops during a trial: that attempt is not saved, measurements saved before are."""

#: The three steps to a first measurement, in order.
STEPS = (
    "Add or choose a client (sidebar)",
    "Start today's session (sidebar)",
    "Press START under the video",
)

#: The key that marks where pain began during a trial (the button's keyboard shortcut).
PAIN_KEY = "P"
PAIN_BUTTON = "Pain starts here"

_PHASE_LABELS = {
    "neutral": "Neutral: keep still",
    "trial": "Hold the end range",
    "done": "Captured",
}


def steps_ui(has_client: bool, has_session: bool) -> None:
    """The steps to a first measurement: done ones ticked and greyed, the next one in bold."""
    done = (has_client, has_client and has_session, False)
    upcoming = done.index(False)
    lines = []
    for n, (step, ticked) in enumerate(zip(STEPS, done, strict=True), start=1):
        if ticked:
            lines.append(f":green[:material/check_circle:] :gray[{n} · {step}]")
        elif n - 1 == upcoming:
            lines.append(f":material/arrow_forward: **{n} · {step}**")
        else:
            lines.append(f":material/radio_button_unchecked: {n} · {step}")
    with st.container(border=True):
        st.markdown("  \n".join(lines))


def camera_help_ui() -> None:
    """What the video widget's error messages mean, behind a plainly titled expander."""
    with st.expander(CAMERA_HELP_TITLE, icon=":material/videocam_off:"):
        st.markdown(CAMERA_HELP)


def frame_rate_text(update: LiveUpdate) -> str:
    """``Measuring 14 of the camera's 15 frames per second.``, with what to change in
    Settings when this computer clearly falls behind the camera."""
    if not update.camera_fps > 0:
        return "Measuring the frame rate…"
    text = f"Measuring {update.fps:.0f} of the camera's {update.camera_fps:.0f} frames per second."
    suggested = update.camera_rate_to_keep_up()
    if suggested is not None:
        text += (
            f" This computer cannot keep up: set the camera frame rate to {suggested} in "
            "Settings to have every frame measured."
        )
    return text


def view_text(view: str) -> str:
    """A detected view as people read it: ``side_left`` -> ``Side view (left side)``."""
    label = VIEW_LABELS.get(view, view.replace("_", " "))
    return label[:1].upper() + label[1:]


def plain_ids(text: str, metric_id: str) -> str:
    """``text`` with the metric's id (``shoulder_abduction_right``) replaced by its label."""
    return text.replace(metric_id, metric_spec(metric_id).label)


def saved_line(
    record_id: int,
    test_id: str,
    side: str | None,
    phase: str,
    value: float,
    quality: str,
    reason: str | None,
) -> str:
    """``#12 Shoulder abduction (right), before: 151.0 deg``; a value that failed its
    quality check says so, with the reason in words."""
    metric_id = f"{test_id}_{side}" if side else test_id
    unit = metric_spec(metric_id).unit
    because = plain_ids(reason, metric_id) if reason else reason
    return (
        f"#{record_id} {test_label(test_id, side)}, {phase}: "
        f"{mark(f'{value:.1f} {unit}', quality, because)}"
    )


def trial_text(update: LiveUpdate, next_by_itself: bool) -> str:
    """Where the test stands: ``Trial 2 of 3``, after a capture what comes next (back to the
    start for the next trial, or New trial), and the trial's pain mark. After a capture the
    number counts the stored trials (a capture the page could not store is not one)."""
    k, n = update.trial, update.trials
    if update.phase != "done":
        text = f"**Trial {k} of {n}**"
    elif k < 1:  # the capture was not stored (the note above says why)
        again = (
            "go back to the start position to do it again" if next_by_itself else "press New trial"
        )
        text = f"**Trial 1 of {n} was not saved:** {again}."
    elif k < n and next_by_itself:
        text = (
            f"**Trial {k} of {n} captured.** Go back to the start position: trial {k + 1} "
            "starts by itself."
        )
    elif k < n:
        text = f"**Trial {k} of {n} captured.** Press New trial for trial {k + 1}."
    else:
        text = f"**All {n} trials captured.** Their mean is below; New trial adds another."
    if update.first_pain is not None and math.isfinite(update.first_pain):
        text += f" Pain from {update.first_pain:.0f}."
    return text


def readout_ui(update: LiveUpdate, metric_id: str, next_by_itself: bool = True) -> None:
    """The live read-out of the newest frame: the trial (k of n), value, view, frame rate,
    set-up checks (to fix during a trial; a note for the next one once the trial is
    captured), hold."""
    spec = metric_spec(metric_id)
    st.markdown(trial_text(update, next_by_itself))
    value = f"{update.value:.1f} {spec.unit}" if math.isfinite(update.value) else "—"
    cols = st.columns(2)
    cols[0].metric(spec.label, value)
    cols[1].metric("View", view_text(update.view))
    st.caption(frame_rate_text(update))
    problems = "\n".join(f"- {p}" for p in update.problems)
    if update.problems and update.phase == "done":  # after a success: for the next trial
        st.info(f"**For the next trial, check the set-up:**\n{problems}", icon=":material/info:")
    elif update.problems:
        st.error(f"**Fix the set-up:**\n{problems}", icon=":material/warning:")
    else:
        st.success("Set-up OK", icon=":material/check:")
    label = _PHASE_LABELS[update.phase]
    st.progress(update.hold_progress, text=f"{label}: {update.hold_progress:.0%}")


def buttons_ui(processor: LiveProcessor, playing: bool, update: LiveUpdate | None) -> bool:
    """Capture neutral / Capture now, each usable only while the camera plays and the newest
    read-out (``update``) is in the phase it acts on, Pain starts here (key P, during a
    trial) and New trial; True when New trial was pressed."""
    measuring = playing and update is not None
    phase = update.phase if measuring and update is not None else None
    # One row, left-aligned: columns left a gap where a test without a neutral has no button.
    row = st.container(horizontal=True)
    if processor.config.test.needs_neutral and row.button(
        "Capture neutral now",
        key="assess_capture_neutral",
        disabled=phase != "neutral",
        help=_why_not(playing, measuring, phase, "neutral")
        or "Take the current head position as the neutral now.",
    ):
        processor.request_neutral()
    if row.button(
        "Capture now",
        key="assess_capture",
        disabled=phase != "trial",
        help=_why_not(playing, measuring, phase, "trial")
        or "Take the end range now. Usually not needed: the end range is captured by itself "
        "once it has been held.",
    ):
        processor.request_capture()
    if row.button(
        PAIN_BUTTON,
        key="assess_first_pain",
        shortcut=PAIN_KEY,
        icon=":material/sentiment_dissatisfied:",
        disabled=phase != "trial",
        help=_why_not(playing, measuring, phase, "trial")
        or f"Mark the current angle as where pain began (or press the {PAIN_KEY} key). The "
        "first mark of a trial counts; it is saved with the trial.",
    ):
        processor.mark_first_pain()
    if row.button(
        "New trial",
        key="assess_new_trial",
        disabled=not playing,
        help="Discard the attempt under way and start again"
        if playing
        else "Press START first: the camera is off.",
    ):
        processor.reset()
        return True
    return False


def _why_not(playing: bool, measuring: bool, phase: str | None, needed: str) -> str | None:
    """Why a capture button is greyed out (None when it can be used)."""
    if not playing:
        return "Press START first: the camera is off."
    if not measuring:
        return "Wait for the first measured frames (the pose model is loading)."
    if phase == needed:
        return None
    if phase == "done":
        return "This trial is captured: press New trial to measure again."
    if phase == "neutral":
        return "First hold the neutral position still (or press Capture neutral now)."
    return "The neutral is captured: the trial is under way."
