"""Utilisation reported back to ZPS: once per committed admission, whatever the retries,
lost answers and duplicate runs; pushed check-ins reconciled by the server's own decision;
benefit snapshots sent to kiosks and refreshed in batches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from server.benefits import service as benefits_service
from server.bootstrap import Container
from server.config import Settings
from shared.clock import utcnow
from tests.integration.bookings_helpers import open_studio
from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk, open_desk
from tests.integration.sync_helpers import Kiosk, review_items
from tests.integration.zps_helpers import (
    contract_zps,
    integrated,
    party_member,
    reports,
    snapshot,
)
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
    desk = open_desk(api, container, "zps-use")
    desk.separate_visits()
    return desk


def _report(container: Container, *, later: timedelta = timedelta(0)) -> int:
    assert container.benefits is not None
    return benefits_service.report_due(
        make_uow=container.uow, benefits=container.benefits, now=utcnow() + later
    )


def test_an_admission_is_reported_once_with_its_check_in(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    member = party_member(desk, zps, "party-u1", Benefit())
    response = desk.check_in(member)
    assert response.status_code == 201 and response.json()["admitted"] is True
    assert _report(container) == 1
    assert _report(container) == 0  # nothing left to send
    [(key, (_, body))] = zps.state.utilisations.items()
    assert body["visit_ref"] == response.json()["id"]
    assert body["party_id"] == "party-u1" and body["benefit_id"] == "ben-1"
    [row] = reports(container)
    assert row.state == "reported" and str(row.id) == key and row.receipt


def test_a_lost_answer_is_retried_with_the_same_key_and_counted_once(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    member = party_member(desk, zps, "party-u2", Benefit())
    assert desk.check_in(member).json()["admitted"] is True
    zps.state.faults.lose_utilisation_answers = 1
    assert _report(container) == 0  # ZPS recorded it, but its answer was lost
    [row] = reports(container)
    assert row.state == "pending" and row.attempts == 1 and row.last_error
    assert _report(container) == 0  # not due yet: backing off
    assert _report(container, later=timedelta(minutes=5)) == 1
    sent = zps.requests_to("/utilisation")
    assert len(sent) == 2 and sent[0][2]["Idempotency-Key"] == sent[1][2]["Idempotency-Key"]
    assert len(zps.state.utilisations) == 1  # one visit at ZPS
    [row] = reports(container)
    assert row.state == "reported"


def test_zps_down_keeps_reports_until_it_answers(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    members = [party_member(desk, zps, f"party-d{i}", Benefit()) for i in range(3)]
    for member in members:
        assert desk.check_in(member).json()["admitted"] is True
    zps.state.faults.fail_utilisations = 6
    later = timedelta(0)
    for _ in range(2):
        assert _report(container, later=later) == 0
        later += timedelta(hours=1)
    assert _report(container, later=later) == 3
    assert len(zps.state.utilisations) == 3
    assert {r.state for r in reports(container)} == {"reported"}


def test_a_decision_without_an_admission_is_not_reported(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    """The kiosk refused (offline) a member ZPS would admit: the server decided on the
    benefit at the push, but no visit was used."""
    member = party_member(desk, zps, "party-u3", Benefit())
    kiosk = Kiosk.of(desk)
    [result] = kiosk.pushed([kiosk.checkin(member, admitted=False, reason="no membership")])
    assert result["status"] == "applied"
    assert _report(container) == 0
    assert [r.state for r in reports(container)] == ["void"]
    assert zps.state.utilisations == {}


def test_pushed_check_ins_are_reconciled_by_the_server_in_one_zps_batch(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    covered = party_member(desk, zps, "party-p1", Benefit())
    lapsed = party_member(
        desk, zps, "party-p2", Benefit(eligible=False, reason="benefit ended", benefit_id=None)
    )
    kiosk = Kiosk.of(desk)
    results = kiosk.pushed(
        [
            kiosk.checkin(covered, reason="ZPS benefit ben-1 (checked 3 h ago)"),
            kiosk.checkin(lapsed, reason="ZPS benefit ben-2 (checked 20 h ago)"),
        ]
    )
    assert [r["status"] for r in results] == ["applied", "applied"]  # facts, never lost
    assert len(zps.requests_to("/eligibility/batch")) == 1
    assert zps.requests_to("/eligibility/check") == []
    # The server disagrees about one: staff are told, the check-in stands.
    flagged = [i for i in review_items(desk, status="open") if i["kind"] == "ineligible_admission"]
    assert len(flagged) == 1 and "benefit ended" in flagged[0]["summary"]
    assert flagged[0]["member_id"] == lapsed
    assert _report(container) == 1
    [(_, body)] = zps.state.utilisations.values()
    assert body["party_id"] == "party-p1"
    # What ZPS said is now each member's snapshot.
    kept = snapshot(container, lapsed)
    assert kept is not None and not kept.eligible


def test_a_push_while_zps_is_down_decides_from_the_snapshots(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    member = party_member(desk, zps, "party-p3", Benefit())
    assert desk.check_in(member).json()["admitted"] is True
    zps.state.faults.status = 503
    kiosk = Kiosk.of(desk)
    [result] = kiosk.pushed([kiosk.checkin(member)])
    assert result["status"] == "applied" and not result.get("review_item_id")
    assert [i for i in review_items(desk, status="open")] == []


def test_kiosks_receive_each_benefit_answer_and_the_snapshot_holds_them(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    member = party_member(desk, zps, "party-s1", Benefit())
    kiosk = Kiosk.of(desk)
    _, cursor = kiosk.pull_all()
    assert desk.check_in(member).json()["admitted"] is True
    changes, _ = kiosk.pull_all(cursor)
    [row] = [c for c in changes if c["table"] == "benefit_snapshots"]
    assert row["data"]["member_id"] == member and row["data"]["eligible"] is True
    assert row["data"]["benefit_id"] == "ben-1"
    document = desk.api.client.get("/sync/snapshot", headers=kiosk.headers)
    assert document.status_code == 200, document.text
    [held] = document.json()["benefit_snapshots"]
    assert held["member_id"] == member and held["valid_until"] and held["checked_at"]


def test_refresh_asks_for_stale_snapshots_in_one_batch(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    members = [party_member(desk, zps, f"party-r{i}", Benefit()) for i in range(4)]
    desk.member()  # no party: not asked
    assert container.benefits is not None
    refreshed = benefits_service.refresh_snapshots(
        make_uow=container.uow, benefits=container.benefits
    )
    assert refreshed == 4
    [(_, _, _, body)] = zps.requests_to("/eligibility/batch")
    assert sorted(c["party_id"] for c in body["checks"]) == [f"party-r{i}" for i in range(4)]
    assert all(snapshot(container, m) is not None for m in members)
    # Fresh now: nothing to ask.
    again = benefits_service.refresh_snapshots(make_uow=container.uow, benefits=container.benefits)
    assert again == 0
    # ZPS down: the snapshots stay as they were.
    zps.state.faults.status = 500
    stale = benefits_service.refresh_snapshots(
        make_uow=container.uow, benefits=container.benefits, older_than=timedelta(0)
    )
    assert stale == 0 and all(snapshot(container, m) is not None for m in members)
    assert uuid.UUID(members[0])


def test_a_booking_on_a_benefit_is_reported_at_the_door_not_when_booked(
    api: Api, container: Container, zps: RunningZps
) -> None:
    studio = open_studio(api, container, "zps-book")
    member = party_member(studio.desk, zps, "party-b1", Benefit())
    session_id = studio.session()
    booked = studio.book(session_id, member)
    assert booked.status_code == 201, booked.text
    [(_, path, _, sent)] = zps.state.requests  # the booking queue asks in a batch
    assert path == "/eligibility/batch"
    assert [c["purpose"] for c in sent["checks"]] == ["booking"]
    assert reports(container) == []  # a place in a class is not a visit


def test_two_processes_reporting_at_once_report_each_visit_once(
    desk: Desk, zps: RunningZps, container: Container
) -> None:
    """Two server processes run the job at the same moment: both may send a report, with
    the same idempotency key, and ZPS counts each visit once."""
    members = [party_member(desk, zps, f"party-c{i}", Benefit()) for i in range(4)]
    for member in members:
        assert desk.check_in(member).json()["admitted"] is True
    zps.state.faults.latency = 0.05  # both runs are in flight together
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: _report(container), range(2)))
    assert 4 <= sum(runs) <= 8
    sent = zps.requests_to("/utilisation")
    keys = [headers["Idempotency-Key"] for _, _, headers, _ in sent]
    assert len(set(keys)) == 4 and len(zps.state.utilisations) == 4
    assert {r.state for r in reports(container)} == {"reported"}
    assert _report(container, later=timedelta(hours=2)) == 0
