"""Staff password resets and invitations by email, read out of a real SMTP server on
loopback (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from server.bootstrap import Container
from server.config import Settings
from server.staff.models import StaffPasswordToken
from server.staff.passwords import RESET_ACCEPTED
from shared.clock import utcnow
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.staff_password_helpers import (
    staff_password_link_in,
    staff_password_token_in,
)

NEW_PASSWORD = "a brand new staff password 9"
CONSOLE = "https://gym.example.test"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url=CONSOLE)


def uuid_hex(text: str) -> str:
    return text.replace("-", "")


def _reset(api: Api, slug: str, email: str) -> Any:
    return api.client.post("/staff/password-reset", json={"tenant": slug, "email": email})


def _confirm(api: Api, token: str, password: str = NEW_PASSWORD) -> Any:
    return api.client.post(
        "/staff/password-reset/confirm", json={"token": token, "password": password}
    )


def _invite(api: Api, tenant: Tenant, email: str, role: str = "front_desk") -> Any:
    body = {"name": "Ama Invited", "email": email, "role": role}
    return api.client.post("/staff", json=body, headers=tenant.headers)


def test_reset_sets_a_new_password_and_ends_every_earlier_sign_in(
    api: Api, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("staff-reset")
    api.create_staff(tenant, "manager", "man@staff-reset.example")
    signed_in = api.login("staff-reset", "man@staff-reset.example").json()
    bearer = {"Authorization": f"Bearer {signed_in['access_token']}"}
    assert api.client.get("/me", headers=bearer).status_code == 200

    response = _reset(api, "staff-reset", "MAN@staff-reset.example")
    assert (response.status_code, response.json()["detail"]) == (202, RESET_ACCEPTED)
    mail = mailbox.to("man@staff-reset.example")[-1]
    assert mail["Subject"] == "Reset your staff password for staff-reset gym"
    text = mail.get_content()
    assert "staff-reset gym" in text and f"{CONSOLE}/manage" in text and "2 hours" in text
    link = staff_password_link_in(mail)
    code = staff_password_token_in(mail)
    assert parse_qs(urlsplit(link).query)["code"] == [code]

    changed = _confirm(api, code)
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "man@staff-reset.example"
    assert api.login("staff-reset", "man@staff-reset.example").status_code == 401
    assert api.login("staff-reset", "man@staff-reset.example", NEW_PASSWORD).status_code == 200
    # The sign-in made with the old password ends: its access and refresh tokens alike.
    assert api.client.get("/me", headers=bearer).status_code == 401
    refreshed = api.client.post("/auth/refresh", json={"refresh_token": signed_in["refresh_token"]})
    assert refreshed.status_code == 401


def test_reset_answers_the_same_for_everyone_and_is_capped_per_day(
    api: Api, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("staff-quiet")
    desk = api.create_staff(tenant, "front_desk", "desk@staff-quiet.example")
    archived = api.create_staff(tenant, "coach", "gone@staff-quiet.example")
    api.client.delete(f"/staff/{archived['id']}", headers=tenant.headers)
    answers = [
        _reset(api, slug, email)
        for slug, email in (
            ("staff-quiet", "nobody@staff-quiet.example"),
            ("no-such-gym", desk["email"]),
            ("staff-quiet", "gone@staff-quiet.example"),
            ("staff-quiet", desk["email"]),
        )
    ]
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}
    assert [m["To"] for m in mailbox.messages] == [desk["email"]]
    capped = [_reset(api, "staff-quiet", desk["email"]) for _ in range(6)]
    assert {a.status_code for a in capped} == {202}
    assert len(mailbox.to(desk["email"])) == 5
    assert _reset(api, "staff-quiet", "not-an-email").status_code == 422


def test_a_used_or_expired_or_forged_code_is_refused_and_changes_nothing(
    api: Api, mailbox: SmtpSink, container: Container
) -> None:
    tenant = api.sign_up("staff-once")
    api.create_staff(tenant, "coach", "once@staff-once.example")
    assert _reset(api, "staff-once", "once@staff-once.example").status_code == 202
    assert _reset(api, "staff-once", "once@staff-once.example").status_code == 202
    first, second = (staff_password_token_in(m) for m in mailbox.to("once@staff-once.example"))
    assert _confirm(api, first).status_code == 200
    for used in (first, second):  # one used code ends every open one of the account
        again = _confirm(api, used, "yet another password 3")
        assert again.status_code == 409, again.text
        assert again.headers["content-type"] == "application/problem+json"
        assert "already used" in again.json()["detail"]
    assert api.login("staff-once", "once@staff-once.example", "yet another password 3").is_error

    assert _reset(api, "staff-once", "once@staff-once.example").status_code == 202
    late = staff_password_token_in(mailbox.to("once@staff-once.example")[-1])
    with container.session_factory() as db:
        db.execute(update(StaffPasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    expired = _confirm(api, late, "too late password 4")
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]
    assert api.login("staff-once", "once@staff-once.example", NEW_PASSWORD).status_code == 200

    prefix, tenant_hex, token_hex, _secret = late.split(".", 3)
    member_like = f"pw.{tenant_hex}.{token_hex}.{_secret}"
    for garbage in ("nonsense", f"{prefix}.{tenant_hex}.{token_hex}.wrong", member_like):
        response = _confirm(api, garbage)
        assert response.status_code == 422, garbage
        assert "not valid" in response.json()["detail"]
    assert _confirm(api, late, "short").status_code == 422


def test_another_tenants_code_never_works(api: Api, mailbox: SmtpSink) -> None:
    mine, theirs = api.sign_up("staff-mine"), api.sign_up("staff-theirs")
    api.create_staff(mine, "coach", "coach@staff-mine.example")
    assert _reset(api, "staff-mine", "coach@staff-mine.example").status_code == 202
    code = staff_password_token_in(mailbox.to("coach@staff-mine.example")[-1])
    prefix, _tenant_hex, token_hex, secret = code.split(".", 3)
    moved = f"{prefix}.{uuid_hex(theirs.id)}.{token_hex}.{secret}"
    response = _confirm(api, moved)
    assert response.status_code == 422 and "not valid" in response.json()["detail"]
    assert _confirm(api, code).status_code == 200  # still unused


def test_an_invitation_sets_the_first_password(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("staff-invite")
    made = _invite(api, tenant, "Ama@staff-invite.example")
    assert made.status_code == 201, made.text
    staff = made.json()
    assert staff["has_password"] is False and staff["email"] == "ama@staff-invite.example"
    [invitation] = mailbox.to("ama@staff-invite.example")
    assert invitation["Subject"] == "You are invited to the manager console of staff-invite gym"
    text = invitation.get_content()
    assert "Ama Invited" in text and f"{CONSOLE}/manage" in text and "14 days" in text
    assert '"staff-invite"' in text  # the short name to sign in with
    # Nothing signs in before the password is chosen, not even an empty one.
    for password in ("", PASSWORD):
        assert api.login("staff-invite", "ama@staff-invite.example", password).is_error
    listed = api.client.get(f"/staff/{staff['id']}", headers=tenant.headers).json()
    assert listed["has_password"] is False

    resent = api.client.post(f"/staff/{staff['id']}/invitation", headers=tenant.headers)
    assert resent.status_code == 202, resent.text
    assert len(mailbox.to("ama@staff-invite.example")) == 2
    assert _confirm(api, staff_password_token_in(invitation)).status_code == 200
    assert api.login("staff-invite", "ama@staff-invite.example", NEW_PASSWORD).status_code == 200
    listed = api.client.get(f"/staff/{staff['id']}", headers=tenant.headers).json()
    assert listed["has_password"] is True
    again = api.client.post(f"/staff/{staff['id']}/invitation", headers=tenant.headers)
    assert again.status_code == 409 and "already has a password" in again.json()["detail"]


def test_with_a_password_no_invitation_is_sent(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("staff-typed")
    staff = api.create_staff(tenant, "coach", "typed@staff-typed.example")
    assert staff["has_password"] is True
    assert mailbox.messages == []
    refused = api.client.post(f"/staff/{staff['id']}/invitation", headers=tenant.headers)
    assert refused.status_code == 409


def test_resending_is_for_owners_and_managers_of_the_tenant(api: Api, mailbox: SmtpSink) -> None:
    mine, theirs = api.sign_up("resend-mine"), api.sign_up("resend-theirs")
    invited = _invite(api, mine, "new@resend-mine.example").json()
    owner_invited = _invite(api, mine, "boss@resend-mine.example", role="owner").json()
    api.create_staff(mine, "front_desk", "desk@resend-mine.example")
    api.create_staff(mine, "manager", "man@resend-mine.example")
    sent = len(mailbox.messages)
    desk = api.token_for("resend-mine", "desk@resend-mine.example")
    manager = api.token_for("resend-mine", "man@resend-mine.example")

    def resend(staff_id: str, headers: dict[str, str]) -> int:
        status: int = api.client.post(f"/staff/{staff_id}/invitation", headers=headers).status_code
        return status

    assert resend(invited["id"], desk) == 403
    assert resend(owner_invited["id"], manager) == 403  # managers do not manage owners
    assert resend(invited["id"], theirs.headers) == 404
    assert resend("00000000-0000-0000-0000-000000000000", mine.headers) == 404
    assert len(mailbox.messages) == sent
    assert resend(invited["id"], manager) == 202
    assert resend(owner_invited["id"], mine.headers) == 202
    assert len(mailbox.messages) == sent + 2
    # Only owners and managers invite by creating accounts, too.
    body = {"name": "X", "email": "x@resend-mine.example", "role": "coach"}
    assert api.client.post("/staff", json=body, headers=desk).status_code == 403


def test_a_password_set_by_an_owner_ends_the_open_invitation(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("staff-given")
    staff = _invite(api, tenant, "given@staff-given.example").json()
    code = staff_password_token_in(mailbox.to("given@staff-given.example")[-1])
    given = api.client.patch(
        f"/staff/{staff['id']}", json={"password": PASSWORD}, headers=tenant.headers
    )
    assert given.status_code == 200 and given.json()["has_password"] is True
    assert _confirm(api, code).status_code == 409
    assert api.login("staff-given", "given@staff-given.example").status_code == 200


def test_a_deactivated_account_cannot_use_its_link(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("staff-left")
    staff = _invite(api, tenant, "left@staff-left.example").json()
    code = staff_password_token_in(mailbox.to("left@staff-left.example")[-1])
    assert api.client.delete(f"/staff/{staff['id']}", headers=tenant.headers).status_code == 204
    refused = _confirm(api, code)
    assert refused.status_code == 422 and "not valid" in refused.json()["detail"]
    resend = api.client.post(f"/staff/{staff['id']}/invitation", headers=tenant.headers)
    assert resend.status_code == 409 and "archived" in resend.json()["detail"]
