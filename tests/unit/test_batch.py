"""Planning a batch of videos: which files, which output folders, and every refusal made
before any analysis (real files and folders; no model, nothing decoded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.batch import find_videos, plan_batch
from romcam.errors import InputError


def touch(path: Path, data: bytes = b"not decoded while planning") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_folder_gives_its_videos_sorted_and_names_what_it_skipped(tmp_path: Path) -> None:
    day = tmp_path / "day"
    for name in ("b.mp4", "A.MOV", "c.webm", "notes.txt", "report.pdf", ".hidden.mp4"):
        touch(day / name)
    touch(day / "old_romcam" / "annotated.mp4")  # a subfolder is not searched
    videos, skipped = find_videos([day])
    assert [v.name for v in videos] == ["A.MOV", "b.mp4", "c.webm"]
    assert [s.name for s in skipped] == ["notes.txt", "report.pdf"]


def test_files_named_by_the_user_are_tried_whatever_their_suffix(tmp_path: Path) -> None:
    named = [touch(tmp_path / "z.MTS"), touch(tmp_path / "a.mp4")]
    assert find_videos(named) == (named, [])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: [d / "nope.mp4"], r"nope.mp4: no such file or folder; check the path"),
        (lambda d: [touch(d / "e" / "notes.txt").parent], r"no video file in .*e \(looked for"),
    ],
)
def test_nothing_to_analyze_is_one_sentence(tmp_path: Path, make, match: str) -> None:
    with pytest.raises(InputError, match=match):
        find_videos(make(tmp_path))


def test_default_output_folders_sit_beside_each_video_and_never_coincide(tmp_path: Path) -> None:
    videos = [touch(tmp_path / "a" / n) for n in ("clip.mp4", "clip.mov", "walk.mp4")]
    plan = plan_batch(videos)
    assert [i.out_dir for i in plan.items] == [
        tmp_path / "a" / "clip_romcam",
        tmp_path / "a" / "clip_romcam-2",
        tmp_path / "a" / "walk_romcam",
    ]
    assert not any(i.out_dir.exists() for i in plan.items)  # planning makes nothing


def test_same_stem_in_two_folders_gets_distinct_folders_under_out(tmp_path: Path) -> None:
    videos = [
        touch(tmp_path / "a" / "clip.mp4"),
        touch(tmp_path / "b" / "clip.mp4"),
        touch(tmp_path / "c" / "clip-2.mp4"),  # the name the second one took
        touch(tmp_path / "d" / "CLIP.mp4"),  # one folder on a case-insensitive disk
    ]
    out = tmp_path / "results"
    plan = plan_batch(videos, out)
    assert [i.out_dir.name for i in plan.items] == ["clip", "clip-2", "clip-2-2", "CLIP-3"]
    assert [i.video for i in plan.items] == videos


def test_a_video_given_twice_is_refused(tmp_path: Path) -> None:
    video = touch(tmp_path / "visit.mp4")
    (tmp_path / "alias.mp4").symlink_to(video)
    with pytest.raises(InputError, match=r"visit.mp4 and .*alias.mp4 are the same video"):
        plan_batch([video, tmp_path / "alias.mp4"])
    with pytest.raises(InputError, match="are the same video; give it once"):
        plan_batch([video, tmp_path])  # once by name, once in its folder


@pytest.mark.parametrize(
    ("inputs", "out", "match"),
    [
        # an output file of a's folder (out/a/annotated.mp4) is another input
        (["a.mp4", "out/a/annotated.mp4"], "out", r"the output .*out/a/annotated.mp4 is the input"),
        # a's output folder holds another input, whatever its name
        (["a.mp4", "out/a/b.mp4"], "out", r"the output folder .*out/a holds the input .*b.mp4"),
        (["a.mp4", "a_romcam/b.mp4"], None, r"the output folder .*a_romcam holds the input"),
        (["a.mp4", "b.mp4"], "a.mp4", r"--out .*a.mp4/a cannot be made: .*a.mp4 is a file"),
    ],
)
def test_an_output_that_would_replace_or_hold_an_input_is_refused(
    tmp_path: Path, inputs: list[str], out: str | None, match: str
) -> None:
    videos = [touch(tmp_path / name) for name in inputs]
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(InputError, match=match):
        plan_batch(videos, tmp_path / out if out else None)
    assert sorted(tmp_path.rglob("*")) == before


def test_an_unwritable_out_is_refused_while_planning(tmp_path: Path, unwritable: Path) -> None:
    videos = [touch(tmp_path / "a.mp4"), touch(tmp_path / "b.mp4")]
    with pytest.raises(InputError, match=r"--out .*/a: cannot write in "):
        plan_batch(videos, unwritable)
