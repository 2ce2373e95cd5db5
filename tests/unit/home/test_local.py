"""The client's own store: one client (the plan's name), one session per local day made when
needed, each day's result (rejected and left-out trials not counted), and measurement ids
that stay the same at every export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from romcam.home.local import (
    HOME_PHASE,
    daily_results,
    home_client,
    measurement_uuid,
    todays_session,
)
from romcam.store import MeasurementInput, Store
from tests.unit.home.plans import ada_plan


def test_one_client_and_one_session_a_day(data_dir: Path) -> None:
    plan = ada_plan()
    with Store.open() as store:
        client = home_client(store, plan)
        assert home_client(store, plan) == client
        yesterday = store.start_session(client.id, started_at=datetime.now(UTC) - timedelta(1))
        today = todays_session(store, client)
        assert today.id != yesterday.id
        assert todays_session(store, client) == today
        assert [c.name for c in store.list_clients()] == ["Ada Client"]


def test_daily_results_and_stable_ids(data_dir: Path) -> None:
    with Store.open() as store:
        client = home_client(store, ada_plan())
        days = {}
        for days_ago, value, quality in [
            (1, 140.0, "ok"),
            (0, 150.0, "ok"),
            (0, 154.0, "ok"),
            (0, 90.0, "rejected"),
        ]:
            when = datetime.now(UTC) - timedelta(days=days_ago, seconds=value)
            if days_ago not in days:
                days[days_ago] = store.start_session(client.id, started_at=when).id
            trial = MeasurementInput(
                "shoulder_abduction",
                "right",
                HOME_PHASE,
                value,
                quality=quality,
                quality_reason="" if quality == "ok" else "not held",
                measured_at=when,
                source="live",
            )
            store.add_measurement(days[days_ago], trial)
        daily = daily_results(store, client)
        assert daily["value"].tolist() == [140.0, 152.0]  # the rejected trial is not counted
        assert daily["trials"].tolist() == [1, 2]
        assert set(daily["side"]) == {"right"}
        [m] = store.list_measurements(days[1])
        assert measurement_uuid("Ada Client", m) == measurement_uuid("ada client", m)
        [other, *_] = store.list_measurements(days[0])
        assert measurement_uuid("Ada Client", other) != measurement_uuid("Ada Client", m)
