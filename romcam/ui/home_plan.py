"""Home plan: choose the tests (sides, how often, target, instruction) and the stretches a
client does between visits, and export the plan file to hand over (docs/home.md).

The clinic's last value of each test is shown beside it (and goes into the plan, for the
client's "my progress" chart). "Export plan" keeps the plan in the store and offers its file;
the page never writes a file on the server.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from romcam.core.assessments import TESTS, TESTS_BY_ID, AssessmentTest
from romcam.errors import RomcamError
from romcam.home.plan import MAX_TIMES_PER_DAY, MAX_TRIALS, ClinicValue, PlanItem
from romcam.ui.current import THERAPIST_KEY, Current, context_line_ui, current_context
from romcam.ui.widgets import show_error

TESTS_KEY = "home_plan_tests"
EXERCISES_KEY = "home_plan_n_exercises"
THERAPIST_FIELD_KEY = "home_plan_therapist"
EXPORT_LABEL = "Export plan"
DOWNLOAD_LABEL = "Download the plan file"
_EXPORTED = "romcam_home_plan_exported"
MAX_EXERCISES = 10
_SIDES = ("left", "right")


def field_key(test_id: str, name: str) -> str:
    """Widget key of one test's field (``sides``, ``often``, ``per_day``, ``trials``,
    ``target``, ``note``)."""
    return f"home_plan_{test_id}_{name}"


def exercise_key(n: int, name: str) -> str:
    """Widget key of the ``n``-th exercise's field (``name``, ``sides``, ``often``, ``note``)."""
    return f"home_plan_ex{n}_{name}"


def home_plan_page() -> None:
    st.title("Home plan")
    st.caption(
        "The tests and stretches this client does between visits. The exported file opens with "
        "`romcam home FILE` on the client's computer; their results come back with "
        "`romcam import`."
    )
    current = current_context()
    context_line_ui(current, needs_session=False)
    if current is None:
        return
    last = _clinic_values(current)
    if last is None:
        return
    st.subheader("Tests to check at home")
    chosen = st.multiselect(
        "Tests",
        [t.id for t in TESTS],
        format_func=lambda i: TESTS_BY_ID[i].label,
        key=TESTS_KEY,
        placeholder="Choose the tests the client measures with the camera",
    )
    items = [_test_ui(TESTS_BY_ID[i], last) for i in chosen]
    st.subheader("Stretches and exercises")
    count = st.number_input(
        "How many (not measured; shown to the client as instructions)",
        min_value=0,
        max_value=MAX_EXERCISES,
        step=1,
        key=EXERCISES_KEY,
    )
    items += [_exercise_ui(n) for n in range(1, int(count) + 1)]
    st.text_input(
        "Therapist (optional)",
        value=str(st.session_state.get(THERAPIST_KEY, "")),
        key=THERAPIST_FIELD_KEY,
        max_chars=120,
    )
    if st.button(EXPORT_LABEL, type="primary", disabled=not items):
        _export(current, items)
    _download_ui(current)
    _earlier_plans_ui(current)


def _clinic_values(current: Current) -> dict[tuple[str, str | None], ClinicValue] | None:
    from romcam.home.clinic import clinic_last_values

    try:
        values = clinic_last_values(current.store, current.client.id)
    except RomcamError as exc:
        show_error(exc, "read the client's measurements")
        return None
    return {(v.test_id, v.side): v for v in values}


def _test_ui(
    test: AssessmentTest, last: dict[tuple[str, str | None], ClinicValue]
) -> dict[str, Any]:
    """One chosen test's fields, in a bordered box; returns the raw item."""
    with st.container(border=True):
        st.markdown(f"**{test.label}**")
        sides: list[str] = []
        if test.sided:
            sides = st.multiselect("Sides", _SIDES, default=_SIDES, key=field_key(test.id, "sides"))
        shown: list[str | None] = [*sides] or [None]
        known = [
            f"{side or 'value'} {v.value:.1f} {v.unit} ({v.measured_at:%-d %b %Y})"
            for side in shown
            if (v := last.get((test.id, side))) is not None
        ]
        st.caption(f"Clinic's last: {'; '.join(known)}" if known else "Not measured here yet.")
        cols = st.columns(4)
        often = cols[0].text_input("How often", value="daily", key=field_key(test.id, "often"))
        per_day = cols[1].number_input(
            "Times a day", 1, MAX_TIMES_PER_DAY, 1, key=field_key(test.id, "per_day")
        )
        trials = cols[2].number_input(
            "Trials each time", 1, MAX_TRIALS, 1, key=field_key(test.id, "trials")
        )
        target = cols[3].number_input(
            f"Target ({test.spec('left' if test.sided else None).unit})",
            min_value=-180.0,
            max_value=360.0,
            value=None,
            step=5.0,
            key=field_key(test.id, "target"),
            placeholder="none",
        )
        note = st.text_input(
            "Instruction for the client",
            key=field_key(test.id, "note"),
            max_chars=500,
            placeholder="Optional, e.g. slowly, and stop where it starts to hurt",
        )
    return {
        "kind": "test",
        "test_id": test.id,
        "sides": tuple(s for s in _SIDES if s in sides),
        "often": often,
        "times_per_day": int(per_day),
        "trials": int(trials),
        "target": target,
        "instruction": note,
    }


def _exercise_ui(n: int) -> dict[str, Any]:
    with st.container(border=True):
        cols = st.columns([3, 2, 2])
        name = cols[0].text_input(f"Stretch or exercise {n}", key=exercise_key(n, "name"))
        sides = cols[1].multiselect("Sides", _SIDES, key=exercise_key(n, "sides"))
        often = cols[2].text_input("How often", value="daily", key=exercise_key(n, "often"))
        note = st.text_input(
            "Instruction", key=exercise_key(n, "note"), max_chars=500, placeholder="e.g. hold 30 s"
        )
    return {
        "kind": "exercise",
        "name": name,
        "sides": tuple(s for s in _SIDES if s in sides),
        "often": often,
        "instruction": note,
    }


def _export(current: Current, raw_items: list[dict[str, Any]]) -> None:
    from romcam.home.clinic import create_plan, plan_file_name

    st.session_state.pop(_EXPORTED, None)
    therapist = str(st.session_state.get(THERAPIST_FIELD_KEY, "")).strip() or None
    exercises = [raw for raw in raw_items if raw["kind"] == "exercise"]
    unnamed = [n for n, raw in enumerate(exercises, 1) if not raw["name"].strip()]
    if unnamed:
        st.error(f"Give stretch or exercise {unnamed[0]} a name, or lower how many there are.")
        return
    try:
        items = [PlanItem(**raw) for raw in raw_items]
        plan = create_plan(current.store, current.client.id, items, therapist=therapist)
    except RomcamError as exc:
        show_error(exc, "make the plan")
        return
    st.session_state[_EXPORTED] = (current.client.id, plan_file_name(plan), plan.to_json())


def _download_ui(current: Current) -> None:
    exported = st.session_state.get(_EXPORTED)
    if exported is None or exported[0] != current.client.id:
        return
    _, file_name, text = exported
    st.success(
        f"The plan is saved with {current.client.name}'s record. Download its file and give it "
        "to the client (a USB stick, an e-mail they asked for).",
        icon=":material/check_circle:",
    )
    st.download_button(
        DOWNLOAD_LABEL,
        text.encode("utf-8"),
        file_name=file_name,
        mime="application/json",
        type="primary",
        icon=":material/download:",
    )
    st.caption("Changed something after exporting? Export again: each export is a new plan.")


def _earlier_plans_ui(current: Current) -> None:
    try:
        plans = current.store.list_plans(current.client.id)
    except RomcamError as exc:
        show_error(exc, "list the client's plans")
        return
    if not plans:
        return
    st.subheader("Plans made for this client")
    rows = [
        {
            "Made (UTC)": p.created_at.strftime("%Y-%m-%d %H:%M"),
            "Tests": ", ".join(dict.fromkeys(i.label for i in p.plan.tests)) or "-",
            "Stretches": ", ".join(i.label for i in p.plan.exercises) or "-",
            "Plan": p.plan.plan_id[:8],
        }
        for p in reversed(plans)
    ]
    st.dataframe(rows, hide_index=True)
