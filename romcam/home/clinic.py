"""The therapist's side of a home plan: the clinic's last values, a plan built from the store
and kept in it, and the plan file's name.

Above the store and outcomes (it reads :meth:`romcam.store.Store.measurements_frame`);
:mod:`romcam.home.plan` stays pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from romcam.core.assessments import TESTS_BY_ID
from romcam.home.plan import PLAN_SUFFIX, ClinicValue, HomePlan, PlanClient, PlanItem, new_plan

if TYPE_CHECKING:
    from romcam.store import Store
    from romcam.store.repository import ClientRef


def clinic_last_values(store: Store, client: ClientRef) -> tuple[ClinicValue, ...]:
    """Each test and side's last clinic value: the mean of the counted, trusted trials of the
    latest session and phase it was measured in (home measurements left out), sorted by test
    then side. ``measured_at`` is that group's last trial (UTC)."""
    from romcam.outcomes.home import clinic_measurements
    from romcam.outcomes.quality import trusted_mask

    # A value measured at home is the client's own, never "the clinic's last value".
    frame = clinic_measurements(store.measurements_frame(client=client))
    if frame.empty:
        return ()
    keep = (
        trusted_mask(frame)
        & frame["excluded_reason"].isna()
        & frame["test"].isin(list(TESTS_BY_ID))
    )
    frame = frame[keep].assign(side=frame["side"].where(frame["side"].notna(), None))
    values: list[ClinicValue] = []
    for (test_id, side), rows in frame.groupby(["test", "side"], dropna=False, sort=True):
        last = rows.iloc[-1]  # the frame is sorted by session start, then time
        group = rows[(rows["session_id"] == last["session_id"]) & (rows["phase"] == last["phase"])]
        values.append(
            ClinicValue(
                test_id=str(test_id),
                side=side if side in ("left", "right") else None,
                value=round(float(group["value"].mean()), 1),
                unit=str(last["unit"]),
                measured_at=group["measured_at"].max().to_pydatetime().replace(tzinfo=UTC),
            )
        )
    return tuple(values)


def create_plan(
    store: Store,
    client: ClientRef,
    items: Sequence[PlanItem],
    *,
    therapist: str | None = None,
) -> HomePlan:
    """A new plan for ``client`` with the clinic's last values of its tests, kept in the store
    (InputError sentences for an unknown client or a bad item)."""
    record = store.get_client(client)
    tested = {i.test_id for i in items if i.test_id is not None}
    plan = new_plan(
        client=PlanClient(store_id=record.id, name=record.name),
        items=list(items),
        therapist=therapist,
        clinic_last=[v for v in clinic_last_values(store, record.id) if v.test_id in tested],
    )
    store.save_plan(plan)
    return plan


def plan_file_name(plan: HomePlan) -> str:
    """``<safe client name>-<id>-plan-<YYYY-MM-DD>-<first 8 of the plan id>.romcam-plan.json``:
    safe to join to a folder, and two plans of one day do not share a name."""
    from romcam.store.files import client_file_stem

    stem = client_file_stem(plan.client.name, plan.client.store_id)
    return f"{stem}-plan-{plan.created_at:%Y-%m-%d}-{plan.plan_id[:8]}{PLAN_SUFFIX}"
