"""Minimal detectable change (MDC95): how much a value must change before the change is real.

MDC95 = 1.96 * sqrt(2) * SEM: a change smaller than this is within the measurement error of
the method at 95 % confidence. The defaults below come from reliability studies of manual
goniometry / inclinometry / the CROM device; romcam measures from 2-D video, whose error is at
least that large, so treat them as lower bounds. Values marked ``estimate`` are not taken from
a study of that exact motion: they are judgement calls by analogy and should be replaced by a
clinic's own numbers: ``romcam retest adopt`` writes the clinic's measured MDC95 to
``clinic-mdc.toml`` in the data directory, which :func:`load_mdc_table` then reads
(docs/reliability.md). docs/comparisons.md explains every default value.
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

from romcam import paths
from romcam.errors import InputError

#: Environment variable naming a TOML/JSON file of MDC overrides.
MDC_FILE_ENV = "ROMCAM_MDC_FILE"
#: The clinic's own MDC file in the data directory (``romcam retest adopt``, the Retest page),
#: used when neither ``--mdc`` nor ``ROMCAM_MDC_FILE`` names another.
CLINIC_MDC_FILE = "clinic-mdc.toml"


@dataclass(frozen=True)
class MdcEntry:
    """MDC95 of one test (both sides).

    Attributes:
        test: assessment test id (``romcam.core.assessments``) or ``default``.
        mdc95: minimal detectable change at 95 % confidence, in ``unit``; > 0.
        unit: ``deg`` or ``cm`` (gait values: ``steps/min``, ``ms``, ``%``).
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


# Each source says: authors, year, journal, instrument, who was measured and whether the
# figure is one rater's (intra-rater) or between raters. docs/comparisons.md has the details
# and what could not be checked.
_KOLBER_2011 = (
    "Kolber, Vega, Widmayer & Cheng 2011, Physiother Theory Pract 27:176 (digital "
    "inclinometer, active ROM, 30 healthy subjects; interrater MDC90 8 deg for flexion, "
    "= 9.5 deg as MDC95)"
)
_PUA_2008 = (
    "Pua, Wrigley, Cowan & Bennell 2008, Arch Phys Med Rehabil 89:1146 (passive hip ROM, "
    "22 people with hip osteoarthritis, one rater, sessions a week apart"
)
_FLETCHER = (
    "Fletcher & Bandy 2008, J Orthop Sports Phys Ther 38:640 (CROM device, active ROM, one "
    "rater, 25 people without and 22 with neck pain; MDC 5.4-9.6 deg across motions"
)
_WILKEN_2012 = (
    "estimate after Wilken, Rodriguez, Brawner & Darter 2012, Gait Posture 35:301 (3-D marker "
    "gait analysis, 29 healthy adults, two sessions ~6 days apart: sagittal kinematic changes "
    "above about 5 deg detectable between sessions); 2-D video is no more precise, so a lower "
    "bound"
)
_GAIT_TIMING = (
    "no published MDC for 2-D video gait events found; about one video frame (33 ms at 30 fps) "
    "on each event a value is timed from, averaged over >= 3 cycles"
)

DEFAULT_ENTRIES: tuple[MdcEntry, ...] = (
    MdcEntry("shoulder_flexion", 9.5, "deg", _KOLBER_2011, False),
    MdcEntry(
        "shoulder_extension",
        9.5,
        "deg",
        "estimate by analogy with flexion (no published MDC for extension found); " + _KOLBER_2011,
        True,
    ),
    MdcEntry(
        "shoulder_abduction",
        10.0,
        "deg",
        "estimate: Kolber et al. 2011 report interrater MDC90 4 deg (about 5 deg MDC95) in "
        "healthy subjects with an inclinometer; in 2-D video trunk lean inflates abduction, "
        "so the goniometric 10 deg is kept",
        True,
    ),
    MdcEntry(
        "elbow_flexion",
        6.0,
        "deg",
        "Armstrong, MacDermid, Chinchalkar, Stevens & King 1998, J Shoulder Elbow Surg 7:573 "
        "(universal goniometer, 38 patients with elbow, forearm or wrist disease; one "
        "rater's meaningful change at 95 % confidence: 6 deg)",
        False,
    ),
    MdcEntry("hip_flexion", 9.7, "deg", _PUA_2008 + "; SEM 3.5 deg -> MDC95 9.7 deg)", False),
    MdcEntry(
        "hip_abduction",
        9.5,
        "deg",
        _PUA_2008 + "; SEMs 3.1-4.7 deg across hip motions, abduction's 9-10 deg MDC95 "
        "not re-checked in the full text)",
        True,
    ),
    MdcEntry(
        "knee_flexion",
        10.0,
        "deg",
        "Hancock, Hepworth & Wembridge 2018, J Exp Orthop 5:46 (long-arm goniometer, 6 knees "
        "held at fixed angles, 3 raters: minimum significant difference 10 deg); cf. Lenssen "
        "et al. 2007, BMC Musculoskelet Disord 8:83 (after knee replacement, two raters' "
        "limits of agreement +-9.4 to 17.6 deg)",
        False,
    ),
    MdcEntry("neck_flexion", 9.6, "deg", _FLETCHER + "; flexion in neck pain 9.6 deg)", False),
    MdcEntry("neck_extension", 8.0, "deg", _FLETCHER + "; per-motion value an estimate)", True),
    MdcEntry(
        "neck_lateral_flexion", 6.0, "deg", _FLETCHER + "; per-motion value an estimate)", True
    ),
    MdcEntry("neck_rotation", 8.0, "deg", _FLETCHER + "; per-motion value an estimate)", True),
    MdcEntry(
        "posture_side",
        6.0,
        "deg",
        "Gallego-Izquierdo et al. 2020, Int J Environ Res Public Health 17:6521 (smartphone "
        "photogrammetry of the craniovertebral angle, markers on tragus and C7, 44 young "
        "healthy adults: MDC 4.96 deg one rater, 5.52 deg between two); romcam's angle uses "
        "the shoulder point, not C7, so 6 deg",
        True,
    ),
    MdcEntry("posture_front", 2.0, "deg", "estimate: the 2-deg clinical level tolerance", True),
    *(
        MdcEntry(test, mdc95, unit, source, True)
        for test, mdc95, unit, source in (
            ("gait_cadence", 6.0, "steps/min", "estimate: " + _GAIT_TIMING),
            ("gait_step_time", 40.0, "ms", "estimate: " + _GAIT_TIMING),
            ("gait_stride_time", 60.0, "ms", "estimate: " + _GAIT_TIMING),
            ("gait_stance", 3.0, "%", "estimate: " + _GAIT_TIMING),
            ("gait_knee_loading", 5.0, "deg", _WILKEN_2012),
            ("gait_knee_swing", 5.0, "deg", _WILKEN_2012),
            ("gait_hip_extension", 5.0, "deg", _WILKEN_2012),
        )
    ),
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

    ``path`` None reads ``ROMCAM_MDC_FILE`` when set, else the clinic's adopted file
    (:func:`clinic_mdc_path`) when it exists. The file holds either a top-level table
    ``[mdc]`` or plain keys: ``shoulder_flexion = 8.0`` or
    ``[mdc.knee_flexion] mdc95 = 6.0, source = "our clinic 2025"``; ``default`` sets the
    fallback.
    """
    table = MdcTable()
    path = path if path is not None else mdc_file_in_use()
    if path is not None:
        table = table.with_overrides(_read_file(Path(path)), source=f"file {Path(path).name}")
    if overrides:
        table = table.with_overrides(overrides)
    return table


def clinic_mdc_path() -> Path:
    """Where the clinic's adopted MDC file lives: ``clinic-mdc.toml`` in the data directory."""
    return paths.data_dir() / CLINIC_MDC_FILE


def mdc_file_in_use() -> Path | None:
    """The MDC file :func:`load_mdc_table` reads without a path: ``ROMCAM_MDC_FILE``, else the
    clinic's adopted file when it exists, else None (the published defaults)."""
    named = os.environ.get(MDC_FILE_ENV)
    if named:
        return Path(named)
    clinic = clinic_mdc_path()
    return clinic if clinic.is_file() else None


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
