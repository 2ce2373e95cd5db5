"""`romcam calibrate ...` end to end on rendered pictures, a short video and a landmark file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from romcam.calibration.profile import load_profile
from romcam.calibration.render import board_view_pages, marker_view, render_page, webcam
from romcam.calibration.scale import EYE_HEIGHT_FRACTION
from romcam.calibration.targets import checkerboard_page, marker_page, render_png_array
from romcam.cli import main
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseSequence
from romcam.media.landmark_csv import write_landmarks_csv

CAMERA = webcam(640, 480)
MARKER = marker_page()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["calibrate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def board_images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    layout = checkerboard_page()
    texture = render_png_array(layout, 4)
    pages = board_view_pages(
        CAMERA, (layout.width_mm, layout.height_mm), 10, np.random.default_rng(5)
    )
    folder = tmp_path_factory.mktemp("board")
    paths = []
    for i, page in enumerate(pages):
        paths.append(folder / f"view{i:02d}.png")
        cv2.imwrite(str(paths[-1]), render_page(CAMERA, texture, 4, page))
    return paths


def marker_image(path: Path, roll: float, pitch: float = 0.0, distance: float = 700.0) -> Path:
    image, _ = marker_view(
        CAMERA,
        render_png_array(MARKER, 4),
        4,
        (MARKER.width_mm, MARKER.height_mm),
        (MARKER.width_mm / 2, 110.0),
        roll_deg=roll,
        pitch_deg=pitch,
        distance_mm=distance,
    )
    cv2.imwrite(str(path), image)
    return path


def test_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "targets", "--out", str(tmp_path / "t"))
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "t").iterdir())
    assert names == ["aruco_marker.pdf", "aruco_marker.png", "checkerboard.pdf", "checkerboard.png"]
    assert "print at 100 %" in out


def test_level_scale_lens_build_one_profile(
    data_dir: Path, tmp_path: Path, board_images: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "level", "--image", str(marker_image(tmp_path / "w.png", 4.0)), "--name", "desk cam"
    )
    assert code == 0 and "pitch unknown" in out
    printed = re.search(r"roll ([+-]\d+\.\d+) deg", out)
    assert printed is not None, out
    assert float(printed.group(1)) == pytest.approx(4.0, abs=0.5)  # the level step's accuracy
    code, out, _ = run(
        capsys,
        "scale",
        "--marker-image",
        str(tmp_path / "w.png"),
        "--marker-cm",
        "10",
        "--name",
        "desk cam",
    )
    assert code == 0
    expected = CAMERA.camera_matrix[0, 0] * 10 / 700.0
    assert load_profile("desk cam").px_per_cm == pytest.approx(expected, rel=0.01)

    code, out, _ = run(capsys, "lens", *map(str, board_images), "--name", "desk cam")
    assert code == 0, out
    assert "usable views of 10" in out
    profile = load_profile("desk cam")
    assert profile.camera_matrix is not None
    assert profile.camera_matrix[0, 0] == pytest.approx(CAMERA.camera_matrix[0, 0], rel=0.01)
    assert profile.roll_deg == pytest.approx(4.0, abs=0.5)  # kept from the level step

    # With a lens in the profile, level also measures pitch (camera tilted up 10 deg).
    tilted = marker_image(tmp_path / "t.png", -2.0, pitch=10.0)
    code, out, _ = run(capsys, "level", "--image", str(tilted), "--name", "desk cam")
    assert code == 0
    profile = load_profile("desk cam")
    assert profile.roll_deg == pytest.approx(-2.0, abs=0.5)
    assert profile.pitch_deg == pytest.approx(10.0, abs=1.5)

    code, out, _ = run(capsys, "show", "desk cam")
    assert code == 0 and "lens:  fx" in out and "source lens:" in out and "scale:" in out
    code, out, _ = run(capsys, "show", "desk cam", "--json")
    assert json.loads(out)["image_size"] == [640, 480]
    code, out, _ = run(capsys, "list")
    assert out.split() == ["desk", "cam"]


def test_level_from_video_and_typed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = cv2.imread(str(marker_image(tmp_path / "m.png", -3.0)))
    video = tmp_path / "wall.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (640, 480))
    try:
        for _ in range(5):
            writer.write(frame)
    finally:
        writer.release()
    code, out, _ = run(capsys, "level", "--video", str(video), "--name", "v")
    assert code == 0 and "median of 5 frames of wall.avi" in out
    assert load_profile("v").roll_deg == pytest.approx(-3.0, abs=0.5)
    code, _, _ = run(capsys, "level", "--degrees", "1.5", "--name", "v", "--notes", "lid at 110")
    assert code == 0 and load_profile("v").roll_deg == 1.5
    assert load_profile("v").notes == "lid at 110"
    code, out, _ = run(capsys, "delete", "v")
    assert code == 0 and "deleted" in out
    code, _, err = run(capsys, "delete", "v")
    assert code == 2 and "no calibration profile named 'v' to delete" in err


def test_scale_from_height(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    n, w, h = 5, 1280, 720
    image = np.full((n, N_LANDMARKS, 4), 0.5)
    image[..., 3] = 0.9
    eye_to_heel = EYE_HEIGHT_FRACTION * 180.0 * 3.0  # 3 px/cm
    for name, y in (
        ("left_eye", 50),
        ("right_eye", 50),
        ("left_heel", 50 + eye_to_heel),
        ("right_heel", 50 + eye_to_heel),
    ):
        image[:, LANDMARK_INDEX[name], 1] = y / h
    csv = write_landmarks_csv(
        tmp_path / "lm.csv", PoseSequence(np.arange(n), np.arange(n) / 30, w, h, image)
    )
    code, out, _ = run(
        capsys, "scale", "--height-cm", "180", "--landmarks", str(csv), "--name", "h"
    )
    assert code == 0 and "3.000 px/cm at 1280x720" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nobody"), "no calibration profile named 'nobody'"),
        (("scale", "--marker-cm", "10", "--name", "x"), "must be given together"),
        (("scale", "--name", "x"), "give either --marker-image"),
        (
            ("scale", "--height-cm", "170", "--landmarks", "missing.csv", "--name", "x"),
            "missing.csv",
        ),
        (("level", "--image", "missing.png", "--name", "x"), "missing.png does not exist"),
        (("level", "--degrees", "80", "--name", "x"), "typed roll must be between"),
        (("lens", "missing.mp4", "--name", "x"), "missing.mp4 does not exist"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err.startswith("romcam: error: ") and message in err
    assert "Traceback" not in err


def test_too_few_lens_views_names_the_reason(
    data_dir: Path, board_images: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "lens", *map(str, board_images[:3]), "--name", "x")
    assert code == 2 and "too few usable views" in err and "of 3 pictures" in err
    assert not (data_dir / "calibration" / "x.json").exists()


def test_no_marker_in_level_image(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((480, 640), 128, np.uint8))
    code, _, err = run(capsys, "level", "--image", str(blank), "--method", "marker", "--name", "x")
    assert code == 2 and "no ArUco marker" in err and "blank.png" in err


def test_mutually_exclusive_level_sources(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["calibrate", "level", "--image", "a.png", "--degrees", "1", "--name", "x"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_lens_from_a_video(
    data_dir: Path, tmp_path: Path, board_images: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    video = tmp_path / "board.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (640, 480))
    try:
        for path in board_images:
            for _ in range(3):  # a slow sweep: several frames per pose
                writer.write(cv2.imread(str(path)))
    finally:
        writer.release()
    code, out, err = run(capsys, "lens", str(video), "--name", "v", "--max-frames", "10")
    assert code == 0, err
    assert "usable views of 10" in out
    profile = load_profile("v")
    assert profile.image_size == (640, 480)
    assert profile.reprojection_error_px is not None and profile.reprojection_error_px < 0.5
