"""What every page of the client's home check works with: the plan named by
``ROMCAM_HOME_PLAN`` (client mode), the client's own store and the client in it, and what
was measured today."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from romcam.errors import RomcamError
from romcam.home.local import HOME_PHASE, HOME_PLAN_ENV, home_client, local_day
from romcam.home.plan import HomePlan, read_plan
from romcam.ui.widgets import open_store, show_error

if TYPE_CHECKING:
    from romcam.store import Store
    from romcam.store.records import ClientRecord


@dataclass(frozen=True)
class HomeContext:
    """What every home-check page works with: the plan, the client's store and client."""

    plan: HomePlan
    store: Store
    client: ClientRecord


def plan_path() -> Path | None:
    """The plan file of client mode (None: the dashboard is not in client mode)."""
    value = os.environ.get(HOME_PLAN_ENV, "").strip()
    return Path(value) if value else None


def home_context() -> HomeContext | None:
    """The plan, the client's store and the client; None (with the reason shown) when the
    plan or the store cannot be read."""
    path = plan_path()
    if path is None:
        st.error(
            "No home plan is loaded. Start the home check with `romcam home PLANFILE`, "
            "PLANFILE being the plan file your therapist gave you."
        )
        return None
    try:
        plan = read_plan(path)
    except RomcamError as exc:
        show_error(exc, "read your plan")
        return None
    store = open_store()
    if store is None:
        return None
    try:
        client = home_client(store, plan)
    except RomcamError as exc:
        show_error(exc, "open your measurements")
        return None
    return HomeContext(plan, store, client)


def done_today(context: HomeContext) -> dict[tuple[str, str | None], int]:
    """(test, side) -> trials saved today (local day) in the client's store."""
    try:
        frame = context.store.measurements_frame(client=context.client.id)
    except RomcamError as exc:
        show_error(exc, "read today's measurements")
        return {}
    if frame.empty:
        return {}
    today = frame[
        (frame["phase"] == HOME_PHASE) & (frame["measured_at"].map(local_day) == date.today())
    ]
    counts: dict[tuple[str, str | None], int] = {}
    for test, side in zip(today["test"], today["side"], strict=True):
        key = (str(test), side if isinstance(side, str) and side else None)
        counts[key] = counts.get(key, 0) + 1
    return counts
