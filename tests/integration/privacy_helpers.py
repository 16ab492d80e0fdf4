"""A member with data in every area the export and erasure cover, and another beside them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.bootstrap import Container
from server.members.models import Member
from shared.ids import new_id
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.integration.sales_helpers import sold
from tests.integration.screening_helpers import screening_world

#: The member's identifying values: none may remain anywhere once they are erased.
EFUA = {
    "first_name": "Efua",
    "last_name": "Quartey",
    "email": "efua.quartey@mail.example",
    "phone": "+233201112233",
    "barcode": "EFQ-0001",
    "card_number": "CARD-77110",
}
COACH_NOTE = "Knee sore after squats, GP seen"
ALERT = "waiver missing for Efua"


def add_person(container: Container, tenant_id: str, **fields: Any) -> str:
    member_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            Member(
                tenant_id=uuid.UUID(tenant_id),
                id=member_id,
                source="desk",
                fitness_goals=["run a 5k"],
                preferences={},
                **fields,
            )
        )
        uow.commit()
    return str(member_id)


@dataclass
class PrivacyWorld:
    desk: Desk
    member_id: str
    other_id: str
    sale_id: str

    @property
    def owner(self) -> dict[str, str]:
        return self.desk.admin

    def member(self, member_id: str | None = None) -> dict[str, str]:
        return member_headers(self.desk.container, self.desk.tenant.id, member_id or self.member_id)


def privacy_world(api: Api, container: Container, slug: str) -> PrivacyWorld:
    """Efua with a sale, a membership, a check-in, a screening, a clearance, a risk flag, a
    coach's note, an alert and a correction she asked for; Kofi with a sale of his own."""
    desk = open_desk(api, container, slug)
    member_id = add_person(container, desk.tenant.id, **EFUA)
    other_id = add_person(
        container, desk.tenant.id, first_name="Kofi", last_name="Boateng", email="kofi@m.example"
    )
    plan_id = desk.plan(MONTHLY)
    sale = sold(desk, member_id, plan_id, "45.00")
    sold(desk, other_id, plan_id, "45.00")
    checked = desk.check_in(member_id)
    assert checked.status_code == 201, checked.text
    screening_world(api, desk.tenant, member_id)
    headers = desk.admin
    contact = api.client.post(
        f"/coaching/members/{member_id}/contacts",
        json={"kind": "note", "text": COACH_NOTE},
        headers=headers,
    )
    assert contact.status_code == 201, contact.text
    alert = api.client.post(f"/members/{member_id}/alerts", json={"text": ALERT}, headers=headers)
    assert alert.status_code == 201, alert.text
    world = PrivacyWorld(desk=desk, member_id=member_id, other_id=other_id, sale_id=sale["sale_id"])
    asked = api.client.post(
        "/me/rectification-requests",
        json={"details": "My phone number is +233 20 111 2233"},
        headers=world.member(),
    )
    assert asked.status_code == 201, asked.text
    return world
