"""Corporate accounts: the accounts and departments, the roster's CSV with its dry run and
per-row report, admins who see their own account only, and employees' invitations that
give a membership the company pays for (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.config import Settings
from server.corporate import invitations
from server.corporate.models import CorporateEmployee
from server.corporate.rules import covered_until
from server.plans.models import Membership
from tests.integration.corporate_helpers import (
    ACCOUNT,
    code_in,
    corporate_world,
    invite_admin,
    upload,
)
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to

ADMIN_PASSWORD = "a long corporate password"
FILE = (
    "employee_id,work_email,first_name,last_name,department,status,package\n"
    "E1,ama@acme.example,Ama,Owusu,Finance,active,Gold\n"
    "E2,kojo@acme.example,Kojo,Mensah,finance,,Gold\n"
    "E3,efua@acme.example,Efua,Boateng,,suspended,\n"
)


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url="https://gym.example.test")


def _today() -> Any:
    return datetime.now(UTC).date()


def _employees(api: Api, headers: dict[str, str], account_id: str, **params: str) -> Any:
    response = api.client.get(
        f"/corporate/accounts/{account_id}/employees", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return {e["employee_ref"]: e for e in response.json()["items"]}


# --- accounts ------------------------------------------------------------------------------


def test_accounts_are_created_read_changed_and_archived(api: Api) -> None:
    tenant = api.sign_up("corp-accounts")
    created = api.client.post("/corporate/accounts", json=ACCOUNT, headers=tenant.headers)
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["tax_number"] == "GB123456789" and account["po_reference"] == "PO-7781"
    path = f"/corporate/accounts/{account['id']}"
    changed = api.client.patch(path, json={"po_reference": "PO-9000"}, headers=tenant.headers)
    assert changed.json()["po_reference"] == "PO-9000"
    assert changed.json()["tax_number"] == "GB123456789"
    # The same name again (whatever its case): 409, nothing made.
    twice = api.client.post(
        "/corporate/accounts", json={"name": "ACME LTD"}, headers=tenant.headers
    )
    assert twice.status_code == 409
    # A bad email: 422 naming the field.
    bad = api.client.post(
        "/corporate/accounts", json={"name": "B", "contact_email": "no"}, headers=tenant.headers
    )
    assert bad.status_code == 422 and "contact_email" in bad.text
    archived = api.client.post(f"{path}/archive", headers=tenant.headers)
    assert archived.json()["archived"] is True
    listed = api.client.get("/corporate/accounts", headers=tenant.headers).json()
    assert listed["total"] == 0
    every = api.client.get(
        "/corporate/accounts", params={"include_archived": True}, headers=tenant.headers
    ).json()
    assert [a["name"] for a in every["items"]] == ["Acme Ltd"]


def test_front_desk_and_coaches_do_not_manage_accounts(api: Api) -> None:
    tenant = api.sign_up("corp-roles")
    api.create_location(tenant)
    for role in ("front_desk", "coach"):
        api.create_staff(tenant, role, f"{role}@corp-roles.example")
        headers = api.token_for(tenant.slug, f"{role}@corp-roles.example")
        assert api.client.get("/corporate/accounts", headers=headers).status_code == 403
        made = api.client.post("/corporate/accounts", json=ACCOUNT, headers=headers)
        assert made.status_code == 403


def test_departments_have_unique_names_and_cost_centres(api: Api, container: Container) -> None:
    tenant = api.sign_up("corp-departments")
    world = corporate_world(api, container, tenant)
    path = f"/corporate/accounts/{world['account_id']}/departments"
    again = api.client.post(path, json={"name": "FINANCE"}, headers=tenant.headers)
    assert again.status_code == 409
    listed = api.client.get(path, headers=tenant.headers).json()["items"]
    assert [(d["name"], d["cost_centre"]) for d in listed] == [("Finance", "CC-10")]


# --- the roster ----------------------------------------------------------------------------


def test_a_dry_run_reports_each_line_and_changes_nothing(api: Api, container: Container) -> None:
    tenant = api.sign_up("corp-dry")
    world = corporate_world(api, container, tenant)
    report = upload(api, tenant.headers, world["account_id"], FILE, mode="full", dry_run=True)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["added"], body["errors"], body["applied"]) == (3, 0, False)
    assert [(r["line"], r["key"], r["action"]) for r in body["rows"]] == [
        (2, "E1", "add"),
        (3, "E2", "add"),
        (4, "E3", "add"),
    ]
    assert _employees(api, tenant.headers, world["account_id"]) == {}


def test_a_full_file_ends_who_it_leaves_out_until_the_end_of_the_month(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("corp-full")
    world = corporate_world(api, container, tenant)
    applied = upload(api, tenant.headers, world["account_id"], FILE, mode="full")
    assert applied.status_code == 200 and applied.json()["applied"] is True
    roster = _employees(api, tenant.headers, world["account_id"])
    assert roster["E1"]["department_id"] == world["department_id"]
    assert roster["E1"]["package_id"] == world["package_id"]
    # A blank status is active; E3's blank package is none.
    assert roster["E2"]["status"] == "active"
    assert (roster["E3"]["status"], roster["E3"]["package_id"]) == ("suspended", None)
    # The next full file lists E1 and E3 only: E2 ends, covered to the month's last day.
    second = "employee_id,status\nE1,active\nE3,suspended\n"
    report = upload(api, tenant.headers, world["account_id"], second, mode="full").json()
    assert [(r["line"], r["key"], r["action"]) for r in report["rows"]] == [
        (2, "E1", "unchanged"),
        (3, "E3", "unchanged"),
        (None, "E2", "end"),
    ]
    roster = _employees(api, tenant.headers, world["account_id"])
    assert roster["E2"]["status"] == "ended"
    assert roster["E2"]["covered_until"] == covered_until(_today()).isoformat()
    # The file had no department column: E1 keeps its department.
    assert roster["E1"]["department_id"] == world["department_id"]
    # Filters: by status.
    ended = _employees(api, tenant.headers, world["account_id"], status="ended")
    assert list(ended) == ["E2"]


def test_a_delta_changes_only_its_rows(api: Api, container: Container) -> None:
    tenant = api.sign_up("corp-delta")
    world = corporate_world(api, container, tenant)
    upload(api, tenant.headers, world["account_id"], FILE, mode="full")
    delta = "employee_id,status\nE3,active\n"
    report = upload(api, tenant.headers, world["account_id"], delta).json()
    assert [(r["key"], r["action"], r["detail"]) for r in report["rows"]] == [
        ("E3", "update", "suspended → active")
    ]
    roster = _employees(api, tenant.headers, world["account_id"])
    assert {k: v["status"] for k, v in roster.items()} == {
        "E1": "active",
        "E2": "active",
        "E3": "active",
    }


BAD_FILE = (
    "employee_id,work_email,department,status,package\n"
    "E1,ama@acme.example,Finance,active,Gold\n"
    "E2,not-an-email,Finance,active,Gold\n"
    "E3,efua@acme.example,Marketing,active,Gold\n"
    "E4,kwame@acme.example,Finance,retired,Gold\n"
    "E5,yaw@acme.example,Finance,active,Platinum\n"
    "E1,ama2@acme.example,,active,\n"
    ",,,active,\n"
)


def test_bad_rows_are_reported_and_nothing_changes_unless_asked(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("corp-bad")
    world = corporate_world(api, container, tenant)
    refused = upload(api, tenant.headers, world["account_id"], BAD_FILE)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    rows = refused.json()["report"]["rows"]
    errors = {r["line"]: r["detail"] for r in rows if r["action"] == "error"}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "not an email address" in errors[3]
    assert "unknown department 'Marketing'" in errors[4]
    assert "status 'retired'" in errors[5]
    assert "unknown package 'Platinum'" in errors[6]
    assert "line 2" in errors[7]
    assert "neither" in errors[8]
    assert _employees(api, tenant.headers, world["account_id"]) == {}
    # The manager chooses to apply the good rows: only E1 is added.
    good = upload(api, tenant.headers, world["account_id"], BAD_FILE, good_rows=True)
    assert good.status_code == 200 and good.json()["added"] == 1
    assert list(_employees(api, tenant.headers, world["account_id"])) == ["E1"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"", "empty"),
        (b"name,email\nA,a@b.example\n", "unknown columns"),
        (b"first_name,last_name\nA,B\n", "employee_id or a work_email"),
    ],
)
def test_unreadable_files_are_refused_whole(
    api: Api, container: Container, data: bytes, reason: str
) -> None:
    tenant = api.sign_up("corp-unreadable")
    world = corporate_world(api, container, tenant)
    response = api.client.post(
        f"/corporate/accounts/{world['account_id']}/roster",
        params={"mode": "full"},
        content=data,
        headers={**tenant.headers, "content-type": "text/csv"},
    )
    assert response.status_code == 422 and reason in response.json()["detail"]


# --- corporate admins ----------------------------------------------------------------------


def test_an_admin_sees_their_own_account_and_nothing_else(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-admins")
    acme = corporate_world(api, container, tenant)
    globex = corporate_world(api, container, tenant, name="Globex plc")
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    admin = invite_admin(
        api, tenant, acme["account_id"], mailbox, "kofi@acme.example", ADMIN_PASSWORD
    )
    own = api.client.get(f"/corporate/accounts/{acme['account_id']}", headers=admin)
    assert own.status_code == 200 and own.json()["name"] == "Acme Ltd"
    listed = api.client.get("/corporate/accounts", headers=admin).json()
    assert [a["name"] for a in listed["items"]] == ["Acme Ltd"]
    # Another account of the same provider: not found, as another tenant's is.
    other = api.client.get(f"/corporate/accounts/{globex['account_id']}", headers=admin)
    assert other.status_code == 404
    roster = api.client.get(f"/corporate/accounts/{globex['account_id']}/employees", headers=admin)
    assert roster.status_code == 404
    # Their own roster, without who accepted (member-level participation).
    mine = _employees(api, admin, acme["account_id"])
    assert {e["activated"] for e in mine.values()} == {None}
    # Nothing of the provider's: members, staff, plans; no account made or changed.
    for path in ("/members", "/staff", "/plans", "/locations"):
        assert api.client.get(path, headers=admin).status_code == 403, path
    made = api.client.post("/corporate/accounts", json={"name": "Mine"}, headers=admin)
    assert made.status_code == 403
    renamed = api.client.patch(
        f"/corporate/accounts/{acme['account_id']}", json={"name": "X"}, headers=admin
    )
    assert renamed.status_code == 403
    # The staff sign-in does not know them.
    staff = api.login(tenant.slug, "kofi@acme.example", ADMIN_PASSWORD)
    assert staff.status_code == 401


def test_deactivating_an_admin_ends_their_sign_ins(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-deactivate")
    acme = corporate_world(api, container, tenant)
    admin = invite_admin(
        api, tenant, acme["account_id"], mailbox, "kofi@acme.example", ADMIN_PASSWORD
    )
    admins = api.client.get(
        f"/corporate/accounts/{acme['account_id']}/admins", headers=tenant.headers
    ).json()["items"]
    admin_id = admins[0]["id"]
    done = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/admins/{admin_id}/deactivate",
        headers=tenant.headers,
    )
    assert done.status_code == 200 and done.json()["active"] is False
    after = api.client.get(f"/corporate/accounts/{acme['account_id']}", headers=admin)
    assert after.status_code == 401
    again = api.client.post(
        "/corporate/sign-in",
        json={"tenant": tenant.slug, "email": "kofi@acme.example", "password": ADMIN_PASSWORD},
    )
    assert again.status_code == 401


def test_an_admin_link_is_used_once(api: Api, container: Container, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("corp-admin-link")
    acme = corporate_world(api, container, tenant)
    api.client.post(
        f"/corporate/accounts/{acme['account_id']}/admins",
        json={"email": "kofi@acme.example", "full_name": "Kofi"},
        headers=tenant.headers,
    )
    twice = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/admins",
        json={"email": "KOFI@acme.example", "full_name": "Kofi"},
        headers=tenant.headers,
    )
    assert twice.status_code == 409
    code = code_in(mailbox.to("kofi@acme.example")[-1], "cpw")
    body = {"token": code, "password": ADMIN_PASSWORD}
    assert api.client.post("/corporate/admins/password", json=body).status_code == 200
    assert api.client.post("/corporate/admins/password", json=body).status_code == 422
    forged = {"token": code[:-4] + "abcd", "password": ADMIN_PASSWORD}
    assert api.client.post("/corporate/admins/password", json=forged).status_code == 422


# --- invitations and memberships -----------------------------------------------------------


def _accept(api: Api, mailbox: SmtpSink, email: str) -> Any:
    code = code_in(mailbox.to(email)[-1], "cin")
    return api.client.post(
        "/corporate/invitations/accept", json={"token": code, "password": "employee password 1"}
    )


def _membership(container: Container, membership_id: str) -> Membership:
    with container.uow() as uow:
        found = uow.db.execute(
            select(Membership).where(Membership.id == uuid.UUID(membership_id))
        ).scalar_one()
        uow.db.expunge(found)
        return found


def test_an_invitation_gives_a_membership_the_company_pays_for(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-invite")
    acme = corporate_world(api, container, tenant)
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    sent = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers
    )
    # E1 and E2 are active; E3 is suspended and not invited.
    assert sent.json() == {"sent": 2}
    assert mailbox.to("efua@acme.example") == []
    # Sent again at once: their invitations are live, nobody gets a second.
    again = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers
    )
    assert again.json() == {"sent": 0}
    accepted = _accept(api, mailbox, "ama@acme.example")
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["account_name"] == "Acme Ltd" and body["created_member"] is True
    membership = _membership(container, body["membership_id"])
    assert membership.source == "corporate"
    assert str(membership.corporate_account_id) == acme["account_id"]
    assert str(membership.plan_id) == acme["plan_id"]
    assert membership.ends_on is None and membership.next_charge_on is None
    # Used once.
    assert _accept(api, mailbox, "ama@acme.example").status_code == 409
    # The member signs in with the password they chose.
    login = api.client.post(
        "/members/login",
        json={
            "tenant": tenant.slug,
            "email": "ama@acme.example",
            "password": "employee password 1",
        },
    )
    assert login.status_code == 200, login.text
    roster = _employees(api, tenant.headers, acme["account_id"])
    assert roster["E1"]["activated"] is True and roster["E2"]["activated"] is False


def test_suspended_and_ended_employees_follow_on_their_membership(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-follow")
    acme = corporate_world(api, container, tenant)
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    api.client.post(f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers)
    membership_id = _accept(api, mailbox, "ama@acme.example").json()["membership_id"]
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,suspended\n")
    assert _membership(container, membership_id).status == "suspended"
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,ended\n")
    ended = _membership(container, membership_id)
    assert (ended.status, ended.ends_on) == ("active", covered_until(_today()))
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,active\n")
    assert _membership(container, membership_id).ends_on is None


def test_no_seat_left_refuses_the_invitation(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-seats")
    acme = corporate_world(api, container, tenant, seats=1)
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    api.client.post(f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers)
    assert _accept(api, mailbox, "ama@acme.example").status_code == 200
    full = _accept(api, mailbox, "kojo@acme.example")
    assert full.status_code == 409 and full.json()["code"] == "no_seat_left"
    # Ama ends: her seat is free again for Kojo.
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,ended\n")
    assert _accept(api, mailbox, "kojo@acme.example").status_code == 200


def test_reminders_twice_then_expiry_and_sending_again(
    api: Api, container: Container, mailbox: SmtpSink, settings: Settings
) -> None:
    tenant = api.sign_up("corp-remind")
    acme = corporate_world(api, container, tenant)
    upload(
        api,
        tenant.headers,
        acme["account_id"],
        "employee_id,work_email,package\nE1,ama@acme.example,Gold\n",
    )
    api.client.post(f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers)
    start = datetime.now(UTC)

    def remind(days: float) -> int:
        return invitations.send_reminders(
            make_uow=container.uow,
            notifications=container.notifications,
            public_url=settings.public_url,
            now=start + timedelta(days=days),
        )

    # Day 1: nothing due; day 3: the first; day 5: none; day 7: the second; day 10: none.
    assert [remind(d) for d in (1, 3.01, 5, 7.01, 10)] == [0, 1, 0, 1, 0]
    assert len(mailbox.to("ama@acme.example")) == 3
    # The latest link works; the first one was replaced.
    first = code_in(mailbox.to("ama@acme.example")[0], "cin")
    old = api.client.post("/corporate/invitations/accept", json={"token": first})
    assert old.status_code == 422
    # Expired: it can be sent again.
    with container.uow() as uow:
        row = uow.db.execute(select(CorporateEmployee)).scalar_one()
        row.invitation_expires_at = start - timedelta(seconds=1)
        uow.commit()
    late = _accept(api, mailbox, "ama@acme.example")
    assert late.status_code == 410
    resent = api.client.post(
        f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers
    )
    assert resent.json() == {"sent": 1}
    assert _accept(api, mailbox, "ama@acme.example").status_code == 200


def test_an_existing_member_is_linked_by_email(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-link")
    member = api.client.post(
        "/members",
        json={"first_name": "Ama", "last_name": "Owusu", "email": "ama@acme.example"},
        headers=tenant.headers,
    ).json()
    acme = corporate_world(api, container, tenant)
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    api.client.post(f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers)
    accepted = _accept(api, mailbox, "ama@acme.example").json()
    assert accepted["member_id"] == member["id"] and accepted["created_member"] is False


# --- at the door ---------------------------------------------------------------------------


def test_the_door_says_who_covers_a_corporate_member(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("corp-door")
    location = api.create_location(tenant)
    acme = corporate_world(api, container, tenant)
    upload(api, tenant.headers, acme["account_id"], FILE, mode="full")
    api.client.post(f"/corporate/accounts/{acme['account_id']}/invitations", headers=tenant.headers)
    member_id = _accept(api, mailbox, "ama@acme.example").json()["member_id"]
    # Every visit decided afresh (no re-entry window).
    policy = api.client.patch(
        "/checkin-policy", json={"reentry_window_minutes": 0}, headers=tenant.headers
    )
    assert policy.status_code == 200, policy.text

    def door() -> Any:
        response = api.client.post(
            "/checkins",
            json={"member_id": member_id, "location_id": location["id"], "method": "search"},
            headers=tenant.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    admitted = door()
    assert admitted["admitted"] is True
    assert admitted["reason"] == "admitted on Acme Ltd access, covered by Acme Ltd"
    # Suspended on the roster: the membership stops admitting.
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,suspended\n")
    assert door()["admitted"] is False
    # Ended: admitted until the end of the month, still covered.
    upload(api, tenant.headers, acme["account_id"], "employee_id,status\nE1,ended\n")
    ended = door()
    assert ended["admitted"] is True and "covered by Acme Ltd" in ended["reason"]
