"""Video files in and out: probe, stream decoded frames, write browser-playable H.264.

Decoding uses PyAV (FFmpeg): frame timestamps come from the stream's presentation timestamps
(PTS), so variable-frame-rate phone clips keep their true timing, and decoder errors are
visible. Frames are streamed one at a time; memory does not grow with the video's length.

Truncated or corrupt files: a file that cannot be opened, has no video stream or yields no
frame raises :class:`~romcam.errors.VideoError`. A file that decodes for a while and then stops
(decoder error, or far fewer frames than the header promised) is *not* an error: the frames
decoded so far are delivered, :attr:`VideoReader.truncated` becomes True and
:attr:`VideoReader.problem` says what happened, so the caller can analyze and save what was
decoded and tell the user (the "never lose data" rule).

Rotated (phone) videos: phones record portrait video as landscape frames plus a display matrix
(the "rotate" tag) saying how a player must turn them. :class:`VideoReader` reads that matrix
from the first decoded frame and yields every frame already turned upright, so the pose model,
the angles and the annotated video all see the picture as a player shows it;
:class:`VideoInfo` reports the displayed size and the rotation. The matrices romcam refuses (a
tilt that is not a quarter turn, a mirror) and why: :mod:`romcam.media.rotation`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import av
import cv2
import numpy as np

from romcam.closing import Closing
from romcam.errors import VideoError
from romcam.media.rotation import frame_rotation, upright

log = logging.getLogger(__name__)
T = TypeVar("T")
U = TypeVar("U")

#: Decoding stopped before this share of the header's frame count means "truncated".
TRUNCATION_SHARE = 0.9
#: ...and only when at least this many frames are missing (frame counts are estimates).
TRUNCATION_MIN_MISSING = 3
_FAST_YUV = ("yuv420p", "yuvj420p")


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds, read from its header.

    Attributes:
        path: the file.
        width, height: DISPLAYED frame size in pixels, i.e. after ``rotation_deg`` is applied
            (a phone's portrait clip stored as 1920x1080 reports 1080x1920); the frames
            :class:`VideoReader` yields have this size.
        fps: average frame rate in frames per second, as a float (29.97 stays 29.97).
        frame_count: estimated number of frames (header count, else duration × fps).
        duration_s: estimated duration in seconds.
        codec: FFmpeg codec name, e.g. ``h264``, ``vp9``.
        rotation_deg: clockwise turn (0, 90, 180 or 270 degrees) that the file's display
            matrix applies to the stored frames for display; the reader applies it.
    """

    path: Path
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    codec: str
    rotation_deg: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (path as a string)."""
        return {
            "path": str(self.path),
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "frame_count": self.frame_count,
            "duration_s": self.duration_s,
            "codec": self.codec,
            "rotation_deg": self.rotation_deg,
        }


class VideoFrame(NamedTuple):
    """One decoded frame: 0-based index, seconds from the stream start, (H, W, 3) uint8 BGR."""

    frame_index: int
    time_s: float
    image: np.ndarray


def _open_container(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise VideoError(f"{path}: no such file; check the path")
    if not path.is_file():
        raise VideoError(f"{path}: not a file; give the path of a video file")
    try:
        return av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise VideoError(
            f"{path}: cannot be opened as a video (FFmpeg: {reason}); it is not a video or it "
            "is truncated or corrupt; give a complete .mp4, .mov, .webm or .avi file"
        ) from exc


def _video_stream(container: av.container.InputContainer, path: Path) -> av.VideoStream:
    if not container.streams.video:
        container.close()
        raise VideoError(f"{path}: has no video stream; give a video file, not audio or an image")
    return container.streams.video[0]


def _stream_fps(stream: av.VideoStream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and float(rate) > 0:
            return float(rate)
    return 30.0


def _stream_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return 0.0


def _info_from(
    container: av.container.InputContainer, stream: av.VideoStream, path: Path, rotation_deg: int
) -> VideoInfo:
    fps = _stream_fps(stream)
    duration = _stream_duration(container, stream)
    count = int(stream.frames or 0) or round(duration * fps)
    width, height = int(stream.codec_context.width), int(stream.codec_context.height)
    if width <= 0 or height <= 0:
        raise VideoError(f"{path}: the video stream has no frame size; the file is corrupt")
    if rotation_deg in (90, 270):
        width, height = height, width
    codec = str(stream.codec_context.name)
    return VideoInfo(path, width, height, fps, int(count), duration, codec, rotation_deg)


def probe_video(path: str | Path) -> VideoInfo:
    """Read the header of ``path``; VideoError (one sentence) if it is missing or not a video.

    Also decodes the first frame, so a file whose header is intact but holds no decodable frame
    ("zero frames") is rejected here rather than half-way through an analysis.
    """
    with VideoReader(path, max_frames=1) as reader:
        for _ in reader:
            break
        return reader.info


def frame_to_bgr(frame: av.VideoFrame) -> np.ndarray:
    """(H, W, 3) uint8 BGR image of a decoded PyAV frame (not yet turned upright)."""
    # OpenCV's I420 conversion is about twice as fast as swscale's bgr24 at 1080p.
    if frame.format.name in _FAST_YUV and frame.width % 2 == 0 and frame.height % 2 == 0:
        yuv = frame.to_ndarray(format="yuv420p")
        return cv2.cvtColor(yuv, cv2.COLOR_YUV2BGR_I420)
    return frame.to_ndarray(format="bgr24")


def frame_to_rgb(frame: av.VideoFrame) -> np.ndarray:
    """(H, W, 3) uint8 RGB image of a decoded PyAV frame (not yet turned upright), for a
    caller that only feeds the models: one conversion instead of BGR and then RGB."""
    if frame.format.name in _FAST_YUV and frame.width % 2 == 0 and frame.height % 2 == 0:
        yuv = frame.to_ndarray(format="yuv420p")
        return cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
    return frame.to_ndarray(format="rgb24")


class VideoReader(Closing):
    """Stream frames of one video; use as a context manager (the file is closed on exit).

    Iterating yields :class:`VideoFrame` in presentation order with strictly increasing
    ``time_s`` (seconds since the first frame's PTS), turned upright by ``info.rotation_deg``.
    ``max_frames`` / ``max_seconds`` stop early (not a truncation). After iteration:
    ``frames_read``, ``truncated``, ``problem``. Opening decodes the first frame (the display
    matrix travels with decoded frames), which iteration then yields first.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_frames: int | None = None,
        max_seconds: float | None = None,
    ) -> None:
        self.path = Path(path)
        if max_frames is not None and max_frames < 1:
            raise ValueError(f"max_frames must be >= 1 or None; got {max_frames}")
        if max_seconds is not None and max_seconds <= 0:
            raise ValueError(f"max_seconds must be > 0 or None; got {max_seconds}")
        self._container = _open_container(self.path)
        try:
            self._stream = _video_stream(self._container, self.path)
            self._stream.thread_type = "AUTO"
            self._decoder = self._container.decode(self._stream)
            self._first_failure: BaseException | None = None
            self._first = self._peek()
            rotation = frame_rotation(self._first, self.path) if self._first is not None else 0
            self.info = _info_from(self._container, self._stream, self.path, rotation)
        except BaseException:
            self._container.close()
            raise
        self.max_frames = max_frames
        self.max_seconds = max_seconds
        self.frames_read = 0
        self.truncated = False
        self.problem: str | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Release the file (idempotent)."""
        with self._lock:
            self._container.close()

    def _peek(self) -> av.VideoFrame | None:
        """The first decoded frame, or None when there is none or it fails to decode.

        End of stream or a decoder error is kept, not raised: iteration meets it first and
        reports it as usual (zero frames -> VideoError).
        """
        try:
            return next(self._decoder)
        except (StopIteration, av.FFmpegError, ValueError) as exc:
            self._first_failure = exc
            return None

    def _next_decoded(self) -> av.VideoFrame:
        """The next decoded frame (the peeked one first); raises StopIteration at the end."""
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if self._first_failure is not None:
            failure, self._first_failure = self._first_failure, None
            raise failure
        return next(self._decoder)

    def __iter__(self) -> Iterator[VideoFrame]:
        try:
            yield from self._frames()
        finally:
            self.close()

    def _frames(self) -> Iterator[VideoFrame]:
        start: float | None = None
        last_t = -np.inf
        step = 1.0 / self.info.fps
        while True:
            if self.max_frames is not None and self.frames_read >= self.max_frames:
                return
            try:
                frame = self._next_decoded()
            except StopIteration:
                break
            except (av.FFmpegError, ValueError) as exc:
                self._note_problem(f"decoding failed after frame {self.frames_read}: {exc}")
                break
            raw_t = frame.time if frame.time is not None else self.frames_read * step
            start = raw_t if start is None else start
            t = float(raw_t - start)
            if t <= last_t:  # duplicate / missing PTS: keep time strictly increasing
                t = last_t + step
            if self.max_seconds is not None and t >= self.max_seconds:
                return
            last_t = t
            image = upright(frame_to_bgr(frame), self.info.rotation_deg)
            yield VideoFrame(self.frames_read, t, image)
            self.frames_read += 1
        self._check_complete()

    def _note_problem(self, message: str) -> None:
        self.truncated = True
        self.problem = message
        # ``problem`` is the report (the analysis turns it into a warning): INFO, not twice.
        log.info("%s: %s", self.path, message)

    def _check_complete(self) -> None:
        if self.frames_read == 0:
            raise VideoError(
                f"{self.path}: no frame could be decoded (zero frames, or the file is truncated "
                "or corrupt); record or export the video again"
            )
        expected = self.info.frame_count
        missing = expected - self.frames_read
        if (
            not self.truncated
            and missing >= TRUNCATION_MIN_MISSING
            and self.frames_read < TRUNCATION_SHARE * expected
        ):
            self._note_problem(
                f"the video ended after {self.frames_read} of about {expected} frames "
                "(the file looks truncated)"
            )


def iter_frames(
    path: str | Path, *, max_frames: int | None = None, max_seconds: float | None = None
) -> Iterator[VideoFrame]:
    """Yield (index, time_s, frame_bgr) of ``path``; the file is released when done or closed.

    Use :class:`VideoReader` directly to learn whether the video was truncated.
    """
    with VideoReader(path, max_frames=max_frames, max_seconds=max_seconds) as reader:
        yield from reader


_END = object()


def prefetch(items: Iterable[T], transform: Callable[[T], U], *, depth: int = 4) -> Iterator[U]:
    """Yield ``transform(item)`` for each item, produced on a background thread.

    Decoding (and e.g. colour conversion) then overlaps with the consumer's work. At most
    ``depth`` results wait in the queue, so memory stays bounded. Errors on the thread are
    raised here; closing the generator early stops the thread.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1; got {depth}")
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not offer(transform(item)):
                    return
        except BaseException as exc:  # handed to the consumer
            offer(_Failure(exc))
            return
        offer(_END)

    thread = threading.Thread(target=work, name="prefetch", daemon=True)
    thread.start()
    try:
        while (got := out.get()) is not _END:
            if isinstance(got, _Failure):
                raise got.error
            yield got
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def even_size(width: int, height: int, *, max_height: int | None = None) -> tuple[int, int]:
    """(width, height) scaled down to at most ``max_height`` rows, both rounded down to even.

    H.264 in yuv420p needs even dimensions; aspect ratio is kept to within one pixel.
    """
    if width < 2 or height < 2:
        raise ValueError(f"frame must be at least 2x2 pixels; got {width}x{height}")
    if max_height is not None and height > max_height:
        width = round(width * max_height / height)
        height = max_height
    return max(2, width - width % 2), max(2, height - height % 2)


class H264Writer(Closing):
    """Write BGR frames to a browser-playable H.264 MP4 (libx264, yuv420p, CRF 23, veryfast).

    ``width`` and ``height`` must be even (see :func:`even_size`); frames of any other size are
    resized to fit. Frame times may be given (seconds) to keep a variable-rate source in sync;
    otherwise frames are spaced 1/fps apart. Use as a context manager; the file is complete only
    after :meth:`close`.
    """

    TIME_BASE = Fraction(1, 90000)

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float,
        *,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if width % 2 or height % 2 or width < 2 or height < 2:
            raise ValueError(f"H.264 needs even frame sizes >= 2; got {width}x{height}")
        if not fps > 0:
            raise ValueError(f"fps must be > 0; got {fps}")
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, float(fps)
        # faststart puts the index first: the file streams in a browser and a copy cut short
        # still decodes up to the cut.
        self._container = av.open(str(self.path), mode="w", options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"
        self._stream.time_base = self.TIME_BASE
        # The encoder must count in the same fine time base as the frames: left at 1/fps it
        # rounds uneven frame times (a live camera) onto equal ticks, and the MP4 muxer then
        # rejects the repeated timestamps with "Invalid argument".
        self._stream.codec_context.time_base = self.TIME_BASE
        self._stream.options = {"crf": str(crf), "preset": preset}
        self._last_pts = -1
        self.frames_written = 0
        self._closed = False

    def write(self, frame_bgr: np.ndarray, time_s: float | None = None) -> None:
        """Encode one (H, W, 3) uint8 BGR frame shown at ``time_s`` seconds."""
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"frame must be (H, W, 3) uint8 BGR; got {frame_bgr.shape} {frame_bgr.dtype}"
            )
        if frame_bgr.shape[:2] != (self.height, self.width):
            frame_bgr = cv2.resize(
                frame_bgr, (self.width, self.height), interpolation=cv2.INTER_LINEAR
            )
        seconds = self.frames_written / self.fps if time_s is None else time_s
        pts = max(round(seconds / self.TIME_BASE), self._last_pts + 1)
        yuv: np.ndarray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts, frame.time_base = pts, self.TIME_BASE
        self._container.mux(self._stream.encode(frame))
        self._last_pts = pts
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
