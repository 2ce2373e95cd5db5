"""Keeps MediaPipe/LiteRT's native log lines off stderr unless the user asked for them.

Creating a landmarker, its first frame and closing it print ~50 INFO/WARNING lines from C++
straight to file descriptor 2 ("INFO: [environment.cc:36] ...", "W0000 00:00:...").
``GLOG_minloglevel``, ``TF_CPP_MIN_LOG_LEVEL`` and ``ABSL_MIN_LOG_LEVEL`` do not silence them
(checked with mediapipe 1.2): only pointing fd 2 at the null device does.

They are shown when the ``romcam`` logger is enabled for DEBUG (``romcam -v``) or the
environment variable ``ROMCAM_NATIVE_LOGS`` is ``1`` (e.g. for the dashboard).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from romcam.errors import ModelError

#: Environment variable that, set to "1", keeps the native log lines.
NATIVE_LOGS_ENV = "ROMCAM_NATIVE_LOGS"

# fd 2 is one per process: one window at a time (re-entrant: a window may open inside another).
_FD2_LOCK = threading.RLock()


def native_logs_wanted() -> bool:
    """True when the native log lines should reach stderr (``-v``, or ROMCAM_NATIVE_LOGS=1)."""
    return os.environ.get(NATIVE_LOGS_ENV) == "1" or logging.getLogger("romcam").isEnabledFor(
        logging.DEBUG
    )


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Within the block, whatever is written to file descriptor 2 goes to the null device.

    Caveat: fd 2 is process-wide, so while the block runs, stderr writes from *other* threads
    (Python's ``sys.stderr`` included) vanish too. Keep the block short: around creating a
    landmarker, its first frame and ``close()``, never a whole analysis. A no-op when
    :func:`native_logs_wanted`, or when fd 2 cannot be redirected (e.g. it is closed).
    """
    if native_logs_wanted():
        yield
        return
    with _FD2_LOCK:
        _flush_stderr()  # what Python wrote before the block still appears
        saved = _point_fd2_at_null()
        try:
            yield
        finally:
            if saved is not None:
                _flush_stderr()  # Python's writes inside the block go where promised: nowhere
                os.dup2(saved, 2)
                os.close(saved)


def _point_fd2_at_null() -> int | None:
    """Point fd 2 at the null device; a duplicate of the original fd 2, or None (unchanged)."""
    try:
        saved = os.dup(2)
    except OSError:
        return None
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
    except OSError:
        os.close(saved)
        return None
    return saved


def _flush_stderr() -> None:
    if sys.stderr is not None:  # None under pythonw
        sys.stderr.flush()


#: Detections run quietly at most this many times while they find nobody (~10 s of video).
MAX_QUIET_CALLS = 300


class QuietLandmarker:
    """A MediaPipe landmarker whose creation, detections up to the first that finds someone,
    and ``close()`` run in :func:`quiet_native_logs` (the calls that print native logs; later
    frames print none). The graph's landmark stage first runs, and logs, on the first frame
    with a person or face in it, which in a clip that starts empty is not the first frame.
    The callers draw progress between detections, never during one, so nothing of theirs is
    hidden; another thread's stderr line written during a quiet call would be, so the quiet
    calls stop after :data:`MAX_QUIET_CALLS` whatever they found (an empty room on the live
    page does not hide the server's log for long).

    Args:
        create: makes the landmarker, e.g. ``lambda: PoseLandmarker.create_from_options(o)``;
            its exceptions propagate.
    """

    def __init__(self, create: Callable[[], Any]) -> None:
        with quiet_native_logs():
            self._landmarker = create()
        self._quiet_calls_left = MAX_QUIET_CALLS

    def detect(self, image: Any) -> Any:
        """The landmarker's IMAGE-mode ``detect(image)``."""
        return self._call(self._landmarker.detect, image)

    def detect_for_video(self, image: Any, timestamp_ms: int) -> Any:
        """The landmarker's VIDEO-mode ``detect_for_video(image, timestamp_ms)``."""
        return self._call(self._landmarker.detect_for_video, image, timestamp_ms)

    def close(self) -> None:
        with quiet_native_logs():
            self._landmarker.close()

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        if not self._quiet_calls_left:
            return method(*args)
        with quiet_native_logs():
            result = method(*args)
        self._quiet_calls_left = 0 if _found_someone(result) else self._quiet_calls_left - 1
        return result


def _found_someone(result: Any) -> bool:
    """True when a pose or face landmarker result holds at least one person or face."""
    landmarks = getattr(result, "pose_landmarks", None) or getattr(result, "face_landmarks", None)
    return bool(landmarks)


def load_landmarker(
    create: Callable[[], Any], *, model_path: Path, kind: str, fix: str
) -> QuietLandmarker:
    """``create()`` (a MediaPipe ``create_from_options``) wrapped in a :class:`QuietLandmarker`;
    a bundle MediaPipe cannot load raises ModelError naming ``kind`` ("pose", "face") and
    ``fix`` (what to pass or run instead)."""
    try:
        return QuietLandmarker(create)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(
            f"could not load the {kind} model {model_path} ({exc}); it is not a working "
            f"MediaPipe {kind} landmarker bundle: {fix}"
        ) from exc
