"""romcam: joint range of motion and posture from a webcam or a recorded video.

Layers (each a subpackage): ``core`` (pure measurement maths), ``pose`` (the pose model),
``media`` (video and landmark files, drawing), ``live`` (the webcam path), ``outcomes``
(comparisons and reports), ``calibration``, ``store``, ``cli`` and ``ui``; ``analysis`` runs
the analysis of one recording through them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    # The version is written once, in pyproject.toml; the installed metadata carries it.
    __version__ = version("romcam")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
