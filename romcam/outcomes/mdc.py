"""Minimal detectable change (MDC95): how much a value must change before the change is real.

MDC95 = 1.96 * sqrt(2) * SEM: a change smaller than this is within the measurement error of
the method at 95 % confidence. The defaults below come from reliability studies of manual
goniometry / inclinometry / the CROM device; romcam measures from 2-D video, whose error is at
least that large, so treat them as lower bounds. Values marked ``estimate`` are not taken from
a study of that exact motion: they are judgement calls by analogy and should be replaced by a
clinic's own numbers (``load_mdc_table(path)`` or ``overrides``). docs/comparisons.md explains
every value.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from romcam.errors import InputError

#: Environment variable naming a TOML/JSON file of MDC overrides.
MDC_FILE_ENV = "ROMCAM_MDC_FILE"


@dataclass(frozen=True)
class MdcEntry:
    """MDC95 of one test (both sides).

    Attributes:
        test: assessment test id (``romcam.core.assessments``) or ``default``.
        mdc95: minimal detectable change at 95 % confidence, in ``unit``; > 0.
        unit: ``deg`` or ``cm``.
        source: where the number comes from.
        estimate: True when it is a judgement by analogy, not a published value for the motion.
    """

    test: str
    mdc95: float
    unit: str
    source: str
    estimate: bool

    def __post_init__(self) -> None:
        if not math.isfinite(self.mdc95) or self.mdc95 <= 0:
            raise InputError(f"MDC for {self.test!r} must be a positive number; got {self.mdc95}")


_KOLBER = (
    "Kolber & Hanney 2012, Int J Sports Phys Ther 7:306 (goniometer and inclinometer, "
    "MDC95 about 6-11 deg for shoulder motions); cf. Riddle, Rothstein & Lamb 1987, "
    "Phys Ther 67:668 (goniometric reliability)"
)
_FLETCHER = (
    "Fletcher & Bandy 2008, J Orthop Sports Phys Ther 38:640 (CROM, MDC about 5-10 deg "
    "across cervical motions)"
)
_GONIO = (
    "estimate by analogy with goniometric reliability (Gajdosik & Bohannon 1987, Phys Ther 67:1867)"
)

DEFAULT_ENTRIES: tuple[MdcEntry, ...] = (
    MdcEntry("shoulder_flexion", 9.0, "deg", _KOLBER, False),
    MdcEntry("shoulder_extension", 9.0, "deg", _KOLBER + "; extension value is an estimate", True),
    MdcEntry("shoulder_abduction", 10.0, "deg", _KOLBER, False),
    MdcEntry(
        "elbow_flexion",
        6.0,
        "deg",
        "Armstrong et al. 1998, J Shoulder Elbow Surg 7:573 (goniometry: about 6 deg "
        "within one rater)",
        True,
    ),
    MdcEntry("hip_flexion", 10.0, "deg", _GONIO, True),
    MdcEntry("hip_abduction", 8.0, "deg", _GONIO, True),
    MdcEntry(
        "knee_flexion",
        7.0,
        "deg",
        "Lenssen et al. 2007, BMC Musculoskelet Disord 8:83 (goniometry, smallest "
        "detectable difference about 5-8 deg)",
        True,
    ),
    MdcEntry("neck_flexion", 7.0, "deg", _FLETCHER, True),
    MdcEntry("neck_extension", 8.0, "deg", _FLETCHER, True),
    MdcEntry("neck_lateral_flexion", 6.0, "deg", _FLETCHER, True),
    MdcEntry("neck_rotation", 8.0, "deg", _FLETCHER, True),
    MdcEntry(
        "posture_side",
        4.0,
        "deg",
        "estimate for the craniovertebral angle from photographs (reported SEMs of about 1-2 deg)",
        True,
    ),
    MdcEntry("posture_front", 2.0, "deg", "estimate: the 2-deg clinical level tolerance", True),
)
DEFAULT_FALLBACK = MdcEntry(
    "default", 10.0, "deg", "estimate for a test with no entry: typical goniometric MDC95", True
)


@dataclass(frozen=True)
class MdcTable:
    """Test id -> MDC95; tests without an entry use ``fallback``."""

    entries: Mapping[str, MdcEntry] = field(
        default_factory=lambda: {e.test: e for e in DEFAULT_ENTRIES}
    )
    fallback: MdcEntry = DEFAULT_FALLBACK

    def lookup(self, test: str) -> MdcEntry:
        """The entry for ``test`` (the fallback when the table has none)."""
        return self.entries.get(test, self.fallback)

    def mdc(self, test: str) -> float:
        """MDC95 of ``test`` in its unit."""
        return self.lookup(test).mdc95

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "override") -> MdcTable:
        """A copy with ``overrides`` applied: test id -> number, or -> {mdc95, source, unit}."""
        entries = dict(self.entries)
        fallback = self.fallback
        for test, spec in overrides.items():
            entry = _override_entry(test, spec, self.lookup(test), source)
            if test == "default":
                fallback = entry
            else:
                entries[test] = entry
        return MdcTable(entries, fallback)


def _override_entry(test: str, spec: Any, base: MdcEntry, source: str) -> MdcEntry:
    if isinstance(spec, Mapping):
        value = spec.get("mdc95")
        extra = {k: spec[k] for k in ("unit", "source") if k in spec}
    else:
        value, extra = spec, {}
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"MDC override for {test!r} must be a number of degrees; got {value!r}")
    fields: dict[str, Any] = {"source": source, **extra}
    return replace(base, test=test, mdc95=float(value), estimate=False, **fields)


def load_mdc_table(
    path: Path | str | None = None, overrides: Mapping[str, Any] | None = None
) -> MdcTable:
    """The default table, then a TOML/JSON file's values, then ``overrides``.

    ``path`` None reads ``ROMCAM_MDC_FILE`` when set. The file holds either a top-level table
    ``[mdc]`` or plain keys: ``shoulder_flexion = 8.0`` or
    ``[mdc.knee_flexion] mdc95 = 6.0, source = "our clinic 2025"``; ``default`` sets the
    fallback.
    """
    table = MdcTable()
    path = path if path is not None else os.environ.get(MDC_FILE_ENV) or None
    if path is not None:
        table = table.with_overrides(_read_file(Path(path)), source=f"file {Path(path).name}")
    if overrides:
        table = table.with_overrides(overrides)
    return table


def _read_file(path: Path) -> Mapping[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the MDC file {str(path)!r}: {exc.strerror}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw)
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the MDC file {str(path)!r} is not valid TOML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"the MDC file {str(path)!r} must hold a table of test -> degrees")
    inner = data.get("mdc", data)
    if not isinstance(inner, dict):
        raise InputError(f"'mdc' in {str(path)!r} must be a table of test -> degrees")
    return inner


def parse_override(text: str) -> tuple[str, float]:
    """``TEST=DEG`` (a command-line override) -> (test, degrees); InputError when malformed."""
    test, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not sep or not test.strip() or not math.isfinite(number) or number <= 0:
        raise InputError(
            f"expected TEST=DEGREES with a positive number, e.g. knee_flexion=6; got {text!r}"
        )
    return test.strip(), number
