"""The coach console's journey actions without a browser: pause, resume, complete and drop
with a reason, a coach's adjustment of one week, enrolling from the member's offers; each
refusal (no reason, a wrong move, a past week, an all-zero week, a journey screening
forbids, one already joined) is the page again with the message and nothing changed;
another coach's enrolment is refused, another member's is not found, and the forms need
their CSRF token (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.journeys import service
from server.journeys.models import JourneyEnrolment, JourneyEnrolmentEvent
from server.main import create_app
from shared.carepath.enrolment import EnrolmentStatus
from shared.clock import utcnow
from tests.integration.helpers import PASSWORD, Api
from tests.integration.journey_rows import Clinic, add_journey, open_clinic
from tests.integration.journeys_helpers import enrol
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "web-coach-journeys"


@pytest.fixture
def clinic(api: Api, container: Container) -> Clinic:
    return open_clinic(api, container, SLUG)


def _browser(container: Container, email: str) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        signed = staff_signs_in(client, SLUG, email, PASSWORD)
        assert signed.status_code == 303, signed.text
        yield client


@pytest.fixture
def coach(container: Container, clinic: Clinic) -> Iterator[TestClient]:
    yield from _browser(container, f"a@{SLUG}.example")


def _today(clinic: Clinic, member: str) -> date:
    with clinic.container.read_uow() as uow:
        return service.member_today(uow, uuid.UUID(clinic.tenant_id), uuid.UUID(member), utcnow())


def _in_week_two(clinic: Clinic, member: str, coach_id: str) -> str:
    """An active enrolment of the four-week journey whose second week is this week."""
    today = _today(clinic, member)
    monday = today - timedelta(days=today.weekday())
    return enrol(
        clinic.container,
        clinic.tenant_id,
        clinic.journey_id,
        member,
        starts_on=monday - timedelta(days=7),
        coach_id=coach_id,
    )


def _lead(clinic: Clinic, member: str, coach_id: str) -> None:
    made = clinic.api.client.put(
        f"/coaching/members/{member}/coach", json={"coach_id": coach_id}, headers=clinic.manager
    )
    assert made.status_code == 200, made.text


def _row(clinic: Clinic, enrolment_id: str) -> tuple[str, dict[str, Any], int]:
    """Status, adjustments and how many history events the enrolment has."""
    with clinic.container.uow() as uow:
        row = uow.db.get(JourneyEnrolment, (uuid.UUID(clinic.tenant_id), uuid.UUID(enrolment_id)))
        assert row is not None
        events = uow.db.scalar(
            select(func.count())
            .select_from(JourneyEnrolmentEvent)
            .where(JourneyEnrolmentEvent.enrolment_id == row.id)
        )
        return row.status, dict(row.adjustments or {}), int(events or 0)


def test_a_coach_pauses_adjusts_and_resumes_with_reasons(clinic: Clinic, coach: TestClient) -> None:
    ama = clinic.member("Ama")
    _lead(clinic, ama, clinic.coach_a_id)  # still A's member once the journey is dropped
    enrolment = _in_week_two(clinic, ama, clinic.coach_a_id)
    page = f"/manage/coaching/members/{ama}"
    shown = coach.get(page)
    assert shown.status_code == 200, shown.text
    html = shown.text
    assert "4-week Starter" in html and "Week 2 of 4" in html
    # The week select offers this week and later ones, never week 1.
    assert 'value="2">Week 2 (this week)' in html and '<option value="1">' not in html
    # This week's targets: 100 minutes and 2 sessions asked, nothing done yet.
    assert 'data-asked="minutes">100<' in html and 'data-done="minutes">0<' in html
    moves = f"{page}/journeys/{enrolment}/move"
    adjust = f"{page}/journeys/{enrolment}/adjust"

    # No reason: the page again, 422, still active with no history.
    refused = post_form(coach, page, moves, to="pause", reason="  ")
    assert refused.status_code == 422 and "Give a reason" in refused.text
    assert _row(clinic, enrolment)[::2] == ("active", 0)

    paused = post_form(coach, page, moves, to="pause", reason="Knee flare-up")
    assert paused.status_code == 303, paused.text
    assert _row(clinic, enrolment)[::2] == ("paused", 1)
    after = coach.get(paused.headers["location"]).text
    assert 'data-status="paused"' in after and "Knee flare-up" in after
    assert "4-week Starter: paused" in after  # on the timeline too

    # Pausing a paused journey: 409, the page with the service's words, nothing written.
    again = post_form(coach, page, moves, to="pause", reason="twice")
    assert again.status_code == 409, again.text
    assert "it cannot become paused" in again.text and 'role="alert"' in again.text
    assert _row(clinic, enrolment)[::2] == ("paused", 1)

    # A past week and an all-zero week: 422 with the service's message, nothing adjusted.
    past = post_form(coach, page, adjust, week="1", minutes="50", reason="catch up")
    assert past.status_code == 422 and "only the current or a later week" in past.text
    zero = post_form(coach, page, adjust, week="3", minutes="0", sessions="0", reason="rest")
    assert zero.status_code == 422 and "cannot be all zero" in zero.text
    assert _row(clinic, enrolment)[1:] == ({}, 1)

    made = post_form(coach, page, adjust, week="3", minutes="150", reason="Ready for more")
    assert made.status_code == 303, made.text
    status, adjustments, events = _row(clinic, enrolment)
    assert adjustments["targets"] == {"3": {"minutes": 150}} and events == 2
    after = coach.get(made.headers["location"]).text
    assert "week 3: minutes 150" in after and "Ready for more" in after

    lowered = post_form(
        coach, page, adjust, intensity_ceiling="low", mix="more_tiles", reason="Go gently"
    )
    assert lowered.status_code == 303, lowered.text
    # Above the journey's own ceiling (moderate): refused, the ceiling stays low.
    above = post_form(coach, page, adjust, intensity_ceiling="vigorous", reason="push")
    assert above.status_code == 422 and "not raise it above" in above.text
    assert _row(clinic, enrolment)[1]["intensity_ceiling"] == "low"

    resumed = post_form(coach, page, moves, to="resume", reason="Knee better")
    assert resumed.status_code == 303
    assert _row(clinic, enrolment)[0] == "active"
    dropped = post_form(coach, page, moves, to="drop", reason="Moving away")
    assert dropped.status_code == 303
    status, _, events = _row(clinic, enrolment)
    # paused, adjusted (week 3), adjusted (ceiling and mix), resumed, dropped: 5 in all.
    assert (status, events) == ("dropped", 5)
    assert "No live journey that you coach" in coach.get(page).text


def test_other_coaches_members_and_enrolments_are_out_of_reach(
    clinic: Clinic, coach: TestClient
) -> None:
    ama, kofi, esi = clinic.member("Ama"), clinic.member("Kofi"), clinic.member("Esi")
    mine = _in_week_two(clinic, ama, clinic.coach_a_id)
    # Kofi is coached by A (lead) but his journey is B's; Esi is B's alone.
    _lead(clinic, kofi, clinic.coach_a_id)
    bs = _in_week_two(clinic, kofi, clinic.coach_b_id)
    esis = _in_week_two(clinic, esi, clinic.coach_b_id)
    kofi_page = f"/manage/coaching/members/{kofi}"
    shown = coach.get(kofi_page)
    assert shown.status_code == 200 and bs not in shown.text  # not A's to see
    csrf = csrf_of(shown.text)

    def post(path: str, **data: str) -> int:
        sent = coach.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
        return int(sent.status_code)

    assert post(f"{kofi_page}/journeys/{bs}/move", to="pause", reason="x") == 403
    assert post(f"{kofi_page}/journeys/{bs}/adjust", week="3", minutes="9", reason="x") == 403
    assert (
        post(f"/manage/coaching/members/{esi}/journeys/{esis}/move", to="drop", reason="x") == 404
    )
    # A's own enrolment under another member's address: not found.
    assert post(f"{kofi_page}/journeys/{mine}/move", to="pause", reason="x") == 404
    assert post(f"{kofi_page}/journeys/not-an-id/move", to="pause", reason="x") == 404
    # No CSRF token: refused before anything.
    no_token = coach.post(
        f"/manage/coaching/members/{ama}/journeys/{mine}/move",
        data={"to": "pause", "reason": "x"},
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    for enrolment in (mine, bs, esis):
        assert _row(clinic, enrolment)[::2] == ("active", 0)


def test_enrolling_from_the_offers(api: Api, container: Container, clinic: Clinic) -> None:
    gated = add_journey(container, clinic.tenant_id, "Bump & Move", contraindications=["pregnancy"])
    esi = clinic.member("Esi")
    flagged = api.client.post(
        f"/members/{esi}/risk-flags", json={"flag": "pregnancy"}, headers=clinic.manager
    )
    assert flagged.status_code == 201, flagged.text
    for manager in _browser(container, f"m@{SLUG}.example"):
        page = f"/manage/coaching/members/{esi}"
        html = manager.get(page).text
        # Refused offers are shown, disabled, with why not.
        assert f'value="{gated}" disabled' in html and "Not for members with pregnancy" in html
        # Posted anyway: 409, the page with the reason, nothing enrolled.
        refused = post_form(manager, page, f"{page}/journeys", template_id=gated)
        assert refused.status_code == 409 and "Not for members with pregnancy" in refused.text
        nothing = post_form(manager, page, f"{page}/journeys")
        assert nothing.status_code == 422 and "Choose a journey" in nothing.text
        past = post_form(
            manager,
            page,
            f"{page}/journeys",
            template_id=clinic.journey_id,
            starts_on="2020-01-06",
        )
        assert past.status_code == 422 and "is in the past" in past.text
        with container.uow() as uow:
            assert uow.db.scalar(select(func.count()).select_from(JourneyEnrolment)) == 0

        made = post_form(
            manager,
            page,
            f"{page}/journeys",
            template_id=clinic.journey_id,
            coach_id=clinic.coach_b_id,
        )
        assert made.status_code == 303, made.text
        shown = manager.get(made.headers["location"]).text
        assert "Enrolled on the journey." in shown and "Starts " in shown
        with container.uow() as uow:
            row = uow.db.scalars(select(JourneyEnrolment)).one()
        assert str(row.coach_id) == clinic.coach_b_id and row.starts_on.weekday() == 0
        assert row.status == EnrolmentStatus.ENROLLED.value
        # Once on a journey, joining it again is refused with the service's words.
        again = post_form(manager, page, f"{page}/journeys", template_id=clinic.journey_id)
        assert again.status_code == 409 and "one live enrolment per journey" in again.text

        # A manager completes another coach's member's journey early, with a reason.
        kofi = clinic.member("Kofi")
        theirs = _in_week_two(clinic, kofi, clinic.coach_b_id)
        kofi_page = f"/manage/coaching/members/{kofi}"
        done = post_form(
            manager, kofi_page, f"{kofi_page}/journeys/{theirs}/move", to="complete", reason="Met"
        )
        assert done.status_code == 303, done.text
        assert _row(clinic, theirs)[::2] == ("completed", 1)
        unknown = post_form(
            manager, kofi_page, f"{kofi_page}/journeys/{theirs}/move", to="finish", reason="x"
        )
        assert unknown.status_code == 422 and "Choose pause, resume" in unknown.text
        # Its form is gone from the page: the refusal shows at the top of the journeys.
        late = post_form(
            manager, kofi_page, f"{kofi_page}/journeys/{theirs}/move", to="drop", reason="x"
        )
        assert late.status_code == 409 and "completed: it cannot become dropped" in late.text
        assert _row(clinic, theirs)[::2] == ("completed", 1)
