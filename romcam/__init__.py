"""romcam: joint range of motion and posture from a webcam or a recorded video."""

__version__ = "0.1.0"
