"""The member app's Account section: memberships with their status, credits and receipts,
visit history, the calendar link, the profile and password forms, and the page that sends
a new confirmation email. Each page shows the signed-in member's own data only, edits are
read back through the API, and every form checks its CSRF token."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from server.members.models import Member
from server.plans.models import Membership
from server.web.formatting import Formats
from shared.clock import utcnow
from shared.enums import MembershipStatus
from tests.integration.bookings_helpers import Studio, member_headers, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.integration.sales_helpers import pdf_text, sold
from tests.integration.web_helpers import WEB_PASSWORD, csrf_of, member_signs_in, post_form

SLUG = "account-gym"
OTHER_SLUG = "elsewhere-gym"
EMAIL = f"ama@{SLUG}.example"
NEW_PASSWORD = "a brand new password 7"


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp, public_url="http://testserver/")


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


def _web_member(studio: Studio, email: str, first: str = "Ama", **extra: Any) -> str:
    """A member who can sign in on the web (password set, email confirmed)."""
    return studio.member(
        first_name=first,
        email=email,
        password_hash=studio.container.identity.hash_password(WEB_PASSWORD),
        email_verified_at=utcnow(),
        **extra,
    )


def _browser(container: Container) -> TestClient:
    return TestClient(create_app(container=container), raise_server_exceptions=False)


def _signed_in(container: Container, email: str = EMAIL) -> TestClient:
    client = _browser(container)
    assert member_signs_in(client, SLUG, email).status_code == 303
    return client


def _fmt(studio: Studio) -> Formats:
    return Formats.of(SimpleNamespace(**studio.desk.location), "GBP")


def _text(html: str) -> str:
    """The page's words, tags and runs of white space taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def _set_status(container: Container, membership_id: str, status: MembershipStatus) -> None:
    with container.uow() as uow:
        uow.db.execute(
            update(Membership)
            .where(Membership.id == uuid.UUID(membership_id))
            .values(status=status.value)
        )
        uow.commit()


def _another_tenant(api: Api, container: Container) -> tuple[Studio, str, dict[str, Any]]:
    """Another provider with a member, a membership of a plan named apart, and a sale."""
    other = open_studio(api, container, OTHER_SLUG)
    plan = other.desk.plan({**_PACK_ELSEWHERE})
    member = other.member(plan="", email=f"kofi@{OTHER_SLUG}.example")
    sale = sold(other.desk, member, plan, "30.00")
    return other, member, sale


_PACK_ELSEWHERE = {
    "name": "Elsewhere pack",
    "kind": "class_pack",
    "credits": 3,
    "validity_days": 30,
    "price": "30.00",
    "currency": "GBP",
}


def test_memberships_show_status_credits_dates_and_receipts_of_this_member_only(
    api: Api, container: Container, studio: Studio
) -> None:
    me = _web_member(studio, EMAIL, plan="")
    monthly = studio.desk.membership(me, studio.monthly_plan)
    _set_status(container, monthly["id"], MembershipStatus.PAST_DUE)
    sale = sold(studio.desk, me, studio.pack_plan, "50.00")
    limited = studio.desk.plan(
        {"name": "Eight a month", "kind": "recurring", "price": "40.00", "currency": "GBP"},
        billing_period="month",
        visit_limit=8,
        visit_limit_period="month",
    )
    studio.desk.membership(me, limited)
    assert studio.desk.check_in(me).status_code == 201
    # Someone else here, and someone at another provider, with plans named apart.
    secret_plan = studio.desk.plan({**_PACK_ELSEWHERE, "name": "Neighbour plan"})
    neighbour = studio.member(plan="", email=f"yaw@{SLUG}.example")
    neighbour_sale = sold(studio.desk, neighbour, secret_plan, "30.00")
    _, _, foreign_sale = _another_tenant(api, container)

    browser = _signed_in(container)
    page = browser.get("/app/account/memberships")
    assert page.status_code == 200, page.text
    text = _text(page.text)
    mine = api.client.get(
        "/me/memberships", headers=member_headers(container, studio.tenant_id, me)
    )
    items = {item["plan_name"]: item for item in mine.json()["items"]}
    fmt = _fmt(studio)
    monthly_read, pack_read = items["Monthly unlimited"], items["5 classes"]
    assert monthly_read["status"] == "past_due"
    assert "Payment overdue" in text
    assert f"{pack_read['credits_left']} credits left" in text
    assert "5 classes" in text and "Monthly unlimited" in text
    eight = items["Eight a month"]
    assert eight["visit_limit"] == 8 and eight["visits_used"] is not None
    resets = fmt.day(_at(eight["period_resets_at"]))
    assert f"{8 - eight['visits_used']} of 8 visits left this month, counted again {resets}" in text
    pack_ends = fmt.day(_date(pack_read["ends_on"]))
    assert f"Ends {pack_ends}" in text
    assert f"Started {fmt.day(_date(monthly_read['starts_on']))}" in text
    if monthly_read["next_renewal_on"]:
        assert f"Renews {fmt.day(_date(monthly_read['next_renewal_on']))}" in text
    # The receipt is linked, in the location's money, and opens as the member's PDF.
    link = f"/app/account/receipts/{sale['sale_id']}.pdf"
    assert f'href="{link}"' in page.text
    assert f"Receipt {sale['receipt_number']}" in text and fmt.money(50, "GBP") in text
    pdf = browser.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert str(sale["receipt_number"]) in pdf_text(pdf.content)
    # Nothing of the neighbour's or of the other provider's is shown or opens.
    assert "Neighbour plan" not in text and "Elsewhere pack" not in text
    assert neighbour_sale["sale_id"] not in page.text and foreign_sale["sale_id"] not in page.text
    for other in (neighbour_sale["sale_id"], foreign_sale["sale_id"], "not-an-id"):
        refused = browser.get(f"/app/account/receipts/{other}.pdf")
        assert refused.status_code == 404, refused.text
        assert "text/html" in refused.headers["content-type"]


def _date(value: str) -> date:
    return date.fromisoformat(value)


def test_visit_history_pages_check_ins_and_classes_in_local_times(
    api: Api, container: Container, studio: Studio
) -> None:
    me = _web_member(studio, EMAIL)
    studio.desk.separate_visits()
    base = (utcnow() - timedelta(hours=22)).replace(microsecond=0)
    made = []
    for hour in range(21):
        came = studio.desk.check_in(me, occurred_at=(base + timedelta(hours=hour)).isoformat())
        assert came.status_code == 201, came.text
        assert came.json()["admitted"], came.text
        made.append(came.json())
    # A class attended, then moved into the past as if it had happened.
    session = studio.session(starts_in=timedelta(minutes=20))
    booking = studio.booked(session, me)
    attended = api.client.post(f"/bookings/{booking['id']}/attendance", headers=studio.staff)
    assert attended.status_code == 200, attended.text
    studio.move_start(session, utcnow() - timedelta(days=2))
    # The neighbour's visit is not among them.
    neighbour = studio.member(email=f"yaw@{SLUG}.example")
    theirs = studio.desk.check_in(neighbour, occurred_at=(base - timedelta(hours=5)).isoformat())
    assert theirs.status_code == 201

    browser = _signed_in(container)
    page = browser.get("/app/account/history")
    assert page.status_code == 200, page.text
    text = _text(page.text)
    fmt = _fmt(studio)
    latest = made[-1]
    at = _at(latest["occurred_at"])
    assert f"{fmt.day(at)}, {fmt.time(at)}" in text
    assert text.count("Osu Studio") == 20 + 1  # a page of check-ins, and the class
    assert "HIIT" in text and "Attended" in text
    assert 'href="/app/account/history?visits=20&amp;classes=0"' in page.text
    older = _text(browser.get("/app/account/history?visits=20").text)
    first = _at(made[0]["occurred_at"])
    assert f"{fmt.day(first)}, {fmt.time(first)}" in older
    assert f"{fmt.day(at)}, {fmt.time(at)}" not in older
    neighbour_at = _at(theirs.json()["occurred_at"])
    assert f"{fmt.day(neighbour_at)}, {fmt.time(neighbour_at)}" not in text + older
    assert "Newer check-ins" in older


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_the_calendar_link_is_the_members_feed_and_a_new_one_retires_it(
    api: Api, container: Container, studio: Studio
) -> None:
    me = _web_member(studio, EMAIL)
    browser = _signed_in(container)
    page = browser.get("/app/account/calendar")
    assert page.status_code == 200, page.text
    feed = api.client.get("/me/calendar", headers=member_headers(container, studio.tenant_id, me))
    old_url = feed.json()["feed_url"]
    assert f'value="{old_url}"' in page.text
    assert 'data-copy="feed-url"' in page.text and "/static/app/account.js" in page.text
    old_path = feed.json()["path"]
    assert api.client.get(old_path).status_code == 200
    renewed = post_form(browser, "/app/account/calendar", "/app/account/calendar/reset")
    assert renewed.status_code == 303
    assert renewed.headers["location"] == "/app/account/calendar?new=1"
    after = browser.get("/app/account/calendar?new=1")
    assert "the old one no longer works" in after.text
    new_url = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', after.text)
    assert new_url and new_url.group(1) != old_url
    assert api.client.get(old_path).status_code == 404
    assert api.client.get(new_url.group(1).removeprefix("http://testserver")).status_code == 200


def _profile(api: Api, container: Container, studio: Studio, member_id: str) -> dict[str, Any]:
    read = api.client.get(
        "/me/profile", headers=member_headers(container, studio.tenant_id, member_id)
    )
    assert read.status_code == 200, read.text
    result: dict[str, Any] = read.json()
    return result


_PROFILE = {
    "first_name": "Abena",
    "last_name": "Boateng",
    "phone": "+233 20 123 4567",
    "date_of_birth": "1990-04-02",
    "emergency_contact": "Kwame Boateng 020 555 0101",
    "fitness_goals": "run 5k\n\n  swim weekly ",
    "class_reminders": "on",
}


def test_the_profile_is_edited_and_read_back_and_bad_input_changes_nothing(
    api: Api, container: Container, studio: Studio
) -> None:
    me = _web_member(studio, EMAIL)
    with container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.id == uuid.UUID(me))
            .values(preferences={"preferred_times": ["morning"]})
        )
        uow.commit()
    browser = _signed_in(container)
    saved = post_form(browser, "/app/account/profile", "/app/account/profile", **_PROFILE)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/app/account/profile?saved=1"
    read = _profile(api, container, studio, me)
    assert (read["first_name"], read["last_name"]) == ("Abena", "Boateng")
    assert read["date_of_birth"] == "1990-04-02"
    assert read["emergency_contact"] == "Kwame Boateng 020 555 0101"
    assert read["fitness_goals"] == ["run 5k", "swim weekly"]
    # The form's preference is set; the ones it does not show are kept.
    assert read["preferences"] == {"preferred_times": ["morning"], "class_reminders": True}
    assert read["phone"]
    shown = browser.get("/app/account/profile?saved=1")
    assert "Your profile is saved." in shown.text and 'value="Abena"' in shown.text
    # Emptying an optional field clears it; unticking the reminder turns it off.
    cleared = {name: value for name, value in _PROFILE.items() if name != "class_reminders"}
    cleared["emergency_contact"] = ""
    again = post_form(browser, "/app/account/profile", "/app/account/profile", **cleared)
    assert again.status_code == 303, again.text
    read = _profile(api, container, studio, me)
    assert read["emergency_contact"] is None and read["preferences"]["class_reminders"] is False

    before = _profile(api, container, studio, me)
    bad = post_form(
        browser,
        "/app/account/profile",
        "/app/account/profile",
        **{**_PROFILE, "first_name": "  ", "date_of_birth": "2999-01-01", "last_name": "Changed"},
    )
    assert bad.status_code == 422, bad.text
    first_error = re.search(r'<p class="field-error" id="first_name-error">([^<]+)</p>', bad.text)
    assert first_error and "first name" in first_error.group(1)
    assert 'id="first_name" name="first_name"' in bad.text
    assert 'aria-describedby="first_name-error' in bad.text
    assert re.search(r'id="date_of_birth-error">[^<]+</p>', bad.text)
    assert 'value="Changed"' in bad.text  # what was typed is kept for fixing
    assert _profile(api, container, studio, me) == before


def _api_login(api: Api, password: str) -> int:
    response = api.client.post(
        "/members/login", json={"tenant": SLUG, "email": EMAIL, "password": password}
    )
    status: int = response.status_code
    return status


def _password_hash(container: Container) -> str | None:
    with container.uow() as uow:
        found: str | None = uow.db.scalar(select(Member.password_hash).where(Member.email == EMAIL))
        return found


def test_a_password_change_needs_the_current_one_and_ends_other_sign_ins(
    api: Api, container: Container, studio: Studio
) -> None:
    _web_member(studio, EMAIL)
    browser = _signed_in(container)
    elsewhere = _signed_in(container)
    page, action = "/app/account/password", "/app/account/password"
    before = _password_hash(container)
    wrong = post_form(
        browser,
        page,
        action,
        current_password="not my password",
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )
    assert wrong.status_code == 422, wrong.text
    assert re.search(
        r'id="current_password-error">Your current password is not right\.</p>', wrong.text
    )
    mismatch = post_form(
        browser,
        page,
        action,
        current_password=WEB_PASSWORD,
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD + "x",
    )
    assert mismatch.status_code == 422
    assert 'id="password_again-error">The two new passwords are not the same' in mismatch.text
    short = post_form(
        browser,
        page,
        action,
        current_password=WEB_PASSWORD,
        password="short",
        password_again="short",
    )
    assert short.status_code == 422
    assert 'id="password-error">Choose a password of at least 10 characters.' in short.text
    assert _password_hash(container) == before
    assert _api_login(api, WEB_PASSWORD) == 200

    changed = post_form(
        browser,
        page,
        action,
        current_password=WEB_PASSWORD,
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )
    assert changed.status_code == 303, changed.text
    assert _api_login(api, WEB_PASSWORD) == 401
    assert _api_login(api, NEW_PASSWORD) == 200
    # This browser goes on with the new sign-in; the other one has ended.
    assert "Your password is changed" in browser.get("/app/account/password?changed=1").text
    assert browser.get("/app/account", follow_redirects=False).status_code == 200
    ended = elsewhere.get("/app/account", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/app/")


def test_the_account_index_links_its_pages_and_needs_a_member_sign_in(
    container: Container, studio: Studio
) -> None:
    _web_member(studio, EMAIL, first="Efua")
    anonymous = _browser(container)
    for path in ("/app/account", "/app/account/memberships", "/app/account/profile"):
        away = anonymous.get(path, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"].startswith("/app/")
    browser = _signed_in(container)
    index = browser.get("/app/account")
    assert index.status_code == 200 and "Efua Mensah" in index.text
    for page in ("memberships", "history", "calendar", "profile", "password"):
        assert f'href="/app/account/{page}"' in index.text
        assert browser.get(f"/app/account/{page}").status_code == 200
    assert 'href="/app/account" aria-current="page"' in index.text


def test_every_account_form_refuses_a_post_without_its_csrf_token(
    api: Api, container: Container, studio: Studio, mailbox: SmtpSink
) -> None:
    me = _web_member(studio, EMAIL)
    browser = _signed_in(container)
    before = _profile(api, container, studio, me)
    feed = api.client.get("/me/calendar", headers=member_headers(container, studio.tenant_id, me))
    hash_before = _password_hash(container)
    forms = {
        "/app/account/profile": _PROFILE,
        "/app/account/password": {
            "current_password": WEB_PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        "/app/account/calendar/reset": {},
        f"/app/{SLUG}/resend": {"email": EMAIL},
    }
    for action, fields in forms.items():
        for token in ("", "forged-token"):
            refused = browser.post(action, data={"csrf": token, **fields}, follow_redirects=False)
            assert refused.status_code == 403, (action, refused.text)
            assert "This form has expired" in refused.text
    assert _profile(api, container, studio, me) == before
    assert _password_hash(container) == hash_before
    again = api.client.get("/me/calendar", headers=member_headers(container, studio.tenant_id, me))
    assert again.json()["feed_url"] == feed.json()["feed_url"]
    assert mailbox.to(EMAIL) == []


def _unconfirmed(api: Api, mailbox: SmtpSink) -> None:
    """Someone who signed up on the web and has not confirmed yet (the first mail aside)."""
    page = f"/app/{SLUG}/signup"
    signed = post_form(
        api.client,
        page,
        page,
        first_name="Esi",
        last_name="Owusu",
        email=EMAIL,
        password=WEB_PASSWORD,
    )
    assert signed.status_code == 200, signed.text
    assert len(mailbox.to(EMAIL)) == 1
    mailbox.messages.clear()


def test_the_resend_page_mails_an_unconfirmed_member_and_answers_the_same_for_anyone(
    api: Api, container: Container, studio: Studio, mailbox: SmtpSink
) -> None:
    _unconfirmed(api, mailbox)
    browser = _browser(container)
    refused = member_signs_in(browser, SLUG, EMAIL)
    assert refused.status_code == 403
    assert f'href="/app/{SLUG}/resend?email=' in refused.text
    form = browser.get(f"/app/{SLUG}/resend?email={EMAIL}")
    assert form.status_code == 200 and f'value="{EMAIL}"' in form.text
    assert f'href="/app/{SLUG}/resend"' in browser.get(f"/app/{SLUG}/reset").text
    sent = browser.post(
        f"/app/{SLUG}/resend", data={"csrf": csrf_of(form.text), "email": EMAIL.upper()}
    )
    assert sent.status_code == 200, sent.text
    (mail,) = mailbox.to(EMAIL)
    assert f"/app/{SLUG}/verify?code=" in str(mail.get_body(preferencelist=("plain",)))
    unknown = post_form(
        browser, f"/app/{SLUG}/resend", f"/app/{SLUG}/resend", email="nobody@nowhere.example"
    )
    assert unknown.status_code == 200
    assert _text(unknown.text) == _text(sent.text)
    assert len(mailbox.messages) == 1
    bad = post_form(browser, f"/app/{SLUG}/resend", f"/app/{SLUG}/resend", email="not an address")
    assert bad.status_code == 422
    assert (
        '<p class="alert" role="alert" id="form-error">Enter a valid email address.</p>' in bad.text
    )
    assert len(mailbox.messages) == 1


def test_the_resend_page_keeps_to_the_daily_cap_and_says_the_same(
    api: Api, container: Container, settings: Settings, studio: Studio, mailbox: SmtpSink
) -> None:
    _unconfirmed(api, mailbox)
    browser = _browser(container)
    answers = set()
    for _ in range(settings.verification_emails_per_day + 2):
        sent = post_form(browser, f"/app/{SLUG}/resend", f"/app/{SLUG}/resend", email=EMAIL)
        assert sent.status_code == 200
        answers.add(_text(sent.text))
    assert len(answers) == 1
    # The sign-up's own link counts toward the cap.
    assert len(mailbox.to(EMAIL)) == settings.verification_emails_per_day - 1


def test_the_offline_page_is_served_for_the_service_worker_to_keep(container: Container) -> None:
    browser = _browser(container)
    page = browser.get("/app/offline")
    assert page.status_code == 200 and "You are offline" in page.text
    worker = browser.get("/app/sw.js").text
    assert '"/app/offline"' in worker and 'request.mode === "navigate"' in worker


def test_wrong_current_passwords_count_toward_the_sign_in_lock_out(
    api: Api, container: Container, settings: Settings, studio: Studio
) -> None:
    _web_member(studio, EMAIL)
    browser = _signed_in(container)
    fields = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    for _ in range(settings.login_max_failures):
        wrong = post_form(
            browser,
            "/app/account/password",
            "/app/account/password",
            current_password="a guess at it",
            **fields,
        )
        assert wrong.status_code == 422, wrong.text
    locked = post_form(
        browser,
        "/app/account/password",
        "/app/account/password",
        current_password=WEB_PASSWORD,
        **fields,
    )
    assert locked.status_code == 429, locked.text
    assert re.search(r'id="current_password-error">Too many failed sign-ins', locked.text)
    assert _api_login(api, NEW_PASSWORD) != 200
