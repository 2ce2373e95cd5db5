"""Results files as a client's home check exports them, for a plan kept in a real store."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from romcam.home.clinic import create_plan
from romcam.home.plan import HomePlan, PlanItem
from romcam.home.results import HomeMeasurement, HomeResults, TrialFiles, write_results
from romcam.store import Store

#: The client's time zone (their local days are the home sessions' days).
CET = timezone(timedelta(hours=1))
#: (day of December 2026, hour, test, side, value): 4 trials of 2 tests over 3 days.
TRIALS = (
    (1, 18, "shoulder_flexion", "right", 150.0),
    (2, 8, "shoulder_flexion", "right", 152.0),
    (2, 8, "knee_flexion", "left", 120.0),
    (3, 19, "shoulder_flexion", "right", 155.0),
)
ITEMS = (
    PlanItem(kind="test", test_id="shoulder_flexion", sides=("right",), target=170.0),
    PlanItem(kind="test", test_id="knee_flexion", sides=("left",)),
)


def plan_for(store: Store, client: str) -> HomePlan:
    """A plan of the two tests for ``client`` (added if new), kept in ``store``."""
    if client.casefold() not in {c.name.casefold() for c in store.list_clients()}:
        store.add_client(client)
    return create_plan(store, client, ITEMS, therapist="Sam")


def home_measurement(
    day: int, hour: int, test: str, side: str | None, value: float
) -> HomeMeasurement:
    at = datetime(2026, 12, day, hour, 5, 7, 250_000, tzinfo=CET)
    return HomeMeasurement(
        uuid=str(uuid.uuid4()),
        test=test,
        side=side,
        phase="home",
        value=value,
        unit="deg",
        measured_at=at,
        view="side_right",
        uncertainty=2.0,
    )


def results_file(
    folder: Path,
    plan: HomePlan,
    trials: tuple[tuple[int, int, str, str | None, float], ...] = TRIALS,
    name: str = "home-results.zip",
) -> Path:
    """The results file of ``trials`` answering ``plan``, each with a landmarks CSV."""
    measurements = tuple(home_measurement(*t) for t in trials)
    files = {}
    for m in measurements:
        csv = folder / f"{m.uuid}.csv"
        csv.write_text(f"frame,time_s,trial\n0,0.0,{m.uuid}\n")
        files[m.uuid] = TrialFiles(landmarks=csv)
    results = HomeResults(
        plan_uuid=plan.plan_id,
        client_id=plan.client.store_id,
        client_name=plan.client.name,
        exported_at=datetime(2026, 12, 3, 20, 0, tzinfo=CET),
        measurements=measurements,
    )
    return write_results(folder / name, results, files)
