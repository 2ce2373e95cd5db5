"""The live (webcam) path: processor, trial session, pipeline stages, checks, recording."""
