"""One live trial's record as it grows: its per-frame metric rows and its files (raw H.264
video and landmark CSV), written as the frames arrive, and the data directory's ``live-tmp``
folder where they wait until the page stores them (or ``unsaved-trials`` when the store could
not take them)."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np

from romcam.core.causal_measurer import FrameMeasurement
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable
from romcam.media.landmark_csv import LandmarkCsvWriter
from romcam.media.video import H264Writer, even_size
from romcam.paths import safe_filename
from romcam.pose.estimator import FramePose
from romcam.staging import remove_stale_staging
from romcam.worker import QueueWorker

log = logging.getLogger(__name__)

#: What a failing trial recording (disk full, encoder error) raises.
RECORDING_ERRORS = (OSError, ValueError, av.FFmpegError)
#: Folder of the data directory where live trials are recorded until the page stores them.
LIVE_TMP_DIR = "live-tmp"
#: Folder of the data directory for captured trials the store could not take (database locked,
#: disk full): kept for the therapist, never cleaned by romcam.
UNSAVED_DIR = "unsaved-trials"


def new_live_record_dir(data_dir: Path) -> Path:
    """A new folder (not created yet) ``data_dir/live-tmp/<pid>-<random>`` for one processor's
    trials; the pid tells a later server whether the folder's owner is still running."""
    return data_dir / LIVE_TMP_DIR / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def remove_stale_live_files(data_dir: Path) -> int:
    """Remove what a crashed or killed server left under ``data_dir/live-tmp`` (raw client
    video nothing saved); a running server's folders stay. Returns how many folders went."""
    return remove_stale_staging(data_dir / LIVE_TMP_DIR, "", unnamed_are_stale=True)


def keep_unsaved_trial(folder: Path, data_dir: Path, label: str) -> Path:
    """Move a captured trial's files that the store could not take out of ``live-tmp`` (which
    the next server start empties) to ``data_dir/unsaved-trials/<UTC time>-<label>``; returns
    where they are now (``folder`` itself when they cannot be moved)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = data_dir / UNSAVED_DIR / f"{stamp}-{safe_filename(label)}-{uuid.uuid4().hex[:6]}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A rename within one file system needs no free space, so it works on a full disk too.
        return Path(shutil.move(folder, target))
    except OSError as exc:
        log.warning("could not move the unsaved trial %s to %s: %s", folder, target, exc)
        return folder


class TrialRows:
    """The per-frame rows of one trial, grown frame by frame (filtered metric values)."""

    def __init__(self) -> None:
        self.frame: list[int] = []
        self.time_s: list[float] = []
        self.values: list[np.ndarray] = []
        self.view: list[str] = []
        self.facing: list[str] = []
        self.flags: dict[str, list[bool]] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def add(self, frame: int, t: float, measured: FrameMeasurement) -> None:
        """Add one measured frame: its video frame index and time ``t`` (s) in the trial."""
        self.frame.append(frame)
        self.time_s.append(t)
        self.values.append(measured.values)
        self.view.append(measured.view)
        self.facing.append(measured.facing)
        for name, flag in measured.flags.items():
            self.flags.setdefault(name, [False] * (len(self.frame) - 1)).append(flag)
        for got in self.flags.values():
            if len(got) < len(self.frame):
                got.append(False)

    def table(self) -> MetricTable:
        stacked = np.vstack(self.values) if self.values else np.empty((0, len(METRIC_IDS)))
        return MetricTable(
            frame=np.asarray(self.frame, dtype=int),
            time_s=np.asarray(self.time_s, dtype=float),
            values={mid: stacked[:, k] for k, mid in enumerate(METRIC_IDS)},
            view=np.asarray(self.view, dtype=object),
            facing=np.asarray(self.facing, dtype=object),
            flags={k: np.asarray(v, dtype=bool) for k, v in self.flags.items()},
        )

    def recent(self, metric_index: int, since_s: float) -> np.ndarray:
        """Finite values of one metric from the last ``since_s`` seconds."""
        if not self.time_s:
            return np.empty(0)
        t = np.asarray(self.time_s)
        vals = np.asarray([v[metric_index] for v in self.values])
        picked = vals[t >= t[-1] - since_s]
        return picked[np.isfinite(picked)]


class TrialRecorder:
    """Writes one trial's raw camera frames (H.264 MP4) and landmarks (CSV) as they arrive.

    Live frames come at an irregular rate (whatever the pose model keeps up with), so each
    frame is written once, stamped with its own time (a variable frame rate MP4, which plays
    back in real time in any browser). The H.264 encode runs on a worker thread so that it
    overlaps with the pose model of the next frame instead of delaying the camera thread; the
    frames given to :meth:`write` must not be modified afterwards. The landmark file keeps
    every processed frame with its true time and its video frame index. An encoding error is
    raised by a later :meth:`write` or by :meth:`close`.
    """

    #: Frames that may wait for the encoder (~1 s at 640x480 is ~28 MB) before ``write``
    #: blocks.
    QUEUE_FRAMES = 30
    #: libx264 preset: at 640x480 ``superfast`` costs 7.5 ms of CPU a frame (7.5 MB a
    #: minute), ``veryfast`` 11 ms (4 MB a minute), CPU the pose model needs on a 2-core machine.
    PRESET = "superfast"

    def __init__(self, folder: Path, fps: float) -> None:
        if not fps > 0:
            raise ValueError(f"fps must be > 0; got {fps!r}")
        self.folder = folder
        self.fps = fps
        self.video_path = folder / "trial.mp4"
        self.landmarks_path = folder / "landmarks.csv"
        self._encoder: QueueWorker[tuple[np.ndarray, float]] | None = None
        self._landmarks: LandmarkCsvWriter | None = None
        self._size = (0, 0)
        self.frames = 0  # frames recorded (landmark rows, video frames)
        self.last_t = 0.0

    def write(self, frame_bgr: np.ndarray, time_s: float, pose: FramePose | None) -> int:
        """Record one frame taken ``time_s`` s after the trial start; returns its video index."""
        if self._encoder is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            h, w = frame_bgr.shape[:2]
            video = H264Writer(self.video_path, *even_size(w, h), self.fps, preset=self.PRESET)
            self._encoder = QueueWorker(
                "trial-video", lambda item: video.write(*item), video.close, self.QUEUE_FRAMES
            )
            self._landmarks = LandmarkCsvWriter(self.landmarks_path)
            self._size = (w, h)
        assert self._landmarks is not None
        self._encoder.put((frame_bgr, time_s))
        index = self.frames  # every frame becomes one video frame, in order
        self._landmarks.write(index, time_s, self._size[0], self._size[1], pose)
        self.frames += 1
        self.last_t = time_s
        return index

    def close(self) -> None:
        """Finish both files (idempotent); raises the encoder's error, if any."""
        try:
            if self._encoder is not None:
                self._encoder.close()
        finally:
            if self._landmarks is not None:
                self._landmarks.close()

    @property
    def duration_s(self) -> float:
        """Length of the video written so far (s): up to the end of its last frame."""
        return self.last_t + 1.0 / self.fps if self.frames else 0.0
