"""TCP ports for servers the tests start, safe when several test processes run at once.

Asking the kernel for a free port (binding port 0) and closing the probe leaves a window in
which another process (another pytest-xdist worker, another test run on the machine) can
be handed the same port; and a test that stops a server and starts it again on its port
leaves the port free meanwhile. So ports come from below the kernel's ephemeral range
(where it never hands out ports by itself), and each one is claimed for the life of the
claiming process by binding an abstract Unix socket named after it: the claim needs no
file, and the kernel releases it when the process ends, however it ends (kill -9 too).
"""

from __future__ import annotations

import random
import socket
import sys

#: Ports handed out come from here: below Linux's default ephemeral range (32768-60999).
LOWEST, HIGHEST = 20000, 32767
_claims: list[socket.socket] = []


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return HIGHEST + 1


def _claim(port: int) -> bool:
    claim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        claim.bind(f"\0zmos-test-port-{port}")
    except OSError:
        claim.close()
        return False
    _claims.append(claim)  # held until this process ends
    return True


def _bindable(port: int) -> bool:
    # As the server binds (SO_REUSEADDR): a port in TIME_WAIT is usable, one in use is not.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _kernel_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def free_port() -> int:
    """A loopback TCP port nothing listens on, this process's alone until it ends."""
    if not sys.platform.startswith("linux"):  # no abstract sockets: the kernel's choice
        return _kernel_port()
    highest = min(HIGHEST, _ephemeral_start() - 1)
    candidates = list(range(LOWEST, highest + 1))
    start = random.SystemRandom().randrange(len(candidates))
    for port in candidates[start:] + candidates[:start]:
        # A port taken by something outside the tests keeps its claim: it is not tried again.
        if _claim(port) and _bindable(port):
            return port
    raise RuntimeError(f"no free port between {LOWEST} and {highest}")
