"""The results file: a round trip keeps every value and file; a file changed or damaged after
the export, or one that is no results file, is refused with one sentence."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from romcam.home.results import (
    HomeMeasurement,
    HomeResults,
    NotAResultsFileError,
    TamperedResultsError,
    TrialFiles,
    extract_member,
    read_results,
    write_results,
)

PLAN = "6f1c2a57-3f7e-4d7e-9a59-0e4b5a3d2c11"
U1 = "0b3e2e0c-9c55-4c1a-8a53-5a0f2f4b9d01"
U2 = "0b3e2e0c-9c55-4c1a-8a53-5a0f2f4b9d02"


def _results(includes_video: bool = False) -> HomeResults:
    at = datetime(2026, 12, 1, 18, 5, 7, 123456, tzinfo=UTC)
    first = HomeMeasurement(
        uuid=U1,
        test="shoulder_flexion",
        side="right",
        phase="home",
        value=152.5,
        unit="deg",
        measured_at=at,
        held_max=152.5,
        held_min=3.0,
        view="side_right",
        first_pain=140.0,
        pain_score=3,
        compensation={"trunk_extension": 4.5},
        setup={"distance_m": 2.4, "roll_source": "body"},
        uncertainty=2.1,
    )
    second = HomeMeasurement(
        uuid=U2,
        test="neck_flexion",
        side=None,
        phase="home",
        value=41.0,
        unit="deg",
        measured_at=at.astimezone(timezone(timedelta(hours=1))) + timedelta(minutes=3),
        quality="rejected",
        quality_reason="the end range was not held",
        trial=2,
        neutral=1.5,
    )
    return HomeResults(
        plan_uuid=PLAN,
        client_id=7,
        client_name="Ada Client",
        exported_at=at + timedelta(hours=1),
        measurements=(first, second),
        includes_video=includes_video,
    )


def _files(tmp: Path) -> dict[str, TrialFiles]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "landmarks.csv").write_text("frame,time_s\n0,0.0\n")
    (tmp / "angles.csv").write_text("frame,time_s,shoulder_flexion_right\n0,0.0,3.0\n")
    (tmp / "trial.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    return {
        U1: TrialFiles(tmp / "landmarks.csv", tmp / "angles.csv", tmp / "trial.mp4"),
        U2: TrialFiles(landmarks=tmp / "landmarks.csv"),
    }


def test_round_trip_keeps_values_times_and_files(tmp_path: Path) -> None:
    path = write_results(tmp_path / "out" / "results.zip", _results(), _files(tmp_path / "src"))
    back = read_results(path)
    written = _results()
    assert back.plan_uuid == PLAN and back.client_id == 7 and back.client_name == "Ada Client"
    first, second = back.measurements
    assert first.value == 152.5 and first.pain_score == 3 and first.first_pain == 140.0
    assert first.compensation == {"trunk_extension": 4.5}
    assert first.setup == {"distance_m": 2.4, "roll_source": "body"}
    # Times keep their microseconds and offset: the import de-duplicates on them.
    assert first.measured_at == written.measurements[0].measured_at
    assert first.measured_at.microsecond == 123456
    assert second.measured_at.utcoffset() == timedelta(hours=1)
    assert second.quality == "rejected" and second.trial == 2 and second.side is None
    assert first.landmarks == f"trials/{U1}/landmarks.csv"
    assert first.angles == f"trials/{U1}/angles.csv"
    assert first.video is None  # videos only when the client ticks "include my videos"
    assert second.angles is None
    with zipfile.ZipFile(path) as zf:
        assert not any(n.endswith(".mp4") for n in zf.namelist())
    out = extract_member(path, first.landmarks, tmp_path / "x" / "landmarks.csv")
    assert out.read_text() == "frame,time_s\n0,0.0\n"


def test_videos_go_in_when_chosen(tmp_path: Path) -> None:
    path = write_results(tmp_path / "r.zip", _results(True), _files(tmp_path / "src"))
    back = read_results(path)
    assert back.includes_video
    assert back.measurements[0].video == f"trials/{U1}/trial.mp4"


def _rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    """Copy the ZIP with members replaced (bytes), removed (None) or added."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name, data in change.items():
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_results(tmp_path / "r.zip", _results(), _files(tmp_path / "src"))


def _edited_value(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        data = json.loads(zf.read("results.json"))
    data["measurements"][0]["value"] = 175.0
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("edit", "results.json does not match its checksum"),
        ("csv", f"trials/{U1}/landmarks.csv does not match its checksum"),
        ("drop", f"trials/{U1}/angles.csv is missing"),
        ("add", "extra.txt was added"),
    ],
)
def test_a_file_changed_after_export_is_refused(written: Path, change: str, why: str) -> None:
    edits: dict[str, dict[str, bytes | None]] = {
        "edit": {"results.json": _edited_value(written)},
        "csv": {f"trials/{U1}/landmarks.csv": b"frame,time_s\n0,9.9\n"},
        "drop": {f"trials/{U1}/angles.csv": None},
        "add": {"extra.txt": b"hello"},
    }
    _rewrite(written, edits[change])
    with pytest.raises(TamperedResultsError) as caught:
        read_results(written)
    assert str(caught.value) == (
        f"the results file r.zip was changed or damaged after it was exported ({why}); ask the "
        "client to export it again"
    )


def test_a_damaged_zip_is_refused(written: Path) -> None:
    data = bytearray(written.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 40] = b"\xff" * 40
    written.write_bytes(bytes(data))
    with pytest.raises((TamperedResultsError, NotAResultsFileError)):
        read_results(written)


def test_other_files_are_not_results_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    with pytest.raises(NotAResultsFileError, match=r"^notes.zip is not a romcam home results file"):
        read_results(text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("photo.jpg", b"jpeg")
    with pytest.raises(NotAResultsFileError, match=r"\(it has no manifest.json\)"):
        read_results(other)
    plan = tmp_path / "plan.zip"
    with zipfile.ZipFile(plan, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "romcam-home-plan", "sha256": {}}))
    with pytest.raises(NotAResultsFileError, match="its manifest is of another kind"):
        read_results(plan)
    with pytest.raises(Exception, match=r"there is no file .*missing.zip; check the path"):
        read_results(tmp_path / "missing.zip")


def test_a_newer_format_asks_for_an_update(written: Path) -> None:
    with zipfile.ZipFile(written) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["version"] = 99
    _rewrite(written, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(Exception, match=r"written by a newer romcam \(results format 99\)"):
        read_results(written)


def test_a_missing_trial_file_stops_the_export(tmp_path: Path) -> None:
    files = {U1: TrialFiles(landmarks=tmp_path / "gone.csv")}
    with pytest.raises(Exception, match=r"the trial file .*gone.csv is missing"):
        write_results(tmp_path / "r.zip", _results(), files)
    assert not (tmp_path / "r.zip").exists()
    assert list(tmp_path.iterdir()) == []  # no partial file left either
