"""``romcam measure`` checks every argument before it spends minutes on the analysis: a video
that does not exist must not be what it complains about when --phase is already wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.cli import main
from romcam.store import Store
from tests.conftest import MODEL_PATH


@pytest.fixture
def session_id(store_url: str, data_dir: Path) -> int:
    with Store.open(store_url, root=data_dir) as store:
        return store.start_session(store.add_client("Mo")).id


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        ("", "--phase must be non-empty text"),
        ("x" * 41, "--phase must be one line of at most 40 characters"),
        ("before\nafter", "--phase must be one line"),
        ("\x1b[31mred", "--phase contains the character U+001B at position 1"),
    ],
)
def test_bad_phase_is_refused_before_the_analysis(
    store_url: str,
    session_id: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    phase: str,
    message: str,
) -> None:
    missing = tmp_path / "not-there.mp4"  # the analysis would fail on this first
    argv = ["measure", str(session_id), str(missing), "--test", "knee_flexion", "--side", "left"]
    code = main([*argv, "--phase", phase, "--model", str(MODEL_PATH), "--db", store_url])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"romcam: error: {message}") and err.count("\n") == 1
    assert "not-there" not in err
    with Store.open(store_url) as store:
        assert store.list_measurements(session_id) == []


def test_unknown_session_is_refused_before_the_analysis(
    store_url: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "not-there.mp4")
    code = main(["measure", "77", missing, "--test", "neck_flexion", "--db", store_url])
    err = capsys.readouterr().err
    assert code == 2 and "no session 77" in err and "not-there" not in err
