"""What the Analyze and Session review pages share to show one result: the (annotated) video at a
bounded height with the result and its actions beside it, a progress bar for slow work, and the
words people read for quality codes and sources.

A portrait phone clip shown at the page's full width would be ~1700 px tall; here every video
fits in a laptop screen (1366x768) with its result and buttons next to it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from romcam.core.metric_specs import METRIC_IDS

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

#: Tallest a video is shown (px): about 60 % of a 768-px laptop screen, leaving room above it
#: for the page's heading once scrolled to the result.
MAX_VIDEO_HEIGHT_PX = 440
#: Widest a (landscape) video is shown (px), so that the result column beside it stays readable.
MAX_VIDEO_WIDTH_PX = 560

#: A stored measurement's quality or a summary's code in words (others: underscores to spaces).
_QUALITY_WORDS = {
    "ok": "ok",
    "no_data": "no value",
    "too_few_frames": "too short",
    "gaps": "too many gaps",
    "low_visibility": "body part unclear",
    "out_of_frame": "out of the picture",
}
#: A metric id at the start of a reason ("knee_flexion_left: knee hidden"), for people to skip.
_METRIC_PREFIX = re.compile(r"\b(?:" + "|".join(map(re.escape, METRIC_IDS)) + r"): ")
#: Where a stored value came from, in words.
_SOURCE_WORDS = {"live": "live camera", "video": "uploaded video", "home": "home check"}


def quality_words(code: Any) -> str:
    """``no_data`` -> ``no value``, ``wrong_view`` -> ``wrong view``; "" for None/NaN."""
    if not isinstance(code, str):
        return ""
    return _QUALITY_WORDS.get(code, code.replace("_", " "))


def plain_reason(reason: Any) -> str:
    """A summary's or stored reason without the metric ids it names its parts with
    (``knee_flexion_left: knee hidden`` -> ``knee hidden``); "" for None/NaN."""
    return _METRIC_PREFIX.sub("", reason) if isinstance(reason, str) else ""


def as_sentence(text: str) -> str:
    """``text`` as a sentence a person reads: capital first letter, full stop (a ``?`` or
    ``!`` kept); "" stays ""."""
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def reason_sentence(reason: Any) -> str:
    """A reason shown on its own: :func:`plain_reason` as a sentence (``knee_flexion_left:
    hold the end position still`` -> ``Hold the end position still.``); "" for none."""
    return as_sentence(plain_reason(reason))


def source_words(source: str) -> str:
    """``live`` -> ``live camera``, ``video`` -> ``uploaded video``."""
    return _SOURCE_WORDS.get(source, source.replace("_", " "))


def shown_width(width: int, height: int) -> int:
    """Width (px) at which a ``width`` x ``height`` video fits in MAX_VIDEO_HEIGHT_PX x
    MAX_VIDEO_WIDTH_PX with its aspect ratio kept (scaled up or down)."""
    scale = min(MAX_VIDEO_HEIGHT_PX / height, MAX_VIDEO_WIDTH_PX / width)
    return max(1, int(width * scale))


@dataclass(frozen=True)
class ResultLayout:
    """The two places of one result: ``video`` (``width_px`` wide) and ``result`` beside it."""

    video: DeltaGenerator
    result: DeltaGenerator
    width_px: int

    def show_video(self, path: Path) -> None:
        """Play ``path`` in the video place at the bounded size."""
        self.video.video(str(path), width=self.width_px)


def video_and_result(size: tuple[int, int] | None) -> ResultLayout:
    """A row: a place for a ``size`` (width, height px) video, bounded as :func:`shown_width`
    says, and the result's place beside it (below it on a narrow screen)."""
    width = shown_width(*size) if size else MAX_VIDEO_WIDTH_PX
    row = st.container(horizontal=True, gap="large")
    return ResultLayout(row.container(width=width), row.container(width="stretch"), width)


@contextlib.contextmanager
def progress_bar(doing: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar saying ``doing…  frame i of n`` while the block runs (removed after);
    yields the ``report(done, total)`` callback to give the slow work."""
    bar = st.progress(0.0, text=f"{doing}…")
    shown = [-1]

    def report(done: int, total: int) -> None:
        percent = min(100, 100 * done // total) if total else 0
        if percent != shown[0]:  # one update per percent, not per frame
            shown[0] = percent
            bar.progress(percent / 100, text=f"{doing}… frame {done} of {total or '?'}")

    try:
        yield report
    finally:
        bar.empty()
