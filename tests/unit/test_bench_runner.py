"""Unit tests of the benchmark runner: wrk output parsing, bar verdicts, registry, outputs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# `tests` is not an installed package: make `import tests.bench` work under a bare `pytest` too.
_REPO_ROOT = str(Path(__file__).resolve().parents[2])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from desktop.app import WINDOW_READY  # noqa: E402
from tests.bench import __main__ as runner  # noqa: E402
from tests.bench import core, kiosk_start, wrk  # noqa: E402
from tests.bench.api_read import BAR as API_READ_BAR  # noqa: E402
from tests.bench.core import Bar, Context, Figure, Limit  # noqa: E402
from tests.bench.report import Errored, table, write_json  # noqa: E402

WRK_STDOUT = """\
Running 15s test @ http://127.0.0.1:40000/locations/1
  2 threads and 100 connections
ZMOS_BENCH p50_ms=41.250
ZMOS_BENCH p95_ms=88.100
ZMOS_BENCH p99_ms=120.500
ZMOS_BENCH max_ms=310.000
ZMOS_BENCH requests=18000
ZMOS_BENCH duration_us=15000000
ZMOS_BENCH bytes=5400000
ZMOS_BENCH err_connect=0
ZMOS_BENCH err_read=0
ZMOS_BENCH err_write=0
ZMOS_BENCH err_status=0
ZMOS_BENCH err_timeout=0
ZMOS_BENCH non2xx=0
"""


def _wrk_stdout(**overrides: object) -> str:
    lines = []
    for line in WRK_STDOUT.splitlines():
        if line.startswith("ZMOS_BENCH "):
            key = line.split()[1].split("=")[0]
            if key in overrides:
                line = f"ZMOS_BENCH {key}={overrides[key]}"
        lines.append(line)
    return "\n".join(lines)


def _figure(**kw: object) -> Figure:
    base: dict[str, object] = {
        "name": "api.read",
        "unit": "ms",
        "median": 40.0,
        "p95": 90.0,
        "p99": 120.0,
        "throughput": 1200.0,
        "throughput_unit": "req/s",
        "bar": API_READ_BAR,
        "backend": "sqlite",
        "samples": 18000,
        "duration_s": 15.0,
    }
    base.update(kw)
    return Figure(**base)  # type: ignore[arg-type]


# --- wrk output parsing ---------------------------------------------------------------------


def test_parse_wrk_summary() -> None:
    result = wrk.parse_output(WRK_STDOUT)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (41.25, 88.1, 120.5)
    assert result.requests == 18000
    assert result.duration_s == pytest.approx(15.0)
    assert result.requests_per_s == pytest.approx(1200.0)
    assert result.problems() == []


def test_parse_counts_non2xx_and_socket_errors_as_problems() -> None:
    result = wrk.parse_output(_wrk_stdout(non2xx=7, err_status=5, err_read=2, err_timeout=3))
    assert result.non2xx == 7
    assert result.socket_errors == 5
    problems = result.problems()
    assert "7 of 18000 responses were not 2xx" in problems
    assert any("read 2" in p and "timeout 3" in p for p in problems)


def test_parse_zero_requests_is_a_problem() -> None:
    result = wrk.parse_output(_wrk_stdout(requests=0))
    assert result.requests_per_s == 0.0
    assert "no request completed" in result.problems()


def test_parse_missing_keys_names_them() -> None:
    stdout = "\n".join(line for line in WRK_STDOUT.splitlines() if "p99_ms" not in line)
    with pytest.raises(wrk.WrkOutputError, match="p99_ms"):
        wrk.parse_output(stdout)


def test_parse_garbage_value_raises() -> None:
    with pytest.raises(wrk.WrkOutputError, match="unparseable"):
        wrk.parse_output(_wrk_stdout(p95_ms="nan-ish"))


def test_parse_ignores_unrelated_lines() -> None:
    noisy = "ZMOS_BENCHX p50_ms=1\nrequests=5\n" + WRK_STDOUT + "Requests/sec: 1.0\n"
    assert wrk.parse_output(noisy).requests == 18000


def test_lua_script_sets_headers_and_prints_summary() -> None:
    script = wrk.lua_script({"Authorization": 'Bearer a"b\\c'})
    assert 'wrk.headers["Authorization"] = "Bearer a\\"b\\\\c"' in script
    assert "latency:percentile(95) / 1000" in script
    for key in ("p50_ms", "p99_ms", "requests", "err_timeout", "non2xx"):
        assert f'out("{key}"' in script


def test_lua_script_rejects_control_characters() -> None:
    with pytest.raises(ValueError):
        wrk.lua_script({"X": "a\nb"})


# --- bar verdicts ---------------------------------------------------------------------------


def test_api_read_bar_passes_within_limits() -> None:
    assert _figure().passed
    assert _figure(p95=100.0, throughput=1000.0).passed  # limits are inclusive


def test_api_read_bar_fails_on_p95() -> None:
    figure = _figure(p95=100.5)
    assert not figure.passed
    assert figure.failures == ["p95 100.5 ms, bar <= 100 ms"]


def test_api_read_bar_fails_on_throughput() -> None:
    figure = _figure(throughput=999.0)
    assert not figure.passed
    assert figure.failures == ["throughput 999 req/s, bar >= 1000 req/s"]


def test_both_limits_missed_are_both_reported() -> None:
    assert len(_figure(p95=500.0, throughput=10.0).failures) == 2


def test_unmeasured_metric_fails() -> None:
    assert not _figure(throughput=None).passed


def test_problems_fail_a_figure_with_good_numbers() -> None:
    figure = _figure(problems=["3 of 18000 responses were not 2xx"])
    assert not figure.passed
    assert figure.failures[0] == "3 of 18000 responses were not 2xx"


def test_p99_upper_bound() -> None:
    bar = Bar("p99 ≤ 5 ms", (Limit("p99", "<=", 5.0),))
    assert Figure("x", "ms", 1.0, 2.0, 5.0, bar).passed
    assert not Figure("x", "ms", 1.0, 2.0, 5.1, bar).passed


def test_percentile_and_summarize() -> None:
    values = [float(v) for v in range(1, 101)]
    assert core.percentile(values, 95) == 95.0
    assert core.percentile(values, 99) == 99.0
    assert core.percentile([7.0], 99) == 7.0
    assert core.summarize(values) == (50.5, 95.0, 99.0)
    with pytest.raises(ValueError):
        core.percentile([], 50)


# --- registry, selection, outputs -----------------------------------------------------------


def test_select_exact_glob_and_unknown() -> None:
    names = ["api.read", "sync.push", "sync.pull"]
    assert core.select(None, names) == names
    assert core.select(["sync.*"], names) == ["sync.push", "sync.pull"]
    assert core.select(["api.read"], names) == ["api.read"]
    with pytest.raises(KeyError, match="nope"):
        core.select(["nope"], names)


def test_api_read_is_registered() -> None:
    assert "api.read" in core.REGISTRY


def test_kiosk_start_is_registered_with_its_bar() -> None:
    assert "kiosk.start" in core.REGISTRY
    assert kiosk_start.BAR.failures(_figure(name="kiosk.start", median=1_990.0)) == []
    assert kiosk_start.BAR.failures(_figure(name="kiosk.start", median=2_010.0))


def _child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def test_kiosk_start_sees_the_ready_line_even_when_written_in_pieces() -> None:
    first, rest = WINDOW_READY[:5], WINDOW_READY[5:]
    proc = _child(
        "import sys, time\n"
        f"sys.stderr.write('noise\\n{first}'); sys.stderr.flush(); time.sleep(0.3)\n"
        f"sys.stderr.write('{rest}\\n'); sys.stderr.flush(); time.sleep(5)"
    )
    log = io.BytesIO()
    try:
        elapsed = kiosk_start.wait_ready(proc, time.perf_counter(), log)
    finally:
        proc.kill()
        proc.wait()
    assert elapsed is not None and 250 <= elapsed < 4_000
    assert WINDOW_READY.encode() in log.getvalue()


def test_kiosk_start_gives_up_when_the_process_ends_without_a_window() -> None:
    proc = _child("import sys; sys.stderr.write('The kiosk cannot start: no\\n')")
    try:
        assert kiosk_start.wait_ready(proc, time.perf_counter(), io.BytesIO()) is None
    finally:
        proc.wait()


def test_duplicate_registration_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "REGISTRY", {})
    core.benchmark("x")(lambda ctx: [])
    with pytest.raises(ValueError):
        core.benchmark("x")(lambda ctx: [])


def test_json_has_the_documented_keys(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    write_json(out, [_figure(p95=150.0)], [Errored("sync.push", "RuntimeError: boom", 1.0)])
    data = json.loads(out.read_text())
    keys = {"name", "unit", "median", "p95", "p99", "throughput", "throughput_unit", "bar"}
    keys |= {"passed", "backend", "samples", "duration_s"}
    assert keys <= data[0].keys()
    assert data[0]["passed"] is False
    assert data[0]["bar"] == API_READ_BAR.text
    assert data[1]["passed"] is False and data[1]["error"] == "RuntimeError: boom"


def test_table_shows_results_and_reasons() -> None:
    text = table([_figure(), _figure(backend="postgresql", throughput=500.0)], [])
    assert "pass" in text and "FAIL" in text
    assert "api.read [postgresql] FAILED: throughput 500 req/s" in text


# --- exit codes -----------------------------------------------------------------------------


def _install(monkeypatch: pytest.MonkeyPatch, figure: Figure | None) -> list[Context]:
    seen: list[Context] = []

    def bench(ctx: Context) -> Iterator[Figure]:
        seen.append(ctx)
        if figure is None:
            raise RuntimeError("crashed")
        yield figure

    monkeypatch.setattr(runner, "REGISTRY", {"fake.bench": bench})
    monkeypatch.setenv("ZMOS_TEST_POSTGRES_URL", "postgresql+psycopg://u:p@h/db")
    return seen


@pytest.mark.parametrize(
    ("figure", "quick", "code"),
    [
        (_figure(), False, 0),
        (_figure(p95=500.0), True, 0),  # quick mode: bars missed are printed, not fatal
        (_figure(p95=500.0), False, 1),
        (None, True, 2),  # a crash fails any run
        (None, False, 2),
    ],
)
def test_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    figure: Figure | None,
    quick: bool,
    code: int,
) -> None:
    seen = _install(monkeypatch, figure)
    out = tmp_path / "r.json"
    args = ["--output", str(out), *(["--quick"] if quick else [])]
    assert runner.main(args) == code
    assert seen[0].quick is quick
    assert seen[0].postgres_url == "postgresql+psycopg://u:p@h/db"
    assert json.loads(out.read_text())[0]["name"] in {"api.read", "fake.bench"}
    printed = capsys.readouterr().out
    if code == 1:
        assert "BARS MISSED: api.read[sqlite]" in printed
    if code == 2:
        assert "ERRORED: fake.bench" in printed


def test_only_unknown_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install(monkeypatch, _figure())
    assert runner.main(["--only", "nope", "--output", str(tmp_path / "r.json")]) == 2


def test_cpu_busy_fraction_is_a_share_or_unknown() -> None:
    busy = runner.cpu_busy_fraction(0.05)
    assert busy is None or 0.0 <= busy <= 1.0


def test_busy_machine_is_flagged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install(monkeypatch, _figure())
    monkeypatch.setattr(runner, "cpu_busy_fraction", lambda: 0.9)
    assert runner.main(["--output", str(tmp_path / "r.json")]) == 0
    assert "WARNING: other processes kept the CPUs 90% busy" in capsys.readouterr().out
