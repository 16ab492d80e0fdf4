"""No single mutation fails a push: values that cannot be stored or processed are rejected
with a reason, and the rest of the push is applied."""

from __future__ import annotations

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, open_desk
from tests.integration.sync_helpers import Kiosk, checkin_count


def test_a_checkin_dated_year_one_is_rejected_and_the_rest_applied(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "push-year-one")
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    kiosk = Kiosk.of(desk)
    year_one = "0001-01-01T00:00:00+00:00"
    batch = [
        kiosk.checkin(member),
        kiosk.checkin(member, at=year_one),
        kiosk.checkin(member),
        kiosk.walkin("Ama", "Mensah", registered_at=year_one),
        kiosk.walkin("Nul\x00", "Byte"),
        kiosk.walkin("Esi", "Owusu"),
        kiosk.mutation("member.create.v1", {}, device_time="0001-01-01T00:00:00+05:00"),
        kiosk.checkin(member, at="9999-12-31T23:59:00-05:00"),
    ]
    response = kiosk.push(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "applied",
        "rejected",
        "rejected",
    ]
    assert all(r["reason"] for r in results if r["status"] == "rejected")
    assert checkin_count(desk) == 2
    # The queue moves on: the next push continues after the rejected ones.
    assert [r["status"] for r in kiosk.pushed([kiosk.checkin(member)])] == ["applied"]
