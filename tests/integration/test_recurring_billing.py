"""Recurring billing on SQLite and PostgreSQL: monthly plans renew through the payments port
across month ends, a declined card makes the membership past due and is retried on days 1,
3 and 7 (then suspended), the door (server and kiosk alike) says "Payment overdue", and the
job charges each renewal once however often and in how many processes it runs."""

from __future__ import annotations

import calendar
import threading
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from desktop.app import build_core
from desktop.config import KioskSettings
from server.bootstrap import Container, background_jobs, build_container
from server.config import Settings
from server.members.models import Member
from server.plans import membership_service, renewals
from server.plans.models import Sale
from server.plans.repository import PlanRepository
from shared.enums import CheckinMethod, MemberSource
from tests.fakes.payments import FakePayments
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk


def _renew(container: Container, payments: FakePayments, today: date) -> renewals.RenewalRun:
    return renewals.renew_due(make_uow=container.uow, payments=payments, today=today)


def _read(desk: Desk, membership_id: str) -> dict[str, Any]:
    response = desk.api.client.get(f"/memberships/{membership_id}", headers=desk.admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _sales(container: Container, membership_id: str) -> list[Sale]:
    with container.uow() as uow:
        return list(
            uow.db.execute(
                select(Sale)
                .where(Sale.membership_id == uuid.UUID(membership_id))
                .order_by(Sale.taken_at)
            ).scalars()
        )


def _next_january_31() -> date:
    return date(date.today().year + 1, 1, 31)


def test_a_monthly_plan_renews_across_month_ends_from_its_anchor_day(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "renew-month-end")
    plan = desk.plan(MONTHLY)
    anchor = _next_january_31()
    membership = desk.membership(desk.member(), plan, starts_on=anchor.isoformat())
    february_end = date(anchor.year, 2, calendar.monthrange(anchor.year, 2)[1])
    assert membership["next_renewal_on"] == february_end.isoformat()
    payments = FakePayments()

    assert _renew(container, payments, february_end - timedelta(days=1)).charged == 0
    assert payments.asked == []
    assert _renew(container, payments, february_end).charged == 1
    assert _read(desk, membership["id"])["next_renewal_on"] == f"{anchor.year}-03-31"
    # Not due again until 31 March (not the 28th: counted from the anchor day).
    assert _renew(container, payments, date(anchor.year, 3, 30)).charged == 0
    assert _renew(container, payments, date(anchor.year, 3, 31)).charged == 1
    read = _read(desk, membership["id"])
    assert (read["status"], read["next_renewal_on"]) == ("pending", f"{anchor.year}-04-30")

    charges = payments.charged_for(uuid.UUID(membership["id"]))
    assert [(c.amount, c.currency, c.method) for c in charges] == [
        (charges[0].amount, "GBP", "card_on_file")
    ] * 2
    assert str(charges[0].amount) == MONTHLY["price"]
    assert all(c.member_id == uuid.UUID(membership["member_id"]) for c in charges)
    sales = _sales(container, membership["id"])
    assert [s.id for s in sales] == [c.idempotency_key for c in charges]
    assert {(s.method, s.taken_by, s.device_id, str(s.amount)) for s in sales} == {
        ("card_on_file", None, None, MONTHLY["price"])
    }
    assert {s.location_id for s in sales} == {uuid.UUID(desk.location["id"])}
    # In the ledger like any sale: numbered receipts, the local day, the revenue report.
    local_today = datetime.now(ZoneInfo(desk.location["timezone"])).date().isoformat()
    ledger = api.client.get(
        "/sales", params={"member_id": membership["member_id"]}, headers=desk.tenant.headers
    ).json()["items"]
    assert sorted(s["receipt_number"] for s in ledger) == [1, 2]
    assert {s["taken_on"] for s in ledger} == {local_today}
    revenue = api.client.get(
        "/reports/revenue",
        params={
            "group_by": "plan",
            "period": "month",
            "from": local_today,
            "to": local_today,
        },
        headers=desk.tenant.headers,
    )
    assert revenue.status_code == 200, revenue.text
    [row] = revenue.json()["rows"]
    assert (row["sales"], row["currency"], row["net"]) == (2, "GBP", str(2 * charges[0].amount))


def _door(desk: Desk, member_id: str) -> dict[str, Any]:
    response = desk.check_in(member_id)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _live_membership(desk: Desk) -> tuple[str, dict[str, Any], date]:
    """A member whose monthly membership started 40 days ago; its next renewal day."""
    member_id = desk.member()
    plan = desk.plan(MONTHLY)
    started = date.today() - timedelta(days=40)
    membership = desk.membership(member_id, plan, starts_on=started.isoformat())
    return member_id, membership, date.fromisoformat(membership["next_renewal_on"])


def test_a_declined_card_is_past_due_and_a_day_one_retry_restores_it(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "renew-recover")
    desk.separate_visits()
    member_id, membership, renews = _live_membership(desk)
    membership_id = uuid.UUID(membership["id"])
    payments = FakePayments(declined_memberships={membership_id})

    run = _renew(container, payments, renews)
    assert (run.charged, run.declined) == (0, 1)
    read = _read(desk, membership["id"])
    assert (read["status"], read["next_renewal_on"]) == ("past_due", renews.isoformat())
    assert _sales(container, membership["id"]) == []
    # The grace period: admitted, and told.
    door = _door(desk, member_id)
    assert door["admitted"], door
    assert door["warning"] == "Payment overdue"
    # Retried on day 1, not again the same day.
    assert _renew(container, payments, renews).declined == 0
    assert len(payments.asked) == 1

    payments.declined_memberships.clear()
    run = _renew(container, payments, renews + timedelta(days=1))
    assert run.charged == 1
    read = _read(desk, membership["id"])
    assert read["status"] == "active"
    assert date.fromisoformat(read["next_renewal_on"]) > renews
    assert len(payments.charged_for(membership_id)) == 1
    assert len(_sales(container, membership["id"])) == 1
    door = _door(desk, member_id)
    assert door["admitted"] and door["warning"] is None, door


def test_every_retry_declined_suspends_and_the_door_refuses_at_server_and_kiosk(
    api: Api, container: Container, tmp_path: Path
) -> None:
    desk = open_desk(api, container, "renew-suspend")
    desk.separate_visits()
    member_id, membership, renews = _live_membership(desk)
    membership_id = uuid.UUID(membership["id"])
    code = api.client.post(
        f"/locations/{desk.location['id']}/enrolment-codes", headers=desk.admin
    ).json()["code"]
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=api.client
    )
    try:
        core.enrol("http://testserver", code, "Desk")
        payments = FakePayments(declined_memberships={membership_id})
        _renew(container, payments, renews)
        # The kiosk learns of the unpaid renewal by pulling, and decides offline.
        core.sync.pull()
        past_due = core.checkin.check_in(uuid.UUID(member_id), CheckinMethod.SEARCH)
        assert past_due.admitted
        assert past_due.warning == "Payment overdue"
        core.checkin.forget(uuid.UUID(member_id))

        statuses = []
        for day in (1, 3, 7):
            _renew(container, payments, renews + timedelta(days=day))
            statuses.append(_read(desk, membership["id"])["status"])
        assert statuses == ["past_due", "past_due", "suspended"]
        assert len(payments.asked) == 4
        assert len({a.idempotency_key for a in payments.asked}) == 4
        # Suspended: no more retries.
        assert _renew(container, payments, renews + timedelta(days=30)).declined == 0
        assert len(payments.asked) == 4

        server = _door(desk, member_id)
        assert (server["admitted"], server["reason"]) == (False, "Payment overdue")
        core.sync.pull()
        kiosk = core.checkin.check_in(uuid.UUID(member_id), CheckinMethod.SEARCH)
        assert (kiosk.admitted, kiosk.reason) == (False, "Payment overdue")
    finally:
        core.close()
    # A kiosk enrolled afterwards has it in its snapshot.
    fresh = build_core(
        KioskSettings(data_dir=tmp_path / "fresh", credential_store="file"), http_client=api.client
    )
    try:
        code = api.client.post(
            f"/locations/{desk.location['id']}/enrolment-codes", headers=desk.admin
        ).json()["code"]
        fresh.enrol("http://testserver", code, "Fresh")
        refused = fresh.checkin.check_in(uuid.UUID(member_id), CheckinMethod.SEARCH)
        assert (refused.admitted, refused.reason) == (False, "Payment overdue")
    finally:
        fresh.close()


def test_the_job_run_twice_the_same_day_charges_once(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "renew-twice")
    _member_id, membership, renews = _live_membership(desk)
    payments = FakePayments()
    assert _renew(container, payments, renews).charged == 1
    assert _renew(container, payments, renews).charged == 0
    assert len(payments.asked) == 1
    assert len(_sales(container, membership["id"])) == 1


def test_a_crash_after_charging_charges_once_when_the_job_runs_again(
    api: Api, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider took the money but the process died before committing: the re-run asks
    with the same key and the provider charges nothing more."""
    desk = open_desk(api, container, "renew-crash")
    _member_id, membership, renews = _live_membership(desk)
    payments = FakePayments()

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed")

    with monkeypatch.context() as patched:
        patched.setattr(renewals, "_write", crash)
        with pytest.raises(RuntimeError):
            _renew(container, payments, renews)
    assert len(payments.charges) == 1
    assert _read(desk, membership["id"])["next_renewal_on"] == renews.isoformat()
    assert _renew(container, payments, renews).charged == 1
    assert len(payments.asked) == 2
    assert len(payments.charges) == 1
    assert [s.id for s in _sales(container, membership["id"])] == list(payments.charges)


def test_cancelled_and_ended_memberships_are_not_renewed(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "renew-cancelled")
    _member_id, membership, renews = _live_membership(desk)
    cancelled = api.client.post(
        f"/memberships/{membership['id']}/cancel", json={"reason": "moving"}, headers=desk.admin
    )
    assert cancelled.status_code == 200, cancelled.text
    plan = desk.plan(MONTHLY, name="Monthly, fixed term")
    ending = desk.membership(
        desk.member(),
        plan,
        starts_on=(date.today() - timedelta(days=40)).isoformat(),
        ends_on=(renews - timedelta(days=1)).isoformat(),
    )
    assert ending["next_renewal_on"] == renews.isoformat()
    payments = FakePayments()
    assert _renew(container, payments, renews + timedelta(days=10)).charged == 0
    assert payments.asked == []


def test_a_past_due_membership_cannot_be_frozen(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "renew-freeze")
    _member_id, membership, renews = _live_membership(desk)
    payments = FakePayments(declined_memberships={uuid.UUID(membership["id"])})
    _renew(container, payments, renews)
    response = api.client.post(
        f"/memberships/{membership['id']}/freeze",
        json={"until": (date.today() + timedelta(days=10)).isoformat()},
        headers=desk.admin,
    )
    assert response.status_code == 409, response.text
    assert "renewal is unpaid" in response.json()["detail"]
    assert _read(desk, membership["id"])["status"] == "past_due"


def test_a_back_dated_membership_renews_at_its_next_anniversary_not_for_every_month_since(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "renew-backdated")
    plan = desk.plan(MONTHLY)
    started = date.today() - timedelta(days=400)
    membership = desk.membership(desk.member(), plan, starts_on=started.isoformat())
    renews = date.fromisoformat(membership["next_renewal_on"])
    assert date.today() < renews <= date.today() + timedelta(days=31)
    assert renews.day == started.day or renews.day < started.day  # clamped at a month's end
    pack = desk.plan(
        {
            "name": "Pack",
            "kind": "class_pack",
            "credits": 5,
            "validity_days": 30,
            "price": "20.00",
            "currency": "GBP",
        }
    )
    assert desk.membership(desk.member(), pack)["next_renewal_on"] is None


def _many_due(container: Container, tenant_id: str, plan_id: str, count: int, anchor: date) -> None:
    tenant = uuid.UUID(tenant_id)
    with container.uow() as uow:
        plan = PlanRepository(uow.db, tenant).get_or_404(uuid.UUID(plan_id))
        members = [
            Member(
                tenant_id=tenant,
                id=uuid.uuid4(),
                first_name=f"Due{i}",
                last_name="Renewal",
                source="desk",
                fitness_goals=[],
                preferences={},
            )
            for i in range(count)
        ]
        uow.db.add_all(members)
        uow.db.flush()
        for member in members:
            membership_service.new_membership(
                uow,
                tenant,
                member_id=member.id,
                plan=plan,
                starts_on=anchor,
                ends_on=None,
                source=MemberSource.DESK,
                home_location_id=None,
            )
        uow.commit()


def test_two_job_runners_at_once_charge_each_due_membership_once(
    api: Api, container: Container, db_url: str
) -> None:
    desk = open_desk(api, container, "renew-two-runners")
    plan = desk.plan(MONTHLY)
    anchor = _next_january_31()
    _many_due(container, desk.tenant.id, plan, 60, anchor)
    renews = date(anchor.year, 2, calendar.monthrange(anchor.year, 2)[1])
    payments = FakePayments(latency=0.005)
    start = threading.Barrier(2)
    runs: list[renewals.RenewalRun] = []

    def runner() -> None:
        start.wait()
        runs.append(
            renewals.renew_due(
                make_uow=container.uow, payments=payments, today=renews, batch=7, workers=4
            )
        )

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(runs) == 2
    assert sum(r.charged for r in runs) == 60
    assert len(payments.charges) == 60
    if db_url.startswith("postgresql"):
        # Row locks: the other process never even asks for a renewal one has claimed.
        assert len(payments.asked) == 60
    else:
        # One writer and no row locks: both may ask, with the same key; one records it.
        assert len({a.idempotency_key for a in payments.asked}) == 60
    with container.uow() as uow:
        sales = uow.db.execute(
            select(Sale.membership_id).where(Sale.tenant_id == uuid.UUID(desk.tenant.id))
        ).all()
    assert len(sales) == len({s[0] for s in sales}) == 60
    with container.uow() as uow:
        numbers = uow.db.execute(
            select(Sale.receipt_number).where(Sale.tenant_id == uuid.UUID(desk.tenant.id))
        ).scalars()
        assert sorted(numbers) == list(range(1, 61))  # two runners, no gap, no repeat
    assert _renew(container, payments, renews).charged == 0


def test_a_frozen_membership_renews_once_its_freeze_is_over(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "renew-frozen")
    _member_id, membership, renews = _live_membership(desk)
    resumes = renews + timedelta(days=5)
    frozen = api.client.post(
        f"/memberships/{membership['id']}/freeze",
        json={"until": resumes.isoformat()},
        headers=desk.admin,
    )
    assert frozen.status_code == 200, frozen.text
    payments = FakePayments()
    assert _renew(container, payments, renews).charged == 0
    assert payments.asked == []
    assert _renew(container, payments, resumes).charged == 1
    assert _read(desk, membership["id"])["next_renewal_on"] > renews.isoformat()


def test_the_renewal_job_runs_only_where_recurring_billing_is_on(settings: Settings) -> None:
    for enabled in (False, True):
        container = build_container(settings.model_copy(update={"recurring_billing": enabled}))
        try:
            names = [job.name for job in background_jobs(container)]
        finally:
            container.dispose()
        assert ("plans.renew" in names) is enabled
