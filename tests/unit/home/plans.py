"""Ada's home plan, for the home check's tests (no Streamlit here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from romcam.home.plan import ClinicValue, HomePlan, PlanClient, PlanItem, new_plan

RAISE = "Raise the arm out to the side slowly, as high as it goes, and hold it there."


def ada_plan() -> HomePlan:
    """Right shoulder abduction (2 trials, target 160°, the clinic's 140° on 20 Nov), left knee
    flexion, and a stretch."""
    return new_plan(
        client=PlanClient(store_id=7, name="Ada Client"),
        therapist="Tess",
        items=[
            PlanItem(
                kind="test",
                test_id="shoulder_abduction",
                sides=("right",),
                trials=2,
                target=160.0,
                instruction=RAISE,
            ),
            PlanItem(kind="test", test_id="knee_flexion", sides=("left",)),
            PlanItem(kind="exercise", name="Doorway stretch", often="daily", instruction="30 s."),
        ],
        clinic_last=[
            ClinicValue(
                test_id="shoulder_abduction",
                side="right",
                value=140.0,
                unit="deg",
                measured_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
            )
        ],
    )


def write_plan(folder: Path, plan: HomePlan | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ada.romcam-plan.json"
    path.write_text((plan or ada_plan()).to_json(), encoding="utf-8")
    return path
