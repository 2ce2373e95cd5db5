"""A batch on a Dask cluster through Dask's own executor (docs/batch.md), here a LocalCluster of
two worker processes: the same outcomes and files as one after the other in this process.
Footage: two 15-frame cuts (640x360) of a seated front-view clip, and a file that is no video."""

from __future__ import annotations

from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from romcam.batch import AnalyzeOptions, VideoOutcome, analyze_many
from romcam.media.video import H264Writer, iter_frames
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

N_FRAMES = 15


def make_day(folder: Path) -> Path:
    """A day's folder: two short clips and a broken one."""
    folder.mkdir()
    frames = list(
        iter_frames(shared_video("shoulder_abduction_front_seated_02.mp4"), max_frames=30)
    )
    for i, name in enumerate(("morning.mp4", "noon.mp4")):
        with H264Writer(folder / name, 640, 360, 28.0) as writer:
            for frame in frames[i * N_FRAMES : (i + 1) * N_FRAMES]:
                writer.write(frame.image, frame.time_s)
    (folder / "evening.mp4").write_text("the phone ran out of space " * 20)
    return folder


def test_a_batch_on_a_dask_cluster_matches_the_serial_batch(tmp_path: Path) -> None:
    day = make_day(tmp_path / "day")
    options = AnalyzeOptions(model_path=MODEL_PATH, write_annotated=False, jobs=1)
    arrived: list[VideoOutcome] = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_cluster = analyze_many(
            [day],
            tmp_path / "cluster",
            options=options,
            executor=client.get_executor(pure=False),
            on_done=arrived.append,
        )
    here = analyze_many([day], tmp_path / "here", options=options)

    assert [o.video.name for o in on_cluster] == ["evening.mp4", "morning.mp4", "noon.mp4"]
    assert sorted(o.video.name for o in arrived) == ["evening.mp4", "morning.mp4", "noon.mp4"]
    assert [o.status for o in on_cluster] == ["failed", "ok", "ok"]
    assert "cannot be opened as a video" in str(on_cluster[0].reason)
    for remote, local in zip(on_cluster[1:], here[1:], strict=True):
        assert remote.frames == local.frames == N_FRAMES
        assert remote.out_dir == tmp_path / "cluster" / remote.video.stem
        assert remote.summary == local.summary
        remote_rows = (remote.out_dir / "landmarks.csv").read_text().splitlines()
        local_rows = (local.out_dir / "landmarks.csv").read_text().splitlines()
        assert remote_rows == local_rows  # the same model on the same frames
    assert not (tmp_path / "cluster" / "evening").exists()
