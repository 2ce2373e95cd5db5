"""Wall time of `romcam --version`, `romcam --help` and an argument error, whole process.

Usage: python benchmarks/bench_cli_start.py [--repeat N]

Runs the installed ``romcam`` console script (beside this Python) N times per command,
interleaved, and prints the median and the slowest run. Target: < 0.3 s each; heavy libraries
are imported only by the commands that need them (tests/unit/cli/test_fast_start.py checks
which libraries load).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = {
    "romcam --version": ["--version"],
    "romcam --help": ["--help"],
    "romcam analyze (usage error)": ["analyze"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    romcam = Path(sys.executable).with_name("romcam")
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, cli_args in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run([str(romcam), *cli_args], capture_output=True, check=False)
            runs[name].append(time.perf_counter() - t0)
    print(f"{'command':<32}{'median s':>10}{'slowest s':>11}")
    for name, seconds in runs.items():
        print(f"{name:<32}{statistics.median(seconds):>10.3f}{max(seconds):>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
