"""What the measurements mean over time: before/after comparison, MDC95, reports."""
