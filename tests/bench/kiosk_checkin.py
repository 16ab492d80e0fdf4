"""kiosk.checkin_recorded and kiosk.member_search — a real kiosk store on disk (WAL,
synchronous=FULL) holding 10,000 cached members with memberships and plans, offline."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypedDict, Unpack

import httpx

from desktop.app import compose_core
from desktop.core.checkin.eligibility import shared_rules_decider
from desktop.core.credentials import FileCredentialStore
from desktop.core.kiosk import KioskCore
from desktop.core.store import (
    CacheRepository,
    DeviceRepository,
    DeviceSettings,
    ScopeRepository,
    Store,
    SyncStatusRepository,
)
from shared.enums import (
    CheckinMethod,
    LimitPeriod,
    LocationRule,
    MembershipStatus,
    PlanKind,
    StaffRole,
)
from shared.opening_hours import OpeningHours
from shared.sync.snapshot import (
    KioskSnapshot,
    SnapshotLocation,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPlan,
    SnapshotStaff,
    SnapshotTenant,
)

from .core import Bar, Context, Figure, Limit, benchmark, time_each, timed_figure

MEMBERS = 10_000
CHECKIN_BAR = Bar(
    text="≤ 5 ms p99 (check-in decided and durably recorded, offline, 10,000 members cached)",
    limits=(Limit("p99", "<=", 5.0),),
)
SEARCH_BAR = Bar(text="no set bar; target p95 ≤ 20 ms", limits=(Limit("p95", "<=", 20.0),))
FIRST = "Ana Ben Chloé Dan Efua Femi Grace Hugo Isa Jon Kofi Lena Mia Nia Omar Pia Rui Sara"
LAST = (
    "Smith Jones Mensah Owusu Núñez O'Brien Taylor Brown Wilson Boateng Asante Garcia Müller "
    "Rossi Dubois Silva Kim Patel Osei Adjei Clarke Evans Walker Wright Hall"
)
NOW = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)


class _PlanTerms(TypedDict, total=False):
    credits: int
    validity_days: int
    visit_limit: int
    visit_limit_period: LimitPeriod


def _plan(name: str, kind: PlanKind, **terms: Unpack[_PlanTerms]) -> SnapshotPlan:
    return SnapshotPlan(
        id=uuid.uuid4(),
        name=name,
        kind=kind,
        price=Decimal("10"),
        currency="GBP",
        location_rule=LocationRule.ALL,
        **terms,
    )


def snapshot(rng: random.Random) -> KioskSnapshot:
    plans = [
        _plan("Monthly", PlanKind.RECURRING),
        _plan("Pack", PlanKind.CLASS_PACK, credits=10, validity_days=90),
        _plan(
            "Twice weekly", PlanKind.RECURRING, visit_limit=2, visit_limit_period=LimitPeriod.WEEK
        ),
        _plan("Day Pass", PlanKind.DAY_PASS, validity_days=1),
    ]
    members, memberships = [], []
    for i in range(MEMBERS):
        first, last = rng.choice(FIRST.split()), rng.choice(LAST.split())
        member = SnapshotMember(
            id=uuid.uuid4(),
            first_name=f"{first}{i % 97 or ''}",
            last_name=last,
            email=f"{first.lower()}.{i}@example.com",
            phone=f"+44 7700 {i:06d}",
            card_number=f"{100000 + i}",
        )
        members.append(member)
        plan = plans[i % 3]
        memberships.append(
            SnapshotMembership(
                id=uuid.uuid4(),
                member_id=member.id,
                plan_id=plan.id,
                status=MembershipStatus.ACTIVE,
                starts_on=date(2024, 12, 1),
                ends_on=date(2025, 12, 31),
                credits_remaining=1_000 if plan.credits else None,
            )
        )
    return KioskSnapshot(
        tenant=SnapshotTenant(id=uuid.uuid4(), name="Bench Gym"),
        location=SnapshotLocation(
            id=uuid.uuid4(),
            name="Bench",
            timezone="Europe/London",
            capacity=None,
            address=None,
            contact_email=None,
            contact_phone=None,
            opening_hours=OpeningHours.model_validate({}),
        ),
        staff=[SnapshotStaff(id=uuid.uuid4(), name="S", role=StaffRole.MANAGER, pin_hash=None)],
        server_time=NOW,
        plans=plans,
        members=members,
        memberships=memberships,
    )


def kiosk(data_dir: Path, snap: KioskSnapshot) -> KioskCore:
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / "kiosk.sqlite3")
    with store.transaction() as conn:
        DeviceRepository(conn).save(
            DeviceSettings(
                uuid.uuid4(),
                snap.tenant.id,
                snap.location.id,
                "http://offline.invalid",
                "bench",
                NOW,
                store.instance_id,
            )
        )
        ScopeRepository(conn).replace(snap)
        CacheRepository(conn).replace(snap)
        SyncStatusRepository(conn).record_success(NOW, snap.server_time)
    ticks = iter(range(10**9))

    def now() -> datetime:
        return NOW + timedelta(milliseconds=next(ticks))

    def offline(url: str) -> httpx.Client:
        raise AssertionError("the benchmark runs offline")

    return compose_core(
        store=store,
        credentials=FileCredentialStore(data_dir),
        http_factory=offline,
        now=now,
        decider=shared_rules_decider,
    )


@benchmark("kiosk.checkin_recorded")
def checkin_recorded(ctx: Context) -> Iterator[Figure]:
    rng = random.Random(7)
    snap = snapshot(rng)
    core = kiosk(ctx.tmp_dir / "kiosk", snap)
    try:
        count = 200 if ctx.quick else 5_000
        members = [m.id for m in rng.sample(snap.members[:-1], count)]
        core.checkin.check_in(snap.members[-1].id, CheckinMethod.CARD)  # warm up
        timed = time_each(lambda m: core.checkin.check_in(m, CheckinMethod.CARD), members)
        recorded = core.sync.pending_count() - 1
        yield timed_figure(
            "kiosk.checkin_recorded",
            timed,
            CHECKIN_BAR,
            problems=[] if recorded == count else [f"{recorded}/{count} check-ins recorded"],
            note="decide (the shared eligibility rules) + one fsync'd transaction: "
            "check-in row and outbox row",
        )
    finally:
        core.close()


@benchmark("kiosk.member_search")
def member_search(ctx: Context) -> Iterator[Figure]:
    rng = random.Random(11)
    snap = snapshot(rng)
    core = kiosk(ctx.tmp_dir / "kiosk", snap)
    try:
        count = 200 if ctx.quick else 3_000
        queries: list[str] = []
        for i in range(count):
            m = rng.choice(snap.members)
            queries.append(
                [
                    m.first_name[: rng.randint(1, 4)],
                    f"{m.last_name[:3]} {m.first_name[:2]}",
                    f"{m.first_name} {m.last_name}",
                    (m.phone or "")[-rng.randint(4, 8) :],
                    (m.email or "").split("@")[0] + "@" if i % 2 else (m.email or "")[:5],
                ][i % 5]
            )
        empty = 0

        def search(q: object) -> None:
            nonlocal empty
            empty += not core.checkin.search_members(str(q))

        core.checkin.search_members("warm up")
        timed = time_each(search, queries)
        yield timed_figure(
            "kiosk.member_search",
            timed,
            SEARCH_BAR,
            problems=[f"{empty} searches found nobody"] if empty else [],
            note="name prefixes (1-4 letters), last+first, full name, phone digits, email",
        )
    finally:
        core.close()
