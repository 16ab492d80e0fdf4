"""Every eligibility decision goes through the EligibilityService port, on every path.

The server runs with a fake adapter that refuses everyone with a reason no real adapter
gives and counts the questions. Each path (door check-in, a booking alone, a queued batch of
bookings, a kiosk's booking and its check-ins pushed in a batch or alone) must come back
with that reason, after asking exactly once per decision: a path that decided on its own
would admit the members, whose memberships are all valid, or give another reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from server.bookings.placing import place_booking
from server.bookings.queue import BookingRequest, apply_batch
from server.bootstrap import Container, Ports, build_container
from server.config import Settings
from server.errors import Conflict
from server.ports.eligibility import Purpose
from shared.enums import BookingSource
from tests.fakes import FakeEligibility
from tests.fakes.eligibility import REFUSAL
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.sync_helpers import Kiosk, review_items


@pytest.fixture
def eligibility() -> FakeEligibility:
    return FakeEligibility()


@pytest.fixture
def container(settings: Settings, eligibility: FakeEligibility) -> Iterator[Container]:
    container = build_container(settings, ports=Ports(eligibility=eligibility))
    yield container
    container.dispose()


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "port-gym")


def test_the_door_asks_the_port(studio: Studio, eligibility: FakeEligibility) -> None:
    member = studio.member()
    response = studio.desk.check_in(member)
    assert response.status_code == 201, response.text
    assert response.json()["admitted"] is False
    assert response.json()["reason"] == REFUSAL
    [asked] = eligibility.asked
    assert (str(asked.member_id), asked.purpose) == (member, Purpose.DOOR)


def test_a_booking_alone_asks_the_port(
    studio: Studio, container: Container, eligibility: FakeEligibility
) -> None:
    session_id, member = studio.session(), studio.member()
    with container.uow() as uow, pytest.raises(Conflict) as refused:
        place_booking(
            uow=uow,
            eligibility=container.eligibility,
            tenant_id=uuid.UUID(studio.tenant_id),
            session_id=uuid.UUID(session_id),
            member_id=uuid.UUID(member),
            source=BookingSource.STAFF,
        )
    assert refused.value.code == "not_eligible" and REFUSAL in refused.value.detail
    [asked] = eligibility.asked
    assert (str(asked.member_id), asked.purpose) == (member, Purpose.BOOKING)
    assert studio.counts(session_id) == (0, 0)


def test_a_queued_batch_of_bookings_asks_the_port_in_one_batch(
    studio: Studio, container: Container, eligibility: FakeEligibility
) -> None:
    session_id = studio.session()
    members = [studio.member() for _ in range(3)] + [studio.member(plan=studio.pack_plan)]
    requests = [
        BookingRequest(
            tenant_id=uuid.UUID(studio.tenant_id),
            session_id=uuid.UUID(session_id),
            member_id=uuid.UUID(m),
            source=BookingSource.STAFF,
        )
        for m in members
    ]
    outcomes = apply_batch(container.uow(), requests, eligibility=container.eligibility)
    for outcome in outcomes:
        assert isinstance(outcome, Conflict) and outcome.code == "not_eligible"
        assert REFUSAL in outcome.detail
    assert len(eligibility.batches) == 1
    assert [str(r.member_id) for r in eligibility.asked] == members
    # Through the API (the process's queue) too.
    response = studio.book(session_id, members[0])
    assert response.status_code == 409 and REFUSAL in response.json()["detail"]
    assert len(eligibility.batches) == 2 and len(eligibility.asked) == len(members) + 1
    assert studio.counts(session_id) == (0, 0)


def test_a_kiosk_booking_asks_the_port(studio: Studio, eligibility: FakeEligibility) -> None:
    kiosk = Kiosk.of(studio.desk)
    session_id, member = studio.session(), studio.member()
    booking = kiosk.mutation(
        "booking.create.v1",
        {"id": str(uuid.uuid4()), "session_id": session_id, "member_id": member},
    )
    [result] = kiosk.pushed([booking])
    assert result["status"] == "rejected" and REFUSAL in result["reason"]
    [asked] = eligibility.asked
    assert asked.purpose is Purpose.BOOKING


def test_pushed_check_ins_ask_the_port_batched_or_alone(
    studio: Studio, eligibility: FakeEligibility
) -> None:
    kiosk = Kiosk.of(studio.desk)
    members = [studio.member() for _ in range(4)]
    several = [kiosk.checkin(m) for m in members]
    results = kiosk.pushed(several)
    assert [r["status"] for r in results] == ["applied"] * 4  # a check-in is a fact
    assert len(eligibility.batches) == 1
    assert [str(r.member_id) for r in eligibility.asked] == members
    alone = studio.member()
    [result] = kiosk.pushed([kiosk.checkin(alone)])
    assert result["status"] == "applied" and result["review_item_id"]
    assert len(eligibility.batches) == 2 and str(eligibility.asked[-1].member_id) == alone
    assert all(r.purpose is Purpose.DOOR for r in eligibility.asked)
    # The server would have refused each one, for the port's reason: staff are told.
    items = review_items(studio.desk, status="open")
    refused = [i for i in items if i["kind"] == "ineligible_admission"]
    assert len(refused) == 5 and all(REFUSAL in i["summary"] for i in refused)
