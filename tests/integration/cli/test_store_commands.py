"""The store commands through the real ``romcam`` entry point (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from romcam.cli import main
from romcam.store import MeasurementInput, Store
from tests.conftest import MODEL_PATH, shared_video


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _seed(url: str, data_dir: Path) -> tuple[int, int]:
    """Two visits of one client: visit 1 before/after, visit 2 before. Returns session ids."""
    with Store.open(url, root=data_dir) as store:
        store.add_client("Pat <b>Q</b>")
        s1 = store.start_session("Pat <b>Q</b>", started_at=datetime(2026, 1, 5, 9))
        s2 = store.start_session("Pat <b>Q</b>", started_at=datetime(2026, 2, 2, 9))
        for sid, phase, side, value in [
            (s1.id, "before", "right", 120.0),
            (s1.id, "after", "right", 134.0),
            (s1.id, "before", "left", 150.0),
            (s1.id, "after", "left", 153.0),
            (s2.id, "before", "right", 140.0),
            (s2.id, "before", "left", 152.0),
        ]:
            store.add_measurement(sid, MeasurementInput("shoulder_flexion", side, phase, value))
    return s1.id, s2.id


def test_client_and_session_commands(
    store_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", store_url]
    assert run(capsys, "client", "add", "Quinn", "--dob", "1975-05-01", *db)[0] == 0
    code, out, _ = run(capsys, "client", "list", *db)
    assert code == 0 and "Quinn" in out and "1975-05-01" in out
    code, _, err = run(capsys, "client", "add", "quinn", *db)
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "session", "start", "Quinn", "--therapist", "Rae", *db)
    assert code == 0 and re.search(r"Started session \d+ for Quinn", out)
    code, out, _ = run(capsys, "session", "list", "Quinn", *db)
    assert "Rae" in out
    code, _, err = run(capsys, "session", "start", "Nobody", *db)
    assert code == 2 and "no client 'Nobody'" in err


def test_compare_progress_export_report(
    store_url: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1, _ = _seed(store_url, data_dir)
    db = ["--db", store_url]
    code, out, _ = run(capsys, "compare", str(s1), *db)
    assert code == 0
    right = next(line for line in out.splitlines() if "(right)" in line)
    assert "+14.0" not in right and "14.0 deg" in right and "real change: more range" in right
    left = next(line for line in out.splitlines() if "(left)" in line)
    assert "within measurement error" in left
    assert re.search(r"Shoulder flexion\s+before\s+150\.0\s+120\.0\s+30\.0 deg\s+20%", out)
    # A stricter MDC from the command line turns the right side's 14 deg into noise.
    code, out, _ = run(capsys, "compare", str(s1), "--mdc-value", "shoulder_flexion=15", *db)
    assert "real change" not in out
    code, out, _ = run(capsys, "progress", "Pat <b>Q</b>", *db)
    right = next(line for line in out.splitlines() if "(right)" in line)
    assert "20.0 deg" in right and "real change: more range" in right

    assert run(capsys, "export", "Pat <b>Q</b>", "--csv", str(tmp_path / "out"), *db)[0] == 0
    exported = pd.read_csv(tmp_path / "out" / "Pat_b_Q_b-1-measurements.csv")
    assert len(exported) == 6 and set(exported["phase"]) == {"before", "after"}
    ba = pd.read_csv(tmp_path / "out" / "Pat_b_Q_b-1-before-after.csv")
    assert sorted(ba["change"].dropna()) == [3.0, 14.0]

    report = tmp_path / "session.html"
    assert run(capsys, "report", str(s1), "-o", str(report), *db)[0] == 0
    _check_html(report.read_text(), "Pat &lt;b&gt;Q&lt;/b&gt;", images=1)
    progress = tmp_path / "progress.html"
    assert run(capsys, "report", "--client", "Pat <b>Q</b>", "-o", str(progress), *db)[0] == 0
    _check_html(progress.read_text(), "Progress of Pat &lt;b&gt;Q&lt;/b&gt;", images=2)


def _seed_rejected(url: str, data_dir: Path) -> int:
    """Knee flexion (left) over three visits; the after value of visit 1 and the before
    value of visit 2 were saved although they failed the quality check. Returns visit 1."""
    hidden = {"quality": "rejected", "quality_reason": "knee hidden"}
    with Store.open(url, root=data_dir) as store:
        store.add_client("Kim")
        sessions = [
            store.start_session("Kim", started_at=datetime(2026, 3, day, 9)).id
            for day in (2, 16, 30)
        ]
        for sid, phase, value, extra in [
            (sessions[0], "before", 100.0, {}),
            (sessions[0], "after", 106.5, hidden),
            (sessions[1], "before", 130.0, hidden),
            (sessions[2], "before", 104.0, {}),
        ]:
            store.add_measurement(
                sid, MeasurementInput("knee_flexion", "left", phase, value, **extra)
            )
    return sessions[0]


def test_rejected_values_are_marked_and_never_compared(
    store_url: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s1 = _seed_rejected(store_url, data_dir)
    db = ["--db", store_url]
    code, out, _ = run(capsys, "compare", str(s1), *db)
    knee = next(line for line in out.splitlines() if "Knee flexion (left)" in line)
    assert code == 0 and "106.5 (rejected: knee hidden)" in knee
    assert "not comparable: the after value was rejected" in knee
    assert "79%" not in knee and "6.5" not in knee.replace("106.5", "")  # no % nor change
    assert "left out of % of normal" in out
    code, out, _ = run(capsys, "progress", "Kim", *db)
    knee = next(line for line in out.splitlines() if line.startswith("Knee flexion (left)"))
    assert re.search(r"\s3\s+100\.0\s+104\.0\s+104\.0\s+4\.0 deg", knee)  # 130 left out
    assert "within measurement error" in knee
    assert "2026-03-16: 130.0 (rejected: knee hidden)" in out
    report = tmp_path / "session.html"
    assert run(capsys, "report", str(s1), "-o", str(report), *db)[0] == 0
    text = report.read_text()
    _check_html(text, "Kim", images=1)
    assert '<span class="rejected">106.5 (rejected: knee hidden)</span>' in text
    assert "not comparable: the after value was rejected" in text and "79%" not in text
    report = tmp_path / "progress.html"
    assert run(capsys, "report", "--client", "Kim", "-o", str(report), *db)[0] == 0
    text = report.read_text()
    assert "2026-03-16: 130.0 (rejected: knee hidden)" in text and "<td>130.0</td>" not in text


def _check_html(text: str, title: str, images: int) -> None:
    assert text.startswith("<!DOCTYPE html>") and title in text
    assert "<b>Q</b>" not in text  # user text is escaped
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(pngs) == images
    assert all(base64.b64decode(p).startswith(b"\x89PNG") for p in pngs)
    assert "http://" not in text and "https://" not in text  # self-contained


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["compare", "999"], "no session 999"),
        (["progress", "Nobody"], "no client 'Nobody'"),
        (["report", "-o", "x.html"], "either a SESSION id or --client"),
        (["compare", "1", "--mdc-value", "knee"], "TEST=DEGREES"),
        (
            ["measure", "1", "missing.mp4", "--test", "neck_flexion", "--side", "left"],
            "has no side",
        ),
    ],
)
def test_cli_errors_are_one_sentence(
    store_url: str,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    match: str,
) -> None:
    code, _, err = run(capsys, *argv, "--db", store_url)
    assert code == 2 and match in err and err.count("\n") == 1


def _short_clip(tmp_path: Path, seconds: float = 2.5) -> Path:
    """The first seconds of a real side-view clip with the arms overhead."""
    out = tmp_path / "arms overhead.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-t",
            str(seconds),
            "-i",
            str(shared_video("squat_side_portrait_02.mp4")),
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            str(out),
        ],
        check=True,
    )
    return out


@pytest.mark.footage
def test_measure_a_real_clip(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'romcam.db'}"
    clip = _short_clip(tmp_path)
    assert run(capsys, "client", "add", "Sam", "--db", url)[0] == 0
    assert run(capsys, "session", "start", "Sam", "--db", url)[0] == 0
    code, out, err = run(
        capsys,
        "measure",
        "1",
        str(clip),
        "--test",
        "shoulder_flexion",
        "--side",
        "left",
        "--phase",
        "before",
        "--model",
        str(MODEL_PATH),
        "--db",
        url,
    )
    assert code == 0, err
    assert re.search(
        r"Stored measurement 1 in session 1: Shoulder flexion \(left\), before: "
        r"[\d.]+ deg \(quality ok\)",
        out,
    )
    with Store.open(url, root=data_dir) as store:
        m = store.get_measurement(1)
        # The arms are overhead in these frames: well above horizontal, within anatomy.
        assert 100.0 < m.value < 190.0 and m.source == "video" and m.view == "side_left"
        assert m.held_max is not None and m.value == pytest.approx(m.held_max, abs=0.05)
        assert m.recording is not None and m.recording.duration_s == pytest.approx(2.5, abs=0.2)
        assert store.path_of(m.recording.video_path or "").read_bytes() == clip.read_bytes()
        angles = pd.read_csv(store.path_of(m.recording.angles_path or ""))
        assert "shoulder_flexion_left" in angles.columns and len(angles) > 30
        assert store.path_of(m.recording.landmarks_path or "").stat().st_size > 0
        # Issue 15: the trial's camera set-up is stored with it (a phone ~1.3 m away, side-on;
        # a side view cannot tell the camera's roll).
        assert m.setup is not None and 0.5 < float(m.setup["distance_m"]) < 4.0
        assert float(m.setup["yaw_deg"]) == pytest.approx(90.0, abs=20.0)
        assert m.setup["roll_source"] == "unknown" and "ghost_left_hip_x" in m.setup
