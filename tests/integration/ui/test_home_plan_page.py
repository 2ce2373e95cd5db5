"""The Home plan page under AppTest: a plan built for the sidebar's client, kept in the store,
and offered as a file whose bytes read back as that plan."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from romcam.home.plan import HomePlan
from romcam.store import MeasurementInput, Store
from romcam.ui.current import CLIENT_KEY
from romcam.ui.home_plan import (
    DOWNLOAD_LABEL,
    EXERCISES_KEY,
    EXPORT_LABEL,
    TESTS_KEY,
    THERAPIST_FIELD_KEY,
    exercise_key,
    field_key,
)
from tests.conftest import REPO_ROOT
from tests.integration.ui.app_helpers import page_app
from tests.integration.ui.test_current_client import no_camera_widget  # noqa: F401

Offered = list[tuple[bytes, str | None]]


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> Offered:
    """Every file the page offers for download: (bytes, file name)."""
    files: Offered = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self: MemoryMediaFileStorage, *args: object, **kwargs: object) -> str:
        data = args[0]
        name = kwargs.get("filename", args[3] if len(args) > 3 else None)
        if isinstance(data, bytes):
            files.append((data, name if isinstance(name, str) else None))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _seed() -> int:
    with Store.open() as store:
        client = store.add_client("Ann Example")
        store.add_client("Bob")
        visit = store.start_session(client.id, started_at=datetime(2026, 11, 20, 9))
        for value in (140.0, 144.0):
            store.add_measurement(
                visit.id,
                MeasurementInput(
                    "shoulder_flexion", "right", "after", value, measured_at=datetime(2026, 11, 20)
                ),
            )
        return client.id


def test_build_and_export_a_plan(data_dir: Path, offered: Offered) -> None:
    client_id = _seed()
    at = page_app("home_plan", "home_plan_page").run()
    assert not at.exception and not at.error
    assert any("Choose or add a client" in i.value for i in at.info)

    at.selectbox(key=CLIENT_KEY).set_value(client_id).run()
    assert not at.exception and not at.error
    assert next(b for b in at.button if b.label == EXPORT_LABEL).disabled  # nothing chosen yet
    at.multiselect(key=TESTS_KEY).set_value(["shoulder_flexion", "neck_flexion"]).run()
    captions = " ".join(c.value for c in at.caption)
    assert "Clinic's last: right 142.0 deg (20 Nov 2026)" in captions  # the clinic's context
    assert "Not measured here yet." in captions  # neck flexion
    at.multiselect(key=field_key("shoulder_flexion", "sides")).set_value(["right"])
    at.number_input(key=field_key("shoulder_flexion", "target")).set_value(160.0)
    at.number_input(key=field_key("shoulder_flexion", "trials")).set_value(3)
    at.text_input(key=field_key("shoulder_flexion", "note")).set_value("Raise the arm slowly")
    at.text_input(key=field_key("neck_flexion", "often")).set_value("3x a week")
    at.number_input(key=EXERCISES_KEY).set_value(1).run()
    at.text_input(key=exercise_key(1, "name")).set_value("Doorway stretch")
    at.multiselect(key=exercise_key(1, "sides")).set_value(["left", "right"])
    at.text_input(key=exercise_key(1, "note")).set_value("Hold 30 s")
    at.text_input(key=THERAPIST_FIELD_KEY).set_value("Kim").run()
    next(b for b in at.button if b.label == EXPORT_LABEL).click().run()
    assert not at.exception and not at.error
    assert [b.proto.label for b in at.get("download_button")] == [DOWNLOAD_LABEL]

    data, name = offered[-1]
    plan = HomePlan.from_json(data)
    assert name is not None and name.startswith(f"Ann_Example-{client_id}-plan-")
    assert name.endswith(f"-{plan.plan_id[:8]}.romcam-plan.json")
    flexion, neck, stretch = plan.items
    assert (flexion.test_id, flexion.sides, flexion.target, flexion.trials) == (
        "shoulder_flexion",
        ("right",),
        160.0,
        3,
    )
    assert flexion.instruction == "Raise the arm slowly"
    assert (neck.test_id, neck.sides, neck.often, neck.target) == (
        "neck_flexion",
        (),
        "3x a week",
        None,
    )
    assert (stretch.name, stretch.sides, stretch.instruction) == (
        "Doorway stretch",
        ("left", "right"),
        "Hold 30 s",
    )
    assert plan.clinic_value("shoulder_flexion", "right").value == 142.0  # type: ignore[union-attr]
    assert (plan.client.store_id, plan.client.name, plan.therapist) == (
        client_id,
        "Ann Example",
        "Kim",
    )
    with Store.open() as store:
        assert store.get_plan(plan.plan_id).plan == plan  # kept with the client's record
    table = at.dataframe[0].value
    assert list(table["Tests"]) == ["Shoulder flexion, Neck flexion"]


def test_an_unnamed_stretch_or_no_side_is_refused_in_a_sentence(data_dir: Path) -> None:
    client_id = _seed()
    at = page_app("home_plan", "home_plan_page")
    at.session_state[CLIENT_KEY] = client_id
    at.run()
    at.number_input(key=EXERCISES_KEY).set_value(1).run()
    next(b for b in at.button if b.label == EXPORT_LABEL).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Give stretch or exercise 1 a name, or lower how many there are."
    ]
    at.number_input(key=EXERCISES_KEY).set_value(0)
    at.multiselect(key=TESTS_KEY).set_value(["knee_flexion"]).run()
    at.multiselect(key=field_key("knee_flexion", "sides")).set_value([]).run()
    next(b for b in at.button if b.label == EXPORT_LABEL).click().run()
    assert not at.exception
    assert "Knee flexion needs a side" in " ".join(e.value for e in at.error)
    assert not at.get("download_button")
    with Store.open() as store:
        assert store.list_plans(client_id) == []


@pytest.mark.usefixtures("no_camera_widget")
def test_the_dashboard_lists_the_home_plan_page(data_dir: Path) -> None:
    client_id = _seed()
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    [page_hash] = [
        h for h, info in at._registered_pages.items() if info.get("url_pathname") == "home-plan"
    ]
    at._page_hash = page_hash
    at.run()
    at.sidebar.selectbox(key=CLIENT_KEY).set_value(client_id).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Home plan"
    assert "**Client:** Ann Example" in " ".join(m.value for m in at.markdown)
