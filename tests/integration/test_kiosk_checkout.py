"""Check-out at the kiosk reaches the ledger: the visit's movement is corrected once, by the
same check-out as the member app's, however often the push is replayed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.checkin.checkout import OpenVisit
from desktop.core.store.sync_state import RejectedRepository
from server.bootstrap import Container
from server.engagement.models import MovementEvent
from shared.enums import CheckinMethod
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.integration.sync_helpers import Kiosk


@pytest.fixture
def desk(api: Api, container: Container) -> Desk:
    return open_desk(api, container, "checkout-gym", timezone="Europe/London")


def _member(desk: Desk) -> str:
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    return member


def _events(desk: Desk, member: str) -> list[MovementEvent]:
    with desk.container.uow() as uow:
        rows = uow.db.execute(
            select(MovementEvent)
            .where(MovementEvent.member_id == uuid.UUID(member))
            .order_by(MovementEvent.id)  # ids are time-ordered (UUIDv7)
        ).scalars()
        return list(rows)


def _standing(rows: list[MovementEvent]) -> list[MovementEvent]:
    return [r for r in rows if not r.is_void and r.voided_by is None]


def _checkout(kiosk: Kiosk, checkin: dict[str, Any], minutes: int, **extra: Any) -> Any:
    args = {
        "checkin_id": checkin["args"]["checkin_id"],
        "member_id": checkin["args"]["member_id"],
        "minutes": minutes,
        **extra,
    }
    return kiosk.mutation("checkin.checkout.v1", args)


def test_a_kiosk_checks_out_offline_and_the_push_corrects_the_ledger_once(
    desk: Desk, tmp_path: Path
) -> None:
    member = _member(desk)
    code = desk.api.client.post(
        f"/locations/{desk.location['id']}/enrolment-codes", headers=desk.admin
    )
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"),
        http_client=desk.api.client,
    )
    try:
        core.enrol("http://testserver", code.json()["code"], "Front desk")
        admitted = core.checkin.check_in(uuid.UUID(member), CheckinMethod.SEARCH)
        assert admitted.admitted, admitted.reason
        visit = core.checkout.open_visit(uuid.UUID(member))
        core.checkout.check_out(visit, minutes=50)
        # Both wait in the outbox and go in one push: the check-in first, then its check-out.
        assert core.sync.pending_count() == 2
        assert core.sync.push() is not None
        assert core.sync.pending_count() == 0
        rows = _events(desk, member)
        door, out = rows
        assert (door.checkin_id, door.voided_by) == (admitted.checkin_id, out.id)
        assert (out.voids, out.minutes, out.checkin_id) == (door.id, 50, admitted.checkin_id)
        assert (out.source, out.provenance, out.reason) == ("desk", "staff_recorded", "checked out")
        # A check-out for a visit the server never got is refused, and the kiosk keeps why.
        ghost = OpenVisit(uuid.uuid4(), uuid.UUID(member), "Ama", visit.admitted_at, 10)
        core.checkout.check_out(ghost, minutes=10)
        assert core.sync.push() is not None
        refused = RejectedRepository(core.store.connection()).latest()
        assert len(refused) == 1
        assert "there is no visit to check out of" in refused[0].reason
        # The staff desk's list of actions says which one and why.
        listed = [a for a in core.desk.pending_actions() if a.mutation_id == refused[0].mutation_id]
        assert [a.what for a in listed] == ["Check-out"]
        assert "there is no visit to check out of" in listed[0].state
        assert len(_events(desk, member)) == 2
    finally:
        core.close()


def test_a_replayed_push_changes_nothing_and_the_latest_check_out_stands(desk: Desk) -> None:
    member = _member(desk)
    kiosk = Kiosk.of(desk)
    at = (datetime.now(UTC) - timedelta(minutes=70)).isoformat()
    checkin = kiosk.checkin(member, at=at)
    first = _checkout(kiosk, checkin, 60)
    batch = [checkin, first]
    assert [r["status"] for r in kiosk.pushed(batch)] == ["applied", "applied"]
    assert [r["status"] for r in kiosk.pushed(batch)] == ["duplicate", "duplicate"]
    assert len(_events(desk, member)) == 2
    # Checked out again (staff fixed the minutes): the latest replaces the first.
    second = _checkout(kiosk, checkin, 65)
    assert kiosk.pushed([second])[0]["status"] == "applied"
    rows = _events(desk, member)
    assert len(rows) == 3
    assert [r.minutes for r in _standing(rows)] == [65]
    assert [r["status"] for r in kiosk.pushed([second])] == ["duplicate"]
    assert len(_events(desk, member)) == 3
    # Did not train after all: the visit's movement is voided.
    gone = _checkout(kiosk, checkin, 1, completed=False)
    assert kiosk.pushed([gone])[0]["status"] == "applied"
    assert _standing(_events(desk, member)) == []


def test_check_outs_the_server_cannot_apply_are_rejected_one_by_one(desk: Desk) -> None:
    member, other = _member(desk), _member(desk)
    kiosk = Kiosk.of(desk)
    refused = kiosk.checkin(member, admitted=False)
    theirs = kiosk.checkin(other)
    never_pushed = {"args": {"checkin_id": str(uuid.uuid4()), "member_id": member}}
    ghost = _checkout(kiosk, never_pushed, 30)
    wrong_member = _checkout(kiosk, theirs, 30)
    wrong_member["args"]["member_id"] = member
    batch = [refused, theirs, ghost, wrong_member]
    batch += [_checkout(kiosk, refused, 30), _checkout(kiosk, theirs, 601)]
    batch += [_checkout(kiosk, theirs, 45)]
    results = kiosk.pushed(batch)
    statuses = [(r["status"], r.get("reason") or "") for r in results]
    assert [s for s, _ in statuses] == ["applied", "applied"] + ["rejected"] * 4 + ["applied"]
    assert "never pushed" in statuses[2][1] and "never pushed" in statuses[3][1]
    assert "has no visit to confirm" in statuses[4][1]
    assert "minutes" in statuses[5][1]
    assert [r.minutes for r in _standing(_events(desk, other))] == [45]
    assert _events(desk, member) == []


def test_a_kiosk_checks_out_visits_at_its_own_location_only(desk: Desk) -> None:
    member = _member(desk)
    here = Kiosk.of(desk)
    elsewhere = desk.api.create_location(desk.tenant, "Annex", timezone="Europe/London")
    there = Kiosk.enrol(desk, elsewhere["id"])
    checkin = here.checkin(member)
    assert here.pushed([checkin])[0]["status"] == "applied"
    result = there.pushed([_checkout(there, checkin, 30)])[0]
    assert (result["status"], result["reason"]) == (
        "rejected",
        "a kiosk checks out visits at its own location only",
    )
