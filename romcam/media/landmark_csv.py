"""The landmark CSV: romcam's stable interchange format for one subject's pose over time.

One row per frame::

    frame, time_s, image_width, image_height,
    <name>_x, <name>_y, <name>_z, <name>_visibility      for the 33 names in LANDMARK_NAMES,
    [<name>_world_x, <name>_world_y, <name>_world_z      for the 33 names]   (optional)

``frame`` is the 0-based frame index in the source and ``time_s`` seconds from its start (both
strictly increasing), the size is in pixels (the same on every row). Image landmarks are
normalised as MediaPipe returns them (x right, y down, z relative depth, visibility in
[0, 1]); world landmarks are metres. A frame with no subject keeps its first four cells and
leaves every landmark cell empty. Numbers are written with ``repr`` so a file reads back
bit-exact. The reader refuses, with the line number, a landmark cell that is infinite or
beyond ±10000 (a corrupt file, not a landmark): an empty cell is the only way to say
"missing". Extra columns are ignored when reading, so the format can grow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, overload

import numpy as np
import pandas as pd

from romcam.closing import Closing
from romcam.core.landmarks import LANDMARK_NAMES, N_LANDMARKS, PoseSequence
from romcam.errors import InputError

if TYPE_CHECKING:
    from romcam.pose.estimator import FramePose

log = logging.getLogger(__name__)

FRAME_COLUMNS: tuple[str, ...] = ("frame", "time_s", "image_width", "image_height")
IMAGE_AXES: tuple[str, ...] = ("x", "y", "z", "visibility")
WORLD_AXES: tuple[str, ...] = ("world_x", "world_y", "world_z")


def landmark_columns(world: bool = True) -> list[str]:
    """All column names in file order; ``world`` adds the world-landmark columns."""
    columns = list(FRAME_COLUMNS)
    columns += [f"{name}_{axis}" for name in LANDMARK_NAMES for axis in IMAGE_AXES]
    if world:
        columns += [f"{name}_{axis}" for name in LANDMARK_NAMES for axis in WORLD_AXES]
    return columns


_IMAGE_COLUMNS = [f"{name}_{axis}" for name in LANDMARK_NAMES for axis in IMAGE_AXES]
_WORLD_COLUMNS = [f"{name}_{axis}" for name in LANDMARK_NAMES for axis in WORLD_AXES]


def _cells(values: np.ndarray) -> list[str]:
    """Shortest text that reads back to the same float for each value; empty for NaN."""
    return ["" if v != v else repr(v) for v in np.asarray(values, dtype=float).ravel().tolist()]


class LandmarkCsvWriter(Closing):
    """Streams rows of the landmark CSV as frames arrive (a context manager).

    Args:
        path: file to create (overwritten if present; parent folders are created).
        image_width, image_height: frame size in pixels, if known up front; otherwise give it
            with each :meth:`write`.
        world: write the world-landmark columns.
    """

    def __init__(
        self,
        path: str | Path,
        image_width: int | None = None,
        image_height: int | None = None,
        *,
        world: bool = True,
    ) -> None:
        self.path = Path(path)
        self.world = world
        self._size = _check_size(image_width, image_height) if image_width is not None else None
        self._last_time: float | None = None
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO | None = self.path.open("w", encoding="utf-8", newline="")
        self._n_landmark_cells = N_LANDMARKS * (7 if world else 4)
        self._file.write(",".join(landmark_columns(world)) + "\n")

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    @overload
    def write(self, frame: int, time_s: float, pose: FramePose | None, /) -> None: ...

    @overload
    def write(
        self, frame: int, time_s: float, width: int, height: int, pose: FramePose | None, /
    ) -> None: ...

    def write(self, frame: int, time_s: float, *rest: object) -> None:
        """Append one frame: ``write(frame, time_s, [width, height,] pose_or_None)``.

        The size may be omitted when it was given to the constructor; it must not change.
        """
        if self._file is None:
            raise ValueError(f"landmark writer for {self.path} is closed")
        pose, size = self._parse_rest(rest)
        self._append(frame, time_s, size, None if pose is None else (pose.image, pose.world))

    def _append(
        self,
        frame: int,
        time_s: float,
        size: tuple[int, int],
        landmarks: tuple[np.ndarray, np.ndarray | None] | None,
    ) -> None:
        """Write one row; ``landmarks`` is (image (33, 4), world (33, 3) or None) or None."""
        assert self._file is not None
        if self._last_time is not None and not time_s > self._last_time:
            raise ValueError(
                f"time_s must strictly increase; got {time_s} after {self._last_time} "
                f"(frame {frame})"
            )
        cells = [str(int(frame)), repr(float(time_s)), str(size[0]), str(size[1])]
        if landmarks is None:
            cells += [""] * self._n_landmark_cells
        else:
            image, world = landmarks
            cells += _cells(image)
            if self.world:
                world = np.full((N_LANDMARKS, 3), np.nan) if world is None else world
                cells += _cells(world)
        self._file.write(",".join(cells) + "\n")
        # Flushed per row so a crash during a live session keeps what was recorded.
        self._file.flush()
        self._last_time = float(time_s)
        self.rows += 1

    def _parse_rest(self, rest: tuple[object, ...]) -> tuple[FramePose | None, tuple[int, int]]:
        if len(rest) == 3:
            size = _check_size(rest[0], rest[1])
            if self._size is not None and size != self._size:
                raise ValueError(
                    f"image size changed from {self._size[0]}x{self._size[1]} to "
                    f"{size[0]}x{size[1]}; one landmark file holds one frame size"
                )
            self._size = size
        elif len(rest) != 1:
            raise TypeError("write(frame, time_s, [width, height,] pose)")
        if self._size is None:
            raise ValueError("image size unknown: pass width and height to write() or the writer")
        return rest[-1], self._size  # type: ignore[return-value]


def _check_size(width: object, height: object) -> tuple[int, int]:
    if not (isinstance(width, int | np.integer) and isinstance(height, int | np.integer)):
        raise ValueError(f"image size must be two integers; got {width!r} x {height!r}")
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive; got {width}x{height}")
    return int(width), int(height)


def write_landmarks_csv(path: str | Path, pose: PoseSequence) -> Path:
    """Write a whole PoseSequence (world columns when it has world landmarks); return the path."""
    has_world = pose.world is not None
    size = (pose.image_width, pose.image_height)
    with LandmarkCsvWriter(path, *size, world=has_world) as writer:
        for t in range(len(pose)):
            world = pose.world[t] if pose.world is not None else None
            empty = np.isnan(pose.image[t]).all() and (world is None or np.isnan(world).all())
            landmarks = None if empty else (pose.image[t], world)
            writer._append(int(pose.frame[t]), float(pose.time_s[t]), size, landmarks)
    return Path(path)


def read_landmarks_csv(path: str | Path) -> PoseSequence:
    """Read a landmark CSV (with or without world columns) into a PoseSequence.

    Raises:
        InputError: missing or empty file, missing columns, non-numeric cells, frame indices
            that are not non-negative integers, non-increasing frame or time, a changing image
            size, infinite or absurd landmark values.
    """
    path = Path(path)
    table = _load_table(path)
    missing = [c for c in (*FRAME_COLUMNS, *_IMAGE_COLUMNS) if c not in table.columns]
    if missing:
        raise InputError(
            f"{path} is missing {len(missing)} required column(s): {_names(missing)}; "
            "expected a romcam landmark CSV (frame, time_s, image_width, image_height, "
            "<landmark>_x/_y/_z/_visibility)"
        )
    world_present = [c for c in _WORLD_COLUMNS if c in table.columns]
    if world_present and len(world_present) != len(_WORLD_COLUMNS):
        absent = [c for c in _WORLD_COLUMNS if c not in table.columns]
        raise InputError(
            f"{path} has only some world-landmark columns; missing {_names(absent)} "
            "(give all 99 world columns or none)"
        )
    columns = [*FRAME_COLUMNS, *_IMAGE_COLUMNS, *world_present]
    values = _numeric(path, table, columns)
    n = len(table)
    frame, time_s, width, height = (values[:, k] for k in range(4))
    _check_frame_columns(path, frame, time_s, width, height)
    _check_landmark_values(path, values[:, 4:], columns[4:])
    image = values[:, 4 : 4 + len(_IMAGE_COLUMNS)].reshape(n, N_LANDMARKS, 4)
    world = None
    if world_present:
        world = values[:, 4 + len(_IMAGE_COLUMNS) :].reshape(n, N_LANDMARKS, 3)
    return PoseSequence(
        frame=frame.astype(int),
        time_s=time_s,
        image_width=int(width[0]),
        image_height=int(height[0]),
        image=image,
        world=world,
    )


def _load_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"landmark file {path} not found; check the path")
    if path.stat().st_size == 0:
        raise InputError(f"landmark file {path} is empty; expected a CSV with a header row")
    try:
        # Only empty cells are missing values: text such as "NA" must be reported, not hidden.
        table = pd.read_csv(
            path, na_values=[""], keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"landmark file {path} is not a readable CSV ({exc})") from exc
    table.columns = [str(c).strip() for c in table.columns]
    if table.empty:
        raise InputError(f"landmark file {path} has a header but no frames")
    return table


def _numeric(path: Path, table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """(rows, columns) float array; empty cells are NaN, any other non-number is an error."""
    for column in columns:
        if pd.api.types.is_numeric_dtype(table[column]):
            continue
        text = table[column].astype(str).str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & table[column].notna().to_numpy())
        if bad.size:
            raise InputError(
                f"{path} line {bad[0] + 2}, column {column}: {text.iat[bad[0]]!r} is not a "
                f"number ({bad.size} such cell(s) in that column)"
            )
        table[column] = numbers
    return table[columns].to_numpy(dtype=float)


def _check_frame_columns(
    path: Path, frame: np.ndarray, time_s: np.ndarray, width: np.ndarray, height: np.ndarray
) -> None:
    for name, col in (
        ("frame", frame),
        ("time_s", time_s),
        ("image_width", width),
        ("image_height", height),
    ):
        blank = np.flatnonzero(~np.isfinite(col))
        if blank.size:
            raise InputError(f"{path} line {blank[0] + 2}: {name} is empty; every row needs one")
    odd = np.flatnonzero((frame < 0) | (frame != np.round(frame)))
    if odd.size:
        raise InputError(
            f"{path} line {odd[0] + 2}: frame {frame[odd[0]]} is not a 0-based integer index"
        )
    _check_increasing(path, "frame", frame, "frame numbers", lambda v: f"{v:g}")
    _check_increasing(path, "time_s", time_s, "time_s", lambda v: repr(float(v)))
    sizes = {(w, h) for w, h in zip(width.tolist(), height.tolist(), strict=True)}
    if len(sizes) > 1:
        listed = ", ".join(f"{w:g}x{h:g}" for w, h in sorted(sizes)[:4])
        raise InputError(f"{path} has inconsistent image sizes ({listed}); one size per file")
    w, h = next(iter(sizes))
    if w <= 0 or h <= 0 or w != round(w) or h != round(h):
        raise InputError(f"{path}: image size {w:g}x{h:g} must be positive whole pixels")


def _check_increasing(
    path: Path, name: str, col: np.ndarray, plural: str, show: Callable[[float], str]
) -> None:
    back = np.flatnonzero(np.diff(col) <= 0)
    if back.size:
        k = back[0] + 1
        raise InputError(
            f"{path} line {k + 2}: {name} {show(col[k])} does not increase (previous row "
            f"{show(col[k - 1])}); {plural} must strictly increase"
        )


#: Largest magnitude a landmark cell may hold. Real values are within a few units (normalised
#: image coordinates, metres, visibility in [0, 1]); anything past this is a corrupt file and
#: would overflow the angle maths.
MAX_LANDMARK_MAGNITUDE = 1e4


def _check_landmark_values(path: Path, values: np.ndarray, columns: list[str]) -> None:
    """Refuse (line and column named) landmark cells that are infinite or absurdly large.

    Empty cells (NaN) are missing landmarks, as documented; they are not refused.
    """
    bad = np.abs(values) > MAX_LANDMARK_MAGNITUDE  # False for NaN; True for ±inf
    if not bad.any():
        return
    row, col = (int(k[0]) for k in np.nonzero(bad))
    raise InputError(
        f"{path} line {row + 2}, column {columns[col]}: {values[row, col]:g} is not a usable "
        f"landmark value (expected a finite number within ±{MAX_LANDMARK_MAGNITUDE:g}); "
        "correct that cell or leave it empty"
    )


def _names(columns: list[str], limit: int = 6) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")
