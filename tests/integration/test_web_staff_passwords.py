"""The console's password pages: a forgotten staff password, choosing one from the emailed
link (resets and invitations alike), and Set-up's invitations. The mails come through a
real SMTP server on loopback and the tests follow the links they carry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from server.staff.models import StaffAccount, StaffPasswordToken
from shared.clock import utcnow
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.staff_password_helpers import staff_password_token_in
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "staffpw-gym"
OWNER = f"owner@{SLUG}.example"
MANAGER = f"manager@{SLUG}.example"
SERVER = "http://testserver"
NEW_PASSWORD = "a new console password 7"
RESET, CONFIRM = "/manage/reset", "/manage/reset/confirm"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url=f"{SERVER}/")


@pytest.fixture
def tenant(api: Api) -> Tenant:
    tenant = api.sign_up(SLUG)
    api.create_staff(tenant, "manager", MANAGER)
    return tenant


def _browser(container: Container) -> TestClient:
    return TestClient(create_app(container=container), raise_server_exceptions=False)


@pytest.fixture
def owner(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    with _browser(container) as client:
        assert staff_signs_in(client, SLUG, OWNER, PASSWORD).status_code == 303
        yield client


def _link(message: EmailMessage) -> str:
    """The console page's address in the mail, as a path on the test server."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    found = re.search(rf"{re.escape(SERVER)}({CONFIRM}\?code=\S+)", part.get_content())
    assert found, part.get_content()
    return found.group(1)


def _alert(html: str) -> str:
    found = re.search(r'<p class="alert" role="alert" id="form-error">([^<]*)</p>', html)
    assert found, html
    return found.group(1)


def _password_hash(container: Container, email: str) -> str:
    with container.session_factory() as db:
        found: str = db.execute(
            select(StaffAccount.password_hash).where(StaffAccount.email == email)
        ).scalar_one()
        return found


def _choose(client: TestClient, link: str, code: str, password: str, again: str = "") -> Any:
    return post_form(
        client, link, CONFIRM, code=code, password=password, password_again=again or password
    )


def test_the_sign_in_page_links_to_the_forgotten_password_page(api: Api) -> None:
    signin = api.client.get("/manage/signin").text
    assert f'<a href="{RESET}">Forgot your password?</a>' in signin
    page = api.client.get(RESET)
    assert page.status_code == 200 and "Forgot your password?" in page.text


def test_a_manager_resets_the_password_from_the_emailed_link(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    with _browser(container) as earlier:
        assert staff_signs_in(earlier, SLUG, MANAGER, PASSWORD).status_code == 303
        assert earlier.get("/manage", follow_redirects=False).status_code == 200
        asked = post_form(api.client, RESET, RESET, tenant=SLUG.upper(), email=MANAGER)
        assert asked.status_code == 200 and "Check your email" in asked.text
        # Unknown addresses and gyms get the same page, and no mail.
        strip = re.compile(r'name="csrf" value="[^"]+"')
        for slug, email in ((SLUG, f"nobody@{SLUG}.example"), ("no-such-gym", MANAGER)):
            other = post_form(api.client, RESET, RESET, tenant=slug, email=email)
            assert strip.sub("", other.text) == strip.sub("", asked.text)
        (mail,) = mailbox.messages
        assert mail["To"] == MANAGER and f"{SERVER}/manage" in mail.get_content()
        link, code = _link(mail), staff_password_token_in(mail)
        form = api.client.get(link)
        assert f'name="code" value="{code}"' in form.text

        differ = _choose(api.client, link, code, NEW_PASSWORD, "another one here")
        assert differ.status_code == 422 and "not the same" in _alert(differ.text)
        weak = _choose(api.client, link, code, "weak")
        assert weak.status_code == 422
        assert _alert(weak.text) == "Choose a password of at least 10 characters."
        assert api.login(SLUG, MANAGER).status_code == 200  # nothing changed yet

        done = _choose(api.client, link, code, NEW_PASSWORD)
        assert done.status_code == 200 and "Your password is set" in done.text
        # The earlier sign-in has ended; the new password signs in, the old one no longer.
        ended = earlier.get("/manage", follow_redirects=False)
        assert ended.status_code == 303 and "/manage/signin" in ended.headers["location"]
    assert staff_signs_in(api.client, SLUG, MANAGER, PASSWORD).status_code == 401
    assert staff_signs_in(api.client, SLUG, MANAGER, NEW_PASSWORD).status_code == 303
    used = _choose(api.client, link, code, NEW_PASSWORD)
    assert used.status_code == 409 and "already used" in _alert(used.text)


def test_bad_fields_and_codes_are_said_on_the_page_and_change_nothing(
    api: Api, container: Container, tenant: Tenant, mailbox: SmtpSink
) -> None:
    bad_email = post_form(api.client, RESET, RESET, tenant=SLUG, email="not-an-email")
    assert bad_email.status_code == 422
    assert _alert(bad_email.text) == "Enter a valid email address."
    assert 'value="not-an-email"' in bad_email.text  # what was typed is kept
    no_gym = post_form(api.client, RESET, RESET, tenant="", email=MANAGER)
    assert no_gym.status_code == 422
    assert _alert(no_gym.text) == "Enter the short name of your gym or studio."
    assert mailbox.messages == []

    post_form(api.client, RESET, RESET, tenant=SLUG, email=MANAGER)
    (mail,) = mailbox.messages
    code = staff_password_token_in(mail)
    before = _password_hash(container, MANAGER)
    forged = code[:-4] + ("aaaa" if not code.endswith("aaaa") else "bbbb")
    for bad in (forged, "spw.nonsense", ""):
        refused = _choose(api.client, CONFIRM, bad, NEW_PASSWORD)
        assert refused.status_code == 422, bad
        assert "not valid" in _alert(refused.text) or "code from the email" in _alert(refused.text)
    # Without a code in the address, the page asks for it.
    assert 'id="code" name="code"' in api.client.get(CONFIRM).text
    with container.uow() as uow:
        uow.db.execute(
            update(StaffPasswordToken).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        uow.commit()
    expired = _choose(api.client, _link(mail), code, NEW_PASSWORD)
    assert expired.status_code == 410 and "expired" in _alert(expired.text)
    assert _password_hash(container, MANAGER) == before


def test_set_up_invites_a_new_account_which_chooses_its_password(
    api: Api, container: Container, tenant: Tenant, owner: TestClient, mailbox: SmtpSink
) -> None:
    new = owner.get("/manage/setup/staff/new").text
    assert "leave blank to email an invitation" in new
    email = f"kojo@{SLUG}.example"
    made = owner.post(
        "/manage/setup/staff/new",
        data={"csrf": csrf_of(new), "name": "Kojo Coach", "email": email, "role": "coach"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    (invitation,) = mailbox.to(email)
    assert SLUG in invitation["Subject"] and "14 days" in invitation.get_content()
    listed = owner.get("/manage/setup/staff").text
    row = re.search(
        r"<tr data-id=\"[^\"]+\"><th scope=\"row\"><a[^>]*>Kojo Coach</a>.*?</tr>", listed, re.S
    )
    assert row, listed
    assert "<td>Invited</td>" in row.group(0)
    action = re.search(r'action="(/manage/setup/staff/[0-9a-f-]+/invitation)"', row.group(0))
    assert action and "Send the invitation again" in row.group(0)
    # Accounts with a password have no such button.
    assert listed.count("Send the invitation again") == 1

    again = owner.post(action.group(1), data={"csrf": csrf_of(listed)}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("?invited=1")
    assert "The invitation was sent again." in owner.get(again.headers["location"]).text
    assert len(mailbox.to(email)) == 2

    done = _choose(api.client, _link(invitation), staff_password_token_in(invitation), NEW_PASSWORD)
    assert done.status_code == 200, done.text
    assert staff_signs_in(api.client, SLUG, email, NEW_PASSWORD).status_code == 303
    listed = owner.get("/manage/setup/staff").text
    assert "Send the invitation again" not in listed and "Invited" not in listed
    has_one = owner.post(action.group(1), data={"csrf": csrf_of(listed)})
    assert has_one.status_code == 409 and "already has a password" in has_one.text
    assert len(mailbox.to(email)) == 2


def test_only_owners_and_managers_resend_and_only_their_own_tenants(
    api: Api, container: Container, tenant: Tenant, owner: TestClient, mailbox: SmtpSink
) -> None:
    body = {"name": "Ama", "email": f"ama@{SLUG}.example", "role": "front_desk"}
    invited = api.client.post("/staff", json=body, headers=tenant.headers).json()
    other = api.sign_up("staffpw-other")
    theirs = api.client.post(
        "/staff", json={**body, "email": "x@staffpw-other.example"}, headers=other.headers
    ).json()
    api.create_staff(tenant, "front_desk", f"desk@{SLUG}.example")
    sent = len(mailbox.messages)
    csrf = csrf_of(owner.get("/manage/setup/staff").text)
    for staff_id in (theirs["id"], "not-an-id"):
        missing = owner.post(f"/manage/setup/staff/{staff_id}/invitation", data={"csrf": csrf})
        assert missing.status_code == 404, staff_id
    with _browser(container) as desk:
        assert staff_signs_in(desk, SLUG, f"desk@{SLUG}.example", PASSWORD).status_code == 303
        desk_csrf = csrf_of(desk.get("/manage").text)
        refused = desk.post(
            f"/manage/setup/staff/{invited['id']}/invitation", data={"csrf": desk_csrf}
        )
        assert refused.status_code == 403
    assert len(mailbox.messages) == sent


def test_every_password_form_refuses_a_post_without_its_csrf_token(
    api: Api, container: Container, tenant: Tenant, owner: TestClient, mailbox: SmtpSink
) -> None:
    post_form(api.client, RESET, RESET, tenant=SLUG, email=MANAGER)
    (mail,) = mailbox.messages
    mailbox.messages.clear()
    code = staff_password_token_in(mail)
    body = {"name": "Ama", "email": f"ama@{SLUG}.example", "role": "front_desk"}
    invited = api.client.post("/staff", json=body, headers=tenant.headers).json()
    mailbox.messages.clear()
    before = _password_hash(container, MANAGER)
    posts = {
        RESET: (api.client, {"tenant": SLUG, "email": MANAGER}),
        CONFIRM: (
            api.client,
            {"code": code, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        ),
        f"/manage/setup/staff/{invited['id']}/invitation": (owner, {}),
    }
    with TestClient(api.client.app) as stranger:
        foreign = csrf_of(stranger.get(RESET).text)
    api.client.get(RESET)  # this browser has its own CSRF cookie
    for action, (client, fields) in posts.items():
        for csrf in (None, "", foreign):
            data = fields if csrf is None else {**fields, "csrf": csrf}
            refused = client.post(action, data=data)
            assert refused.status_code == 403, (action, csrf)
            assert "This form has expired" in refused.text
    assert mailbox.messages == []
    assert _password_hash(container, MANAGER) == before
    # The code was not used up by the refused posts.
    assert _choose(api.client, _link(mail), code, NEW_PASSWORD).status_code == 200
