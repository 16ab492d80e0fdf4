"""`zmos demo` on a machine without a display: the server keeps running and says how to reach it."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from desktop.app import build_core
from desktop.config import KioskSettings
from tests.ports import free_port
from zmos import demo_data, demo_members

pytestmark = pytest.mark.slow


def _read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """Lines the process prints, up to the one containing ``marker``.

    A reader thread drains the pipe: select() on a buffered text pipe can miss lines that
    are already read into Python's buffer.
    """
    lines: queue.Queue[str | None] = queue.Queue()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"no {marker!r} from the demo; it printed:\n{''.join(seen)}")


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _signs_in(web: httpx.Client, form: str, fields: dict[str, str]) -> httpx.Response:
    shown = web.get(form)
    assert shown.status_code == 200, shown.text
    token = _CSRF.search(shown.text)
    assert token, shown.text
    return web.post(form, data={"csrf": token.group(1), **fields})


def _printed_sign_ins_sign_in(output: str, url: str) -> None:
    """The console's and the member app's addresses, printed with a sign-in each, work."""
    console = re.search(
        r"Manager console: (\S+)\n  tenant (\S+)   email (\S+)   password (\S+)", output
    )
    app = re.search(r"Member app: +(\S+)\n  email (\S+)   password (\S+)", output)
    assert console and app, output
    form, tenant, email, password = console.groups()
    assert form == f"{url}/manage/signin" and tenant == demo_data.TENANT_SLUG
    with httpx.Client() as web:
        signed = _signs_in(web, form, {"tenant": tenant, "email": email, "password": password})
        assert signed.status_code == 303 and signed.headers["location"] == "/manage"
        today = web.get(f"{url}/manage")
        assert today.status_code == 200 and "Osu Studio" in today.text
    form, email, password = app.groups()
    assert form == f"{url}/app/{demo_data.TENANT_SLUG}/signin"
    with httpx.Client() as web:
        signed = _signs_in(web, form, {"email": email, "password": password})
        assert signed.status_code == 303 and signed.headers["location"] == "/app/pass"
        my_pass = web.get(f"{url}/app/pass")
        assert my_pass.status_code == 200 and "Akosua Darko" in my_pass.text


def test_headless_demo_serves_the_seeded_tenant_and_enrols_a_kiosk(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("ZMOS_DATABASE_URL", None)
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zmos.cli",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = _read_until(demo, "Press Ctrl+C to stop", timeout=120)
        url = f"http://127.0.0.1:{port}"
        assert "No display found" in output
        assert f"{url}/docs" in output
        assert demo_data.PASSWORD in output

        login = httpx.post(
            f"{url}/auth/login",
            json={
                "tenant": demo_data.TENANT_SLUG,
                "email": demo_data.STAFF[1].email,
                "password": demo_data.PASSWORD,
            },
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        locations = httpx.get(f"{url}/locations", headers=headers).json()["items"]
        assert sorted(loc["name"] for loc in locations) == ["Osu Studio", "Shoreditch Club"]
        staff = httpx.get(f"{url}/staff", headers=headers).json()["items"]
        assert {s["role"] for s in staff} == {"owner", "manager", "front_desk", "coach"}
        assert "Reformer Pilates" in output
        public = httpx.get(f"{url}/public/{demo_data.TENANT_SLUG}/sessions").json()["items"]
        assert {"Osu Studio", "Shoreditch Club"} <= {s["location_name"] for s in public}
        devices = httpx.get(f"{url}/devices", headers=headers).json()["items"]
        assert [d["name"] for d in devices] == ["Demo front desk"]
        passes = sorted(p.name for p in (tmp_path / "demo" / "passes").glob("*.png"))
        assert len(passes) == len(demo_members.MEMBERS)
        assert "card 100002" in output
        _printed_sign_ins_sign_in(output, url)

        # The kiosk it enrolled has its location cached, hours included.
        core = build_core(
            KioskSettings(data_dir=tmp_path / "demo" / "kiosk", credential_store="auto")
        )
        try:
            location = core.location()
            assert location is not None
            assert location.name == "Osu Studio"
            assert location.timezone == "Africa/Accra"
            assert ("Saturday", "08:00–14:00") in location.week()
            assert core.verify_staff_pin("1234") is not None  # the front desk's PIN
            # Every kind of door decision, offline from the kiosk's cache, by card number.
            expected = {
                "100001": (True, ""),
                "100002": (False, "frozen until"),
                "100003": (False, "expired on"),
                "100004": (True, ""),
                "100005": (False, "not valid at this location"),
                "100006": (False, "monthly limit of 8 visits reached"),
                "100007": (False, "no active membership"),
                "999999": (False, "Unknown card"),
            }
            for card, (admitted, words) in expected.items():
                outcome = core.checkin.check_in_code(card)
                assert outcome.admitted is admitted, (card, outcome.reason)
                assert words in outcome.reason, (card, outcome.reason)
            # Two weeks of classes: the kiosk has today's and tomorrow's (Reformer Pilates
            # runs daily), and the next one (4 places) is full with two on its waitlist.
            upcoming = core.sessions.today() + core.sessions.tomorrow()
            full = [s for s in upcoming if s.name == "Reformer Pilates" and s.booked == 4]
            assert full and full[0].waitlisted == 2 and full[0].free == 0
            roster = core.sessions.roster(full[0].id)
            assert sorted(e.status.value for e in roster) == ["confirmed"] * 4 + ["waitlisted"] * 2
        finally:
            core.close()
    finally:
        demo.send_signal(signal.SIGTERM)  # the demo itself stops its server
        demo.wait(timeout=30)
    # Stopping the demo stops its server too.
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
        raise AssertionError("the demo server still answers after the demo stopped")
    except httpx.TransportError:
        pass
