"""No single mutation fails a push: values that cannot be stored or processed are rejected
with a reason, and the rest of the push is applied."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from server.adapters.zhep_http import ZhepUnavailable
from server.bootstrap import Container
from server.sync.registry import MutationContext
from shared.inputs import InputModel
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


class _Args(InputModel):
    model_config = ConfigDict(extra="ignore")
    value: str


def _raises(exc: BaseException) -> Any:
    def handler(context: MutationContext, args: _Args) -> str | None:
        raise exc

    return handler


def _bad_sql(context: MutationContext, args: _Args) -> str | None:
    # A value the database cannot hold: PostgreSQL answers with a data error (and aborts the
    # savepoint), SQLite's driver refuses to send it.
    context.uow.db.execute(text("SELECT CAST(:v AS BIGINT)"), {"v": 2**63}).all()
    return None


def test_whatever_a_mutation_raises_is_its_rejection_not_a_failed_push(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "push-unforeseen")
    member = desk.member()
    registry = container.sync.mutations
    registry.register("test.overflow.v1", _Args, _raises(OverflowError("date value out of range")))
    registry.register("test.value.v1", _Args, _raises(ValueError("cannot process")))
    registry.register("test.sql.v1", _Args, _bad_sql)
    kiosk = Kiosk.of(desk)
    batch = [
        kiosk.mutation("test.overflow.v1", {"value": "x"}),
        kiosk.checkin(member),
        kiosk.mutation("test.value.v1", {"value": "x"}),
        kiosk.mutation("test.sql.v1", {"value": "not a number"}),
        kiosk.checkin(member),
    ]
    response = kiosk.push(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "applied",
    ]
    assert "cannot be processed" in results[0]["reason"]
    assert checkin_count(desk) == 2


def test_a_lost_database_still_fails_the_push_so_that_it_is_sent_again(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "push-db-gone")
    member = desk.member()
    gone = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    container.sync.mutations.register("test.gone.v1", _Args, _raises(gone))
    kiosk = Kiosk.of(desk)
    response = kiosk.push([kiosk.checkin(member), kiosk.mutation("test.gone.v1", {"value": "x"})])
    assert response.status_code == 503, response.text
    assert checkin_count(desk) == 0


def test_a_service_that_is_down_fails_the_push_and_the_resend_applies_it(
    api: Api, container: Container
) -> None:
    """ZHEP unavailable is not the mutation's fault: nothing of the push is kept, and the
    same push sent once ZHEP is back applies every mutation once."""
    desk = open_desk(api, container, "push-zhep-down")
    member = desk.member()
    down = {"now": True}

    def handler(context: MutationContext, args: _Args) -> str | None:
        if down["now"]:
            raise ZhepUnavailable("ZHEP payments did not answer in time")
        return None

    container.sync.mutations.register("test.zhep.v1", _Args, handler)
    kiosk = Kiosk.of(desk)
    batch = [kiosk.checkin(member), kiosk.mutation("test.zhep.v1", {"value": "x"})]
    response = kiosk.push(batch)
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "zhep_unavailable"
    assert checkin_count(desk) == 0
    down["now"] = False
    assert [r["status"] for r in kiosk.pushed(batch)] == ["applied", "applied"]
    assert checkin_count(desk) == 1
