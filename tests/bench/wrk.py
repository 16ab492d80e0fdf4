"""Drive wrk (a separate C process) and parse the machine-readable summary our Lua script prints."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARKER = "ZMOS_BENCH"

# wrk runs one Lua state per thread: response() counts per thread, done() sums over threads.
_LUA_TEMPLATE = """\
wrk.method = "{method}"
{headers}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non = 0
  for _, t in ipairs(threads) do
    non = non + (t:get("non2xx") or 0)
  end
  local function out(key, value)
    io.write(string.format("{marker} %s=%s\\n", key, tostring(value)))
  end
  out("p50_ms", string.format("%.3f", latency:percentile(50) / 1000))
  out("p95_ms", string.format("%.3f", latency:percentile(95) / 1000))
  out("p99_ms", string.format("%.3f", latency:percentile(99) / 1000))
  out("max_ms", string.format("%.3f", latency.max / 1000))
  out("requests", summary.requests)
  out("duration_us", summary.duration)
  out("bytes", summary.bytes)
  out("err_connect", summary.errors.connect)
  out("err_read", summary.errors.read)
  out("err_write", summary.errors.write)
  out("err_status", summary.errors.status)
  out("err_timeout", summary.errors.timeout)
  out("non2xx", non)
end
"""


def _lua_string(value: str) -> str:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"control character in header text {value!r}")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def lua_script(headers: dict[str, str], method: str = "GET") -> str:
    """The Lua script for wrk: sets method and headers, counts non-2xx, prints the summary."""
    lines = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
    )
    return _LUA_TEMPLATE.format(method=method, headers=lines, marker=MARKER)


@dataclass(frozen=True)
class WrkResult:
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    duration_s: float
    err_connect: int
    err_read: int
    err_write: int
    err_status: int
    err_timeout: int
    non2xx: int

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def socket_errors(self) -> int:
        return self.err_connect + self.err_read + self.err_write + self.err_timeout

    def problems(self) -> list[str]:
        """Why this run cannot count as a pass, whatever its latencies."""
        out: list[str] = []
        if self.requests == 0:
            out.append("no request completed")
        if self.non2xx:
            out.append(f"{self.non2xx} of {self.requests} responses were not 2xx")
        if self.socket_errors:
            out.append(
                f"socket errors: connect {self.err_connect}, read {self.err_read}, "
                f"write {self.err_write}, timeout {self.err_timeout}"
            )
        return out


class WrkOutputError(ValueError):
    pass


_INT_KEYS = (
    "requests",
    "err_connect",
    "err_read",
    "err_write",
    "err_status",
    "err_timeout",
    "non2xx",
)


def parse_output(stdout: str) -> WrkResult:
    """Parse the ``ZMOS_BENCH key=value`` lines our Lua ``done()`` prints."""
    values: dict[str, str] = {}
    for line in stdout.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and parts[0] == MARKER and "=" in parts[1]:
            key, _, value = parts[1].partition("=")
            values[key.strip()] = value.strip()
    needed = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "duration_us", *_INT_KEYS)
    missing = [k for k in needed if k not in values]
    if missing:
        raise WrkOutputError(f"wrk summary lacks {', '.join(missing)}; output was:\n{stdout}")
    try:
        ints = {k: int(float(values[k])) for k in _INT_KEYS}
        return WrkResult(
            p50_ms=float(values["p50_ms"]),
            p95_ms=float(values["p95_ms"]),
            p99_ms=float(values["p99_ms"]),
            max_ms=float(values["max_ms"]),
            duration_s=float(values["duration_us"]) / 1e6,
            **ints,
        )
    except ValueError as exc:
        raise WrkOutputError(f"unparseable wrk summary ({exc}); output was:\n{stdout}") from exc


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk not found on PATH (Debian: apt-get install -y wrk)")
    return found


def run(
    url: str,
    script: Path,
    *,
    connections: int,
    duration_s: float,
    threads: int = 2,
    timeout_s: float = 5.0,
) -> WrkResult:
    """Run wrk against ``url`` and return its parsed summary."""
    threads = max(1, min(threads, connections))
    cmd = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "-s",
        str(script),
        url,
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=duration_s + timeout_s + 30, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited {proc.returncode}: {proc.stderr.strip() or proc.stdout}")
    return parse_output(proc.stdout)
