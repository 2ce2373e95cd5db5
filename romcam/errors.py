"""Expected failures. The CLI prints their message as one sentence; the app shows it.

Messages say what was wrong and what to do, e.g. "…: no person was found in any frame; film the
whole subject in good light". Where that sentence holds text a dashboard user cannot act on (a
server path, FFmpeg's own words), the class gives a plain ``user_message`` that the dashboard
shows instead, with the message itself behind "Details".
"""


class RomcamError(Exception):
    """Base of every error romcam reports to a user (not a bug).

    ``user_message``: a plain sentence for the dashboard (no path, no library text), or None
    when the message itself is one; a subclass sets it, an instance may override it.
    """

    user_message: str | None = None


class InputError(RomcamError):
    """A file or value given by the user cannot be used (missing, unreadable, malformed)."""


class VideoError(InputError):
    """A video cannot be opened or decoded, or is truncated."""

    user_message = "This file could not be read as a video. Try exporting it again as .mp4."


class NoSubjectError(InputError):
    """No person was found in the video."""


class ModelError(RomcamError):
    """The pose model is missing, corrupt, or could not be downloaded."""

    user_message = "The pose model could not be loaded. Choose or download one in Settings."


class StoreError(RomcamError):
    """The session store failed; ``retryable`` is True when trying again may succeed."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class CalibrationError(RomcamError):
    """A calibration could not be computed or loaded."""
