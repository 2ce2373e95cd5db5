"""Expected failures. The CLI prints their message as one sentence; the app shows it.

Messages say what was wrong and what to do, e.g. "…: no person was found in any frame; film the
whole subject in good light".
"""


class RomcamError(Exception):
    """Base of every error romcam reports to a user (not a bug)."""


class InputError(RomcamError):
    """A file or value given by the user cannot be used (missing, unreadable, malformed)."""


class VideoError(InputError):
    """A video cannot be opened or decoded, or is truncated."""


class NoSubjectError(InputError):
    """No person was found in the video."""


class ModelError(RomcamError):
    """The pose model is missing, corrupt, or could not be downloaded."""


class StoreError(RomcamError):
    """The session store failed; ``retryable`` is True when trying again may succeed."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class CalibrationError(RomcamError):
    """A calibration could not be computed or loaded."""
