"""Many videos in one run: plan (inputs -> one output folder each, every check made before the
first analysis), run them one after the other or on any ``concurrent.futures.Executor`` (a Dask
or Ray cluster's own), and collect one :class:`VideoOutcome` per video. A video that fails is an
outcome with its reason, never the end of the batch.

Heavy modules (the analysis, MediaPipe) are imported inside the functions that run a video, so
planning a batch stays light. Running on a cluster: docs/batch.md.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from romcam.errors import InputError, RomcamError
from romcam.output_paths import os_error_sentence, refuse_input_as_output, same_file

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile
    from romcam.core.assessments import AssessmentTest, Side
    from romcam.core.summary import MetricSummary, TestReport

log = logging.getLogger(__name__)

#: A folder's files analysed as videos (by suffix, any case): the Analyze page's upload types.
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv"})

Status = Literal["ok", "truncated", "failed"]
#: Called with (frames done, estimated total frames) while one video is analysed.
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchItem:
    """One video of a batch and the folder its results go to."""

    video: Path
    out_dir: Path


@dataclass(frozen=True)
class BatchPlan:
    """The videos to analyse, in order, and the files of a given folder left out as not
    videos (by their suffix)."""

    items: tuple[BatchItem, ...]
    skipped: tuple[Path, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AnalyzeOptions:
    """What every video of a batch is analysed with: ``romcam.analysis.analyze_video``'s
    keyword arguments. Picklable, so it travels to a cluster's workers; paths must be valid
    where the workers run (a shared disk)."""

    model_path: Path | None = None
    calibration: CalibrationProfile | str | None = None
    write_annotated: bool = True
    headline: str | None = None
    max_seconds: float | None = None
    max_people: int = 2
    tests: tuple[tuple[AssessmentTest, Side | None], ...] = ()
    face: bool | None = None
    face_model_path: Path | None = None
    #: Worker processes for one video (None: all cores, capped by memory; 1: serial).
    jobs: int | None = None


@dataclass(frozen=True, kw_only=True)
class VideoOutcome:
    """What became of one video of a batch.

    ``frames`` and ``video_s`` cover the analysed part (0 when it failed); ``took_s`` is the
    wall-clock time; ``reason`` is the one-sentence error of a failed video.
    """

    video: Path
    out_dir: Path
    status: Status
    took_s: float
    frames: int = 0
    video_s: float = 0.0
    summary: Mapping[str, MetricSummary] = field(default_factory=dict)
    tests: tuple[TestReport, ...] = ()
    warnings: tuple[str, ...] = ()
    reason: str | None = None


def find_videos(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(videos, skipped): each file given, and each folder's video files sorted by name.

    A folder's other files are skipped (not its subfolders, nor hidden files such as macOS's
    ``._clip.mp4`` shadows, which carry a video's suffix but hold none). InputError when a path
    does not exist, or when no video is left.
    """
    videos: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or not child.is_file():
                    continue
                (videos if child.suffix.lower() in VIDEO_SUFFIXES else skipped).append(child)
        elif path.exists():
            videos.append(path)  # named by the user: tried whatever its suffix
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    if not videos:
        folders = ", ".join(str(p) for p in paths)
        raise InputError(
            f"no video file in {folders} (looked for {', '.join(sorted(VIDEO_SUFFIXES))}); "
            "give video files or a folder holding them"
        )
    return videos, skipped


def plan_batch(paths: Sequence[Path], out: Path | None = None) -> BatchPlan:
    """The batch for ``paths`` (files and folders), every output folder checked.

    Output folders: ``<stem>_romcam`` beside each video, or ``out/<stem>`` when ``out`` is
    given; a name already taken in this batch (``a/clip.mp4`` and ``b/clip.mp4`` into one
    ``out``) gets ``-2``, ``-3``, ... Raises InputError, before any analysis, when a video is
    given twice, a folder cannot be written, or an output would replace or hold an input.
    """
    videos, skipped = find_videos(paths)
    for i, video in enumerate(videos):
        for earlier in videos[:i]:
            if same_file(video, earlier):
                raise InputError(f"{earlier} and {video} are the same video; give it once")
    items = tuple(
        BatchItem(video, folder)
        for video, folder in zip(videos, _output_folders(videos, out), strict=True)
    )
    _check_outputs(items, option="--out" if out is not None else "the output folder")
    return BatchPlan(items, tuple(skipped))


def _output_folders(videos: Sequence[Path], out: Path | None) -> list[Path]:
    """One distinct folder per video (see :func:`plan_batch`)."""
    taken: set[str] = set()
    folders = []
    for video in videos:
        base = out / video.stem if out is not None else video.with_name(f"{video.stem}_romcam")
        folder, n = base, 1
        # casefold: on macOS and Windows Clip/ and clip/ are one folder
        while (key := os.path.realpath(folder).casefold()) in taken:
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        taken.add(key)
        folders.append(folder)
    return folders


def _check_outputs(items: Sequence[BatchItem], *, option: str) -> None:
    """Each folder writable, and no video's outputs replacing or lying among any input."""
    from romcam.analysis import OUTPUT_NAMES, check_output_folder

    videos = [item.video for item in items]
    real_videos = [Path(os.path.realpath(v)) for v in videos]
    fix = f"choose another output folder ({option})"
    for item in items:
        check_output_folder(item.video, item.out_dir, option=option)
        refuse_input_as_output([item.out_dir / n for n in OUTPUT_NAMES], videos, fix=fix)
        folder = Path(os.path.realpath(item.out_dir))
        for video, real in zip(videos, real_videos, strict=True):
            if real.is_relative_to(folder):
                raise InputError(f"the output folder {item.out_dir} holds the input {video}; {fix}")


def analyze_one(
    item: BatchItem, options: AnalyzeOptions, progress: ProgressFn | None = None
) -> VideoOutcome:
    """Analyse one video of a batch into ``item.out_dir``; its failure is returned as an
    outcome (Ctrl+C and SIGTERM still stop the batch). Module-level and picklable: this is
    what a cluster's workers run."""
    from romcam.analysis import analyze_video

    started = time.monotonic()
    try:
        result = analyze_video(item.video, item.out_dir, progress=progress, **_kwargs(options))
    except RomcamError as exc:
        return _failed(item, str(exc), started)
    except OSError as exc:
        return _failed(item, os_error_sentence(exc), started)
    except Exception as exc:  # a bug on one video must not cost the day's other videos
        log.debug("analysing %s failed", item.video, exc_info=True)
        reason = f"unexpected error ({type(exc).__name__}: {exc}); run it alone with -v for more"
        return _failed(item, reason, started)
    frames = len(result.pose)
    return VideoOutcome(
        video=item.video,
        out_dir=item.out_dir,
        status="truncated" if result.truncated else "ok",
        took_s=time.monotonic() - started,
        frames=frames,
        video_s=frames / result.video.fps if result.video.fps > 0 else 0.0,
        summary=result.summary,
        tests=result.tests,
        warnings=result.warnings,
    )


def _kwargs(options: AnalyzeOptions) -> dict[str, Any]:
    # not asdict: it would turn the calibration profile and the tests into dicts
    return {f.name: getattr(options, f.name) for f in fields(options)}


def _failed(item: BatchItem, reason: str, started: float) -> VideoOutcome:
    return VideoOutcome(
        video=item.video,
        out_dir=item.out_dir,
        status="failed",
        took_s=time.monotonic() - started,
        reason=reason,
    )


def run_batch(
    plan: BatchPlan,
    options: AnalyzeOptions,
    *,
    on_start: Callable[[BatchItem], ProgressFn | None] | None = None,
    on_done: Callable[[VideoOutcome], None] | None = None,
) -> tuple[VideoOutcome, ...]:
    """Analyse the videos one after the other (each with ``options.jobs`` workers).

    ``on_start(item)`` may return a per-frame progress callback for that video; ``on_done``
    gets each outcome as it is known.
    """
    outcomes = []
    for item in plan.items:
        progress = on_start(item) if on_start is not None else None
        outcome = analyze_one(item, options, progress)
        if on_done is not None:
            on_done(outcome)
        outcomes.append(outcome)
    return tuple(outcomes)


def analyze_many(
    videos: Iterable[str | Path],
    out: str | Path | None = None,
    *,
    options: AnalyzeOptions | None = None,
    executor: Executor | None = None,
    on_done: Callable[[VideoOutcome], None] | None = None,
) -> tuple[VideoOutcome, ...]:
    """Analyse video files and folders of them; outcomes in the order of the plan.

    Args:
        videos: video files and folders (a folder's video files, sorted by name).
        out: parent of the output folders (``out/<stem>``); None: ``<stem>_romcam`` beside
            each video.
        options: how each video is analysed (default :class:`AnalyzeOptions`).
        executor: any ``concurrent.futures.Executor``, e.g. a Dask cluster's
            ``Client.get_executor()``; each video is one task. None: one after the other here.
        on_done: called in this process with each outcome as it arrives.

    Raises:
        InputError: before any analysis, as :func:`plan_batch`.
    """
    plan = plan_batch([Path(v) for v in videos], Path(out) if out is not None else None)
    options = options or AnalyzeOptions()
    if executor is None:
        return run_batch(plan, options, on_done=on_done)
    futures = {executor.submit(analyze_one, item, options): i for i, item in enumerate(plan.items)}
    outcomes: list[VideoOutcome | None] = [None] * len(plan.items)
    for future in as_completed(futures):
        item = plan.items[futures[future]]
        try:
            outcome = future.result()
        except Exception as exc:  # the task itself was lost (a worker died, ...)
            log.debug("the task for %s failed", item.video, exc_info=True)
            outcome = _failed(item, f"the cluster could not run it ({exc})", time.monotonic())
        if on_done is not None:
            on_done(outcome)
        outcomes[futures[future]] = outcome
    return tuple(o for o in outcomes if o is not None)
