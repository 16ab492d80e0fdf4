"""The console's Challenges and the Engagement report: a manager creates a challenge from
the form (refused input shown again, nothing stored), changes it before it starts, cancels
it, reads its board; a coach reads only; another tenant's challenge is not found; the
engagement report's tables as the page writes them (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from tests.integration.challenges_helpers import TODAY, Club, at, open_club
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "web-challenge-gym"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def club(api: Api, container: Container) -> Club:
    return open_club(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _staff(club: Club, browser: TestClient, role: str) -> None:
    email = f"{role}-{uuid.uuid4().hex[:6]}@{SLUG}.example"
    club.api.create_staff(club.tenant, role, email)
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303


def _cells(html: str, marker: str) -> list[list[str]]:
    found = re.search(rf"{marker}>(.*?)</table>", html, re.S)
    assert found, f"no table {marker}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1).split("<tbody>")[1], re.S)
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", "", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def _form(**fields: str) -> dict[str, str]:
    return {
        "name": "Spring moves",
        "metric": "sessions",
        "team_by": "",
        "circle_id": "",
        "starts_on": (TODAY + timedelta(days=3)).isoformat(),
        "ends_on": (TODAY + timedelta(days=30)).isoformat(),
        "grace_days": "2",
        **fields,
    }


def _challenges(club: Club) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = club.api.client.get("/challenges", headers=club.owner).json()[
        "items"
    ]
    return items


def test_a_manager_creates_changes_and_cancels_a_challenge(club: Club, browser: TestClient) -> None:
    _staff(club, browser, "manager")
    # Ending before it starts: the form again, with the reason, and nothing stored.
    backwards = _form(ends_on=TODAY.isoformat())
    refused = post_form(browser, "/manage/challenges/new", "/manage/challenges/new", **backwards)
    assert refused.status_code == 422
    assert re.search(
        r'id="f-ends_on-error">A challenge cannot end before it starts\.<', refused.text
    )
    assert 'value="Spring moves"' in refused.text
    unreadable = post_form(
        browser, "/manage/challenges/new", "/manage/challenges/new", **_form(grace_days="ten")
    )
    assert unreadable.status_code == 422 and 'aria-invalid="true"' in unreadable.text
    assert _challenges(club) == []

    made = post_form(
        browser, "/manage/challenges/new", "/manage/challenges/new", **_form(target="10")
    )
    assert made.status_code == 303, made.text
    address = made.headers["location"]
    [stored] = _challenges(club)
    assert address == f"/manage/challenges/{stored['id']}"
    assert (stored["metric"], stored["target"], stored["status"]) == ("sessions", 10, "upcoming")

    listed = browser.get("/manage/challenges").text
    upcoming = re.search(r'data-group="upcoming"(.*?)</section>', listed, re.S)
    assert upcoming and "Spring moves" in upcoming.group(1)

    # Before it starts: changed from its page.
    page = browser.get(address)
    assert "Change before it starts" in page.text
    changed = browser.post(
        address,
        data={
            "csrf": csrf_of(page.text),
            "name": "Spring moves",
            "ends_on": (TODAY + timedelta(days=40)).isoformat(),
            "grace_days": "3",
            "target": "12",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    [stored] = _challenges(club)
    assert (stored["grace_days"], stored["target"], stored["daily_cap"]) == (3, 12, None)

    cancelled = browser.post(
        f"{address}/cancel", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    assert _challenges(club)[0]["status"] == "cancelled"
    assert 'data-status="cancelled"' in browser.get(address).text


def test_a_running_challenge_shows_its_board_and_cannot_be_changed(
    club: Club, browser: TestClient, api: Api
) -> None:
    challenge = club.challenge(team_by="location")
    ama, kofi = club.member("Ama", "Mensah"), club.member("Kofi", "Boateng")
    for member in (ama, kofi):
        club.join(challenge["id"], member)
    # Ama 2 sessions, Kofi 1.
    day = TODAY - timedelta(days=2)
    club.event(ama, at(day, 8))
    club.event(ama, at(day, 18))
    club.event(kofi, at(day, 9))
    club.pump()
    _staff(club, browser, "coach")
    page = browser.get(f"/manage/challenges/{challenge['id']}")
    assert page.status_code == 200, page.text
    assert _cells(page.text, 'data-board="members"') == [
        ["1", "Ama M.", "2"],
        ["2", "Kofi B.", "1"],
    ]
    # One team of 2 (London): below the minimum size, unranked.
    assert _cells(page.text, 'data-board="teams"') == [["–", "London", "2", "3", "1.5"]]
    # A coach reads: no form, no cancel, and posting is refused.
    assert "Cancel this challenge" not in page.text and "New challenge" not in page.text
    refused = browser.post(
        f"/manage/challenges/{challenge['id']}/cancel", data={"csrf": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    assert browser.get("/manage/challenges/new").status_code == 403

    other = open_club(api, club.container, "web-challenge-other")
    foreign = other.challenge(name="Elsewhere")
    assert browser.get(f"/manage/challenges/{foreign['id']}").status_code == 404
    assert browser.get("/manage/challenges/not-an-id").status_code == 404


def test_a_started_challenge_is_not_changed_from_the_page(club: Club, browser: TestClient) -> None:
    challenge = club.challenge()
    _staff(club, browser, "manager")
    page = browser.get(f"/manage/challenges/{challenge['id']}")
    assert "Change before it starts" not in page.text
    posted = browser.post(
        f"/manage/challenges/{challenge['id']}",
        data={"csrf": csrf_of(page.text), "name": "Renamed", "ends_on": TODAY.isoformat()},
    )
    assert posted.status_code == 409
    assert _challenges(club)[0]["name"] == "Spring moves"


def test_front_desk_does_not_open_challenges(club: Club, browser: TestClient) -> None:
    _staff(club, browser, "front_desk")
    assert browser.get("/manage/challenges").status_code == 403


def test_the_engagement_report_page_writes_its_tables(club: Club, browser: TestClient) -> None:
    challenge = club.challenge(name="Spring moves", target=1)
    ama = club.member("Ama")
    club.join(challenge["id"], ama)
    club.event(ama, at(TODAY - timedelta(days=2), 9))
    club.pump()
    _staff(club, browser, "manager")
    page = browser.get("/manage/reports/engagement?weeks=4")
    assert page.status_code == 200, page.text
    # Ama has no engagement row yet: 0 weeks, score below 0.25.
    assert _cells(page.text, 'data-table="streaks"') == [
        ["0", "1"],
        ["1", "0"],
        ["2–3", "0"],
        ["4–7", "0"],
        ["8+", "0"],
    ]
    assert _cells(page.text, 'data-table="scores"')[0] == ["< 0.25", "1"]
    [row] = _cells(page.text, 'data-table="challenges"')
    assert row[0] == "Spring moves" and row[3:] == ["1", "0" if TODAY.weekday() < 2 else "1", "1"]
    assert 'data-chart="chart-streaks"' in page.text
    csv = browser.get("/manage/reports/engagement/scores.csv?weeks=4")
    assert csv.status_code == 200 and csv.text.splitlines()[1] == "< 0.25,1"


def test_a_manager_limited_to_london_reads_london_only(club: Club, browser: TestClient) -> None:
    club.member("Ama")
    club.member("Yaw", home=club.accra)
    email = f"london-{uuid.uuid4().hex[:6]}@{SLUG}.example"
    club.api.create_staff(club.tenant, "manager", email, location_ids=[club.london])
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    page = browser.get("/manage/reports/engagement?weeks=4")
    # Ama only (Yaw is at home in Accra): one member at 0 weeks.
    assert _cells(page.text, 'data-table="streaks"')[0] == ["0", "1"]
    assert "Accra" not in page.text
    refused = browser.get(f"/manage/reports/engagement?weeks=4&location={club.accra}")
    assert refused.status_code == 404
