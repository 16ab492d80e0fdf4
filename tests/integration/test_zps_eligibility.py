"""Integrated eligibility against a loopback ZPS that follows docs/zhep/zps.openapi.yaml:
door decisions by ZPS, the fallback to the last-known benefit with its age, and the
combination with local memberships. Every request and answer is checked against the
contract (the ``zps`` fixture fails the test on a violation)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import update

from server.adapters.local_eligibility import LocalEligibility
from server.adapters.zhep_eligibility import ZhepEligibility
from server.adapters.zps_benefits import ZpsBenefits
from server.bootstrap import Container, background_jobs, build_container
from server.config import Settings
from server.members.models import Member
from tests.integration.bookings_helpers import open_studio
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.integration.zps_helpers import (
    age_snapshot,
    contract_zps,
    integrated,
    party_member,
    reports,
    snapshot,
)
from tests.loopback import zps_contract
from tests.loopback.zps import Benefit, RunningZps


@pytest.fixture
def zps() -> Iterator[RunningZps]:
    with contract_zps() as running:
        yield running


@pytest.fixture
def settings(settings: Settings, zps: RunningZps) -> Settings:
    return integrated(settings, zps)


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, "zps-gym")


def _door(desk: Desk, member_id: str) -> dict[str, object]:
    response = desk.check_in(member_id)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_contract_file_is_openapi_3_1_with_the_three_operations() -> None:
    document = zps_contract.document()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/eligibility/check", "/eligibility/batch", "/utilisation"}
    assert document["components"]["securitySchemes"]["serviceToken"]["scheme"] == "bearer"
    assert zps_contract.required_headers("/utilisation") == ["Idempotency-Key"]
    # The checker is not a rubber stamp.
    result_schema = zps_contract.response_schema("/eligibility/check", 200)
    assert zps_contract.problems_of({"eligible": "maybe"}, result_schema)


def test_zps_admits_a_member_with_no_membership(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    member = party_member(desk, zps, "party-1", Benefit(visits_left=7))
    body = _door(desk, member)
    assert body["admitted"] is True
    assert "ZPS benefit ben-1" in str(body["reason"]) and "7 visits left" in str(body["reason"])
    [(_, path, headers, sent)] = zps.state.requests
    assert path == "/eligibility/check"
    assert headers["Authorization"] == "Bearer zps-test-key"
    assert sent["party_id"] == "party-1" and sent["purpose"] == "door"
    assert sent["provider_location_id"] == desk.location["id"]
    kept = snapshot(container, member)
    assert kept is not None and kept.eligible and kept.benefit_id == "ben-1"
    [report] = reports(container)
    assert (report.state, report.party_id, report.benefit_id) == ("pending", "party-1", "ben-1")


def test_zps_refuses_and_says_why(desk: Desk, zps: RunningZps, container: Container) -> None:
    member = party_member(
        desk, zps, "party-2", Benefit(eligible=False, reason="wallet empty", benefit_id=None)
    )
    body = _door(desk, member)
    assert body["admitted"] is False and "ZPS: wallet empty" in str(body["reason"])
    assert reports(container) == []


def test_a_local_membership_admits_without_asking_zps(desk: Desk, zps: RunningZps) -> None:
    member = party_member(desk, zps, "party-3", Benefit())
    desk.membership(member, desk.plan(MONTHLY))
    body = _door(desk, member)
    assert body["admitted"] is True and "ZPS" not in str(body["reason"])
    assert zps.state.requests == []


def test_a_member_without_a_party_is_decided_locally(desk: Desk, zps: RunningZps) -> None:
    member = desk.member()
    body = _door(desk, member)
    assert body["admitted"] is False and "ZPS" not in str(body["reason"])
    assert zps.state.requests == []


@pytest.mark.parametrize("fault", ["status", "timeout", "malformed"])
def test_zps_failing_falls_back_to_the_last_known_benefit_with_its_age(
    desk: Desk, zps: RunningZps, container: Container, fault: str
) -> None:
    desk.separate_visits()
    member = party_member(desk, zps, "party-4", Benefit())
    assert _door(desk, member)["admitted"] is True
    age_snapshot(container, member, timedelta(hours=3))
    if fault == "status":
        zps.state.faults.status = 503
    elif fault == "timeout":
        zps.state.faults.latency = 0.6
    else:
        zps.state.faults.malformed = True
    started = time.perf_counter()
    body = _door(desk, member)
    took = time.perf_counter() - started
    assert body["admitted"] is True, body
    assert "ZPS unavailable" in str(body["reason"])
    assert "ZPS benefit checked 3 h ago" in str(body["reason"])
    if fault == "timeout":
        assert took < 0.5  # the door did not wait for the slow answer
    # Both admissions are reported (the second from the snapshot's benefit).
    assert [r.benefit_id for r in reports(container)] == ["ben-1", "ben-1"]


def test_no_earlier_check_and_no_answer_refuses(desk: Desk, zps: RunningZps) -> None:
    member = party_member(desk, zps, "party-5", Benefit())
    zps.state.faults.status = 500
    body = _door(desk, member)
    assert body["admitted"] is False
    assert "no ZPS benefit check is known" in str(body["reason"])


def test_a_refused_key_is_no_answer(desk: Desk, zps: RunningZps) -> None:
    member = party_member(desk, zps, "party-6", Benefit())
    zps.state.api_key = "rotated-at-zps"
    body = _door(desk, member)
    assert body["admitted"] is False
    assert "ZPS answered 401" in str(body["reason"])
    [(_, _, _, sent)] = zps.state.requests
    assert sent["party_id"] == "party-6"


def test_an_expired_snapshot_does_not_admit(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    desk.separate_visits()
    member = party_member(desk, zps, "party-7", Benefit(valid_for=timedelta(hours=2)))
    assert _door(desk, member)["admitted"] is True
    age_snapshot(container, member, timedelta(hours=3))
    zps.state.faults.status = 502
    body = _door(desk, member)
    assert body["admitted"] is False and "has expired" in str(body["reason"])
    assert "(ZPS benefit checked 3 h ago)" in str(body["reason"])


def test_integrated_mode_with_zps_settings_chooses_zps(settings: Settings) -> None:
    integrated = build_container(settings)
    standalone = build_container(settings.model_copy(update={"mode": "standalone"}))
    unkeyed = build_container(settings.model_copy(update={"zps_api_key": None}))
    try:
        assert isinstance(integrated.eligibility, ZhepEligibility)
        assert isinstance(standalone.eligibility, LocalEligibility)
        assert isinstance(unkeyed.eligibility, LocalEligibility)
        assert standalone.benefits is None and unkeyed.benefits is None
        jobs = background_jobs(
            build_container(settings.model_copy(update={"background_jobs": True}))
        )
        assert {"benefits.report", "benefits.refresh"} <= {job.name for job in jobs}
    finally:
        for container in (integrated, standalone, unkeyed):
            container.dispose()


def test_a_zps_address_that_is_not_one_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match=r"zps_url\n.*a ZHEP service URL must be"):
        Settings(zps_url="zps.example/v1?x=1")
    assert Settings(zps_url=" https://zps.example/v1/ ").zps_url == "https://zps.example/v1"


def test_no_lock_is_held_while_zps_answers(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    """ZPS is asked before the check-in's write transaction: while it holds its answer,
    another writer changes the same member (on SQLite: any write at all) at once; the
    check-in then decides on the answer it already has, asking ZPS only once."""
    member = party_member(desk, zps, "party-slow", Benefit())
    with httpx.Client(timeout=15.0) as patient:
        benefits = ZpsBenefits(patient, base_url=zps.url, api_key=zps.state.api_key)
        container.eligibility = ZhepEligibility(benefits)
        _door_while_writing(desk, zps, container, member)


def test_no_lock_is_held_while_zps_answers_about_a_booking(
    api: Api, zps: RunningZps, container: Container
) -> None:
    """The booking queue asks ZPS (in one batch) before its write transaction too."""
    studio = open_studio(api, container, "zps-book-lock")
    member = party_member(studio.desk, zps, "party-book", Benefit())
    session_id = studio.session()

    def book() -> dict[str, object]:
        response = studio.book(session_id, member)
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    answered = _while_writing(zps, container, member, book)
    assert answered["status"] == "confirmed"
    assert [path for _, path, _, _ in zps.state.requests] == ["/eligibility/batch"]


def _door_while_writing(desk: Desk, zps: RunningZps, container: Container, member: str) -> None:
    answered = _while_writing(zps, container, member, lambda: _door(desk, member))
    assert answered["admitted"] is True
    assert len(zps.requests_to("/eligibility/check")) == 1


def _while_writing(
    zps: RunningZps, container: Container, member: str, act: Callable[[], dict[str, object]]
) -> dict[str, object]:
    """``act`` while ZPS holds its answer; meanwhile another writer changes ``member``,
    and must not wait. ``act``'s answer."""
    hold = zps.state.faults.hold = threading.Event()
    answered: list[dict[str, object]] = []
    acting = threading.Thread(target=lambda: answered.append(act()))
    acting.start()
    deadline = time.monotonic() + 10
    while not zps.state.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert zps.state.requests, "ZPS was never asked"

    def write() -> None:
        with container.uow() as uow:
            uow.db.execute(
                update(Member)
                .where(Member.id == uuid.UUID(member))
                .values(first_name="Written-while-ZPS-answered")
            )
            uow.commit()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=3)
    written = not writer.is_alive()
    hold.set()
    acting.join(timeout=15)
    writer.join(timeout=15)
    assert written, "the writer waited for a transaction that waited for ZPS"
    assert answered, "no answer"
    return answered[0]
