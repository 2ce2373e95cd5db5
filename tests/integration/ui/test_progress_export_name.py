"""The progress page's downloads are named after the client and its id, so two clients whose
names have no Latin letters (山田, 田中) never download files of the same name."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from romcam.store import Store
from tests.integration.ui.app_helpers import fill_store, page_app


def test_download_names_are_unique_per_client(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[str | None] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def record(self: MemoryMediaFileStorage, *args: object, **kwargs: object) -> str:
        filename = kwargs.get("filename", args[3] if len(args) > 3 else None)
        offered.append(filename if isinstance(filename, str) else None)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    fill_store(tmp_path / "a", name="山田")
    fill_store(tmp_path / "b", name="田中")
    with Store.open() as store:
        ids = [c.id for c in store.list_clients()]
    names = []
    for client_id in ids:
        offered.clear()
        at = page_app("progress", "progress_page")
        at.session_state["current_client"] = client_id
        at.run()
        assert not at.exception and not at.error
        names.append(offered[0])
    assert sorted(names) == sorted(f"romcam-client-{i}-measurements.csv" for i in ids)
