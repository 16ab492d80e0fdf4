"""The console's Members: search, a member's profile and everything done from it, and the
CSV import with its progress and report; refused ids, roles, locations and forms."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bookings.models import Penalty
from server.bootstrap import Container
from server.main import create_app
from server.members.models import MemberAlert
from shared.clock import utcnow
from shared.ids import new_id
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD
from tests.integration.members_helpers import create_member, image_bytes
from tests.integration.web_helpers import csrf_of, staff_signs_in

SLUG = "members-gym"
OWNER = f"owner@{SLUG}.example"
DESK = f"desk@{SLUG}.example"
BASE = "/manage/members"


@pytest.fixture
def studio(api: Any, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _desk(browser: TestClient, email: str = DESK) -> TestClient:
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    return browser


def _post(browser: TestClient, page: str, action: str, **fields: str) -> Any:
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    return browser.post(
        action, data={"csrf": csrf_of(shown.text), **fields}, follow_redirects=False
    )


def _api_get(studio: Studio, path: str) -> Any:
    response = studio.api.client.get(path, headers=studio.admin)
    assert response.status_code == 200, response.text
    return response.json()


def _member(studio: Studio, first: str = "Kofi", last: str = "Boateng", **fields: Any) -> str:
    member_id: str = create_member(studio.api, studio.desk.tenant, first, last, **fields)["id"]
    return member_id


def test_search_finds_by_name_email_and_card_in_pages(studio: Studio, browser: TestClient) -> None:
    kofi = _member(studio, email="kofi@example.com", card_number="CARD-7781")
    other = _member(studio, "Esi", "Owusu", email="esi@example.com")
    for n in range(26):
        studio.desk.member(first_name=f"Extra{n:02d}")
    _desk(browser)
    for query in ("boat", "KOFI@example.com", "CARD-7781"):
        page = browser.get(BASE, params={"q": query})
        assert page.status_code == 200
        assert f'data-member="{kofi}"' in page.text and f'data-member="{other}"' not in page.text
    # As the visitor types, htmx asks for the results alone.
    typed = browser.get(BASE, params={"q": "Owu"}, headers={"HX-Request": "true"})
    assert "<html" not in typed.text and f'data-member="{other}"' in typed.text
    assert 'hx-get="/manage/members"' in browser.get(BASE).text
    first = browser.get(BASE)
    rows = re.findall(r'data-member="([^"]+)"', first.text)
    assert len(rows) == 25 and "offset=25" in first.text
    second = browser.get(BASE, params={"offset": 25})
    more = re.findall(r'data-member="([^"]+)"', second.text)
    assert len(more) == 3 and not set(more) & set(rows)
    assert "No member matches" in browser.get(BASE, params={"q": "zzzz"}).text


def test_profile_shows_memberships_passes_visits_and_bookings(
    studio: Studio, browser: TestClient
) -> None:
    member = studio.member(plan=studio.pack_plan)
    studio.desk.separate_visits()
    assert studio.desk.check_in(member).status_code == 201
    session = studio.session()
    studio.booked(session, member)
    issued = studio.api.client.post(f"/members/{member}/passes", headers=studio.staff)
    assert issued.status_code == 201
    page = _desk(browser).get(f"{BASE}/{member}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "5 classes" in html and re.search(r'data-figure="credits">\d+<', html)
    assert f'data-pass="{issued.json()["id"]}"' in html
    assert 'src="data:image/png;base64,' in html
    visits = _api_get(studio, f"/checkins?member_id={member}")["items"]
    assert f'data-visit="{visits[0]["id"]}"' in html
    assert "HIIT" in html and "data-booking=" in html
    assert " style=" not in html and "<script>" not in html


def test_selling_a_plan_records_the_membership_and_the_sale(
    studio: Studio, browser: TestClient
) -> None:
    member = _member(studio)
    starts = (date.today() + timedelta(days=3)).isoformat()
    profile = f"{BASE}/{member}"
    _desk(browser)
    fields = {
        "plan_id": studio.pack_plan,
        "location_id": studio.desk.location["id"],
        "starts_on": starts,
        "discount": "5",
        "discount_reason": "friend of the gym",
        "method": "cash",
    }
    for bad, message in (
        ({"discount": "lots"}, "The discount is not an amount."),
        ({"discount": "80"}, "more than the price"),
        ({"plan_id": "nope"}, "Choose a plan."),
    ):
        refused = _post(browser, profile, f"{profile}/sell", **{**fields, **bad})
        assert refused.status_code == 422 and message in refused.text
        assert 'id="sell-error"' in refused.text
    assert _api_get(studio, f"/members/{member}/memberships")["items"] == []
    sold = _post(browser, profile, f"{profile}/sell", **fields)
    assert sold.status_code == 303, sold.text
    held = _api_get(studio, f"/members/{member}/memberships")["items"]
    assert [(m["plan_id"], m["starts_on"], m["credits_remaining"]) for m in held] == [
        (studio.pack_plan, starts, 5)
    ]
    sales = _api_get(studio, f"/sales?member_id={member}")["items"]
    assert len(sales) == 1
    assert Decimal(sales[0]["amount"]) == Decimal("45.00")
    assert Decimal(sales[0]["discount_amount"]) == Decimal("5.00")
    assert sales[0]["method"] == "cash"


def test_freezing_unfreezing_and_cancelling_a_membership(
    studio: Studio, browser: TestClient
) -> None:
    member = studio.member()
    membership = _api_get(studio, f"/members/{member}/memberships")["items"][0]["id"]
    profile = f"{BASE}/{member}"
    actions = f"{profile}/memberships/{membership}"
    _desk(browser)

    def status() -> str:
        state: str = _api_get(studio, f"/memberships/{membership}")["status"]
        return state

    past = _post(browser, profile, f"{actions}/freeze", until=date.today().isoformat())
    assert past.status_code == 422 and 'id="memberships-error"' in past.text
    assert status() == "active"
    until = (date.today() + timedelta(days=14)).isoformat()
    assert _post(browser, profile, f"{actions}/freeze", until=until).status_code == 303
    assert status() == "frozen"
    assert "Unfreeze" in browser.get(profile).text
    assert _post(browser, profile, f"{actions}/unfreeze").status_code == 303
    assert status() == "active"
    assert _post(browser, profile, f"{actions}/cancel", reason="moving away").status_code == 303
    assert status() == "cancelled"
    again = _post(browser, profile, f"{actions}/cancel")
    assert again.status_code == 409 and 'id="memberships-error"' in again.text
    # Another member's membership through this member's address: not found.
    other = studio.member()
    theirs = _api_get(studio, f"/members/{other}/memberships")["items"][0]["id"]
    wrong = _post(browser, profile, f"{profile}/memberships/{theirs}/cancel")
    assert wrong.status_code == 404
    assert _api_get(studio, f"/memberships/{theirs}")["status"] == "active"


def test_issuing_and_revoking_a_pass(studio: Studio, browser: TestClient) -> None:
    member = _member(studio)
    profile = f"{BASE}/{member}"
    _desk(browser)
    assert 'src="data:image/png' not in browser.get(profile).text
    assert _post(browser, profile, f"{profile}/passes").status_code == 303
    passes = _api_get(studio, f"/members/{member}/passes")["items"]
    assert len(passes) == 1 and passes[0]["revoked_at"] is None
    assert 'src="data:image/png;base64,' in browser.get(profile).text
    pass_id = passes[0]["id"]
    empty = _post(browser, profile, f"{profile}/passes/{pass_id}/revoke", reason=" ")
    assert empty.status_code == 422 and 'id="passes-error"' in empty.text
    revoked = _post(browser, profile, f"{profile}/passes/{pass_id}/revoke", reason="phone lost")
    assert revoked.status_code == 303
    after = _api_get(studio, f"/members/{member}/passes")["items"][0]
    assert after["revoked_reason"] == "phone lost"
    assert 'src="data:image/png' not in browser.get(profile).text


def _penalty(studio: Studio, member: str) -> str:
    booking = studio.booked(studio.session(), member)
    penalty_id = new_id()
    with studio.container.uow() as uow:
        uow.db.add(
            Penalty(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=penalty_id,
                booking_id=uuid.UUID(booking["id"]),
                member_id=uuid.UUID(member),
                kind="no_show",
                outcome="fee",
                amount=Decimal("10.00"),
                currency="GBP",
                created_at=utcnow(),
            )
        )
        uow.commit()
    return str(penalty_id)


def test_waiving_a_penalty(studio: Studio, browser: TestClient) -> None:
    member = studio.member()
    penalty = _penalty(studio, member)
    profile = f"{BASE}/{member}"
    _desk(browser, OWNER)
    assert f'data-penalty="{penalty}"' in browser.get(profile).text
    short = _post(browser, profile, f"{profile}/penalties/{penalty}/waive", reason="x")
    assert short.status_code == 422 and 'id="penalties-error"' in short.text
    waived = _post(browser, profile, f"{profile}/penalties/{penalty}/waive", reason="doctor's note")
    assert waived.status_code == 303
    shown = _api_get(studio, f"/members/{member}/penalties")["items"][0]
    assert (shown["outcome"], shown["waived_reason"]) == ("waived", "doctor's note")


def test_a_note_for_the_desk_is_added_and_cleared(studio: Studio, browser: TestClient) -> None:
    member = _member(studio)
    profile = f"{BASE}/{member}"
    _desk(browser)
    empty = _post(browser, profile, f"{profile}/alerts", text="  ")
    assert empty.status_code == 422 and "Write the note" in empty.text
    assert _post(browser, profile, f"{profile}/alerts", text="waiver missing").status_code == 303
    alerts = _api_get(studio, f"/members/{member}/alerts")["items"]
    assert [a["text"] for a in alerts] == ["waiver missing"]
    assert "waiver missing" in browser.get(profile).text
    cleared = _post(browser, profile, f"{profile}/alerts/{alerts[0]['id']}/resolve")
    assert cleared.status_code == 303
    assert _api_get(studio, f"/members/{member}/alerts")["items"] == []


def _upload(browser: TestClient, page: str, action: str, field: str, file: Any) -> Any:
    token = csrf_of(browser.get(page).text)
    return browser.post(action, data={"csrf": token}, files={field: file}, follow_redirects=False)


def test_photo_upload_takes_an_image_and_refuses_a_text_file(
    studio: Studio, browser: TestClient
) -> None:
    member = _member(studio)
    profile = f"{BASE}/{member}"
    _desk(browser)
    text = _upload(
        browser, profile, f"{profile}/photo", "photo", ("notes.txt", b"hello", "text/plain")
    )
    assert (
        text.status_code == 422 and "PNG or JPEG" in text.text and 'id="photo-error"' in text.text
    )
    fake = _upload(
        browser, profile, f"{profile}/photo", "photo", ("x.png", b"not a png", "image/png")
    )
    assert fake.status_code == 422 and 'id="photo-error"' in fake.text
    assert _api_get(studio, f"/members/{member}")["has_photo"] is False
    png = ("me.png", image_bytes(".png"), "image/png")
    assert _upload(browser, profile, f"{profile}/photo", "photo", png).status_code == 303
    assert _api_get(studio, f"/members/{member}")["has_photo"] is True
    assert 'src="data:image/jpeg;base64,' in browser.get(profile).text


def _finished(browser: TestClient, job_page: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fragment = browser.get(f"{job_page}/progress")
        assert fragment.status_code == 200 and "<html" not in fragment.text
        if 'data-stage="done"' in fragment.text or 'data-stage="failed"' in fragment.text:
            assert "hx-trigger" not in fragment.text  # the page stops asking
            text: str = fragment.text
            return text
        assert 'hx-trigger="every 500ms"' in fragment.text
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_csv_import_reports_the_bad_line_and_imports_the_others(
    studio: Studio, browser: TestClient
) -> None:
    csv = (
        "first_name,last_name,email\n"
        "Abena,Asante,abena@example.com\n"
        "Yaw,,yaw@example.com\n"
        "Akua,Mensah,akua@example.com\n"
    )
    _desk(browser, OWNER)
    page = f"{BASE}/import"
    empty = _upload(browser, page, page, "file", ("empty.csv", b"", "text/csv"))
    assert empty.status_code == 422 and "Choose a CSV file" in empty.text
    started = _upload(browser, page, page, "file", ("members.csv", csv.encode(), "text/csv"))
    assert started.status_code == 303
    job_page = started.headers["location"]
    shown = browser.get(job_page)
    assert shown.status_code == 200 and "<progress" in shown.text
    report = _finished(browser, job_page)
    assert re.search(r'data-figure="created">2<', report)
    assert re.findall(r'data-line="(\d+)"', report) == ["3"]
    assert "last_name" in report
    for email in ("abena@example.com", "akua@example.com"):
        assert len(_api_get(studio, f"/members?q={email}")["items"]) == 1
    assert _api_get(studio, "/members?q=yaw@example.com")["items"] == []
    # Another account cannot read this import.
    browser.cookies.clear()
    _desk(browser)
    assert browser.get(job_page).status_code == 404


def test_a_refused_file_says_why(studio: Studio, browser: TestClient) -> None:
    _desk(browser, OWNER)
    page = f"{BASE}/import"
    started = _upload(browser, page, page, "file", ("x.csv", b"name,colour\nA,red\n", "text/csv"))
    report = _finished(browser, started.headers["location"])
    assert 'data-stage="failed"' in report and "Nothing was imported" in report


def test_another_tenants_member_is_a_404_page(studio: Studio, browser: TestClient) -> None:
    elsewhere = studio.api.sign_up("elsewhere-gym")
    theirs = create_member(studio.api, elsewhere, "Not", "Yours")["id"]
    ours = _member(studio)
    _desk(browser)
    for path in (f"{BASE}/{theirs}", f"{BASE}/not-an-id", f"{BASE}/import/{uuid.uuid4()}"):
        page = browser.get(path)
        assert page.status_code == 404 and "<html" in page.text, path
    refused = _post(browser, f"{BASE}/{ours}", f"{BASE}/{theirs}/alerts", text="hello")
    assert refused.status_code == 404 and "<html" in refused.text
    with studio.container.uow() as uow:
        assert uow.db.query(MemberAlert).count() == 0


def test_a_location_limited_manager_opens_only_members_seen_at_their_location(
    studio: Studio, browser: TestClient
) -> None:
    tenant = studio.desk.tenant
    london = studio.desk.location["id"]
    accra = studio.api.create_location(tenant, "Accra", timezone="Africa/Accra")["id"]
    studio.api.create_staff(tenant, "manager", f"london@{SLUG}.example", location_ids=[london])
    here = _member(studio, "Here", "Member", home_location_id=london)
    there = _member(studio, "There", "Member", home_location_id=accra)
    _desk(browser, f"london@{SLUG}.example")
    assert browser.get(f"{BASE}/{here}").status_code == 200
    assert browser.get(f"{BASE}/{there}").status_code == 404
    assert f'data-member="{there}"' not in browser.get(BASE, params={"q": "member"}).text
    page = f"{BASE}/{here}"
    refused = _post(browser, page, f"{BASE}/{there}/passes")
    assert refused.status_code == 404
    assert _api_get(studio, f"/members/{there}/passes")["items"] == []


def test_a_coach_gets_the_403_page(studio: Studio, browser: TestClient) -> None:
    studio.api.create_staff(studio.desk.tenant, "coach", f"coach@{SLUG}.example")
    member = _member(studio)
    _desk(browser, f"coach@{SLUG}.example")
    for path in (BASE, f"{BASE}/{member}", f"{BASE}/import"):
        page = browser.get(path)
        assert page.status_code == 403 and "Members is for" in page.text, path


def test_every_form_needs_its_csrf_token(studio: Studio, browser: TestClient) -> None:
    member = studio.member()
    membership = _api_get(studio, f"/members/{member}/memberships")["items"][0]["id"]
    penalty = _penalty(studio, member)
    issued = studio.api.client.post(f"/members/{member}/passes", headers=studio.staff).json()
    profile = f"{BASE}/{member}"
    _desk(browser, OWNER)
    html = browser.get(profile).text
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', html))
    expected = {
        profile,
        f"{profile}/photo",
        f"{profile}/alerts",
        f"{profile}/sell",
        f"{profile}/passes",
        f"{profile}/passes/{issued['id']}/revoke",
        f"{profile}/memberships/{membership}/freeze",
        f"{profile}/memberships/{membership}/cancel",
        f"{profile}/penalties/{penalty}/waive",
        "/manage/signout",
    }
    assert expected <= actions, expected - actions
    forms = re.findall(r'<form method="post"[^>]*>\s*<input type="hidden" name="csrf"', html)
    assert len(forms) == html.count('<form method="post"')
    for action in [*expected - {"/manage/signout"}, f"{BASE}/import"]:
        forged = browser.post(action, data={"csrf": "forged", "text": "x"}, follow_redirects=False)
        assert forged.status_code == 403, action
        none = browser.post(
            action, data={"text": "x"}, files={"file": ("a.csv", b"a")}, follow_redirects=False
        )
        assert none.status_code == 403, action
    assert _api_get(studio, f"/members/{member}/alerts")["items"] == []
    assert len(_api_get(studio, f"/members/{member}/passes")["items"]) == 1
    assert _api_get(studio, f"/memberships/{membership}")["status"] == "active"
