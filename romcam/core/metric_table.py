"""The per-frame table of measurements produced from a PoseSequence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from romcam.core.metric_specs import METRIC_IDS

#: Values of the per-frame ``view`` column.
VIEWS = ("front", "side_left", "side_right", "oblique", "none")


@dataclass(frozen=True)
class MetricTable:
    """Measurements of one subject over T frames.

    Attributes:
        frame: (T,) int frame indices; time_s: (T,) float seconds.
        values: metric id -> (T,) float in the metric's unit; NaN where not measurable.
            Holds every id of ``METRIC_IDS``.
        view: (T,) str, one of VIEWS (``side_left`` = the subject's left side faces the camera).
        facing: (T,) str: ``camera``, ``away``, ``left`` or ``right`` (image direction the subject's
            nose points to in a side view), or ``none``.
        flags: quality flag name -> (T,) bool (e.g. ``low_visibility``, ``out_of_plane``,
            ``out_of_frame``, ``occluded``), True where the frame has that problem.
        hidden: body part (``core.occlusion.BODY_PARTS``: ``hips``, ``head`` ...) -> (T,)
            bool, True where the model placed that part but it was occluded. Not a quality
            flag: a hidden knee says nothing about a neck metric (the ``occluded`` flag is set
            only where a metric's own landmarks were hidden); it says which parts were.
    """

    frame: np.ndarray
    time_s: np.ndarray
    values: Mapping[str, np.ndarray]
    view: np.ndarray
    facing: np.ndarray
    flags: Mapping[str, np.ndarray] = field(default_factory=dict)
    hidden: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.frame.shape
        for name, arr in {
            **self.values,
            **self.flags,
            **{f"hidden {k}": v for k, v in self.hidden.items()},
            "time_s": self.time_s,
            "view": self.view,
            "facing": self.facing,
        }.items():
            if np.shape(arr) != t:
                raise ValueError(f"{name} must have shape {t}; got {np.shape(arr)}")
        missing = set(METRIC_IDS) - set(self.values)
        if missing:
            raise ValueError(f"values lacks metrics: {sorted(missing)}")

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    def to_dataframe(self) -> pd.DataFrame:
        """Columns: frame, time_s, every metric id (catalogue order), view, facing, flags
        (``flag_<name>``), hidden body parts (``hidden_<part>``)."""
        data: dict[str, np.ndarray] = {"frame": self.frame, "time_s": self.time_s}
        data.update({mid: self.values[mid] for mid in METRIC_IDS})
        data["view"] = self.view
        data["facing"] = self.facing
        data.update({f"flag_{k}": v for k, v in self.flags.items()})
        data.update({f"hidden_{k}": v for k, v in self.hidden.items()})
        return pd.DataFrame(data)

    @classmethod
    def from_dataframe(cls, df: pd.DataFrame) -> MetricTable:
        """Inverse of :meth:`to_dataframe` (missing view/facing columns become ``none``)."""
        n = len(df)
        none = np.full(n, "none", dtype=object)
        return cls(
            frame=df["frame"].to_numpy(dtype=int),
            time_s=df["time_s"].to_numpy(dtype=float),
            values={mid: df[mid].to_numpy(dtype=float) for mid in METRIC_IDS},
            view=df["view"].to_numpy(dtype=object) if "view" in df else none,
            facing=df["facing"].to_numpy(dtype=object) if "facing" in df else none.copy(),
            flags={
                c.removeprefix("flag_"): df[c].to_numpy(dtype=bool)
                for c in df.columns
                if c.startswith("flag_")
            },
            hidden={
                c.removeprefix("hidden_"): df[c].to_numpy(dtype=bool)
                for c in df.columns
                if c.startswith("hidden_")
            },
        )
