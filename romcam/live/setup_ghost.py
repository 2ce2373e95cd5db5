"""The camera set-up on the live page: each trial's set-up for the store, and last visit's
framing as a ghost with the differences in plain numbers.

:class:`SetupWatch` keeps the poses of the attempt under way (the processor feeds it each
frame on its annotating thread). When a trial is captured, :meth:`SetupWatch.take_trial_setup`
gives its set-up (``core/setup_geometry``, median over the attempt's steady frames) for the
``TrialResult`` and the store. With a previous set-up (:class:`PreviousSetup`, the same
client's last visit of the same test and side, set by the page) :meth:`SetupWatch.draw` draws
its ghost skeleton (the start position's key points kept in that trial's ``setup``) and how
the camera now differs (the last CURRENT_WINDOW_S of frames), green within tolerance, amber
outside: :meth:`SetupWatch.overlay`, taken with the frames, is drawn after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from romcam.calibration import CalibrationProfile
from romcam.calibration.setup_camera import profile_setup
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.core.setup_geometry import CameraSetup, setup_difference
from romcam.media.setup_drawing import draw_ghost, draw_setup_panel
from romcam.pose.estimator import FramePose

#: The live set-up is the median over this many seconds of the latest frames.
CURRENT_WINDOW_S = 1.0
#: ... recomputed at most this often (s of stream time).
REFRESH_S = 0.25
#: Frames an attempt keeps for its set-up (a 2-minute attempt at 30 frames/s); older go first.
MAX_FRAMES = 3600


@dataclass(frozen=True)
class PreviousSetup:
    """The set-up to repeat: ``setup`` of the earlier trial and how to name it on the frame
    (``last visit (12 Nov 2026)``)."""

    setup: CameraSetup
    label: str = "last visit"


@dataclass(frozen=True)
class SetupOverlay:
    """Last visit's ghost and how the camera differs from it now (None: no body seen)."""

    previous: PreviousSetup
    current: CameraSetup | None

    def draw_ghost(self, frame_bgr: np.ndarray) -> None:
        """The previous trial's start position, faint, in place (drawn under the skeleton)."""
        draw_ghost(frame_bgr, self.previous.setup.ghost_points)

    def draw_panel(self, frame_bgr: np.ndarray) -> None:
        """The differences, green within tolerance, amber outside, in place."""
        title = f"Set-up vs {self.previous.label}"
        if self.current is None:
            draw_setup_panel(frame_bgr, title, [("step into the ghost's place", False)])
            return
        parts = setup_difference(self.previous.setup, self.current).parts
        draw_setup_panel(frame_bgr, title, [(p.text, p.within) for p in parts])


class SetupWatch:
    """The set-up of the attempt under way and, with a previous one, the ghost (not
    thread-safe: one thread feeds and draws; :attr:`previous` may be set from any thread)."""

    def __init__(self, calibration: CalibrationProfile | None = None) -> None:
        self.calibration = calibration
        #: The set-up to repeat (None: no ghost, no differences).
        self.previous: PreviousSetup | None = None
        self._size = (0, 0)
        self._time: list[float] = []
        self._image: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._current: CameraSetup | None = None
        self._current_t = -math.inf

    def __len__(self) -> int:
        return len(self._time)

    def add(self, pose: FramePose | None, time_s: float, width: int, height: int) -> None:
        """Keep one frame's pose (None: no subject, skipped). A new frame size or a time not
        after the last (a new stream) starts afresh."""
        if (width, height) != self._size or (self._time and not time_s > self._time[-1]):
            self.clear()
            self._size = (width, height)
        if pose is None:
            return
        self._time.append(time_s)
        self._image.append(pose.image)
        self._world.append(pose.world)
        if len(self._time) > MAX_FRAMES:
            del self._time[0], self._image[0], self._world[0]

    def clear(self) -> None:
        """Forget the frames (a new attempt)."""
        self._time, self._image, self._world = [], [], []
        self._current, self._current_t = None, -math.inf

    def take_trial_setup(self) -> dict[str, float | str] | None:
        """The set-up of the frames kept (the store's ``setup`` JSON; None when the torso was
        never seen), then forget them."""
        found = self._setup_since(-math.inf)
        self.clear()
        return found.to_dict() if found is not None else None

    def current(self) -> CameraSetup | None:
        """The set-up of the last CURRENT_WINDOW_S of frames (refreshed every REFRESH_S)."""
        if not self._time:
            return None
        now = self._time[-1]
        if now - self._current_t >= REFRESH_S or now < self._current_t:
            self._current = self._setup_since(now - CURRENT_WINDOW_S)
            self._current_t = now
        return self._current

    def overlay(self) -> SetupOverlay | None:
        """What to draw now: the previous set-up and the current one; None without a previous
        set-up."""
        previous = self.previous
        return SetupOverlay(previous, self.current()) if previous is not None else None

    def _setup_since(self, start_s: float) -> CameraSetup | None:
        keep = [i for i, t in enumerate(self._time) if t >= start_s]
        if not keep:
            return None
        n = len(keep)
        pose = PoseSequence(
            frame=np.arange(n),
            time_s=np.asarray([self._time[i] for i in keep], dtype=float),
            image_width=self._size[0],
            image_height=self._size[1],
            image=np.stack([self._image[i] for i in keep]).reshape(n, N_LANDMARKS, 4),
            world=np.stack([self._world[i] for i in keep]).reshape(n, N_LANDMARKS, 3),
        )
        return profile_setup(pose, self.calibration)
