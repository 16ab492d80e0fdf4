"""A randomized run of the sync fault model: three real kiosk cores at two
locations of one tenant, against one server app, with random desk actions, staff changes on
the server, partitions, lost answers, crashes (close and reopen from the data directory) and
clocks off by hours.

Invariants, after every step:
- no check-in id is held twice by the server, and the server holds none no kiosk recorded;
- every check-in whose outbox row a kiosk has dropped is on the server (acknowledged means
  stored);
- each kiosk still holds every check-in it recorded (crashes lose nothing);
- each kiosk's pull cursor and last acknowledged mutation id never go back.
At the end, after healing every link and syncing every kiosk until its outbox is empty:
- every check-in recorded at any kiosk is on the server exactly once, and nothing else is;
- no outbox row is left and none was refused;
- every kiosk's cached members and memberships equal the server's (ids and key fields), and
  its own walk-ins and sold passes have been replaced by the server's rows.

Bookings: kiosks book members into small classes and check them into the classes
(booking them if they had no booking), offline too. After every step no session has more
bookings holding a place than its capacity on the server, its counters match its bookings, and
the server holds no booking no kiosk made. At the end every booking made at a kiosk is on the
server exactly once, unless the server refused it for good (the member was already booked
there from another kiosk, or no longer eligible), and each kiosk's cached sessions' bookings
equal the server's.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from desktop.core.checkin.model import CheckinError
from desktop.core.kiosk import KioskCore
from server.bootstrap import Container
from shared.enums import CheckinMethod, PaymentMethod
from tests.integration import chaos
from tests.integration.helpers import Api, Tenant
from tests.integration.plans_helpers import DAY_PASS, MONTHLY

pytestmark = pytest.mark.slow

FIRST_NAMES = ["Amara", "Bjorn", "Chidi", "Dana", "Esi", "Farid"]
#: Phones shared by "the same person" registered as a walk-in at several kiosks.
SHARED_PHONES = ["+44 7700 900100", "+44 7700 900101"]
CLOCK_OFFSETS = [timedelta(0), timedelta(hours=-2), timedelta(minutes=-10), timedelta(hours=3)]
KIOSKS = st.integers(0, 2)
NAMES = st.sampled_from(FIRST_NAMES)
PICK = st.integers(0, 19)


@dataclass(frozen=True)
class Step:
    """One action of the run: a method of :class:`SyncChaos` and its arguments."""

    action: str
    args: dict[str, Any]

    def __repr__(self) -> str:
        return f"{self.action}({', '.join(f'{k}={v!r}' for k, v in self.args.items())})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a failing run's steps."""
        printer.text(repr(self))


def _steps(
    action: str, weight: int, **args: st.SearchStrategy[Any]
) -> list[st.SearchStrategy[Step]]:
    strategy = st.fixed_dictionaries(args).map(lambda given: Step(action, given))
    return [strategy] * weight


#: One rule drawing weighted actions, rather than a rule per action: hypothesis's stateful
#: runs switch whole rules off at random ("swarm testing"), which left many runs with only
#: crashes, or with no check-ins at all.
STEPS = st.one_of(
    *_steps("check_in", 5, k=KIOSKS, name=NAMES, picks=st.lists(PICK, min_size=1, max_size=6)),
    *_steps("sync", 3, k=KIOSKS),
    *_steps("register_walkin", 1, k=KIOSKS, name=NAMES, phone=st.integers(0, 4)),
    *_steps("sell_day_pass", 1, k=KIOSKS, name=NAMES, pick=PICK),
    *_steps("staff_creates_member", 1, name=NAMES),
    *_steps("staff_freezes_or_unfreezes", 2, pick=PICK, freeze=st.booleans()),
    *_steps("partition", 1, k=KIOSKS),
    *_steps("lose_answers", 1, k=KIOSKS),
    *_steps("heal", 1, k=KIOSKS),
    *_steps("crash", 1, k=KIOSKS),
    *_steps("set_clock", 1, k=KIOSKS, offset=st.sampled_from(CLOCK_OFFSETS)),
    *_steps("download_snapshot", 1, k=KIOSKS),
    *_steps("book_class", 2, k=KIOSKS, name=NAMES, pick=PICK, cls=st.integers(0, 1)),
    *_steps("class_check_in", 2, k=KIOSKS, name=NAMES, pick=PICK, cls=st.integers(0, 1)),
)
#: Places in each class: small, so that offline kiosks overbook them.
CLASS_PLACES = 2
#: Why the server may refuse a kiosk's booking for good: booked on it (or at that time, at
#: the other location) from another kiosk meanwhile, or no longer eligible.
REFUSALS = ("already booked", "already has a booking at that time", "not eligible")

RUN = settings(
    max_examples=15,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # Shrinking a failing run of real kiosks and a real server takes longer than the suite's
    # timeout allows; the failing run is printed step by step instead.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@dataclass
class Kiosk:
    name: str
    data_dir: Path
    http: httpx.Client
    link: chaos.FaultyTransport
    core: KioskCore
    offset: timedelta = timedelta(0)
    #: Check-in ids this kiosk recorded, as the desk saw them.
    recorded: set[str] = field(default_factory=set)
    #: Bookings made at this kiosk.
    booked: set[str] = field(default_factory=set)
    cursor: int = 0
    last_mutation_id: int = 0
    crashes: int = 0


class World:
    """What lives across examples: the server app (one per test) and a place for kiosks."""

    def __init__(self, api: Api, container: Container, root: Path) -> None:
        self.api, self.container, self.root = api, container, root
        self.serial = count(1)
        #: Across runs: kiosk bookings on the server, and how many the server waitlisted.
        self.bookings: Counter[str] = Counter()


class SyncChaos(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.api = world.api
        n = next(world.serial)
        self.tenant: Tenant = self.api.sign_up(f"chaos-{n}")
        here = self.api.create_location(self.tenant, "Here")
        there = self.api.create_location(self.tenant, "There")
        self.monthly = self._post("/plans", MONTHLY)["id"]
        self._post("/plans", DAY_PASS)
        self.memberships: list[str] = []
        self.phones = count(100_000)
        self.last_names = count(1)
        for name in FIRST_NAMES:
            self._server_member(name)
        # Two classes at each location, made before the kiosks' first download.
        self.classes = {
            place["id"]: [
                uuid.UUID(
                    chaos.add_class(
                        world.container,
                        self.tenant.id,
                        place["id"],
                        capacity=CLASS_PLACES,
                        # Check-in opens an hour before the start: class 0 is open now
                        # and class 1 to a kiosk whose clock runs hours ahead.
                        starts_in=timedelta(minutes=30 + 120 * i),
                        name=f"Class {i}",
                    )
                )
                for i in range(2)
            ]
            for place in (here, there)
        }
        self.kiosks = [
            self._enrol(f"k{i}", place["id"], world.root / f"run{n}" / f"k{i}")
            for i, place in enumerate([here, here, there])
        ]

    # -- set-up ------------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.api.client.post(path, json=body, headers=self.tenant.headers)
        assert response.status_code in (200, 201), (path, response.text)
        result: dict[str, Any] = response.json()
        return result

    def _server_member(self, first_name: str) -> None:
        member = self._post(
            "/members",
            {"first_name": first_name, "last_name": self._last_name(), "phone": self._phone()},
        )
        starts = (date.today() - timedelta(days=1)).isoformat()
        membership = self._post(
            f"/members/{member['id']}/memberships", {"plan_id": self.monthly, "starts_on": starts}
        )
        self.memberships.append(membership["id"])

    def _phone(self) -> str:
        return f"+44 7700 {next(self.phones)}"

    def _last_name(self) -> str:
        """Unique, so that searches list members in the same order when a run is replayed
        (ids are random; equal names would come back in an order that depends on them)."""
        return f"Chaos{next(self.last_names):03d}"

    def _enrol(self, name: str, location_id: str, data_dir: Path) -> Kiosk:
        code = self._post(f"/locations/{location_id}/enrolment-codes", {})["code"]
        http, link = chaos.kiosk_http(self.api.client)
        core = chaos.open_kiosk(data_dir, http, timedelta(0))
        status = core.enrol("http://testserver", code, f"Desk {name}")
        assert status.last_error is None, status.last_error
        kiosk = Kiosk(name, data_dir, http, link, core)
        kiosk.cursor, kiosk.last_mutation_id = core.sync.cursor()
        return kiosk

    @rule(step=STEPS)
    def run(self, step: Step) -> None:
        getattr(self, step.action)(**step.args)

    # -- desk actions at a kiosk ---------------------------------------------------------------

    def _find(self, kiosk: Kiosk, name: str, pick: int) -> uuid.UUID | None:
        hits = kiosk.core.checkin.search_members(name)
        return hits[pick % len(hits)].member_id if hits else None

    def _recorded(self, kiosk: Kiosk, checkin_id: uuid.UUID | None, repeated: bool) -> None:
        if checkin_id is None:
            # At the door, a member with a place in a class on now is checked into it; once
            # they are in, another scan says so and records nothing.
            assert repeated
            return
        if repeated:  # the desk's double-scan guard: the earlier visit, nothing new
            assert str(checkin_id) in kiosk.recorded
            return
        assert str(checkin_id) not in kiosk.recorded
        kiosk.recorded.add(str(checkin_id))

    def check_in(self, k: int, name: str, picks: list[int]) -> None:
        kiosk = self.kiosks[k]
        found = [self._find(kiosk, name, pick) for pick in picks]
        for new_visit in {m for m in found if m is not None}:
            kiosk.core.checkin.forget(new_visit)  # a new visit, not a double scan
        for member_id in found:
            if member_id is None:
                return
            outcome = kiosk.core.checkin.check_in(member_id, CheckinMethod.SEARCH)
            self._recorded(kiosk, outcome.checkin_id, outcome.repeated)

    def register_walkin(self, k: int, name: str, phone: int) -> None:
        kiosk = self.kiosks[k]
        number = SHARED_PHONES[phone] if phone < len(SHARED_PHONES) else self._phone()
        last_name = self._last_name()
        result = kiosk.core.checkin.register_walkin(name, last_name, phone=number)
        if not result.created:  # staff looks at the lookalikes and registers anyway
            assert result.duplicates
            result = kiosk.core.checkin.register_walkin(
                name, last_name, phone=number, allow_duplicates=True
            )
        assert result.member is not None
        # Walk-ins come to train: checked in straight away.
        outcome = kiosk.core.checkin.check_in(result.member.id, CheckinMethod.SEARCH)
        self._recorded(kiosk, outcome.checkin_id, outcome.repeated)

    def sell_day_pass(self, k: int, name: str, pick: int) -> None:
        kiosk = self.kiosks[k]
        member_id = self._find(kiosk, name, pick)
        plans = kiosk.core.checkin.pass_plans()
        if member_id is None or not plans:
            return
        _sale, outcome = kiosk.core.checkin.sell_pass(plans[0].id, member_id, PaymentMethod.CASH)
        self._recorded(kiosk, outcome.checkin_id, outcome.repeated)

    def _class(self, kiosk: Kiosk, cls: int) -> uuid.UUID:
        device = kiosk.core.device()
        assert device is not None
        return self.classes[str(device.location_id)][cls]

    def book_class(self, k: int, name: str, pick: int, cls: int) -> None:
        """Book a member into a class at the desk; the kiosk refuses a full class itself."""
        kiosk = self.kiosks[k]
        member_id = self._find(kiosk, name, pick)
        if member_id is None:
            return
        try:
            booking = kiosk.core.sessions.book(self._class(kiosk, cls), member_id)
        except CheckinError:
            return  # full, already booked, or not eligible as the kiosk sees it
        assert str(booking.booking_id) not in kiosk.booked
        kiosk.booked.add(str(booking.booking_id))

    def class_check_in(self, k: int, name: str, pick: int, cls: int) -> None:
        """Check a member into a class (booking them if they had no booking)."""
        kiosk = self.kiosks[k]
        member_id = self._find(kiosk, name, pick)
        if member_id is None:
            return
        try:
            result = kiosk.core.sessions.check_in(
                self._class(kiosk, cls), member_id, CheckinMethod.SEARCH
            )
        except CheckinError:
            return  # full without a booking, or waitlisted
        if result.already or not result.outcome.admitted:
            assert result.outcome.checkin_id is None or not result.outcome.admitted
            if result.outcome.checkin_id is not None:
                self._recorded(kiosk, result.outcome.checkin_id, result.outcome.repeated)
            return
        self._recorded(kiosk, result.outcome.checkin_id, False)
        if result.booked_now:
            assert result.booking_id is not None
            kiosk.booked.add(str(result.booking_id))

    # -- staff on the server -------------------------------------------------------------------

    def staff_creates_member(self, name: str) -> None:
        self._server_member(name)

    def staff_freezes_or_unfreezes(self, pick: int, freeze: bool) -> None:
        membership = self.memberships[pick % len(self.memberships)]
        if freeze:
            until = (date.today() + timedelta(days=7)).isoformat()
            path, body = f"/memberships/{membership}/freeze", {"until": until}
        else:
            path, body = f"/memberships/{membership}/unfreeze", {}
        response = self.api.client.post(path, json=body, headers=self.tenant.headers)
        # Freezing a frozen membership (or the reverse) is refused; anything else is a bug.
        assert response.status_code in (200, 409, 422), response.text

    # -- the network, crashes, clocks, sync -----------------------------------------------------

    def partition(self, k: int) -> None:
        self.kiosks[k].link.partitioned = True

    def lose_answers(self, k: int) -> None:
        self.kiosks[k].link.lossy = True

    def heal(self, k: int) -> None:
        self.kiosks[k].link.heal()

    def crash(self, k: int) -> None:
        """Stop the kiosk without warning; the program starts again over its data directory."""
        kiosk = self.kiosks[k]
        kiosk.core.close()
        kiosk.core = chaos.open_kiosk(kiosk.data_dir, kiosk.http, kiosk.offset)
        kiosk.crashes += 1

    def set_clock(self, k: int, offset: timedelta) -> None:
        """The kiosk's clock is set wrong (takes effect as the program restarts)."""
        kiosk = self.kiosks[k]
        kiosk.offset = offset
        self.crash(k)

    def sync(self, k: int) -> None:
        core = self.kiosks[k].core
        core.sync.push()
        core.sync.pull()

    def download_snapshot(self, k: int) -> None:
        self.kiosks[k].core.sync.refresh()

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def cursors_never_go_back(self) -> None:
        for kiosk in self.kiosks:
            cursor, last = kiosk.core.sync.cursor()
            assert cursor >= kiosk.cursor, (kiosk.name, cursor, kiosk.cursor)
            assert last >= kiosk.last_mutation_id, (kiosk.name, last, kiosk.last_mutation_id)
            kiosk.cursor, kiosk.last_mutation_id = cursor, last

    @invariant()
    def kiosks_keep_what_they_recorded(self) -> None:
        for kiosk in self.kiosks:
            assert set(chaos.local_checkins(kiosk.core)) == kiosk.recorded, kiosk.name

    @invariant()
    def server_never_doubles_or_invents_checkins(self) -> None:
        on_server = chaos.server_checkins(self.world.container, self.tenant.id)
        assert {i: n for i, n in on_server.items() if n != 1} == {}
        recorded = self._all_recorded()
        assert set(on_server) <= recorded, "the server holds check-ins no kiosk recorded"
        for kiosk in self.kiosks:
            missing = chaos.acknowledged_checkins(kiosk.core) - set(on_server)
            assert not missing, f"{kiosk.name} dropped unstored check-ins from its outbox"

    @invariant()
    def classes_never_pass_capacity_on_the_server(self) -> None:
        container, tenant = self.world.container, self.tenant.id
        bookings = chaos.server_bookings(container, tenant)
        for session_id, session in chaos.server_sessions(container, tenant).items():
            mine = [b for b in bookings.values() if b["session_id"] == session_id]
            holding = sum(b["status"] in ("confirmed", "pending") for b in mine)
            waiting = sum(b["status"] == "waitlisted" for b in mine)
            assert holding <= session.capacity == CLASS_PLACES, (session_id, holding)
            assert (session.confirmed_count, session.waitlist_count) == (holding, waiting)
        made = set().union(*(k.booked for k in self.kiosks))
        assert set(bookings) <= made, "the server holds bookings no kiosk made"

    # -- the end -------------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            if sys.exc_info()[0] is None:  # a failed step reports itself; don't mask it
                self._converge_and_compare()
        finally:
            for kiosk in self.kiosks:
                kiosk.core.close()
                kiosk.http.close()

    @staticmethod
    def _refused_bookings(kiosk: Kiosk) -> set[str]:
        """Bookings the server refused for good; nothing else may be refused."""
        refused = set()
        rows = kiosk.core.store.connection().execute(
            "SELECT name, args_json, reason FROM rejected_mutations"
        )
        for name, args, reason in rows:
            assert name == "booking.create.v1", (kiosk.name, name, reason)
            assert any(why in reason for why in REFUSALS), reason
            refused.add(json.loads(args)["id"])
        return refused

    def _all_recorded(self) -> set[str]:
        return set().union(*(k.recorded for k in self.kiosks))

    def _converge_and_compare(self) -> None:
        for kiosk in self.kiosks:
            kiosk.link.heal()
        for _round in range(5):
            # Every kiosk pushes before any pulls: after a clean round all have everything.
            for kiosk in self.kiosks:
                assert kiosk.core.sync.push() is not None, kiosk.core.sync.status().last_error
            for kiosk in self.kiosks:
                assert kiosk.core.sync.pull() is not None, kiosk.core.sync.status().last_error
            if all(k.core.sync.pending_count() == 0 for k in self.kiosks):
                break
        self.cursors_never_go_back()
        self.kiosks_keep_what_they_recorded()

        on_server = chaos.server_checkins(self.world.container, self.tenant.id)
        assert on_server == Counter(self._all_recorded()), "not every check-in exactly once"

        container, tenant = self.world.container, self.tenant.id
        members = chaos.server_members(container, tenant)
        memberships = chaos.server_memberships(container, tenant)
        self.classes_never_pass_capacity_on_the_server()
        bookings = chaos.server_bookings(container, tenant)
        self.world.bookings.update(b["status"] for b in bookings.values())
        for kiosk in self.kiosks:
            status = kiosk.core.sync.status()
            assert status.pending_count == 0, (kiosk.name, status.last_error)
            refused = self._refused_bookings(kiosk)
            assert status.rejected_count == len(refused), (kiosk.name, status.rejected_reason)
            assert kiosk.booked - refused <= set(bookings), "a kiosk booking went missing"
            assert not refused & set(bookings), "a refused booking is on the server"
            sessions = {str(s) for s in self.classes[str(kiosk.core.device().location_id)]}  # type: ignore[union-attr]
            here = {i: b for i, b in bookings.items() if b["session_id"] in sessions}
            assert chaos.kiosk_bookings(kiosk.core) == here, kiosk.name
            assert chaos.local_bookings(kiosk.core) == set(), kiosk.name
            assert chaos.kiosk_members(kiosk.core) == members, kiosk.name
            assert chaos.kiosk_memberships(kiosk.core) == memberships, kiosk.name
            assert chaos.local_rows(kiosk.core) == (0, 0), kiosk.name


def test_kiosks_with_crashes_partitions_and_lost_answers_converge(
    api: Api, container: Container, tmp_path: Path
) -> None:
    world = World(api, container, tmp_path)

    class Run(SyncChaos):
        def __init__(self) -> None:
            super().__init__(world)

    run_state_machine_as_test(Run, settings=RUN)
    # The runs did make bookings, and offline kiosks did overbook classes.
    assert world.bookings["confirmed"] > 0 and world.bookings["waitlisted"] > 0, world.bookings
