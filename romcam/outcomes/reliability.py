"""The clinic's own measurement error: ICC, SEM and MDC95 from test-retest pairs.

Pure NumPy. Formulas and sources: docs/reliability.md.
"""

from __future__ import annotations

import math

from romcam.errors import InputError


def real_change_threshold(mdc95: float, u1: float | None = None, u2: float | None = None) -> float:
    """The change two trials must exceed to be real: sqrt(MDC95² + u1² + u2²).

    ``mdc95`` is the test's minimal detectable change; ``u1`` and ``u2`` are the two compared
    values' own uncertainties (``romcam.core.uncertainty``), all in the value's unit. A missing
    (None or NaN) uncertainty counts as 0, so the threshold is never below the MDC95.
    """
    terms = [mdc95, *(0.0 if u is None or math.isnan(u) else u for u in (u1, u2))]
    if any(not math.isfinite(t) or t < 0 for t in terms):
        raise InputError(
            f"the real-change threshold needs non-negative numbers; got MDC95 {mdc95}, "
            f"uncertainties {u1} and {u2}"
        )
    return math.sqrt(sum(t * t for t in terms))
