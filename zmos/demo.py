"""``zmos demo``: a server on a new SQLite file with the demo tenant, and a kiosk enrolled at
one of its locations. Without a display the server keeps running and says how to reach it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

from shared.clock import utcnow
from zmos import demo_classes, demo_data, demo_members


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            chosen: int = sock.getsockname()[1]
            return chosen
    raise RuntimeError("no free TCP port on 127.0.0.1")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the demo server stopped at start (exit {process.returncode})")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the demo server did not answer on {url} within {timeout:.0f} s")


def _new_data_dir(requested: str | None) -> Path:
    if requested:
        path = Path(requested)
        if path.exists() and any(path.iterdir()):
            raise RuntimeError(f"{path} is not empty; the demo starts from a new folder")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        path = base / "zmos-demo" / datetime.now().strftime("run-%Y%m%d-%H%M%S")
    path.mkdir(parents=True, exist_ok=True)
    return path


def prepare(data_dir: Path) -> tuple[str, demo_data.DemoTenant]:
    """Migrate and seed a new database; returns its URL and the seeded tenant."""
    from server.bootstrap import build_container
    from server.config import Settings
    from server.db.migrate import upgrade
    from server.tiles import service as tiles_service

    settings = Settings(data_dir=data_dir / "server", database_url=None)
    url = settings.resolved_database_url
    upgrade(url)
    container = build_container(settings)
    try:
        tenant = demo_data.seed(container)
        members = demo_members.seed_members(container, tenant, data_dir / "passes")
        demo_classes.seed_classes(container, tenant, members)
        tiles_service.load_starter(uow=container.uow(), claims=tenant.owner_claims())
        return url, tenant
    finally:
        container.dispose()


def _stop_on_signals() -> None:
    """Ctrl+C and SIGTERM both end the demo cleanly, even where the shell that started us
    in the background set SIGINT to be ignored."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def run_demo(*, port: int, data_dir: str | None, headless: bool, kiosk_mode: bool = False) -> int:
    from desktop.config import KioskSettings

    _stop_on_signals()

    folder = _new_data_dir(data_dir)
    print(f"ZMOS demo: data in {folder}")
    _, tenant = prepare(folder)
    port = _free_port(port)
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ZMOS_DATA_DIR": str(folder / "server")}
    env.pop("ZMOS_DATABASE_URL", None)  # the demo always runs on its own new SQLite file
    server = subprocess.Popen(
        [sys.executable, "-m", "zmos.cli", "server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
    )
    try:
        _wait_healthy(url, server)
        code = _enrolment_code(folder, tenant)
        kiosk_settings = KioskSettings(
            data_dir=folder / "kiosk", server_url=url, fullscreen=kiosk_mode
        )
        from desktop.app import enrol, run

        enrol(kiosk_settings, url, code, "Demo front desk")
        _print_guide(url, folder)
        if headless or not has_display():
            print(
                "\nNo display found, so the kiosk window cannot open here. The server keeps "
                f"running at {url} (API docs: {url}/docs).\nThe kiosk is enrolled; on a machine "
                f"with a display run:  zmos kiosk --data-dir {folder / 'kiosk'} --windowed\n"
                "Press Ctrl+C to stop."
            )
            server.wait()
            return 0
        return run(kiosk_settings)
    except KeyboardInterrupt:
        return 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _enrolment_code(folder: Path, tenant: demo_data.DemoTenant) -> str:
    from server.bootstrap import build_container
    from server.config import Settings
    from server.devices import service as devices_service
    from server.devices.schemas import EnrolmentCodeCreate

    container = build_container(Settings(data_dir=folder / "server", database_url=None))
    try:
        return devices_service.create_enrolment_code(
            uow=container.uow(),
            settings=container.settings,
            claims=tenant.owner_claims(),
            location_id=tenant.locations["Osu Studio"],
            cmd=EnrolmentCodeCreate(),
        ).code
    finally:
        container.dispose()


def _print_guide(url: str, folder: Path) -> None:
    print(f"\nZMOS demo server: {url}   API docs: {url}/docs   (started {utcnow():%H:%M} UTC)")
    print(f"Tenant '{demo_data.TENANT_SLUG}'. Staff sign-in (password {demo_data.PASSWORD!r}):")
    for person in demo_data.STAFF:
        print(
            f"  {person.role.value:<11} {person.name:<13} {person.email:<32} kiosk PIN {person.pin}"
        )
    print("Kiosk: enrolled at 'Osu Studio'. Leaving kiosk mode asks for a staff PIN.")
    print(f"Members: type or scan a card number at the kiosk; QR passes are in {folder / 'passes'}")
    for member in demo_members.MEMBERS:
        print(f"  card {member.card}  {member.first} {member.last:<9} {member.story}")
    owner, slug = demo_data.STAFF[0], demo_data.TENANT_SLUG
    print(f"Manager console: {url}/manage/signin")
    print(f"  tenant {slug}   email {owner.email}   password {demo_data.PASSWORD}")
    print(f"Member app:      {url}/app/{slug}/signin")
    print(f"  email {demo_members.APP_MEMBER}   password {demo_data.PASSWORD}")
    print(
        "Classes: two weeks at both locations (HIIT, yoga, Reformer Pilates, strength, run\n"
        "  club). The next Reformer Pilates at Osu is full with a waitlist; open Classes at\n"
        f"  the kiosk for today's rosters. Timetable: {url}/public/{demo_data.TENANT_SLUG}/sessions"
    )
