"""The address sign-in failures are counted under."""

from __future__ import annotations

import pytest

from server.signins.rules import client_key


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("192.0.2.1", None, "192.0.2.1"),
        ("192.0.2.1", "", "192.0.2.1"),
        # The proxy's entry is the last; earlier ones are the client's own words.
        ("10.0.0.2", "198.51.100.9, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.2", "203.0.113.5 ", "203.0.113.5"),
        # Garbage from the proxy header falls back to the connection's address.
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        # IPv6 counts by /64; an IPv4-mapped address is its IPv4 address.
        ("2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", None, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", None, "192.0.2.7"),
        ("testclient", None, "testclient"),
        (None, None, "unknown"),
    ],
)
def test_client_key(peer: str | None, forwarded: str | None, expected: str) -> None:
    assert client_key(peer, forwarded) == expected
