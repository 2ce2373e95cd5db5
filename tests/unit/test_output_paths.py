"""The checks every writing command makes first, and file-system errors as one sentence."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from romcam.errors import InputError
from romcam.output_paths import (
    check_writable_dir,
    check_writable_file,
    os_error_sentence,
    refuse_input_as_output,
    same_file,
)


def test_os_error_sentence_names_the_file_the_cause_and_the_fix() -> None:
    denied = PermissionError(errno.EACCES, "Permission denied", "/srv/out/angles.csv")
    assert os_error_sentence(denied) == (
        "/srv/out/angles.csv: permission denied; "
        "choose a place you can write to or fix its permissions"
    )
    full = OSError(errno.ENOSPC, "No space left on device", "/mnt/usb/annotated.mp4")
    assert os_error_sentence(full).startswith("/mnt/usb/annotated.mp4: the disk is full; free")
    odd = OSError(errno.ELOOP, "Too many levels of symbolic links", "/a/b")
    assert os_error_sentence(odd) == (
        "/a/b: too many levels of symbolic links; check the path and try again"
    )
    assert os_error_sentence(OSError(errno.EROFS, "Read-only file system")).startswith(
        "the file system is read-only; "
    )


def test_same_file_follows_symlinks_dots_and_hard_links(tmp_path: Path) -> None:
    video = tmp_path / "clips" / "visit.mp4"
    video.parent.mkdir()
    video.write_bytes(b"video")
    (tmp_path / "link.mp4").symlink_to(video)
    (tmp_path / "hard.mp4").hardlink_to(video)
    assert same_file(tmp_path / "link.mp4", video)
    assert same_file(tmp_path / "hard.mp4", video)
    assert same_file(tmp_path / "clips" / ".." / "clips" / "visit.mp4", video)
    assert not same_file(tmp_path / "clips" / "other.mp4", video)
    # Neither exists yet: the same place all the same.
    assert same_file(tmp_path / "new" / "a.csv", tmp_path / "new" / "x" / ".." / "a.csv")


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    landmarks = tmp_path / "landmarks.csv"
    landmarks.write_text("frame\n")
    (tmp_path / "alias.csv").symlink_to(landmarks)
    with pytest.raises(InputError, match=r"the output .*alias.csv is the input .*landmarks.csv"):
        refuse_input_as_output([tmp_path / "alias.csv"], [None, landmarks], fix="rename it")
    with pytest.raises(InputError, match=r"two outputs are the same file .*; rename it$"):
        refuse_input_as_output([tmp_path / "a.csv", tmp_path / "a.csv"], [], fix="rename it")
    refuse_input_as_output([tmp_path / "angles.csv"], [landmarks], fix="rename it")


def test_a_folder_below_a_file_or_a_file_as_folder_is_refused(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("x")
    with pytest.raises(InputError, match=r"^--out .*note.txt is a file, not a folder; give"):
        check_writable_dir(note, option="--out")
    with pytest.raises(InputError, match=r"^--out .*note.txt/out cannot be made: .*note.txt is a"):
        check_writable_dir(note / "out", option="--out")
    check_writable_dir(tmp_path / "new" / "deeper", option="--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt"]  # nothing created


def test_an_unwritable_folder_is_one_sentence(unwritable: Path) -> None:
    with pytest.raises(InputError, match=r"^--out .*: cannot write in .*: permission denied; "):
        check_writable_dir(unwritable / "results", option="--out")
    with pytest.raises(InputError, match=r"^-o .*report.html: cannot write in "):
        check_writable_file(unwritable / "report.html", option="-o")


def test_a_file_output_must_not_be_a_folder_or_a_device(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^-o .* is a folder; give a file name$"):
        check_writable_file(tmp_path, option="-o")
    with pytest.raises(InputError, match=r"^-o /dev/null is not a regular file"):
        check_writable_file(Path("/dev/null"), option="-o")
    check_writable_file(tmp_path / "sub" / "report.html", option="-o")
