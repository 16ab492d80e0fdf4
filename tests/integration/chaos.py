"""Helpers for the randomized sync run (no tests here): faults on a kiosk's HTTP link, kiosks
opened (and reopened after a "crash") over their data directories, and reads of what a kiosk
and the server hold."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from desktop.app import build_core, compose_core
from desktop.config import KioskSettings
from desktop.core.checkin.eligibility import shared_rules_decider
from desktop.core.credentials import open_credential_store
from desktop.core.kiosk import KioskCore
from desktop.core.store import Store
from server.bookings.models import Booking
from server.bootstrap import Container
from server.checkin.models import Checkin
from server.members.models import Member
from server.plans.models import Membership
from server.scheduling.models import ClassSession, SessionType
from shared.clock import utcnow
from shared.enums import MembershipStatus
from shared.ids import new_id
from shared.sync.snapshot import (
    SnapshotBooking,
    SnapshotMember,
    SnapshotMembership,
)

#: What the comparison of a kiosk's cache with the server looks at: id -> key fields.
Rows = dict[str, dict[str, Any]]


class FaultyTransport(httpx.BaseTransport):
    """A kiosk's link to the in-process server, with faults the test switches on and off.

    ``partitioned``: nothing reaches the server (``httpx.ConnectError``).
    ``lossy``: ``/sync/...`` requests reach the server and are applied there, but their answer
    never comes back (``httpx.ConnectError`` after the fact).
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.partitioned = False
        self.lossy = False
        self.lost = 0
        self.refused = 0

    def heal(self) -> None:
        self.partitioned = self.lossy = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.partitioned:
            self.refused += 1
            raise httpx.ConnectError("partitioned (test)", request=request)
        response = self.inner.handle_request(request)
        if self.lossy and request.url.path.startswith("/sync/"):
            response.read()
            response.close()
            self.lost += 1
            raise httpx.ConnectError("the answer was lost (test)", request=request)
        return response


def kiosk_http(server: httpx.Client) -> tuple[httpx.Client, FaultyTransport]:
    """A client for one kiosk over ``server``'s transport (FastAPI's ``TestClient``: the same
    app and event loop), through a :class:`FaultyTransport` of its own."""
    transport = FaultyTransport(server._transport)
    return httpx.Client(transport=transport, base_url=str(server.base_url)), transport


def kiosk_settings(data_dir: Path) -> KioskSettings:
    return KioskSettings(data_dir=data_dir, credential_store="file")


def open_kiosk(data_dir: Path, http: httpx.Client, offset: timedelta) -> KioskCore:
    """The kiosk core over ``data_dir`` (what a restart after a crash does): ``build_core``;
    with a clock offset, the same parts built with a clock, since ``build_core`` takes none."""
    settings = kiosk_settings(data_dir)
    if not offset:
        return build_core(settings, http_client=http)
    settings.data_dir.mkdir(parents=True, mode=0o700, exist_ok=True)
    clock: Callable[[], datetime] = lambda: utcnow() + offset  # noqa: E731
    return compose_core(
        store=Store(settings.database_path),
        credentials=open_credential_store(settings.credential_store, settings.data_dir),
        http_factory=lambda _url: http,
        close_http=False,
        now=clock,
        decider=shared_rules_decider,
    )


# -- what a kiosk holds --------------------------------------------------------------------


def local_checkins(core: KioskCore) -> dict[str, int]:
    """This kiosk's own check-ins: id -> the outbox mutation that carries it."""
    rows = core.store.connection().execute("SELECT id, mutation_id FROM local_checkin")
    return {str(r["id"]): int(r["mutation_id"]) for r in rows}


def acknowledged_checkins(core: KioskCore) -> set[str]:
    """Check-ins whose outbox row is gone: the server must have them."""
    rows = core.store.connection().execute(
        "SELECT id FROM local_checkin WHERE mutation_id NOT IN (SELECT mutation_id FROM outbox)"
    )
    return {str(r["id"]) for r in rows}


def kiosk_members(core: KioskCore) -> Rows:
    rows = core.store.connection().execute(
        """SELECT m.*, d.photo_updated_at FROM cached_member m
           LEFT JOIN cached_member_detail d ON d.member_id = m.id"""
    )
    fields = SnapshotMember.model_fields
    return _keyed(SnapshotMember.model_validate({k: r[k] for k in fields}) for r in rows)


def kiosk_memberships(core: KioskCore) -> Rows:
    rows = core.store.connection().execute("SELECT * FROM cached_membership")
    fields = SnapshotMembership.model_fields
    return _keyed(SnapshotMembership.model_validate({k: r[k] for k in fields}) for r in rows)


def local_rows(core: KioskCore) -> tuple[int, int]:
    """Walk-ins and sold passes not yet replaced by the server's version."""
    conn = core.store.connection()
    members = conn.execute("SELECT COUNT(*) FROM local_member").fetchone()[0]
    memberships = conn.execute("SELECT COUNT(*) FROM local_membership").fetchone()[0]
    return int(members), int(memberships)


def kiosk_bookings(core: KioskCore) -> Rows:
    rows = core.store.connection().execute("SELECT * FROM cached_booking")
    fields = SnapshotBooking.model_fields
    return _keyed(SnapshotBooking.model_validate({k: r[k] for k in fields}) for r in rows)


def kiosk_session_counts(core: KioskCore) -> dict[str, tuple[int, int]]:
    """Session id -> (confirmed, waitlisted) as the kiosk last pulled them."""
    rows = core.store.connection().execute(
        "SELECT id, confirmed_count, waitlist_count FROM cached_class_session"
    )
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def local_bookings(core: KioskCore) -> set[str]:
    """Bookings made at this kiosk (all of them, while it lives): see ``made_bookings``."""
    rows = core.store.connection().execute("SELECT id FROM local_booking")
    return {str(r[0]) for r in rows}


# -- what the server holds -----------------------------------------------------------------


def server_checkins(container: Container, tenant_id: str) -> Counter[str]:
    """How many rows the server holds per check-in id."""
    with container.uow() as uow:
        query = select(Checkin.id).where(Checkin.tenant_id == uuid.UUID(tenant_id))
        return Counter(str(i) for i in uow.db.execute(query).scalars())


def server_members(container: Container, tenant_id: str) -> Rows:
    with container.uow() as uow:
        query = select(Member).where(
            Member.tenant_id == uuid.UUID(tenant_id), Member.archived_at.is_(None)
        )
        rows = uow.db.execute(query).scalars().all()
        return _keyed(SnapshotMember.model_validate(r, from_attributes=True) for r in rows)


def server_memberships(container: Container, tenant_id: str) -> Rows:
    with container.uow() as uow:
        query = select(Membership).where(
            Membership.tenant_id == uuid.UUID(tenant_id),
            Membership.status != MembershipStatus.CANCELLED.value,
        )
        rows = uow.db.execute(query).scalars().all()
        return _keyed(SnapshotMembership.model_validate(r, from_attributes=True) for r in rows)


def _keyed(shapes: Any) -> Rows:
    result: Rows = {}
    for shape in shapes:
        data = shape.model_dump(mode="json")
        result[data["id"]] = data
    return result


def add_class(
    container: Container,
    tenant_id: str,
    location_id: str,
    *,
    capacity: int,
    starts_in: timedelta = timedelta(minutes=30),
    name: str = "Spin",
    intensity: str = "high",
) -> str:
    """A session type and one session of it at the location, written straight to the
    database (scheduling has its own API and tests). By default it starts soon: its
    check-in is open."""
    tenant = uuid.UUID(tenant_id)
    start = utcnow().replace(microsecond=0) + starts_in
    with container.uow() as uow:
        kind = SessionType(
            tenant_id=tenant,
            id=new_id(),
            name=name,
            kind="class",
            category="cardio",
            duration_minutes=45,
            default_capacity=capacity,
            intensity=intensity,
            contraindications=[],
        )
        session = ClassSession(
            tenant_id=tenant,
            id=new_id(),
            location_id=uuid.UUID(location_id),
            session_type_id=kind.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            capacity=capacity,
            confirmed_count=0,
            waitlist_count=0,
            next_position=1,
            status="scheduled",
        )
        uow.db.add(kind)
        uow.db.flush()
        uow.db.add(session)
        uow.commit()
        return str(session.id)


def server_bookings(container: Container, tenant_id: str) -> Rows:
    with container.uow() as uow:
        query = select(Booking).where(Booking.tenant_id == uuid.UUID(tenant_id))
        rows = uow.db.execute(query).scalars().all()
        return _keyed(SnapshotBooking.model_validate(r, from_attributes=True) for r in rows)


def server_sessions(container: Container, tenant_id: str) -> dict[str, ClassSession]:
    with container.uow() as uow:
        query = select(ClassSession).where(ClassSession.tenant_id == uuid.UUID(tenant_id))
        rows = uow.db.execute(query).scalars().all()
        uow.db.expunge_all()
        return {str(r.id): r for r in rows}


def server_session_counts(container: Container, tenant_id: str) -> dict[str, tuple[int, int]]:
    return {
        sid: (s.confirmed_count, s.waitlist_count)
        for sid, s in server_sessions(container, tenant_id).items()
    }
