"""The member app's Progress and Challenges pages without a browser: a few weeks of ledger
history (entered through the API, then projected) show as the right streaks and score,
the goal's form refuses bad input with the page again and nothing stored, the adaptive
suggestion can be taken or dismissed, joining puts the member on the board with their line
marked, another tenant's challenge is not found, and every form needs its CSRF token."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.config import Settings
from server.engagement.projection import project_pending
from server.main import create_app
from shared.clock import utcnow
from shared.engagement.dose import week_start
from tests.integration.helpers import Api, Tenant
from tests.integration.web_helpers import csrf_of, member_signs_in, member_who_signs_in

SLUG = "progress-gym"
MEMBER = f"ama@{SLUG}.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def tenant(api: Api) -> Tenant:
    tenant = api.sign_up(SLUG)
    api.create_location(tenant, "Central")
    return tenant


@pytest.fixture
def ama(api: Api, container: Container, tenant: Tenant) -> dict[str, Any]:
    return member_who_signs_in(api, container, tenant, MEMBER)


@pytest.fixture
def member(container: Container, ama: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        assert member_signs_in(client, SLUG, MEMBER).status_code == 303
        yield client


def _this_week() -> date:
    return week_start(utcnow().astimezone(UTC).date())


def _three_weeks(api: Api, container: Container, tenant: Tenant, member_id: str) -> None:
    """Monday and Tuesday of each of the last three weeks: 60 vigorous minutes each, staff
    entries through the API, then projected."""
    for weeks_back in (3, 2, 1):
        for day in (0, 1):
            on = _this_week() - timedelta(weeks=weeks_back) + timedelta(days=day)
            answer = api.client.post(
                "/movement-events",
                json={
                    "member_id": member_id,
                    "kind": "staff_entry",
                    "minutes": 60,
                    "intensity": "vigorous",
                    "occurred_at": datetime.combine(on, time(10), tzinfo=UTC).isoformat(),
                },
                headers=tenant.headers,
            )
            assert answer.status_code == 201, answer.text
    project_pending(
        container.uow,
        uuid.UUID(tenant.id),
        projector=container.projector(),
    )


def _field(html: str, name: str, within: str = "") -> str:
    start = html.index(within) if within else 0
    found = re.search(rf'data-field="{name}">([^<]*)<', html[start:])
    assert found, html
    return found.group(1)


def _post(client: TestClient, page: str, action: str, **fields: str) -> Any:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={"csrf": csrf_of(shown.text), **fields}, follow_redirects=False)


def test_streaks_and_score_from_three_weeks(
    api: Api, container: Container, tenant: Tenant, ama: dict[str, Any], member: TestClient
) -> None:
    _three_weeks(api, container, tenant, ama["id"])
    page = member.get("/app/progress")
    assert page.status_code == 200, page.text
    html = page.text
    # Weekly: each of the three weeks had 2 × 60 vigorous = 240 moderate-equivalent minutes
    # (≥ 150), so 3 weeks; this week has nothing yet: 150 minutes to go before its end.
    assert _field(html, "current", 'data-streak="weekly"') == "3"
    assert _field(html, "at-risk", 'data-streak="weekly"').startswith(
        "Move 150 more minutes before"
    )
    # Daily: Monday and Tuesday in a row (2), then days without movement: broken.
    assert _field(html, "current", 'data-streak="daily"') == "0"
    assert _field(html, "longest", 'data-streak="daily"') == "2"
    # Score: m = 0.5 ** (sqrt(3) / 13) = 0.91178; three weeks at dose 1 from 0 give
    # 1 - m³ = 0.24197; this week so far (dose 0) times m: 0.22064 -> 22 of 100.
    m = 0.5 ** (math.sqrt(3) / 13)
    assert round((1 - m**3) * m * 100) == 22
    assert _field(html, "score") == "22"
    # Six events, newest first, each with how it was recorded.
    assert html.count("Recorded by staff") == 6
    assert "Entered by staff: 360 min in 12 weeks" in html


def test_goal_form_and_suggestion(
    api: Api, container: Container, tenant: Tenant, ama: dict[str, Any], member: TestClient
) -> None:
    _three_weeks(api, container, tenant, ama["id"])
    bad = _post(member, "/app/progress", "/app/progress/goal", kind="minutes", target="5000")
    assert bad.status_code == 422
    assert "from 10 to 3000" in bad.text
    assert 'value="5000"' in bad.text  # the form as it was sent
    assert "No goal yet" in bad.text  # nothing stored
    refused = _post(member, "/app/progress", "/app/progress/goal", kind="laps", target="3")
    assert refused.status_code == 422
    saved = _post(member, "/app/progress", "/app/progress/goal", kind="minutes", target="100")
    assert saved.status_code == 303
    html = member.get(saved.headers["location"]).text
    assert "Your goal is saved." in html
    # 120 minutes in each of the last three weeks (≥ 100): raise by about 10 % to 110.
    assert "try 110 " in html
    key = re.search(r'name="key" value="([^"]+)"', html)
    assert key
    dismissed = _post(
        member, "/app/progress", "/app/progress/suggestion", key=key.group(1), answer="dismiss"
    )
    assert dismissed.status_code == 303
    assert "try 110 " not in member.get("/app/progress").text
    member.cookies.delete("zmos_goal_hint", path="/app/progress")
    stale = _post(member, "/app/progress", "/app/progress/suggestion", key="x", answer="accept")
    assert stale.status_code == 422
    taken = _post(
        member, "/app/progress", "/app/progress/suggestion", key=key.group(1), answer="accept"
    )
    assert taken.status_code == 303
    assert "<strong>0 of 110</strong> minutes" in member.get("/app/progress").text


def test_forms_need_their_csrf_token(member: TestClient) -> None:
    for action in ("/app/progress/goal", "/app/progress/suggestion"):
        answer = member.post(action, data={"kind": "minutes", "target": "100"})
        assert answer.status_code == 403, action
    assert "No goal yet" in member.get("/app/progress").text


def _challenge(api: Api, tenant: Tenant, **body: Any) -> str:
    today = utcnow().date()
    made = api.client.post(
        "/challenges",
        json={
            "name": "December minutes",
            "metric": "minutes",
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
            **body,
        },
        headers=tenant.headers,
    )
    assert made.status_code == 201, made.text
    challenge_id: str = made.json()["id"]
    return challenge_id


def test_join_see_the_board_and_leave(
    api: Api, container: Container, tenant: Tenant, ama: dict[str, Any], member: TestClient
) -> None:
    _three_weeks(api, container, tenant, ama["id"])
    challenge_id = _challenge(api, tenant)
    listed = member.get("/app/challenges").text
    assert "December minutes" in listed
    assert "Self-reports do not count" in listed
    joined = _post(member, "/app/challenges", f"/app/challenges/{challenge_id}/join")
    assert joined.status_code == 303
    board = member.get(joined.headers["location"])
    assert board.status_code == 200
    mine = re.search(r'<tr class="me"[^>]*>.*?</tr>', board.text, re.S)
    assert mine and "Ama" in mine.group(0) and "(you)" in mine.group(0)
    assert "rank <strong>1</strong> of 1" in board.text
    listed = member.get("/app/challenges").text
    assert 'data-field="standing"' in listed
    left = _post(member, f"/app/challenges/{challenge_id}", f"/app/challenges/{challenge_id}/leave")
    assert left.status_code == 303
    assert "Nobody has joined yet." in member.get(f"/app/challenges/{challenge_id}").text


def test_other_tenants_challenge_is_not_found(api: Api, tenant: Tenant, member: TestClient) -> None:
    other = api.sign_up("elsewhere-gym")
    api.create_location(other, "North")
    theirs = _challenge(api, other)
    assert member.get(f"/app/challenges/{theirs}").status_code == 404
    answer = _post(member, "/app/challenges", f"/app/challenges/{theirs}/join")
    assert answer.status_code == 404
    assert member.get(f"/app/challenges/{uuid.uuid4()}").status_code == 404
    assert member.get("/app/challenges/not-an-id").status_code == 404
    assert member.get("/app/progress?page=zz").status_code == 200


def test_cancelled_challenge_cannot_be_joined(api: Api, tenant: Tenant, member: TestClient) -> None:
    challenge_id = _challenge(api, tenant)
    api.client.post(f"/challenges/{challenge_id}/cancel", headers=tenant.headers)
    answer = _post(member, "/app/challenges", f"/app/challenges/{challenge_id}/join")
    assert answer.status_code in (404, 409)
    assert "December minutes" not in member.get("/app/challenges").text


def test_history_leaves_out_voided_movement_and_places_it_in_the_day(
    api: Api, container: Container, tenant: Tenant, ama: dict[str, Any], member: TestClient
) -> None:
    on = _this_week() - timedelta(weeks=1)
    ids = []
    # 07:00 and 18:30 UTC are 07:00 and 18:30 in London in winter, 08:00 and 19:30 in summer:
    # morning and evening either way.
    for hour, minute, minutes in ((7, 0, 40), (18, 30, 25)):
        at = datetime.combine(on, time(hour, minute), tzinfo=UTC).isoformat()
        body = {
            "member_id": ama["id"],
            "kind": "outdoor",
            "minutes": minutes,
            "intensity": "moderate",
            "occurred_at": at,
        }
        made = api.client.post("/movement-events", json=body, headers=tenant.headers)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    voided = api.client.post(
        f"/movement-events/{ids[0]}/void", json={"reason": "entered twice"}, headers=tenant.headers
    )
    assert voided.status_code == 201, voided.text
    html = member.get("/app/progress").text
    # Only the evening's 25 minutes count: the morning's 40 were voided.
    assert "Outdoors: 25 min in 12 weeks" in html
    rows = dict(re.findall(r'<th scope="row">(\w+) \([^)]*\)</th><td class="num">(\d+)</td>', html))
    assert rows == {"Morning": "0", "Afternoon": "0", "Evening": "1", "Night": "0"}
    # The list keeps all three, the void and the voided one marked.
    assert "cancels an earlier entry" in html
    assert "· replaced" in html
