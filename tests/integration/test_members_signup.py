"""Member self-signup with a real SMTP server on loopback, email verification, and sign-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from server.bootstrap import Container
from server.config import Settings
from server.members.accounts import SIGNUP_ACCEPTED
from server.members.models import EmailVerification
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


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    """The suite's settings, sending email to the loopback SMTP server."""
    return mailing_to(settings, smtp)


def _signup(api: Api, slug: str, email: str, **extra: Any) -> Any:
    body = {
        "tenant": slug,
        "first_name": "Esi",
        "last_name": "Owusu",
        "email": email,
        "password": MEMBER_PASSWORD,
        **extra,
    }
    return api.client.post("/members/signup", json=body)


def _login(api: Api, slug: str, email: str, password: str = MEMBER_PASSWORD) -> Any:
    return api.client.post(
        "/members/login", json={"tenant": slug, "email": email, "password": password}
    )


def _verify(api: Api, token: str) -> Any:
    return api.client.post("/members/verify-email", json={"token": token})


def _signed_up_and_verified(api: Api, mailbox: SmtpSink, slug: str, email: str) -> Tenant:
    tenant = api.sign_up(slug)
    assert _signup(api, slug, email).status_code == 202
    assert _verify(api, token_in(mailbox.to(email)[-1])).status_code == 200
    return tenant


def test_signup_email_verify_then_login(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("signup-gym")
    response = _signup(
        api,
        "Signup-Gym",
        "Esi.Owusu@Example.com",
        phone="+233 24 000 1111",
        fitness_goals=["strength"],
        preferences={"newsletter": False},
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"detail": SIGNUP_ACCEPTED}
    [member] = api.client.get("/members", headers=tenant.headers).json()["items"]
    assert (member["email"], member["source"], member["email_verified"]) == (
        "esi.owusu@example.com",
        "online",
        False,
    )
    assert member["phone"] == "+233240001111"
    # The email went through a real SMTP conversation on loopback.
    [message] = mailbox.to("esi.owusu@example.com")
    assert "signup-gym gym" in message["Subject"]
    token = token_in(message)
    # Not before the address is confirmed.
    early = _login(api, "signup-gym", "esi.owusu@example.com")
    assert early.status_code == 403
    assert "verify your email first" in early.json()["detail"]
    verified = _verify(api, token)
    assert verified.status_code == 200, verified.text
    assert verified.json()["member_id"] == member["id"]
    login = _login(api, "signup-gym", "ESI.OWUSU@example.com")
    assert login.status_code == 200, login.text
    member_headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = api.client.get("/members/me", headers=member_headers)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email_verified"]) == (member["id"], True)
    # Staff see the member verified too.
    seen = api.client.get(f"/members/{member['id']}", headers=tenant.headers).json()
    assert seen["email_verified"] is True


def test_member_and_staff_tokens_stay_in_their_lanes(api: Api, mailbox: SmtpSink) -> None:
    tenant = _signed_up_and_verified(api, mailbox, "lanes-gym", "lane@x.example")
    tokens = _login(api, "lanes-gym", "lane@x.example").json()
    member = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert api.client.get("/members/me", headers=tenant.headers).status_code == 403
    for method, path in (("GET", "/members"), ("GET", "/me"), ("POST", "/members")):
        response = api.client.request(method, path, headers=member, json={})
        assert response.status_code == 403, (method, path)
    assert api.client.get("/members/me").status_code == 401
    # Member refresh tokens rotate.
    rotated = api.client.post("/members/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    again = api.client.post("/members/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    staff_refresh = api.client.post(
        "/members/refresh", json={"refresh_token": tenant.refresh_token}
    )
    assert staff_refresh.status_code == 401


def test_tokens_are_single_use_and_garbage_is_refused(
    api: Api, mailbox: SmtpSink, container: Container
) -> None:
    api.sign_up("token-rules")
    assert _signup(api, "token-rules", "once@x.example").status_code == 202
    token = token_in(mailbox.to("once@x.example")[0])
    assert _verify(api, token).status_code == 200
    reused = _verify(api, token)
    assert reused.status_code == 409
    assert "already used" in reused.json()["detail"]
    prefix, tenant_hex, verification_hex, _secret = token.split(".", 3)
    for garbage in (
        "nonsense",
        f"{prefix}.{tenant_hex}.{verification_hex}.wrong-secret",
        f"ev.{'0' * 32}.{verification_hex}.x",
        "ev.zz.zz.zz",
    ):
        response = _verify(api, garbage)
        assert response.status_code == 422, garbage
        assert "not valid" in response.json()["detail"]
    # An expired token is refused and leaves the address unconfirmed.
    assert _signup(api, "token-rules", "late@x.example").status_code == 202
    late = token_in(mailbox.to("late@x.example")[0])
    with container.session_factory() as db:
        db.execute(update(EmailVerification).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.commit()
    expired = _verify(api, late)
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    assert _login(api, "token-rules", "late@x.example").status_code == 403


def test_signup_answers_the_same_for_members_and_strangers(api: Api, mailbox: SmtpSink) -> None:
    """Whether an address belongs to a member (with an online account or not) shows only in
    the email that address receives, never in the answer."""
    tenant = api.sign_up("dup-signup")
    create_member(api, tenant, email="desk@x.example")  # a member without an account
    first = _signup(api, "dup-signup", "first@x.example")
    answers = [first] + [
        _signup(api, "dup-signup", email, first_name="Someone", password="another password 1")
        for email in ("FIRST@x.example", "desk@x.example")
    ]
    assert {(a.status_code, a.text) for a in answers} == {(202, first.text)}
    assert _signup(api, "no-such-gym", "a@x.example").status_code == 404
    assert _signup(api, "dup-signup", "short@x.example", password="short").status_code == 422
    assert _signup(api, "dup-signup", "not-an-email").status_code == 422
    # The member staff added is invited when added, and again when "signing up": the
    # invitation is what makes the advice "sign in or reset your password" true for them.
    assert [m["To"] for m in mailbox.messages] == [
        "desk@x.example",
        "first@x.example",
        "first@x.example",
        "desk@x.example",
    ]
    _, verification, account, _ = (m.get_content() for m in mailbox.messages)
    assert "one-time code" in verification
    assert "already have an account" in account and "one-time code" not in account
    assert "Set up your online account" in mailbox.messages[3]["Subject"]
    assert password_token_in(mailbox.messages[3]) != password_token_in(mailbox.messages[0])
    # Nothing changed: no new member, and the first password still signs in.
    members = api.client.get("/members", headers=tenant.headers).json()["items"]
    assert sorted((m["email"], m["first_name"]) for m in members) == [
        ("desk@x.example", "Ama"),
        ("first@x.example", "Esi"),
    ]
    assert _verify(api, token_in(mailbox.messages[1])).status_code == 200
    assert _login(api, "dup-signup", "first@x.example").status_code == 200


def test_resend_verification_answers_the_same_for_everyone(api: Api, mailbox: SmtpSink) -> None:
    tenant = api.sign_up("resend-gym")
    create_member(api, tenant, email="walkin@x.example")  # no password: not an online account
    assert _signup(api, "resend-gym", "slow@x.example").status_code == 202
    answers = [
        api.client.post("/members/resend-verification", json={"tenant": slug, "email": email})
        for slug, email in (
            ("resend-gym", "slow@x.example"),
            ("resend-gym", "nobody@x.example"),
            ("resend-gym", "walkin@x.example"),
            ("no-such-gym", "slow@x.example"),
        )
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    # The member staff added got their invitation to set a password when added; no
    # verification email, as they have no online account yet.
    assert [m["To"] for m in mailbox.messages] == [
        "walkin@x.example",
        "slow@x.example",
        "slow@x.example",
    ]
    second = token_in(mailbox.messages[-1])
    assert second != token_in(mailbox.messages[1])
    assert _verify(api, second).status_code == 200
    assert _login(api, "resend-gym", "slow@x.example").status_code == 200
    # Once verified, nothing more is sent.
    api.client.post(
        "/members/resend-verification", json={"tenant": "resend-gym", "email": "slow@x.example"}
    )
    assert len(mailbox.messages) == 3


def test_failed_member_logins_are_throttled(api: Api, mailbox: SmtpSink) -> None:
    tenant = _signed_up_and_verified(api, mailbox, "throttle-gym", "member@x.example")
    for _ in range(5):
        wrong = _login(api, "throttle-gym", "member@x.example", "guessing wrong")
        assert wrong.status_code == 401
        assert wrong.json()["detail"] == "the email or password is not correct"
    locked = _login(api, "throttle-gym", "member@x.example")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 800
    # The owner's staff sign-in is a different lane, even with the same tenant.
    assert api.login("throttle-gym", f"owner@{tenant.slug}.example").status_code == 200
    unknown = _login(api, "throttle-gym", "nobody@x.example")
    assert unknown.status_code == 401
    assert _login(api, "no-such-gym", "member@x.example").json()["detail"] == (
        "the email or password is not correct"
    )


def test_unreachable_smtp_still_creates_the_account(
    api: Api, mailbox: SmtpSink, container: Container
) -> None:
    from server.adapters.smtp_notifications import SmtpNotifications
    from tests.ports import free_port

    tenant = api.sign_up("nomail-gym")
    container.notifications = SmtpNotifications("127.0.0.1", free_port(), "zmos@x", timeout=2)
    response = _signup(api, "nomail-gym", "later@x.example")
    assert response.status_code == 202, response.text
    assert mailbox.messages == []
    members = api.client.get("/members", headers=tenant.headers).json()["items"]
    assert [m["email"] for m in members] == ["later@x.example"]


def test_resend_verification_is_capped_per_day(api: Api, mailbox: SmtpSink) -> None:
    api.sign_up("flood-gym")
    assert _signup(api, "flood-gym", "target@x.example").status_code == 202
    answers = [
        api.client.post(
            "/members/resend-verification", json={"tenant": "flood-gym", "email": email}
        )
        for email in ["target@x.example"] * 8
    ]
    # The answer never changes, but only five links a day reach one inbox.
    assert {a.status_code for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    assert [m["To"] for m in mailbox.messages] == ["target@x.example"] * 5
