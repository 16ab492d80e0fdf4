"""The member app's account pages: sign-up and the email confirmation, a forgotten password,
and setting a password from a reset or invitation code. The mails come through a real SMTP
server on loopback and the tests follow the links they carry, as a member would."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select, update

from server.bootstrap import Container
from server.config import Settings
from server.members.models import Member, PasswordToken
from shared.clock import utcnow
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import (
    SmtpSink,
    create_member,
    mailing_to,
    password_token_in,
    token_in,
)
from tests.integration.web_helpers import (
    WEB_PASSWORD,
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    post_form,
)

SLUG = "acct-gym"
EMAIL = "esi@acct-gym.example"
SERVER = "http://testserver"
NEW_PASSWORD = "a new web password 42"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url=f"{SERVER}/")


@pytest.fixture
def tenant(api: Api) -> Tenant:
    return api.sign_up(SLUG)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


def _link(message: EmailMessage, page: str) -> str:
    """The page's address in the mail, as a path on the test server."""
    found = re.search(rf"{re.escape(SERVER)}(/app/{SLUG}/{page}\?code=\S+)", _body(message))
    assert found, _body(message)
    return found.group(1)


def _alert(html: str) -> str:
    found = re.search(r'<p class="alert" role="alert" id="form-error">([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def _signup(client: TestClient, **fields: str) -> Any:
    page = f"/app/{SLUG}/signup"
    values = {"first_name": "Esi", "last_name": "Owusu", "email": EMAIL, "password": WEB_PASSWORD}
    return post_form(client, page, page, **{**values, **fields})


def _member(api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink) -> None:
    """A member who can sign in; the invitation the desk's adding sent is put aside."""
    member_who_signs_in(api, container, tenant, EMAIL)
    mailbox.messages.clear()


def _password_hash(container: Container, email: str) -> str | None:
    with container.uow() as uow:
        found: str | None = uow.db.scalar(select(Member.password_hash).where(Member.email == email))
        return found


def test_a_member_signs_up_confirms_from_the_emailed_link_and_signs_in(
    api: Api, tenant: Tenant, mailbox: SmtpSink
) -> None:
    client = api.client
    form = client.get(f"/app/{SLUG}/signin")
    assert f'href="/app/{SLUG}/signup"' in form.text and f'href="/app/{SLUG}/reset"' in form.text
    done = _signup(client)
    assert done.status_code == 200, done.text
    assert "Check your email" in done.text
    (mail,) = mailbox.to(EMAIL)
    link = _link(mail, "verify")
    assert token_in(mail) in link  # the code is in the mail as text too
    # Not confirmed yet: the sign-in says so.
    refused = member_signs_in(client, SLUG, EMAIL)
    assert refused.status_code == 403 and "verify your email first" in refused.text.lower()
    # Opening the link does not use the code up (mail scanners open links): a button does.
    landing = client.get(link)
    assert landing.status_code == 200
    assert f'name="code" value="{token_in(mail)}"' in landing.text
    confirmed = client.post(
        f"/app/{SLUG}/verify",
        data={"csrf": csrf_of(landing.text), "code": token_in(mail)},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "Your email is confirmed" in confirmed.text
    assert member_signs_in(client, SLUG, EMAIL).status_code == 303
    assert "Esi Owusu" in client.get("/app/pass").text
    # The link works once; the page says so and offers a field for another code.
    again = post_form(client, link, f"/app/{SLUG}/verify", code=token_in(mail))
    assert again.status_code == 409
    assert "already used" in _alert(again.text)
    forged = post_form(client, link, f"/app/{SLUG}/verify", code="ev.forged")
    assert forged.status_code == 422 and "not valid" in _alert(forged.text)


def test_a_sign_up_with_a_members_address_looks_the_same_and_the_mail_says_why(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    fresh = _signup(api.client, email="new@acct-gym.example")
    _member(api, container, tenant, mailbox)
    taken = _signup(api.client)
    assert (taken.status_code, fresh.status_code) == (200, 200)
    strip = re.compile(r'name="csrf" value="[^"]+"')
    assert strip.sub("", taken.text) == strip.sub("", fresh.text)
    (mail,) = mailbox.to(EMAIL)
    assert "already have an account" in _body(mail)
    assert _password_hash(container, EMAIL) is not None
    # A member the desk added, with no password, is sent an invitation with its link.
    create_member(api, tenant, first="Kojo", email="kojo@acct-gym.example")
    mailbox.messages.clear()
    assert _signup(api.client, email="kojo@acct-gym.example").status_code == 200
    (invitation,) = mailbox.to("kojo@acct-gym.example")
    assert "/reset/confirm?code=" in _link(invitation, "reset/confirm")


def test_a_sign_up_with_bad_fields_says_what_to_fix_and_keeps_what_was_typed(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    short = _signup(api.client, password="short")
    assert short.status_code == 422
    assert _alert(short.text) == "Choose a password of at least 10 characters."
    assert 'value="Esi"' in short.text and f'value="{EMAIL}"' in short.text
    assert 'value="short"' not in short.text
    odd = _signup(api.client, email="not-an-address", first_name="")
    assert odd.status_code == 422
    assert "first name" in _alert(odd.text) and "valid email" in _alert(odd.text)
    assert mailbox.messages == [] and _password_hash(container, EMAIL) is None
    unknown = post_form(
        api.client,
        "/app/no-such-gym/signup",
        "/app/no-such-gym/signup",
        **{"first_name": "Esi", "last_name": "Owusu", "email": EMAIL, "password": WEB_PASSWORD},
    )
    assert unknown.status_code == 404 and "no provider" in _alert(unknown.text).lower()


def test_a_member_resets_the_password_from_the_emailed_link(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    _member(api, container, tenant, mailbox)
    page = f"/app/{SLUG}/reset"
    asked = post_form(api.client, page, page, email=EMAIL)
    assert asked.status_code == 200 and "Check your email" in asked.text
    # An address that is no member's gets the same page, and no mail.
    nobody = post_form(api.client, page, page, email="nobody@acct-gym.example")
    strip = re.compile(r'name="csrf" value="[^"]+"')
    assert strip.sub("", nobody.text) == strip.sub("", asked.text)
    (mail,) = mailbox.to(EMAIL)
    assert mailbox.to("nobody@acct-gym.example") == []
    link = _link(mail, "reset/confirm")
    code = password_token_in(mail)
    assert code in link
    confirm = f"/app/{SLUG}/reset/confirm"
    form = api.client.get(link)
    assert f'name="code" value="{code}"' in form.text
    differ = post_form(
        api.client, link, confirm, code=code, password=NEW_PASSWORD, password_again="other one!!"
    )
    assert differ.status_code == 422 and "not the same" in _alert(differ.text)
    weak = post_form(api.client, link, confirm, code=code, password="weak", password_again="weak")
    assert weak.status_code == 422
    assert _alert(weak.text) == "Choose a password of at least 10 characters."
    assert member_signs_in(api.client, SLUG, EMAIL).status_code == 303  # nothing changed yet
    done = post_form(
        api.client, link, confirm, code=code, password=NEW_PASSWORD, password_again=NEW_PASSWORD
    )
    assert done.status_code == 200 and "Your password is set" in done.text
    # The earlier sign-in has ended; the new password signs in, the old one no longer.
    assert api.client.get("/app/pass", follow_redirects=False).status_code == 303
    assert member_signs_in(api.client, SLUG, EMAIL).status_code == 401
    assert member_signs_in(api.client, SLUG, EMAIL, NEW_PASSWORD).status_code == 303
    used = post_form(
        api.client, link, confirm, code=code, password=NEW_PASSWORD, password_again=NEW_PASSWORD
    )
    assert used.status_code == 409 and "already used" in _alert(used.text)


def test_bad_codes_are_said_on_the_page_and_change_nothing(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    _member(api, container, tenant, mailbox)
    page = f"/app/{SLUG}/reset"
    post_form(api.client, page, page, email=EMAIL)
    (mail,) = mailbox.to(EMAIL)
    code = password_token_in(mail)
    confirm = f"/app/{SLUG}/reset/confirm"
    fields = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    before = _password_hash(container, EMAIL)
    # A code with its secret changed, a made-up one, none at all.
    forged = code[:-4] + ("aaaa" if not code.endswith("aaaa") else "bbbb")
    for bad in (forged, "pw.nonsense", ""):
        refused = post_form(api.client, confirm, confirm, code=bad, **fields)
        assert refused.status_code == 422, bad
        assert "not valid" in _alert(refused.text) or "code from the email" in _alert(refused.text)
    # Without a code in the address, the page asks for it.
    assert 'id="code" name="code"' in api.client.get(confirm).text
    with container.uow() as uow:
        uow.db.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(minutes=1)))
        uow.commit()
    expired = post_form(api.client, _link(mail, "reset/confirm"), confirm, code=code, **fields)
    assert expired.status_code == 410 and "expired" in _alert(expired.text)
    assert _password_hash(container, EMAIL) == before


def test_an_invited_member_sets_a_password_from_the_link_and_signs_in(
    api: Api, tenant: Tenant, mailbox: SmtpSink
) -> None:
    create_member(api, tenant, first="Abena", email=EMAIL)
    (mail,) = mailbox.to(EMAIL)
    assert "Set up your online account" in mail["Subject"]
    link = _link(mail, "reset/confirm")
    done = post_form(
        api.client,
        link,
        f"/app/{SLUG}/reset/confirm",
        code=password_token_in(mail),
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )
    assert done.status_code == 200, done.text
    # Setting the password from the mail proved the address: signing in works at once.
    assert member_signs_in(api.client, SLUG, EMAIL, NEW_PASSWORD).status_code == 303
    assert "Abena Mensah" in api.client.get("/app/pass").text


def test_every_account_form_refuses_a_post_without_its_csrf_token(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    _member(api, container, tenant, mailbox)
    page = f"/app/{SLUG}/reset"
    post_form(api.client, page, page, email=EMAIL)
    (mail,) = mailbox.to(EMAIL)
    mailbox.messages.clear()
    code = password_token_in(mail)
    before = _password_hash(container, EMAIL)
    posts = {
        f"/app/{SLUG}/signup": {
            "first_name": "Esi",
            "last_name": "Owusu",
            "email": "csrf@acct-gym.example",
            "password": WEB_PASSWORD,
        },
        f"/app/{SLUG}/verify": {"code": "ev.anything"},
        f"/app/{SLUG}/reset": {"email": EMAIL},
        f"/app/{SLUG}/reset/confirm": {
            "code": code,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    }
    with TestClient(api.client.app) as other:
        foreign = csrf_of(other.get(f"/app/{SLUG}/signup").text)
    api.client.get(f"/app/{SLUG}/signup")  # this browser has its own CSRF cookie
    for action, fields in posts.items():
        for csrf in (None, "", foreign):
            data = fields if csrf is None else {**fields, "csrf": csrf}
            refused = api.client.post(action, data=data)
            assert refused.status_code == 403, (action, csrf)
            assert "This form has expired" in refused.text
    assert mailbox.messages == []
    assert _password_hash(container, "csrf@acct-gym.example") is None
    assert _password_hash(container, EMAIL) == before
    # The code was not used up by the refused posts.
    done = post_form(
        api.client,
        f"/app/{SLUG}/reset/confirm?code={code}",
        f"/app/{SLUG}/reset/confirm",
        code=code,
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )
    assert done.status_code == 200


def test_the_public_address_setting_is_checked() -> None:
    assert Settings(public_url=" https://gym.example.com/ ").public_url == "https://gym.example.com"
    assert Settings(public_url="").public_url is None
    for bad in ("gym.example.com", "ftp://gym.example.com", "https://gym.example.com/?a=1"):
        with pytest.raises(ValidationError):
            Settings(public_url=bad)
