"""Registry, context and result types shared by every benchmark."""

from __future__ import annotations

import fnmatch
import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from server.config import Settings

Metric = Literal["median", "p95", "p99", "throughput"]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Limit:
    """One numeric condition of a bar, e.g. ``p95 <= 100`` or ``throughput >= 1000``."""

    metric: Metric
    op: Literal["<=", ">="]
    value: float

    def check(self, figure: Figure) -> str | None:
        """Return ``None`` when the figure meets the limit, else a human-readable reason."""
        actual = figure.throughput if self.metric == "throughput" else getattr(figure, self.metric)
        unit = figure.throughput_unit if self.metric == "throughput" else figure.unit
        if actual is None:
            return f"{self.metric} not measured (bar: {self.op} {self.value:g} {unit})"
        ok = actual <= self.value if self.op == "<=" else actual >= self.value
        if ok:
            return None
        return f"{self.metric} {actual:.4g} {unit}, bar {self.op} {self.value:g} {unit}"


@dataclass(frozen=True)
class Bar:
    """A quality bar: its text as the product states it and the numeric limits it implies."""

    text: str
    limits: tuple[Limit, ...]

    def failures(self, figure: Figure) -> list[str]:
        return [reason for limit in self.limits if (reason := limit.check(figure)) is not None]


@dataclass
class Figure:
    """One measured result of a benchmark (one backend, one operation)."""

    name: str
    unit: str
    median: float | None
    p95: float | None
    p99: float | None
    bar: Bar
    backend: str | None = None
    throughput: float | None = None
    throughput_unit: str | None = None
    samples: int = 0
    duration_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    """Reasons the figure fails regardless of the numbers (e.g. HTTP errors under load)."""
    note: str = ""
    """Free text shown with the figure (load shape, caveats)."""

    @property
    def failures(self) -> list[str]:
        return [*self.problems, *self.bar.failures(self)]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "p95": self.p95,
            "p99": self.p99,
            "throughput": self.throughput,
            "throughput_unit": self.throughput_unit,
            "bar": self.bar.text,
            "passed": self.passed,
            "backend": self.backend,
            "samples": self.samples,
            "duration_s": self.duration_s,
            "failures": self.failures,
            "note": self.note,
        }


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * pct / 100))
    return ordered[rank - 1]


def summarize(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, p95, p99) of in-process samples, for benchmarks that time themselves."""
    return statistics.median(values), percentile(values, 95), percentile(values, 99)


@dataclass(frozen=True)
class Timed(Generic[R]):
    """What :func:`time_each` measured: one sample (ms) and one result per call."""

    samples_ms: list[float]
    results: list[R]
    duration_s: float


def time_each(
    fn: Callable[[T], R], args: Iterable[T], *, before: Callable[[T], object] | None = None
) -> Timed[R]:
    """Call ``fn`` once per argument and time each call; ``before`` (untimed) prepares each
    one, e.g. queues the check-ins a timed push then sends."""
    samples: list[float] = []
    results: list[R] = []
    started = time.perf_counter()
    for arg in args:
        if before is not None:
            before(arg)
        t0 = time.perf_counter()
        results.append(fn(arg))
        samples.append((time.perf_counter() - t0) * 1000)
    return Timed(samples, results, time.perf_counter() - started)


def timed_figure(
    name: str,
    timed: Timed[Any],
    bar: Bar,
    *,
    items: int | None = None,
    items_unit: str | None = None,
    **fields: Any,
) -> Figure:
    """The :class:`Figure` of in-process samples in ms: median, p95, p99 and, for ``items``
    handled per call, a throughput of ``items_unit`` at the median."""
    median, p95, p99 = summarize(timed.samples_ms)
    throughput = None if items is None or median <= 0 else items / (median / 1000)
    return Figure(
        name=name,
        unit="ms",
        median=median,
        p95=p95,
        p99=p99,
        bar=bar,
        throughput=throughput,
        throughput_unit=items_unit if throughput is not None else None,
        samples=len(timed.samples_ms),
        duration_s=round(timed.duration_s, 3),
        **fields,
    )


@dataclass(frozen=True)
class Context:
    """What every benchmark receives."""

    quick: bool
    tmp_dir: Path
    postgres_url: str | None


BenchFn = Callable[[Context], Iterable[Figure]]

REGISTRY: dict[str, BenchFn] = {}


def benchmark(name: str) -> Callable[[BenchFn], BenchFn]:
    """Register ``fn`` under ``name`` (dotted, e.g. ``api.read``)."""

    def register(fn: BenchFn) -> BenchFn:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} registered twice")
        REGISTRY[name] = fn
        return fn

    return register


def select(patterns: Sequence[str] | None, names: Iterable[str]) -> list[str]:
    """Names matching any of ``patterns`` (exact or shell glob, e.g. ``sync.*``), in order.

    Raises ``KeyError`` naming the patterns that matched nothing.
    """
    available = list(names)
    if not patterns:
        return available
    unmatched = [p for p in patterns if not fnmatch.filter(available, p)]
    if unmatched:
        raise KeyError(", ".join(unmatched))
    return [n for n in available if any(fnmatch.fnmatchcase(n, p) for p in patterns)]


def in_process_settings(url: str, data_dir: Path) -> Settings:
    """A server run inside the benchmark's process: no background jobs, and cheap password
    hashing (the sign-ins are set-up, not what is measured)."""
    from server.config import Settings

    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key="bench-secret-key-for-signing-tokens-0123456789",
        background_jobs=False,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
    )
