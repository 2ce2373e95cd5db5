"""The knee and hip curves of stored walks, for overlaying two visits (docs/gait.md "In sessions").

A stored walk (the gait test, ``core.assessments.GAIT_TESTS``) keeps its ``cycles.csv`` as each
measurement's ``angles`` file: one row per cycle, leg and joint, ``side, cycle, joint,
start_s, toe_off_s, end_s, stance_pct, pct_0 … pct_100`` (deg at 0-100 % of the cycle). Pure
functions over the tidy frame (``Store.measurements_frame``) and those files; no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from romcam.core.assessments import GAIT_TEST_IDS
from romcam.core.gait_cycles import PERCENT
from romcam.core.gait_metrics import curves_mean_sd
from romcam.core.gait_norms import normative_band

SIDES = ("left", "right")
JOINTS = ("knee", "hip")
_PCT_COLUMNS = [f"pct_{int(p)}" for p in PERCENT]
#: Columns of :func:`overlay_frame`.
OVERLAY_COLUMNS = ["visit", "side", "joint", "pct", "mean", "sd", "n_cycles"]


@dataclass(frozen=True)
class WalkCurves:
    """One walk's mean ± SD curves.

    Attributes:
        label: how the walk is named on a chart (``1 Sep 2026 (before)``).
        curves: (side, joint) -> ((101,) mean, (101,) SD, whole cycles) in deg at PERCENT;
            a leg and joint with no curve is absent.
        stance_pct: side -> mean stance % (toe off) over its cycles.
    """

    label: str
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int]]
    stance_pct: dict[str, float]


def read_cycles(path: Path) -> pd.DataFrame:
    """A cycles.csv as a frame; ValueError naming the file when it is not one."""
    frame = pd.read_csv(path)
    missing = [c for c in ("side", "joint", "stance_pct", *_PCT_COLUMNS) if c not in frame]
    if missing:
        raise ValueError(f"{path} is not a cycles.csv of `romcam gait` (no {missing[0]})")
    return frame


def walk_curves(cycles: pd.DataFrame, label: str) -> WalkCurves:
    """Mean ± SD over each leg's cycles of each joint (``read_cycles`` rows)."""
    curves: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int]] = {}
    stance: dict[str, float] = {}
    for side in SIDES:
        leg = cycles[cycles["side"] == side]
        if len(leg):
            stance[side] = float(leg["stance_pct"].mean())
        for joint in JOINTS:
            rows = leg[leg["joint"] == joint][_PCT_COLUMNS].to_numpy(dtype=float)
            seen = int(np.isfinite(rows).any(axis=1).sum())
            if seen == 0:
                continue
            mean, sd = curves_mean_sd(rows)
            curves[(side, joint)] = (mean, sd, seen)
    return WalkCurves(label, curves, stance)


def stored_walks(frame: pd.DataFrame, root: Path) -> list[tuple[int, str, WalkCurves]]:
    """The stored walks of ``frame`` (a tidy frame; ``root`` the store's data directory): one
    per session and phase that has a gait measurement whose cycles file can be read, as
    (session id, phase, curves), in visit order. A walk whose file is missing is left out."""
    if "angles_path" not in frame.columns or frame.empty:
        return []
    gait = frame[frame["test"].isin(GAIT_TEST_IDS) & frame["angles_path"].notna()]
    out: list[tuple[int, str, WalkCurves]] = []
    for (_, phase), group in gait.groupby(["session_id", "phase"], sort=False):
        for rel in group["angles_path"]:
            try:
                cycles = read_cycles(root / str(rel))
            except (OSError, ValueError):
                continue
            label = f"{walk_date(group['started_at'].iloc[0])} ({phase})"
            out.append((int(group["session_id"].iloc[0]), str(phase), walk_curves(cycles, label)))
            break
    return out


def walk_date(started_at: object) -> str:
    """``1 Sep 2026`` of a session start (naive UTC)."""
    stamp = pd.Timestamp(started_at)  # type: ignore[arg-type]
    return f"{stamp.day} {stamp:%b %Y}"


def two_walks(
    walks: Sequence[tuple[int, str, WalkCurves]], *, session_id: int | None = None
) -> list[WalkCurves]:
    """The two walks to overlay: in one session (``session_id``) its first and last phase
    (before and after); else the first and the latest visit ('before' where a visit has
    both). One walk alone is returned alone."""
    if session_id is not None:
        mine = [w for s, _, w in walks if s == session_id]
        return mine[:1] + mine[-1:] if len(mine) > 1 else mine
    by_visit: dict[int, WalkCurves] = {}
    for s, phase, w in walks:
        if s not in by_visit or phase == "before":
            by_visit[s] = w
    visits = list(by_visit.values())
    return visits[:1] + visits[-1:] if len(visits) > 1 else visits


def overlay_frame(walks: Sequence[WalkCurves]) -> pd.DataFrame:
    """Long frame of the walks' curves and the normative band (visit ``normal``, side ``""``):
    columns :data:`OVERLAY_COLUMNS`, one row per visit, side, joint and % of the cycle."""
    parts = []
    for joint in JOINTS:
        mean, sd = normative_band(joint)
        parts.append(_rows("normal", "", joint, mean, sd, 0))
        for walk in walks:
            for side in SIDES:
                if (side, joint) in walk.curves:
                    parts.append(_rows(walk.label, side, joint, *walk.curves[(side, joint)]))
    return pd.concat(parts, ignore_index=True)[OVERLAY_COLUMNS]


def _rows(
    visit: str, side: str, joint: str, mean: np.ndarray, sd: np.ndarray, n: int
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "visit": visit,
            "side": side,
            "joint": joint,
            "pct": PERCENT,
            "mean": mean,
            "sd": sd,
            "n_cycles": n,
        }
    )
