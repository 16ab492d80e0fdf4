"""The console's Coaching pages: a coach's list (slipping first), a member's page with its
actions (a refused contact shown again, nothing stored), another coach's member not found,
and the front desk refused (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.coaching_helpers import CoachWorld, coach_world
from tests.integration.helpers import PASSWORD, Api
from tests.integration.test_coaching import _contacts
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "web-coaching"


@pytest.fixture
def world(api: Api, container: Container) -> CoachWorld:
    return coach_world(api, container, SLUG)


def _browser(container: Container, email: str) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        signed = staff_signs_in(client, SLUG, email, PASSWORD)
        assert signed.status_code == 303, signed.text
        yield client


@pytest.fixture
def coach(container: Container, world: CoachWorld) -> Iterator[TestClient]:
    yield from _browser(container, f"ama@{SLUG}.example")


def test_a_coach_sees_the_slipping_member_first_and_logs_a_call(
    world: CoachWorld, coach: TestClient
) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    steady = world.member("Adjoa", "Able", score=0.9, last_active_on=today)
    slipping = world.member("Yaw", "Zeal", score=0.2, last_active_on=today - timedelta(days=3))
    theirs = world.member("Kojo", "Other", score=0.1, last_active_on=today)
    world.assign(steady, world.coach_a)
    world.assign(slipping, world.coach_a)
    world.assign(theirs, world.coach_b)

    page = coach.get("/manage/coaching")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'href="/manage/coaching"' in html  # the bar links the section
    assert html.index("Yaw Zeal") < html.index("Adjoa Able")
    assert "Kojo Other" not in html

    member_page = f"/manage/coaching/members/{slipping}"
    # A call without an outcome the service knows: the page again, 422, nothing stored.
    refused = post_form(
        coach, member_page, f"{member_page}/contacts", kind="call", outcome="maybe", text="hm"
    )
    assert refused.status_code == 422, refused.text
    assert 'role="alert"' in refused.text
    assert _contacts(world) == []
    logged = post_form(
        coach,
        member_page,
        f"{member_page}/contacts",
        kind="call",
        outcome="voicemail",
        text="Left a message about Thursday",
    )
    assert logged.status_code == 303, logged.text
    shown = coach.get(logged.headers["location"])
    assert "Call: Voicemail" in shown.text and "Left a message about Thursday" in shown.text

    # Another coach's member: not found, on the page and its forms.
    assert coach.get(f"/manage/coaching/members/{theirs}").status_code == 404
    csrf = csrf_of(coach.get(member_page).text)
    posted = coach.post(
        f"/manage/coaching/members/{theirs}/contacts",
        data={"csrf": csrf, "kind": "note", "text": "x"},
        follow_redirects=False,
    )
    assert posted.status_code == 404
    assert len(_contacts(world)) == 1
    # A coach does not choose lead coaches.
    lead = coach.post(
        f"{member_page}/coach", data={"csrf": csrf, "coach_id": ""}, follow_redirects=False
    )
    assert lead.status_code == 403


def test_a_manager_sets_a_lead_coach_and_the_front_desk_is_refused(
    api: Api, container: Container, world: CoachWorld
) -> None:
    member = world.member("Esi", "Mensah", score=0.6, last_active_on=None)
    api.create_staff(world.tenant, "front_desk", f"desk@{SLUG}.example")
    for client in _browser(container, f"mia@{SLUG}.example"):
        page = f"/manage/coaching/members/{member}"
        saved = post_form(client, page, f"{page}/coach", coach_id=world.coach_b)
        assert saved.status_code == 303, saved.text
        shown = client.get(saved.headers["location"]).text
        assert "Lead coach: Ben Coach" in shown and "Lead coach changed" in shown
        listed = client.get(f"/manage/coaching?coach_id={world.coach_b}").text
        assert "Esi Mensah" in listed
        assert client.get("/manage/coaching?coach_id=nonsense").status_code == 404
    for client in _browser(container, f"desk@{SLUG}.example"):
        assert client.get("/manage/coaching").status_code == 403


def test_a_manager_chooses_the_lead_coach_on_the_console_member_page(
    container: Container, world: CoachWorld
) -> None:
    member = world.member("Kwame", "Badu")
    for client in _browser(container, f"mia@{SLUG}.example"):
        profile = f"/manage/members/{member}"
        shown = client.get(profile)
        assert shown.status_code == 200 and 'id="lead-coach"' in shown.text
        saved = post_form(
            client,
            profile,
            f"/manage/coaching/members/{member}/coach",
            coach_id=world.coach_a,
            back="profile",
        )
        assert saved.status_code == 303
        assert saved.headers["location"].startswith(profile)
    listed = world.api.client.get("/coaching/members", headers=world.coach_a_headers).json()
    assert [m["member_id"] for m in listed["items"]] == [member]


def test_the_member_page_pages_its_timeline(world: CoachWorld, coach: TestClient) -> None:
    member = world.member("Afua", "Sarpong")
    world.assign(member, world.coach_a)  # 1 entry
    for n in range(32):  # 32 more: 33 in all, 30 a page
        made = world.api.client.post(
            f"/coaching/members/{member}/contacts",
            json={"kind": "note", "text": f"note {n}"},
            headers=world.coach_a_headers,
        )
        assert made.status_code == 201, made.text
    page = f"/manage/coaching/members/{member}"
    first = coach.get(page).text
    assert first.count('data-source="') == 30 and f"{page}?offset=30" in first
    older = coach.get(f"{page}?offset=30").text
    assert older.count('data-source="') == 3 and "?offset=" not in older
    assert "Lead coach changed" in older and "note 0" in older
    # An offset that is not a number shows the newest page.
    assert coach.get(f"{page}?offset=x").status_code == 200


def test_a_coach_lands_on_coaching_after_signing_in(coach: TestClient) -> None:
    """The console's first page is the day at the desk, which a coach does not run."""
    landed = coach.get("/manage", follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"].endswith("/manage/coaching")
    assert coach.get("/manage/coaching").status_code == 200
