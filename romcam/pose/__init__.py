"""The pose model: MediaPipe's Pose Landmarker (the only mediapipe import) and its files."""
