"""Off-peak plans decided alike by the server and the kiosk; one membership of a plan at a
time; a plan not valid at the member's home location warns; closures reach the kiosk."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.app import build_core
from desktop.config import KioskSettings
from server.bootstrap import Container
from server.ports.eligibility import EligibilityRequest
from shared.enums import CheckinMethod
from tests.integration.helpers import Api, Tenant
from tests.integration.plans_helpers import MONTHLY, add_member

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
OFF_PEAK = {
    **MONTHLY,
    "name": "Off-peak",
    "time_windows": [{"days": WEEKDAYS, "starts": "10:00", "ends": "16:00"}],
}
REFUSAL = "Off-peak plan: valid 10:00–16:00 on weekdays"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _plan(api: Api, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    return _ok(api.client.post("/plans", json=body, headers=tenant.headers))


def _hold(
    api: Api, tenant: Tenant, member: str, plan: dict[str, Any], starts_on: date, **extra: Any
) -> Any:
    body = {"plan_id": plan["id"], "starts_on": starts_on.isoformat(), **extra}
    return api.client.post(f"/members/{member}/memberships", json=body, headers=tenant.headers)


def test_a_plans_time_windows_are_kept_changed_and_checked(api: Api) -> None:
    tenant = api.sign_up("offpeak-plans")
    plan = _plan(api, tenant, OFF_PEAK)
    assert plan["time_windows"] == OFF_PEAK["time_windows"]
    path = f"/plans/{plan['id']}"
    for bad in (
        [{"days": [], "starts": "10:00", "ends": "16:00"}],
        [{"days": ["mon"], "starts": "16:00", "ends": "10:00"}],
        [{"days": ["mon", "mon"], "starts": "10:00", "ends": "16:00"}],
        [{"days": ["someday"], "starts": "10:00", "ends": "16:00"}],
        [{"days": ["mon"], "starts": "10:00"}],
    ):
        refused = api.client.patch(path, json={"time_windows": bad}, headers=tenant.headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert (
            api.client.post(
                "/plans", json={**OFF_PEAK, "time_windows": bad}, headers=tenant.headers
            ).status_code
            == 422
        )
    assert _ok(api.client.get(path, headers=tenant.headers), 200) == plan
    early = [{"days": ["sat", "sun"], "starts": "06:00", "ends": "09:00"}]
    changed = _ok(api.client.patch(path, json={"time_windows": early}, headers=tenant.headers), 200)
    assert changed["time_windows"] == early
    renamed = _ok(
        api.client.patch(path, json={"name": "Weekend early"}, headers=tenant.headers), 200
    )
    assert renamed["time_windows"] == early  # a partial update keeps them
    cleared = _ok(api.client.patch(path, json={"time_windows": None}, headers=tenant.headers), 200)
    assert cleared["time_windows"] == []
    assert _plan(api, tenant, MONTHLY)["time_windows"] == []


def test_the_server_decides_off_peak_in_local_time_across_the_clock_change(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("offpeak-door")
    london = api.create_location(tenant, "London", timezone="Europe/London")
    member = add_member(container, tenant.id, "Efua")
    plan = _plan(api, tenant, OFF_PEAK)
    _ok(_hold(api, tenant, member, plan, date(2026, 1, 1), ends_on="2027-12-31"))

    def decide(at: datetime) -> tuple[bool, str]:
        request = EligibilityRequest(
            tenant_id=uuid.UUID(tenant.id),
            member_id=uuid.UUID(member),
            location_id=uuid.UUID(london["id"]),
            at=at,
        )
        with container.uow() as uow:
            decision = container.eligibility.decide(request, uow=uow)
        return decision.admitted, decision.reason

    # London changes to BST on Sunday 29 March 2026: 09:30 UTC is 09:30 before, 10:30 after.
    assert decide(datetime(2026, 3, 27, 9, 30, tzinfo=UTC)) == (False, REFUSAL)
    assert decide(datetime(2026, 3, 30, 9, 30, tzinfo=UTC)) == (True, "admitted on Off-peak")
    assert decide(datetime(2026, 3, 30, 15, 0, tzinfo=UTC)) == (False, REFUSAL)  # 16:00 BST
    assert decide(datetime(2026, 3, 28, 12, 0, tzinfo=UTC)) == (False, REFUSAL)  # Saturday


def test_the_door_and_an_offline_kiosk_refuse_off_peak_alike(
    api: Api, container: Container, tmp_path: Path
) -> None:
    tenant = api.sign_up("offpeak-agree")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).weekday()
    other_day = (today + 3) % 7
    # All day, but on another weekday only: refused today, whatever the hour.
    plan = _plan(
        api,
        tenant,
        {
            **MONTHLY,
            "name": "Quiet days",
            "time_windows": [{"days": [DAYS[other_day]], "starts": "00:00", "ends": "24:00"}],
        },
    )
    refusal = f"Off-peak plan: valid 00:00–24:00 on {SHORT[other_day]}"
    member = add_member(container, tenant.id, "Kojo")
    second = add_member(container, tenant.id, "Abena")
    for holder in (member, second):
        _ok(_hold(api, tenant, holder, plan, date.today() - timedelta(days=3)))
    body = {"member_id": member, "location_id": here["id"], "method": "search"}
    server = _ok(api.client.post("/checkins", json=body, headers=tenant.headers))
    assert (server["admitted"], server["reason"]) == (False, refusal)

    code = _ok(api.client.post(f"/locations/{here['id']}/enrolment-codes", headers=tenant.headers))[
        "code"
    ]
    settings = KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")
    core = build_core(settings, http_client=api.client)
    try:
        core.enrol("http://testserver", code, "Desk")
        kiosk = core.checkin.check_in(uuid.UUID(member), CheckinMethod.SEARCH)
        assert (kiosk.admitted, kiosk.reason) == (False, refusal)
        # Today added to the plan: both admit, the kiosk once it has pulled the change.
        window = {"days": [DAYS[other_day], DAYS[today]], "starts": "00:00", "ends": "24:00"}
        _ok(
            api.client.patch(
                f"/plans/{plan['id']}", json={"time_windows": [window]}, headers=tenant.headers
            ),
            200,
        )
        assert core.sync.pull() is not None
        # Another holder: a second scan of the first within seconds is the same scan.
        admitted = core.checkin.check_in(uuid.UUID(second), CheckinMethod.SEARCH)
        assert (admitted.admitted, admitted.reason) == (True, "admitted on Quiet days")
    finally:
        core.close()


def test_closures_reach_the_kiosk_by_snapshot_and_by_pull(
    api: Api, container: Container, tmp_path: Path
) -> None:
    tenant = api.sign_up("closure-kiosk")
    here = api.create_location(tenant, "Here", timezone="Pacific/Auckland")
    elsewhere = api.create_location(tenant, "Elsewhere", timezone="Europe/London")
    local_today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Auckland")).date()

    def close(location: dict[str, Any], **body: Any) -> dict[str, Any]:
        path = f"/locations/{location['id']}/closures"
        return _ok(api.client.post(path, json=body, headers=tenant.headers))

    close(here, name="Founders day", starts_on=(local_today + timedelta(days=3)).isoformat())
    close(elsewhere, name="Not here", starts_on=local_today.isoformat())
    code = _ok(api.client.post(f"/locations/{here['id']}/enrolment-codes", headers=tenant.headers))[
        "code"
    ]
    settings = KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file")
    core = build_core(settings, http_client=api.client)
    try:
        core.enrol("http://testserver", code, "Desk")
        now = datetime.now(UTC)
        location = core.location()
        assert location is not None
        assert [c.name for c in location.closures] == ["Founders day"]  # from the snapshot
        assert location.today_notice(now) is None
        today = close(here, name="Burst pipe", starts_on=local_today.isoformat())
        assert core.sync.pull() is not None
        location = core.location()
        assert location is not None and location.today_notice(now) == "Closed today: Burst pipe"
        path = f"/locations/{here['id']}/closures/{today['id']}"
        assert api.client.delete(path, headers=tenant.headers).status_code == 204
        assert core.sync.pull() is not None
        location = core.location()
        assert location is not None and location.today_notice(now) is None
        assert [c.name for c in location.closures] == ["Founders day"]
    finally:
        core.close()


def test_a_second_overlapping_membership_of_a_plan_is_refused(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("one-at-a-time")
    api.create_location(tenant, "Central")
    monthly = _plan(api, tenant, MONTHLY)
    other = _plan(api, tenant, {**MONTHLY, "name": "Another monthly"})
    member = add_member(container, tenant.id, "Ama")
    today = date.today()
    first = _ok(
        _hold(api, tenant, member, monthly, today, ends_on=(today + timedelta(days=30)).isoformat())
    )
    clash = _hold(api, tenant, member, monthly, today + timedelta(days=10))
    assert clash.status_code == 409, clash.text
    problem = clash.json()
    assert problem["code"] == "membership_overlaps"
    assert "already holds 'Monthly unlimited'" in problem["detail"]
    assert first["id"] in problem["detail"]
    open_ended = _hold(api, tenant, member, monthly, today - timedelta(days=60), ends_on=None)
    assert open_ended.status_code == 409  # starts before, runs into the held one
    listed = _ok(api.client.get(f"/members/{member}/memberships", headers=tenant.headers), 200)
    assert [m["id"] for m in listed["items"]] == [first["id"]]  # nothing was added
    # After it ends, another plan at the same time, or once the first is cancelled: fine.
    _ok(_hold(api, tenant, member, monthly, today + timedelta(days=31)))
    _ok(_hold(api, tenant, member, other, today))
    cancel = f"/memberships/{first['id']}/cancel"
    _ok(api.client.post(cancel, json={}, headers=tenant.headers), 200)
    _ok(
        _hold(api, tenant, member, monthly, today, ends_on=(today + timedelta(days=20)).isoformat())
    )


def test_a_plan_not_valid_at_the_home_location_warns(api: Api, container: Container) -> None:
    tenant = api.sign_up("home-warning")
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")
    london = api.create_location(tenant, "London")
    london_only = _plan(
        api, tenant, {**MONTHLY, "location_rule": "listed", "location_ids": [london["id"]]}
    )
    everywhere = _plan(api, tenant, {**MONTHLY, "name": "Anywhere"})
    member = add_member(container, tenant.id, "Kwame", home_location_id=uuid.UUID(accra["id"]))
    held = _ok(_hold(api, tenant, member, london_only, date.today()))
    assert held["warnings"] == [
        "the plan 'Monthly unlimited' is not valid at the member's home location (Accra)"
    ]
    assert _ok(_hold(api, tenant, member, everywhere, date.today()))["warnings"] == []
    londoner = add_member(container, tenant.id, "Liz", home_location_id=uuid.UUID(london["id"]))
    assert _ok(_hold(api, tenant, londoner, london_only, date.today()))["warnings"] == []
    # A home location given with the membership counts.
    given = _hold(api, tenant, londoner, everywhere, date.today(), home_location_id=accra["id"])
    assert _ok(given)["warnings"] == []
