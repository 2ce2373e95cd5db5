"""Test-retest pairs from the store, and the clinic's own ICC, SEM and MDC95 per test.

The protocol (docs/reliability.md): in ONE session, measure a test in phase ``test``, then
re-set-up everything (move the camera away and put it back, the client walks around and takes
the start position again) and measure it in phase ``retest``. One session keeps the two
measurements the same day with nothing between them that could change the range (no
treatment); the full re-set-up is what makes the difference a measure of the whole method's
error, not of holding still. Each phase's value is the mean of its counted trials
(``outcomes.values.collapse``), the same value ``compare`` uses, so the MDC95 applies to it.

A pair: a session's test and side with both a trusted ``test`` and ``retest`` value. Sides
pool into one row per test (the MDC table is per test). Several clients give a clinic-wide
figure; pairs from one client still give an SEM, but no meaningful ICC (it compares the error
to the spread between clients).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from romcam.errors import InputError
from romcam.outcomes.reliability import MIN_PAIRS_FOR_ICC, Reliability, reliability
from romcam.outcomes.values import collapse

#: The two phase labels of the protocol.
TEST_PHASE = "test"
RETEST_PHASE = "retest"
PAIR_COLUMNS = ["client_id", "client", "session_id", "started_at", "test", "side", "unit"]


@dataclass(frozen=True)
class TestRetest:
    """The clinic's reliability of one test.

    Attributes:
        test: assessment test id; unit: the values' unit.
        pairs: number of pairs; clients: how many clients they come from.
        result: ICC, SEM and MDC95 (None when they cannot be computed: ``problem`` says why).
    """

    test: str
    unit: str
    pairs: int
    clients: int
    result: Reliability | None
    problem: str | None = None

    @property
    def warning(self) -> str | None:
        """A plain sentence when the ICC should not be read (too few pairs, one client)."""
        if self.result is None:
            return None
        if self.clients < 2:
            return (
                "all pairs come from one client: the ICC compares the error with the spread "
                "between clients, so it is not meaningful here, but the SEM and MDC95 are"
                " still usable"
            )
        if self.pairs < MIN_PAIRS_FOR_ICC:
            return (
                f"only {self.pairs} pairs: the ICC's confidence interval is too wide to mean "
                f"much (aim for {MIN_PAIRS_FOR_ICC} or more); the SEM and MDC95 are usable "
                "but will change as pairs are added"
            )
        return None


def retest_pairs(frame: pd.DataFrame, client: str | None = None) -> pd.DataFrame:
    """One row per pair (tidy ``Store.measurements_frame`` in): PAIR_COLUMNS plus
    ``test_value``, ``retest_value`` (means of the counted trials) and ``test_trials``,
    ``retest_trials`` (how many). ``client``: only that client's pairs (name, any case)."""
    columns = [*PAIR_COLUMNS, "test_value", "retest_value", "test_trials", "retest_trials"]
    df = frame[frame["phase"].isin([TEST_PHASE, RETEST_PHASE])]
    if client is not None:
        df = df[df["client"].str.casefold() == client.casefold()]
    if df.empty:
        return pd.DataFrame(columns=columns)
    values = collapse(df, "mean")
    values = values[values["quality"] == "ok"]
    sessions = df.drop_duplicates("session_id").set_index("session_id")[["client_id", "client"]]
    keys = ["session_id", "started_at", "test", "side", "unit"]
    by_phase = {
        phase: values[values["phase"] == phase][[*keys, "value", "n"]].rename(
            columns={"value": f"{phase}_value", "n": f"{phase}_trials"}
        )
        for phase in (TEST_PHASE, RETEST_PHASE)
    }
    pairs = by_phase[TEST_PHASE].merge(by_phase[RETEST_PHASE], on=keys)
    pairs = pairs.join(sessions, on="session_id")
    return pairs[columns].reset_index(drop=True)


def retest_summary(frame: pd.DataFrame, client: str | None = None) -> list[TestRetest]:
    """Per test with at least one pair, in the order first measured: its :class:`TestRetest`."""
    pairs = retest_pairs(frame, client)
    out = []
    for test, group in pairs.groupby("test", sort=False):
        scores = group[["test_value", "retest_value"]].to_numpy(dtype=float)
        result, problem = None, None
        try:
            result = reliability(scores, what=f"{test} ({len(group)} pairs)")
        except InputError as exc:
            problem = str(exc)
        out.append(
            TestRetest(
                test=str(test),
                unit=str(group["unit"].iloc[0]),
                pairs=len(group),
                clients=int(group["client_id"].nunique()),
                result=result,
                problem=problem,
            )
        )
    return out


def clinic_mdc_toml(rows: Sequence[TestRetest], when: date) -> str:
    """A clinic MDC file (``outcomes.mdc.load_mdc_table`` reads it) of the rows with an MDC95.

    Raises InputError when no row has one (every test has fewer than 2 usable pairs)."""
    usable = [r for r in rows if r.result is not None and r.result.mdc95 >= 0.05]
    if not usable:
        raise InputError(
            "no test has 2 or more usable test-retest pairs, so there is no MDC to adopt; "
            "measure a test in phase 'test' and again in phase 'retest' first"
        )
    lines = [
        f"# The clinic's own MDC95, from test-retest pairs (romcam retest adopt, {when}).",
        "# Use it with ROMCAM_MDC_FILE=<this file> or --mdc <this file>; see docs/reliability.md.",
        "",
    ]
    for row in usable:
        assert row.result is not None
        source = f"clinic test-retest, {row.pairs} pairs, {when.isoformat()}"
        lines += [
            f"[mdc.{row.test}]",
            f"mdc95 = {row.result.mdc95:.1f}",
            f'unit = "{row.unit}"',
            f'source = "{source}"',
            "",
        ]
    return "\n".join(lines)


def session_guide(frame: pd.DataFrame) -> list[str]:
    """What to record next in one session (its tidy frame): a sentence per test and side that
    has a ``test`` or ``retest`` value; [] when it has neither."""
    from romcam.core.assessments import test_label

    df = frame[frame["phase"].isin([TEST_PHASE, RETEST_PHASE])]
    if df.empty:
        return []
    values = collapse(df, "mean")
    values = values[values["quality"] == "ok"]
    out = []
    for (test, side), group in values.groupby(["test", "side"], sort=False):
        label = test_label(str(test), side or None)
        by_phase = dict(zip(group["phase"], group["value"], strict=True))
        unit = "°" if group["unit"].iloc[0] == "deg" else f" {group['unit'].iloc[0]}"
        if TEST_PHASE in by_phase and RETEST_PHASE in by_phase:
            out.append(
                f"{label}: pair complete (test {by_phase[TEST_PHASE]:.1f}{unit}, retest "
                f"{by_phase[RETEST_PHASE]:.1f}{unit})."
            )
        elif TEST_PHASE in by_phase:
            out.append(
                f"{label}: measured in phase 'test'. Now re-set-up: move the camera away and put "
                "it back, let the client walk around and take the start position again; then "
                "measure it with the phase label 'retest'."
            )
        else:
            out.append(
                f"{label}: has a 'retest' value but no 'test' value; label the first "
                "measurement 'test' (Session review can change a measurement's phase)."
            )
    return out
