"""The client's home check (client mode, ``romcam home PLANFILE``): today's tests from the
therapist's plan, one at a time, with the Assess page's guided live capture (the same live
processor, set-up checks, hold bar and automatic capture) but plain words and no clinical
controls (no calibration, phase, quality override or manual capture).

The plan is the file named by ``ROMCAM_HOME_PLAN`` (``romcam.home.local.HOME_PLAN_ENV``); the
trials go into the client's own store (``romcam.home.local``). The camera widget is the
Assess page's (``live_camera_ui``); AppTest passes a ``camera_ui`` without a browser. The
panel beside the camera is :mod:`romcam.ui.home_live`; "My progress" and the export are
:mod:`romcam.ui.home_progress`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from romcam.core.assessments import AssessmentTest, Side, assessment_test
from romcam.errors import RomcamError
from romcam.home.local import HOME_PHASE
from romcam.home.plan import HomePlan, PlanItem
from romcam.home.words import PRIVACY, check_title
from romcam.live.recording import remove_stale_live_files
from romcam.ui.assess import STATUS_EVERY_S, CameraUi, live_camera_ui, live_config, live_processor
from romcam.ui.home_context import done_today, home_context
from romcam.ui.home_live import home_status_ui
from romcam.ui.live_save import LiveChoice
from romcam.ui.live_status import camera_help_ui
from romcam.ui.previous_setup import previous_setup_for
from romcam.ui.settings import current_settings
from romcam.ui.widgets import show_error

#: Session-state key of the check shown (its index in ``HomePlan.checks``).
CHECK_KEY = "home_check_index"


def _checklist_ui(checks: tuple[tuple[PlanItem, Side | None], ...], done: dict) -> None:
    """Today's tests, each ticked once done."""
    lines = []
    for item, side in checks:
        title = check_title(item.label, side)
        if done.get((item.test_id, side), 0) >= item.trials:
            lines.append(f":green[:material/check_circle:] {title}: done")
        else:
            lines.append(f":material/radio_button_unchecked: {title}")
    st.markdown("  \n".join(lines))


def _chosen_check(checks: tuple[tuple[PlanItem, Side | None], ...], done: dict) -> int:
    """The check shown: the one chosen, else the first not done today."""
    if CHECK_KEY not in st.session_state:
        pending = [
            n for n, (item, side) in enumerate(checks) if done.get((item.test_id, side), 0) < 1
        ]
        st.session_state[CHECK_KEY] = pending[0] if pending else 0
    return min(int(st.session_state[CHECK_KEY]), len(checks) - 1)


def _step(by: int, count: int) -> None:
    """(button callback) Show the previous or next test."""
    st.session_state[CHECK_KEY] = (int(st.session_state.get(CHECK_KEY, 0)) + by) % count


def _test_header_ui(
    n: int, count: int, item: PlanItem, test: AssessmentTest, side: Side | None
) -> None:
    """``Test 1 of 2: Shoulder flexion, right``, the therapist's instruction, the set-up and
    the buttons to the other tests."""
    st.subheader(f"Test {n + 1} of {count}: {check_title(item.label, side)}")
    if item.instruction:
        st.markdown(f"**From your therapist:** {item.instruction}")
    st.markdown(f"**Camera:** {test.setup_for(side)}  \n**Movement:** {test.movement}")
    if item.trials > 1:
        st.caption(
            f"Do it {item.trials} times: after each one, go back to the start and the next "
            "begins by itself."
        )
    if count > 1:
        row = st.container(horizontal=True)
        row.button(
            "Previous test",
            key="home_prev",
            icon=":material/arrow_back:",
            on_click=_step,
            args=(-1, count),
        )
        row.button(
            "Next test",
            key="home_next",
            icon=":material/arrow_forward:",
            on_click=_step,
            args=(1, count),
        )


def _exercises_ui(plan: HomePlan) -> None:
    if not plan.exercises:
        return
    st.markdown("**Also on your plan** (no measuring needed)")
    for item in plan.exercises:
        sides = f" ({' and '.join(item.sides)})" if item.sides else ""
        how = f", {item.times_per_day}× a day" if item.times_per_day > 1 else ""
        text = f"- **{item.name}**{sides}: {item.often}{how}"
        st.markdown(text + (f". {item.instruction}" if item.instruction else ""))


def home_check_page(camera_ui: CameraUi = live_camera_ui) -> None:
    """The page. ``camera_ui`` draws the camera widget; AppTest passes one without a browser."""
    st.title("My home check")
    context = home_context()
    if context is None:
        return
    plan = context.plan
    settings = current_settings()
    remove_stale_live_files(Path(settings.data_dir))  # left by an earlier server: never saved
    st.markdown(f"Hello, **{plan.client.name}**! Here are today's tests from your plan.")
    st.caption(PRIVACY)
    checks = plan.checks
    if not checks:
        st.info("Your plan has no tests to measure: just do the exercises below.")
        _exercises_ui(plan)
        return
    done = done_today(context)
    _checklist_ui(checks, done)
    n = _chosen_check(checks, done)
    item, side = checks[n]
    test = assessment_test(str(item.test_id))
    _test_header_ui(n, len(checks), item, test, side)
    choice = LiveChoice(
        None, HOME_PHASE, test, side, client_id=context.client.id, trials=item.trials
    )
    try:
        config = live_config(test, side, settings, trials=item.trials)
    except RomcamError as exc:
        show_error(exc, "load the pose model")
        return
    processor = live_processor(config)
    processor.set_previous_setup(
        previous_setup_for(context.store, context.client.id, None, test.id, side)
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        playing = camera_ui(processor, settings)
        if not playing:
            st.info(
                "Press **START** under the video, allow the camera, and step into view.",
                icon=":material/videocam:",
            )
            camera_help_ui()
    with right:
        st.fragment(home_status_ui, run_every=STATUS_EVERY_S if playing else None)(
            processor, context, choice, item, playing
        )
    _exercises_ui(plan)
