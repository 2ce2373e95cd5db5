"""The Test-retest page under AppTest, against a real SQLite store in a temp data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.outcomes.mdc import clinic_mdc_path, load_mdc_table
from romcam.outcomes.reliability import reliability
from romcam.store import MeasurementInput, Store
from romcam.ui.current import CLIENT_KEY
from tests.integration.ui.app_helpers import page_app
from tests.retest_seed import knee_matrix, seed_retest_pairs


@pytest.fixture
def seeded(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.delenv("ROMCAM_MDC_FILE", raising=False)
    with Store.open() as store:
        return seed_retest_pairs(store)


def test_the_table_and_adopting_the_clinics_mdc(seeded: dict[str, int], data_dir: Path) -> None:
    at = page_app("retest", "retest_page").run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    knee = table[table["Test"] == "Knee flexion"].iloc[0]
    expected = reliability(knee_matrix())
    assert (knee["Pairs"], knee["Clients"]) == (6, 3)
    assert knee["MDC95 (clinic)"] == pytest.approx(expected.mdc95)
    assert knee["MDC95 (published)"] == 10.0
    assert knee["ICC(2,1) [95% CI]"].startswith(f"{expected.icc_agreement.value:.2f} [")
    assert knee["Note"] == "few pairs: ICC not meaningful"
    assert any(w.value.startswith("Knee flexion: only 6 pairs") for w in at.warning)
    assert "published" in " ".join(m.value for m in at.markdown)

    next(b for b in at.button if b.label == "Adopt as the clinic's MDC").click().run()
    assert not at.exception and not at.error
    assert clinic_mdc_path() == data_dir / "clinic-mdc.toml" and clinic_mdc_path().is_file()
    assert any("Saved to" in s.value for s in at.success)
    adopted = load_mdc_table().lookup("knee_flexion")
    assert adopted.mdc95 == pytest.approx(expected.mdc95, abs=0.05)
    assert adopted.source.startswith("clinic test-retest, 6 pairs")
    assert "clinic-mdc.toml" in " ".join(m.value for m in at.markdown)

    next(b for b in at.button if b.label == "Go back to the published values").click().run()
    assert not clinic_mdc_path().exists()
    assert load_mdc_table().mdc("knee_flexion") == 10.0


def test_one_clients_pairs_and_the_guide_for_the_session(seeded: dict[str, int]) -> None:
    with Store.open() as store:
        bo = store.get_client("Bo")
        sid = store.start_session("Bo").id
        store.add_measurement(sid, MeasurementInput("elbow_flexion", "left", "test", 140.0))
    at = page_app("retest", "retest_page").run()
    at.selectbox(key=CLIENT_KEY).set_value(bo.id).run()
    assert not at.exception and not at.error
    guide = " ".join(m.value for m in at.markdown)
    assert "Elbow flexion (left): measured in phase 'test'. Now re-set-up" in guide
    at.radio(key="retest_scope").set_value("Bo").run()
    table = at.dataframe[0].value
    assert list(table["Test"]) == ["Knee flexion"] and table["Pairs"].iloc[0] == 2
    assert table["Note"].iloc[0] == "one client: ICC not meaningful"


def test_no_pairs_says_how_to_record(data_dir: Path) -> None:
    at = page_app("retest", "retest_page").run()
    assert not at.exception and not at.error
    assert any("No test-retest pairs yet" in i.value for i in at.info)
