"""The dashboard's errors: a plain sentence the user can act on, with the technical detail (a
server path, FFmpeg's words, an exception) behind a "Details" expander."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from romcam.store import Store
from tests.integration.ui.app_helpers import page_app, upload_and_analyze

NOT_A_VIDEO = b"\x00not really a video" * 100


def test_a_file_that_is_not_a_video_gets_a_plain_sentence(session_id: int, data_dir: Path) -> None:
    at = upload_and_analyze(page_app("analyze", "analyze_page"), "fake.mp4", NOT_A_VIDEO)
    assert not at.exception
    [error] = at.error
    assert error.value == (
        "This file could not be read as a video. Try exporting it again as .mp4."
    )
    [details] = at.expander
    assert details.label == "Details"
    text = details.code[0].value
    assert "fake.mp4" in text and "cannot be opened as a video" in text
    assert not list((data_dir / "uploads").glob("*/*"))  # nothing left behind
    with Store.open() as store:
        assert store.list_measurements(session_id) == []


def test_an_unexpected_failure_is_a_sentence_with_details() -> None:
    def page() -> None:
        from romcam.ui.widgets import show_error

        show_error(ZeroDivisionError("float division by zero"), "draw the chart")

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert at.error[0].value == (
        "Could not draw the chart: something unexpected went wrong. Nothing saved was lost."
    )
    assert at.expander[0].code[0].value == "ZeroDivisionError: float division by zero"
