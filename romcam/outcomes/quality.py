"""Which stored values may be compared, and how an untrusted one is shown.

A stored measurement is *trusted* when its ``quality`` is ``ok``. Any other quality (the
summary's ``rejected``, a reason code such as ``not_held`` or ``occluded``, ``unknown``) marks
a value that failed its quality check and was kept only on request (``--keep-rejected``, the
box on the pages). Such a value is never shown as a plain number and never enters "% of
normal", trends or a real-change verdict: a verdict that would need it says so instead
(``not comparable: the after value was rejected``). A frame without a ``quality`` column (an
old export, a hand-built table) is trusted throughout.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

OK = "ok"
NOT_COMPARABLE = "not comparable"


def is_trusted(quality: Any) -> bool:
    """True for the quality ``ok`` (and a missing quality: nothing says it failed)."""
    if quality is None or (isinstance(quality, float) and math.isnan(quality)):
        return True
    return str(quality) == OK


def trusted_mask(frame: pd.DataFrame) -> pd.Series:
    """(rows,) bool: rows whose ``quality`` is ``ok`` (all rows when there is no column)."""
    if "quality" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame["quality"].map(is_trusted).astype(bool)


def quality_word(quality: Any) -> str:
    """``flagged`` for the quality ``flagged``, else ``rejected`` (every failed check)."""
    return "flagged" if str(quality) == "flagged" else "rejected"


def why(quality: Any, reason: Any) -> str:
    """The stored reason, or the quality code in words when no reason was kept."""
    text = "" if reason is None or (isinstance(reason, float) and math.isnan(reason)) else reason
    text = str(text).strip()
    if text:
        return text
    code = str(quality).replace("_", " ")
    return "" if code in ("rejected", "flagged", "") else code


def mark(value_text: str, quality: Any, reason: Any) -> str:
    """``106.5 (rejected: knee hidden)`` for an untrusted value, ``value_text`` otherwise."""
    if is_trusted(quality):
        return value_text
    because = why(quality, reason)
    return f"{value_text} ({quality_word(quality)}{': ' + because if because else ''})"


def not_comparable(which: str, quality: Any) -> str:
    """The verdict of a comparison one of whose values failed its check: ``which`` is
    ``after`` -> ``not comparable: the after value was rejected``; ``this`` -> ``... this
    value was rejected``."""
    what = "this value" if which == "this" else f"the {which} value"
    return f"{NOT_COMPARABLE}: {what} was {quality_word(quality)}"
