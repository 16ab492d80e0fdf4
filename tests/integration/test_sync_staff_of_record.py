"""Walk-ins and card assignments pushed by a kiosk name the staff member who did them; the
server records who, and refuses a name that is not staff of the kiosk's location."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.bootstrap import Container
from server.members.models import Member
from tests.integration.helpers import Api
from tests.integration.plans_helpers import open_desk
from tests.integration.sync_helpers import Kiosk


def _recorded(container: Container, member_id: str) -> tuple[Any, ...] | None:
    with container.uow() as uow:
        row = uow.db.execute(
            select(Member.registered_by, Member.card_assigned_by, Member.card_number).where(
                Member.id == uuid.UUID(member_id)
            )
        ).first()
    return None if row is None else tuple(str(v) if v is not None else None for v in row)


def test_a_walk_in_records_who_registered_them(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "walkin-staff")
    elsewhere = open_desk(api, container, "walkin-staff-other")
    kiosk = Kiosk.of(desk)
    staff = desk.desk_staff_id
    by_staff = kiosk.walkin("Akosua", "Darko", card_number="300001", staff_id=staff)
    unknown = kiosk.walkin("Kofi", "Boateng", staff_id=str(uuid.uuid4()))
    foreign = kiosk.walkin("Efua", "Mensah", staff_id=elsewhere.desk_staff_id)
    older_kiosk = kiosk.walkin("Yaw", "Asante")
    results = kiosk.pushed([by_staff, unknown, foreign, older_kiosk])
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert "is not staff of this location" in results[1]["reason"]
    assert "is not staff of this location" in results[2]["reason"]
    assert _recorded(container, by_staff["args"]["member_id"]) == (staff, staff, "300001")
    assert _recorded(container, unknown["args"]["member_id"]) is None
    assert _recorded(container, foreign["args"]["member_id"]) is None
    assert _recorded(container, older_kiosk["args"]["member_id"]) == (None, None, None)


def test_a_card_assignment_records_who_gave_the_card(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "card-staff")
    kiosk = Kiosk.of(desk)
    member, other = desk.member(), desk.member(first_name="Kwame")
    staff = desk.desk_staff_id

    def assign(member_id: str, card: str, staff_id: str) -> Any:
        args = {"member_id": member_id, "card_number": card, "staff_id": staff_id}
        return kiosk.mutation("member.card.assign.v1", args)

    results = kiosk.pushed(
        [assign(member, "4411", staff), assign(other, "4412", str(uuid.uuid4()))]
    )
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "is not staff of this location" in results[1]["reason"]
    assert _recorded(container, member) == (None, staff, "4411")
    assert _recorded(container, other) == (None, None, None)
