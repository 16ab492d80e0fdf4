"""Human-readable table and JSON output of a run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .core import Figure


@dataclass(frozen=True)
class Errored:
    """A benchmark that crashed instead of producing (all of) its figures."""

    name: str
    error: str
    duration_s: float

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": None,
            "median": None,
            "p95": None,
            "p99": None,
            "throughput": None,
            "throughput_unit": None,
            "bar": None,
            "passed": False,
            "backend": None,
            "samples": 0,
            "duration_s": self.duration_s,
            "error": self.error,
        }


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


HEADERS = ("benchmark", "backend", "median", "p95", "p99", "throughput", "samples", "bar", "result")


def rows(figures: Sequence[Figure], errored: Sequence[Errored]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for f in figures:
        throughput = "-" if f.throughput is None else f"{_num(f.throughput)} {f.throughput_unit}"
        out.append(
            (
                f.name,
                f.backend or "-",
                f"{_num(f.median)} {f.unit}",
                f"{_num(f.p95)} {f.unit}",
                f"{_num(f.p99)} {f.unit}",
                throughput,
                f"{f.samples:,}",
                f.bar.text,
                "pass" if f.passed else "FAIL",
            )
        )
    out.extend((e.name, "-", "-", "-", "-", "-", "-", "-", "ERROR") for e in errored)
    return out


def table(figures: Sequence[Figure], errored: Sequence[Errored]) -> str:
    body = rows(figures, errored)
    widths = [max(len(r[i]) for r in [HEADERS, *body]) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [HEADERS, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    details: list[str] = []
    for f in figures:
        label = f"{f.name} [{f.backend}]" if f.backend else f.name
        if f.note:
            details.append(f"  {label}: {f.note}")
        details.extend(f"  {label} FAILED: {reason}" for reason in f.failures)
    for e in errored:
        details.append(f"  {e.name} ERRORED: {e.error}")
    return "\n".join(lines + (["", *details] if details else []))


def write_json(path: Path, figures: Sequence[Figure], errored: Sequence[Errored]) -> None:
    payload = [f.to_json() for f in figures] + [e.to_json() for e in errored]
    path.write_text(json.dumps(payload, indent=2) + "\n")
