"""What the store commands share: the ``--db`` and MDC options, opening the store, and plain
text tables."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas, SQLAlchemy: imported when a command runs, not for --help
    import pandas as pd

    from romcam.outcomes.mdc import MdcTable
    from romcam.store import Store


def db_option() -> argparse.ArgumentParser:
    """A parent parser with ``--db URL``."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL, e.g. postgresql+psycopg://user@host/romcam "
        "(default: $ROMCAM_DATABASE_URL, else romcam.db in the data directory)",
    )
    return db


def mdc_options() -> argparse.ArgumentParser:
    """A parent parser with ``--mdc FILE`` and ``--mdc-value TEST=DEG``."""
    mdc = argparse.ArgumentParser(add_help=False)
    mdc.add_argument("--mdc", type=Path, metavar="FILE", help="TOML/JSON file of MDC95 values")
    mdc.add_argument(
        "--mdc-value",
        action="append",
        default=[],
        metavar="TEST=DEG",
        help="override one test's MDC95 (repeatable), e.g. knee_flexion=6",
    )
    return mdc


def open_store(args: argparse.Namespace) -> Store:
    from romcam.store import Store

    return Store.open(args.db)


def mdc_table(args: argparse.Namespace) -> MdcTable:
    from romcam.outcomes.mdc import load_mdc_table, parse_override

    overrides = dict(parse_override(text) for text in args.mdc_value)
    return load_mdc_table(args.mdc, overrides)


def fmt(x: Any, digits: int = 1, suffix: str = "") -> str:
    """A table cell: ``-`` for None/NaN, numbers with ``digits`` decimals and ``suffix``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, float | int):
        return f"{x:.{digits}f}{suffix}"
    return str(x)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def frame_rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: columns are known by name, not to the type checker)."""
    return list(frame.itertuples(index=False))
