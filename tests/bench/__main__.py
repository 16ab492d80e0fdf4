"""``python -m tests.bench [--quick] [--only NAME ...] [--output bench-results.json]``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import benchmarks  # noqa: F401  (registers every benchmark)
from .core import REGISTRY, Context, Figure, select
from .report import Errored, table, write_json

EXIT_OK, EXIT_BAR_MISSED, EXIT_ERRORED = 0, 1, 2
BUSY_WARNING = 0.25


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat; None where there is none."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy_fraction(interval_s: float = 0.5) -> float | None:
    """Share of CPU time other processes used over ``interval_s`` (noisy-neighbour check)."""
    first = _cpu_times()
    time.sleep(interval_s)
    second = _cpu_times()
    if first is None or second is None or second[1] == first[1]:
        return None
    return (second[0] - first[0]) / (second[1] - first[1])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny loads so benchmarks cannot rot; numbers are not meaningful, bars do not fail",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="benchmark names or globs (e.g. 'sync.*')"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def run(
    names: Sequence[str], *, quick: bool, postgres_url: str | None, tmp_root: Path
) -> tuple[list[Figure], list[Errored]]:
    figures: list[Figure] = []
    errored: list[Errored] = []
    for name in names:
        work = tmp_root / name
        work.mkdir(parents=True)
        ctx = Context(quick=quick, tmp_dir=work, postgres_url=postgres_url)
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            for figure in REGISTRY[name](ctx):
                figures.append(figure)
                print(
                    f"  {figure.backend or ''} {'pass' if figure.passed else 'FAIL'}",
                    file=sys.stderr,
                    flush=True,
                )
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            error = f"{type(exc).__name__}: {exc}"
            errored.append(Errored(name, error, round(time.monotonic() - started, 3)))
    return figures, errored


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: servers are killed, bench databases dropped


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(REGISTRY))
        return EXIT_OK
    try:
        names = select(args.only, REGISTRY)
    except KeyError as exc:
        print(f"no benchmark matches {exc.args[0]}; available: {', '.join(REGISTRY)}")
        return EXIT_ERRORED
    postgres_url = os.environ.get("ZMOS_TEST_POSTGRES_URL") or None
    busy_before = cpu_busy_fraction()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="zmos-bench-") as tmp:
        figures, errored = run(
            names, quick=args.quick, postgres_url=postgres_url, tmp_root=Path(tmp)
        )
    write_json(args.output, figures, errored)
    mode = "quick (numbers not meaningful)" if args.quick else "full"
    print(table(figures, errored))
    print(
        f"\n{mode} run of {len(names)} benchmark(s) in {time.monotonic() - started:.1f} s; "
        f"PostgreSQL: {'yes' if postgres_url else 'no (set ZMOS_TEST_POSTGRES_URL)'}; "
        f"results in {args.output}"
    )
    if busy_before is not None and busy_before > BUSY_WARNING:
        print(
            f"WARNING: other processes kept the CPUs {busy_before:.0%} busy before the run; "
            "these figures understate the code"
        )
    if errored:
        print(f"ERRORED: {', '.join(e.name for e in errored)}")
        return EXIT_ERRORED
    missed = [f for f in figures if not f.passed]
    if missed:
        listed = ", ".join(f"{f.name}[{f.backend}]" if f.backend else f.name for f in missed)
        if args.quick:
            print(f"bars missed (ignored in --quick mode): {listed}")
        else:
            print(f"BARS MISSED: {listed}")
            return EXIT_BAR_MISSED
    return EXIT_OK


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main())
