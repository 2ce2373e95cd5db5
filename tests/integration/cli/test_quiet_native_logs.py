"""``romcam analyze`` keeps MediaPipe/LiteRT's native log lines off stderr unless ``-v``.

Real subprocess runs: the lines come from C++ writing to file descriptor 2, which only a
separate process shows as a user sees it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FACE_MODEL_PATH, MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

#: A seated subject facing the camera: a body and a face from the first frame.
CLIP = "neck_rotation_front_seated_01.mp4"
#: An empty room first, then a woman walks in: the pose graph's landmark stage first runs
#: (and logs) on a later frame than the landmarker's first.
EMPTY_START_CLIP = "sports2d_walk_side.mp4"

#: glog/absl ("W0000 00:00:...", "I0123 ...") and LiteRT/TFLite ("INFO: [environment.cc:36]",
#: "WARNING: [model_load.cc:402]", "INFO: Created TensorFlow Lite XNNPACK delegate") lines.
#: romcam's own log lines read "INFO romcam.x: ...", with no colon after the level.
NATIVE_LINE = re.compile(r"^(?:[IWEF]\d{4} |(?:INFO|WARNING|ERROR): )")


def _analyze_stderr(
    tmp_path: Path, face: str, *, verbose: bool, clip: str = CLIP, seconds: float = 1.0
) -> list[str]:
    """stderr lines of a ``romcam [-v] analyze --face FACE`` of the first ``seconds`` of
    ``clip`` (checks it succeeded)."""
    argv = [
        *(["-v"] if verbose else []),
        "analyze",
        str(shared_video(clip)),
        "--out",
        str(tmp_path / "out"),
        "--model",
        str(MODEL_PATH),
        "--face",
        face,
        "--face-model",
        str(FACE_MODEL_PATH),
        "--max-seconds",
        str(seconds),
        "--no-video",
    ]
    run = subprocess.run([sys.executable, "-m", "romcam", *argv], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stderr.splitlines()


def _native(lines: list[str]) -> list[str]:
    return [line for line in lines if NATIVE_LINE.match(line)]


@pytest.mark.parametrize("face", ["off", "on"])
def test_analyze_is_quiet_by_default(
    face: str, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROMCAM_NATIVE_LOGS", raising=False)
    lines = _analyze_stderr(tmp_path, face, verbose=False)
    assert _native(lines) == [], "\n".join(lines)


def test_a_clip_that_starts_empty_is_quiet_too(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One "landmark_projection_calculator" warning came through when the first person appeared.
    monkeypatch.delenv("ROMCAM_NATIVE_LOGS", raising=False)
    lines = _analyze_stderr(tmp_path, "off", verbose=False, clip=EMPTY_START_CLIP, seconds=3.0)
    assert _native(lines) == [], "\n".join(lines)


@pytest.mark.parametrize("face", ["off", "on"])
def test_verbose_shows_the_native_logs(
    face: str, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ROMCAM_NATIVE_LOGS", raising=False)
    native = _native(_analyze_stderr(tmp_path, face, verbose=True))
    assert any("Creating LiteRT environment" in line for line in native), native
    assert any("DestroyAccelerator" in line for line in native), native  # from close()
    if face == "on":
        assert any("face_landmarker_graph" in line for line in native), native


#: The models used as the dashboard uses them: no CLI, logging configured as app.py does.
LIBRARY_SCRIPT = """
import logging, sys
import numpy as np
from romcam.media.video import VideoReader
from romcam.pose.estimator import PoseEstimator
from romcam.pose.face import HeadPoseEstimator

logging.basicConfig(level=logging.INFO)
logging.getLogger("romcam").setLevel("INFO")
clip, model, face_model = sys.argv[1:]
with (
    VideoReader(clip, max_frames=3) as reader,
    PoseEstimator(model) as bodies,
    HeadPoseEstimator(face_model) as faces,
):
    for _, time_s, bgr in reader:
        rgb = np.ascontiguousarray(bgr[..., ::-1])
        assert bodies.process(rgb, round(time_s * 1000)) is not None
        assert faces.process(rgb, round(time_s * 1000)) is not None
"""


@pytest.mark.parametrize("env_value", [None, "1"])
def test_the_dashboard_path_is_quiet_unless_asked(
    env_value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if env_value is None:
        monkeypatch.delenv("ROMCAM_NATIVE_LOGS", raising=False)
    else:
        monkeypatch.setenv("ROMCAM_NATIVE_LOGS", env_value)
    paths = [str(shared_video(CLIP)), str(MODEL_PATH), str(FACE_MODEL_PATH)]
    run = subprocess.run(
        [sys.executable, "-c", LIBRARY_SCRIPT, *paths], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    native = _native(run.stderr.splitlines())
    if env_value is None:
        assert native == [], run.stderr
    else:
        assert any("face_landmarker_graph" in line for line in native), native
