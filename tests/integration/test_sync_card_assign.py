"""``member.card.assign.v1``: a card staff gave a member at the kiosk reaches the server; a
card that is already another member's is never taken from them but left for review."""

from __future__ import annotations

from typing import Any

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import open_desk
from tests.integration.sync_helpers import Kiosk, review_items


def _assign(kiosk: Kiosk, member_id: str, card: str) -> Any:
    return kiosk.mutation("member.card.assign.v1", {"member_id": member_id, "card_number": card})


def test_card_assigned_at_the_kiosk_is_saved_and_pulled(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "card-assign")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    batch = [_assign(kiosk, member, "4411 0099")]
    results = kiosk.pushed(batch)
    assert [r["status"] for r in results] == ["applied"], results
    got = api.client.get(f"/members/{member}", headers=desk.admin).json()
    assert got["card_number"] == "4411 0099"
    changes, _ = kiosk.pull_all()
    pulled = [c for c in changes if c["table"] == "members" and c["row_id"] == member]
    assert pulled and pulled[-1]["data"]["card_number"] == "4411 0099"
    # A replay of the same assignment changes nothing and raises no review item.
    assert [r["status"] for r in kiosk.pushed([_assign(kiosk, member, "4411 0099")])] == ["applied"]
    assert review_items(desk) == []


def test_a_card_of_another_member_is_not_stolen(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "card-taken")
    holder = desk.member(first_name="Kwame", card_number="7001")
    member = desk.member(first_name="Efua")
    kiosk = Kiosk.of(desk)
    [result] = kiosk.pushed([_assign(kiosk, member, "7001")])
    assert result["status"] == "applied" and "review" in result["reason"]
    assert result["review_item_id"] is not None
    assert api.client.get(f"/members/{holder}", headers=desk.admin).json()["card_number"] == "7001"
    assert api.client.get(f"/members/{member}", headers=desk.admin).json()["card_number"] is None
    [item] = review_items(desk)
    assert item["kind"] == "card_already_assigned" and item["member_id"] == member
    assert "Kwame" in item["summary"]


def test_another_tenants_member_and_bad_input_are_rejected(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "card-tenant")
    other = open_desk(api, container, "card-other")
    stranger = other.member(first_name="Abena")
    kiosk = Kiosk.of(desk)
    results = kiosk.pushed(
        [
            _assign(kiosk, stranger, "5005"),
            _assign(kiosk, desk.member(), "  -  "),
            kiosk.mutation("member.card.assign.v1", {"member_id": stranger}),
            _assign(kiosk, desk.member(), "5005"),
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied"], results
    assert all(r["reason"] for r in results[:3])
    card = api.client.get(f"/members/{stranger}", headers=other.admin).json()["card_number"]
    assert card is None
