"""What the home check says to the client, in plain words: the test's title, and an
encouraging sentence after each trial ("Great — 152°, 4° more than last time."). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from romcam.core.metric_specs import metric_spec

#: Differences smaller than this (metric unit) are "the same as last time".
SAME_WITHIN = 1.0
#: What the client is told about the privacy of their data, on every home-check page.
PRIVACY = (
    "Your measurements stay on this computer: nothing is sent anywhere. Only the results "
    "file you export yourself (“Export my results” on *My progress*) leaves it, when you "
    "give it to your therapist."
)


def check_title(label: str, side: str | None) -> str:
    """``Shoulder flexion, right`` (``Neck flexion`` for a test without a side)."""
    return f"{label}, {side}" if side else label


@dataclass(frozen=True)
class Earlier:
    """A value to compare today's with: ``value`` (metric unit), and where it came from:
    ``last time`` (an earlier home check) or ``at the clinic`` (the plan's clinic value)."""

    value: float
    where: str
    day: date | None = None


def amount(value: float, unit: str) -> str:
    """``152°`` or ``3.5 cm``: a value as the client reads it."""
    if unit in ("deg", "°"):
        return f"{value:.0f}°"
    return f"{value:.1f} {unit}"


def praise(metric_id: str, value: float, earlier: Earlier | None, target: float | None) -> str:
    """The sentence after a saved trial: the value, how it compares with ``earlier`` and the
    ``target`` (range tests: a larger range, whichever its sign, is more)."""
    spec = metric_spec(metric_id)
    unit = spec.unit
    rom = spec.kind != "posture"
    text = f"Great — {amount(value, unit)}"
    if earlier is not None and math.isfinite(earlier.value):
        change = (abs(value) - abs(earlier.value)) if rom else value - earlier.value
        if abs(change) < SAME_WITHIN:
            text += f", the same as {earlier.where}"
        elif change > 0 and rom:
            text += f", {amount(abs(change), unit)} more than {earlier.where}"
        elif rom:
            text += (
                f", {amount(abs(change), unit)} less than {earlier.where}: a day-to-day "
                "difference is normal, keep going"
            )
        else:
            text += f" ({amount(earlier.value, unit)} {earlier.where})"
    text += "."
    if target is not None and rom:
        to_go = abs(target) - abs(value)
        if to_go <= 0:
            text += f" You reached your target of {amount(target, unit)}!"
        else:
            text += f" Your target is {amount(target, unit)}: {amount(to_go, unit)} to go."
    return text
