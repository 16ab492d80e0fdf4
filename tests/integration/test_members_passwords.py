"""Password resets and invitations by email, read out of a real SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from server.bootstrap import Container
from server.config import Settings
from server.members.models import PasswordToken
from server.members.passwords import RESET_ACCEPTED
from shared.clock import utcnow
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import (
    MEMBER_PASSWORD,
    SmtpSink,
    create_member,
    mailing_to,
    password_token_in,
    token_in,
)

NEW_PASSWORD = "a brand new password 9"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp)


def _login(api: Api, slug: str, email: str, password: str) -> Any:
    return api.client.post(
        "/members/login", json={"tenant": slug, "email": email, "password": password}
    )


def _reset(api: Api, slug: str, email: str) -> Any:
    return api.client.post("/members/password-reset", json={"tenant": slug, "email": email})


def _confirm(api: Api, token: str, password: str = NEW_PASSWORD) -> Any:
    return api.client.post(
        "/members/password-reset/confirm", json={"token": token, "password": password}
    )


def _online_member(api: Api, mailbox: SmtpSink, slug: str, email: str) -> Tenant:
    tenant = api.sign_up(slug)
    body = {
        "tenant": slug,
        "first_name": "Esi",
        "last_name": "Owusu",
        "email": email,
        "password": MEMBER_PASSWORD,
    }
    assert api.client.post("/members/signup", json=body).status_code == 202
    verify = {"token": token_in(mailbox.to(email)[-1])}
    assert api.client.post("/members/verify-email", json=verify).status_code == 200
    return tenant


def test_reset_sets_a_new_password_and_ends_every_earlier_sign_in(
    api: Api, mailbox: SmtpSink
) -> None:
    _online_member(api, mailbox, "reset-gym", "esi@x.example")
    signed_in = _login(api, "reset-gym", "esi@x.example", MEMBER_PASSWORD).json()
    bearer = {"Authorization": f"Bearer {signed_in['access_token']}"}
    assert api.client.get("/members/me", headers=bearer).status_code == 200

    response = _reset(api, "reset-gym", "ESI@x.example")
    assert (response.status_code, response.json()["detail"]) == (202, RESET_ACCEPTED)
    mail = mailbox.to("esi@x.example")[-1]
    assert "Reset your password" in mail["Subject"]
    changed = _confirm(api, password_token_in(mail))
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "esi@x.example"

    assert _login(api, "reset-gym", "esi@x.example", MEMBER_PASSWORD).status_code == 401
    assert _login(api, "reset-gym", "esi@x.example", NEW_PASSWORD).status_code == 200
    # The sign-in made with the old password ends: its access and refresh tokens alike.
    assert api.client.get("/members/me", headers=bearer).status_code == 401
    refreshed = api.client.post(
        "/members/refresh", json={"refresh_token": signed_in["refresh_token"]}
    )
    assert refreshed.status_code == 401


def test_a_used_or_expired_or_forged_code_is_refused_and_changes_nothing(
    api: Api, mailbox: SmtpSink, container: Container
) -> None:
    _online_member(api, mailbox, "once-gym", "once@x.example")
    assert _reset(api, "once-gym", "once@x.example").status_code == 202
    assert _reset(api, "once-gym", "once@x.example").status_code == 202
    first, second = (password_token_in(m) for m in mailbox.to("once@x.example")[-2:])
    assert _confirm(api, first).status_code == 200
    for used in (first, second):  # one used code ends every open one of the member
        again = _confirm(api, used, "yet another password 3")
        assert again.status_code == 409, again.text
        assert again.headers["content-type"] == "application/problem+json"
        assert "already used" in again.json()["detail"]
    assert _login(api, "once-gym", "once@x.example", "yet another password 3").status_code == 401

    assert _reset(api, "once-gym", "once@x.example").status_code == 202
    late = password_token_in(mailbox.to("once@x.example")[-1])
    with container.session_factory() as db:
        db.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    expired = _confirm(api, late, "too late password 4")
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    assert _login(api, "once-gym", "once@x.example", "too late password 4").status_code == 401
    assert _login(api, "once-gym", "once@x.example", NEW_PASSWORD).status_code == 200

    prefix, tenant_hex, token_hex, _secret = late.split(".", 3)
    for garbage in ("nonsense", f"{prefix}.{tenant_hex}.{token_hex}.wrong", "pw.zz.zz.zz"):
        response = _confirm(api, garbage)
        assert response.status_code == 422, garbage
        assert "not valid" in response.json()["detail"]
    assert _confirm(api, late, "short").status_code == 422


def test_reset_answers_the_same_for_everyone_and_is_capped_per_day(
    api: Api, mailbox: SmtpSink
) -> None:
    _online_member(api, mailbox, "quiet-gym", "real@x.example")
    sent_before = len(mailbox.messages)
    answers = [
        _reset(api, slug, email)
        for slug, email in (
            ("quiet-gym", "nobody@x.example"),
            ("no-such-gym", "real@x.example"),
        )
    ]
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}
    assert len(mailbox.messages) == sent_before
    capped = [_reset(api, "quiet-gym", "real@x.example") for _ in range(7)]
    assert {a.status_code for a in capped} == {202}
    assert len(mailbox.to("real@x.example")) - 1 == 5  # the sign-up's own email, then 5
    assert _reset(api, "quiet-gym", "not-an-email").status_code == 422


def test_members_added_by_staff_are_invited_to_set_a_password(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("invite-gym")
    member = create_member(api, tenant, "Kofi", "Mensah", email="Kofi@x.example")
    create_member(api, tenant, "No", "Email")
    assert [m["To"] for m in mailbox.messages] == ["kofi@x.example"]
    invitation = mailbox.messages[0]
    assert "Set up your online account with" in invitation["Subject"]
    assert "14 days" in invitation.get_content()
    # Staff send it again; both codes work until one of them is used.
    again = api.client.post(f"/members/{member['id']}/invitation", headers=tenant.headers)
    assert again.status_code == 202, again.text
    assert len(mailbox.to("kofi@x.example")) == 2
    assert _confirm(api, password_token_in(mailbox.to("kofi@x.example")[-1])).status_code == 200
    assert _login(api, "invite-gym", "kofi@x.example", NEW_PASSWORD).status_code == 200
    assert _confirm(api, password_token_in(invitation)).status_code == 409
    has_account = api.client.post(f"/members/{member['id']}/invitation", headers=tenant.headers)
    assert has_account.status_code == 409
    assert "already has an online account" in has_account.json()["detail"]


def test_resending_an_invitation_needs_an_email_and_a_member_of_ones_own(
    api: Api, mailbox: SmtpSink
) -> None:
    mine, theirs = api.sign_up("invite-mine"), api.sign_up("invite-theirs")
    no_email = create_member(api, mine, "No", "Email")
    response = api.client.post(f"/members/{no_email['id']}/invitation", headers=mine.headers)
    assert response.status_code == 422
    assert "no email address" in response.json()["detail"]
    other = create_member(api, theirs, "Their", "Member", email="their@x.example")
    sent = len(mailbox.messages)
    response = api.client.post(f"/members/{other['id']}/invitation", headers=mine.headers)
    assert response.status_code == 404
    assert len(mailbox.messages) == sent
    api.create_staff(mine, "coach", "coach@x.example")
    response = api.client.post(
        f"/members/{no_email['id']}/invitation",
        headers=api.token_for("invite-mine", "coach@x.example"),
    )
    assert response.status_code == 403


def test_an_imported_member_is_invited_and_signing_up_sends_the_invitation_again(
    api: Api, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("import-invite")
    csv = "first_name,last_name,email\nYaa,Asantewaa,yaa@x.example\nKojo,Antwi,\n"
    headers = {**tenant.headers, "content-type": "text/csv"}
    result = api.client.post("/members/import", content=csv.encode(), headers=headers)
    assert result.json()["created"] == 2
    assert [m["To"] for m in mailbox.messages] == ["yaa@x.example"]
    body = {
        "tenant": "import-invite",
        "first_name": "Yaa",
        "last_name": "Asantewaa",
        "email": "yaa@x.example",
        "password": MEMBER_PASSWORD,
    }
    assert api.client.post("/members/signup", json=body).status_code == 202
    invitation = mailbox.to("yaa@x.example")[-1]
    assert len(mailbox.to("yaa@x.example")) == 2
    assert "Set up your online account" in invitation["Subject"]
    # The sign-up's password was not taken: only the emailed code sets one.
    assert _login(api, "import-invite", "yaa@x.example", MEMBER_PASSWORD).status_code == 401
    assert _confirm(api, password_token_in(invitation)).status_code == 200
    assert _login(api, "import-invite", "yaa@x.example", NEW_PASSWORD).status_code == 200
