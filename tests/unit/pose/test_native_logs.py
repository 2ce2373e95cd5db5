"""quiet_native_logs and QuietLandmarker on real file descriptors (no model: fd 2 writes)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass

import pytest

from romcam.pose import native_logs
from romcam.pose.native_logs import NATIVE_LOGS_ENV, QuietLandmarker, quiet_native_logs


@pytest.fixture(autouse=True)
def _quiet_by_default(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(NATIVE_LOGS_ENV, raising=False)
    caplog.set_level(logging.INFO, logger="romcam")


def _native(text: str) -> None:
    """Writes as C++ does: straight to file descriptor 2, past sys.stderr."""
    os.write(2, text.encode())


def test_fd2_writes_inside_the_block_vanish(capfd: pytest.CaptureFixture[str]) -> None:
    print("before", file=sys.stderr, end="|")  # buffered: flushed before fd 2 moves
    with quiet_native_logs():
        _native("INFO: [environment.cc:36] Creating LiteRT environment\n")
    _native("after")
    assert capfd.readouterr().err == "before|after"


def test_fd2_is_restored_when_the_block_raises(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError), quiet_native_logs():
        raise RuntimeError("model failed")
    _native("shown")
    assert capfd.readouterr().err == "shown"


def test_debug_logging_keeps_the_native_logs(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="romcam")  # what `romcam -v` does
    with quiet_native_logs():
        _native("W0000 native")
    assert capfd.readouterr().err == "W0000 native"


def test_the_environment_variable_keeps_the_native_logs(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NATIVE_LOGS_ENV, "1")
    with quiet_native_logs():
        _native("W0000 native")
    assert capfd.readouterr().err == "W0000 native"


def test_windows_from_many_threads_leave_fd2_as_it_was(capfd: pytest.CaptureFixture[str]) -> None:
    before = os.fstat(2)

    def windows() -> None:
        for _ in range(200):
            with quiet_native_logs():
                _native("x")

    threads = [threading.Thread(target=windows) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    _native("shown")
    assert capfd.readouterr().err == "shown"


@dataclass(frozen=True)
class _Result:
    """A landmarker result: the people found (none in an empty frame)."""

    pose_landmarks: list[str]


class _ChattyLandmarker:
    """Prints to fd 2 on every call, as the real landmarkers do on their first ones (the
    landmark stage's first lines come with the first frame that has a person)."""

    def __init__(self) -> None:
        _native("created;")

    def detect(self, image: str) -> _Result:
        _native(f"detect {image};")
        return _Result([] if image == "empty" else [image])

    def detect_for_video(self, image: str, timestamp_ms: int) -> _Result:
        _native(f"video {image}@{timestamp_ms};")
        return _Result([] if image == "empty" else [image])

    def close(self) -> None:
        _native("closed;")


@pytest.mark.parametrize("video", [True, False])
def test_quiet_landmarker_hides_creation_first_finds_and_close(
    video: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    landmarker = QuietLandmarker(_ChattyLandmarker)
    results = []
    # Empty frames first (a clip that starts with nobody), then the first person, then more.
    for i, image in enumerate(["empty", "empty", "a", "b"]):
        call = landmarker.detect_for_video(image, i) if video else landmarker.detect(image)
        results.append(call.pose_landmarks)
    landmarker.close()
    assert results == [[], [], ["a"], ["b"]]
    assert capfd.readouterr().err == ("video b@3;" if video else "detect b;")


def test_quiet_calls_stop_after_a_while_even_in_an_empty_room(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native_logs, "MAX_QUIET_CALLS", 2)
    landmarker = QuietLandmarker(_ChattyLandmarker)
    for image in ["empty", "empty", "empty"]:
        landmarker.detect(image)
    assert capfd.readouterr().err == "detect empty;"  # the third call, after two quiet ones
