"""The set-up to repeat on the live page: the same client's last visit of the same test and
side (``romcam.live.setup_ghost.PreviousSetup``).

The last earlier session with a trial of the test and side counts; its trials' stored set-ups
are combined (``core/setup_geometry.typical_setup``: counted, accepted trials first). A trial
stored before set-ups were kept has none: its set-up (and ghost) is then computed from its
stored landmark file, when it has one.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from romcam.calibration.setup_camera import profile_setup
from romcam.core.setup_geometry import CameraSetup, typical_setup
from romcam.errors import RomcamError
from romcam.live.setup_ghost import PreviousSetup
from romcam.media.landmark_csv import read_landmarks_csv

if TYPE_CHECKING:
    from romcam.store import Store

log = logging.getLogger(__name__)


def previous_setup_for(
    store: Store | None,
    client_id: int | None,
    session_id: int | None,
    test_id: str,
    side: str | None,
) -> PreviousSetup | None:
    """Last visit's set-up of ``test_id`` and ``side`` for the client, before the session
    ``session_id`` (None: the latest of all); None when there is none (or the store fails)."""
    if store is None or client_id is None:
        return None
    try:
        frame = store.measurements_frame(client=client_id)
        before = store.get_session(session_id).started_at if session_id is not None else None
    except RomcamError as exc:
        log.warning("no previous set-up: %s", exc)
        return None
    rows = _earlier_trials(frame, session_id, before, test_id, side)
    if rows.empty:
        return None
    last = rows[rows["session_id"] == rows["session_id"].iloc[-1]]
    counted = last[(last["quality"] == "ok") & last["excluded_reason"].isna()]
    picked = counted if not counted.empty else last
    setup = typical_setup(picked["setup"]) or _from_landmark_files(store, picked)
    if setup is None:
        return None
    return PreviousSetup(setup, f"last visit ({pd.Timestamp(last['started_at'].iloc[0]):%d %b %Y})")


def _earlier_trials(
    frame: pd.DataFrame,
    session_id: int | None,
    before: object,
    test_id: str,
    side: str | None,
) -> pd.DataFrame:
    """The tidy frame's trials of the test and side in other, earlier sessions (in order)."""
    same_side = frame["side"].isna() if side is None else frame["side"] == side
    rows = frame[(frame["test"] == test_id) & same_side & (frame["session_id"] != session_id)]
    if before is not None:
        rows = rows[pd.to_datetime(rows["started_at"]) < _naive_utc(before)]
    return rows


def _naive_utc(when: object) -> pd.Timestamp:
    """A time as the tidy frame keeps it: naive UTC."""
    stamp = pd.Timestamp(when)  # type: ignore[arg-type]
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def _from_landmark_files(store: Store, rows: pd.DataFrame) -> CameraSetup | None:
    """The set-up of the first trial whose stored landmark file can be read."""
    for relative in rows["landmarks_path"].dropna():
        try:
            path = store.path_of(str(relative))
            if path.is_file():
                found = _setup_of_file(path, path.stat().st_mtime_ns)
                if found is not None:
                    return found
        except (RomcamError, OSError) as exc:
            log.info("no set-up from %s: %s", relative, exc)
    return None


@functools.lru_cache(maxsize=32)
def _setup_of_file(path: Path, mtime_ns: int) -> CameraSetup | None:
    """The set-up of a landmark file (cached: the page reruns; ``mtime_ns`` keys a change)."""
    return profile_setup(read_landmarks_csv(path))
