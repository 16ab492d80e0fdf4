"""Enrolments through the API: joining, the screening gate, the lifecycle, a coach's
adjustments, assessments, who may touch what, and the completion certificate."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.bootstrap import Container
from server.journeys import adherence, service
from server.journeys.models import (
    JourneyAssessmentResult,
    JourneyEnrolment,
    JourneyEnrolmentEvent,
)
from server.ports.identity import AccessClaims
from shared.carepath.screening import QUESTION_KEYS
from shared.enums import PrincipalKind, StaffRole
from tests.integration.helpers import Api
from tests.integration.journey_rows import LONDON, Clinic, add_journey, open_clinic
from tests.integration.outbox_helpers import OutboxEvents


def _count(container: Container, model: Any) -> int:
    with container.uow() as uow:
        return int(uow.db.scalar(select(func.count()).select_from(model)) or 0)


def _past_enrolment(clinic: Clinic, member_id: str, coach_id: str | None = None) -> str:
    """Enrolled in February 2026 by a manager, coached by ``coach_id``: every week is past."""
    on = datetime.combine(date(2026, 2, 25), time(12), tzinfo=LONDON).astimezone(UTC)
    claims = AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=uuid.uuid4(),
        tenant_id=uuid.UUID(clinic.tenant_id),
        role=StaffRole.OWNER,
    )
    read, _ = service.enrol(
        clinic.container.uow(),
        clinic.container.enrolment_gate,
        claims,
        member_id=uuid.UUID(member_id),
        template_id=uuid.UUID(clinic.journey_id),
        starts_on=None,
        coach_id=uuid.UUID(coach_id) if coach_id else None,
        now=on,
    )
    return str(read.id)


def test_a_member_enrols_from_the_coming_monday_once(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "selfenrol")
    ama = clinic.member()
    me = clinic.member_headers(ama)
    offers = api.client.get("/me/journeys/offers", headers=me)
    assert offers.status_code == 200, offers.text
    # The clinic's journey, beside the three shipped ones.
    assert len(offers.json()["items"]) == 4 and offers.json()["next_offset"] is None
    [offer] = [o for o in offers.json()["items"] if o["template_id"] == clinic.journey_id]
    assert offer["allowed"] and offer["weeks"] == 4
    assert offer["counts"] == ["classes", "Movement Tiles", "outdoor activity"]

    made = api.client.post(
        "/me/journeys/enrolments", json={"template_id": clinic.journey_id}, headers=me
    )
    assert made.status_code == 201, made.text
    body = made.json()
    starts = date.fromisoformat(body["starts_on"])
    assert starts.weekday() == 0 and starts > date.today() - timedelta(days=1)
    assert body["status"] == "enrolled" and body["enrolled_by_kind"] == "member"
    again = api.client.post(
        "/me/journeys/enrolments", json={"template_id": clinic.journey_id}, headers=me
    )
    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    past = api.client.post(
        "/me/journeys/enrolments",
        json={"template_id": clinic.journey_id, "starts_on": "2020-01-06"},
        headers=me,
    )
    assert past.status_code == 422
    mine = api.client.get("/me/journeys", headers=me).json()["items"]
    assert [e["id"] for e in mine] == [body["id"]]
    detail = api.client.get(f"/journeys/enrolments/{body['id']}", headers=me).json()
    assert [e["kind"] for e in detail["events"]] == ["enrolled"]
    assert [(a["key"], a["week"]) for a in detail["assessments"]] == [
        ("sit_to_stand_30s", 0),
        ("sit_to_stand_30s", 4),
    ]


def test_screening_and_flags_refuse_with_their_reason_and_write_nothing(
    api: Api, container: Container
) -> None:
    """The clinic's journey is moderate and contra-indicated for pregnancy: a member whose
    questionnaire awaits a clearance, and a pregnant member, are both refused; a clearance
    lets the first one in."""
    clinic = open_clinic(api, container, "gate")
    journey = add_journey(container, clinic.tenant_id, contraindications=["pregnancy"])
    waiting, expecting = clinic.member("Ama"), clinic.member("Esi")
    answers = dict.fromkeys(QUESTION_KEYS, False) | {"supervision": True}
    screened = api.client.post(
        "/me/screening", json={"answers": answers}, headers=clinic.member_headers(waiting)
    )
    assert screened.status_code == 201, screened.text
    flagged = api.client.post(
        f"/members/{expecting}/risk-flags", json={"flag": "pregnancy"}, headers=clinic.manager
    )
    assert flagged.status_code == 201, flagged.text
    for member, reason in (
        (waiting, "until staff record a screening clearance"),
        (expecting, "Not for members with pregnancy"),
    ):
        response = api.client.post(
            f"/members/{member}/journeys",
            json={"template_id": journey, "coach_id": clinic.coach_a_id},
            headers=clinic.manager,
        )
        assert response.status_code == 409, response.text
        assert reason in response.json()["detail"]
    assert _count(container, JourneyEnrolment) == 0
    assert _count(container, JourneyEnrolmentEvent) == 0
    offers = api.client.get("/me/journeys/offers", headers=clinic.member_headers(expecting)).json()[
        "items"
    ]
    assert {o["template_id"]: o["allowed"] for o in offers}[journey] is False
    cleared = api.client.post(
        f"/members/{waiting}/clearances", json={"evidence": "GP letter"}, headers=clinic.manager
    )
    assert cleared.status_code == 201, cleared.text
    response = api.client.post(
        f"/members/{waiting}/journeys",
        json={"template_id": clinic.journey_id, "coach_id": clinic.coach_a_id},
        headers=clinic.manager,
    )
    assert response.status_code == 201, response.text


def test_a_wrong_move_is_a_409_naming_both_states(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "moves")
    ama = clinic.member()
    made = api.client.post(
        f"/members/{ama}/journeys",
        json={"template_id": clinic.journey_id},
        headers=clinic.coach_a,
    ).json()
    assert made["coach_id"] == clinic.coach_a_id  # a coach enrols as the member's coach
    url = f"/journeys/enrolments/{made['id']}"
    paused = api.client.post(f"{url}/pause", json={"reason": "holiday"}, headers=clinic.coach_a)
    assert paused.status_code == 409
    assert "enrolled" in paused.json()["detail"] and "paused" in paused.json()["detail"]
    dropped = api.client.post(f"{url}/drop", json={"reason": "moved away"}, headers=clinic.manager)
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["status"] == "dropped"
    resumed = api.client.post(f"{url}/resume", headers=clinic.manager)
    assert resumed.status_code == 409
    events = api.client.get(url, headers=clinic.manager).json()["events"]
    assert [(e["kind"], e["reason"], e["by_kind"]) for e in events] == [
        ("enrolled", "", "staff"),
        ("dropped", "moved away", "staff"),
    ]


def test_coach_a_cannot_touch_coach_bs_enrolment(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "coaches")
    ama = clinic.member()
    made = api.client.post(
        f"/members/{ama}/journeys",
        json={"template_id": clinic.journey_id, "coach_id": clinic.coach_b_id},
        headers=clinic.manager,
    ).json()
    url = f"/journeys/enrolments/{made['id']}"
    assert api.client.get(url, headers=clinic.coach_a).status_code == 403
    adjust = {"reason": "tired", "mix": "more_tiles"}
    assert (
        api.client.post(f"{url}/adjustments", json=adjust, headers=clinic.coach_a).status_code
        == 403
    )
    assert api.client.post(f"{url}/drop", headers=clinic.coach_a).status_code == 403
    assert api.client.get(f"/members/{ama}/journeys", headers=clinic.coach_a).json()["items"] == []
    assert api.client.post(f"{url}/drop", headers=clinic.desk.desk).status_code == 403
    own = api.client.post(f"{url}/adjustments", json=adjust, headers=clinic.coach_b)
    assert own.status_code == 200, own.text
    assert own.json()["adjustments"]["mix"] == "more_tiles"
    events = api.client.get(url, headers=clinic.coach_b).json()["events"]
    assert events[-1]["kind"] == "adjusted"
    assert events[-1]["reason"] == "tired"
    assert events[-1]["by"] == clinic.coach_b_id
    assert events[-1]["detail"] == {"mix": "more_tiles"}


def test_another_tenants_enrolment_is_not_found(api: Api, container: Container) -> None:
    ours, theirs = open_clinic(api, container, "ours"), open_clinic(api, container, "theirs")
    ama = theirs.member()
    made = api.client.post(
        f"/members/{ama}/journeys", json={"template_id": theirs.journey_id}, headers=theirs.manager
    ).json()
    url = f"/journeys/enrolments/{made['id']}"
    assert api.client.get(url, headers=ours.manager).status_code == 404
    assert api.client.post(f"{url}/drop", headers=ours.manager).status_code == 404
    # Our member on their journey: not found either.
    kofi = ours.member("Kofi")
    response = api.client.post(
        f"/members/{kofi}/journeys", json={"template_id": theirs.journey_id}, headers=ours.manager
    )
    assert response.status_code == 404


def test_a_past_week_cannot_be_adjusted_and_a_week_cannot_ask_nothing(
    api: Api, container: Container
) -> None:
    clinic = open_clinic(api, container, "pastweek")
    ama = clinic.member()
    enrolment_id = _past_enrolment(clinic, ama, clinic.coach_a_id)
    url = f"/journeys/enrolments/{enrolment_id}/adjustments"
    body = {"reason": "easier", "week": 2, "targets": {"minutes": 60}}
    response = api.client.post(url, json=body, headers=clinic.coach_a)
    assert response.status_code == 422
    # Week 2 of a journey from Monday 2 March 2026 ran 9–15 March.
    assert "week 2 ended on 15 Mar" in response.json()["detail"]
    fresh = api.client.post(
        f"/members/{clinic.member('Esi')}/journeys",
        json={"template_id": clinic.journey_id},
        headers=clinic.coach_a,
    ).json()
    url = f"/journeys/enrolments/{fresh['id']}/adjustments"
    zero = {"reason": "x", "week": 1, "targets": {"minutes": 0, "sessions": 0}}
    assert api.client.post(url, json=zero, headers=clinic.coach_a).status_code == 422
    above = {"reason": "x", "intensity_ceiling": "vigorous"}
    assert api.client.post(url, json=above, headers=clinic.coach_a).status_code == 422
    ok = {"reason": "knee", "week": 1, "targets": {"minutes": 60}, "intensity_ceiling": "low"}
    done = api.client.post(url, json=ok, headers=clinic.coach_a)
    assert done.status_code == 200, done.text
    assert done.json()["intensity_ceiling"] == "low"
    detail = api.client.get(f"/journeys/enrolments/{fresh['id']}", headers=clinic.coach_a).json()
    assert [e["kind"] for e in detail["events"]] == ["enrolled", "adjusted"]
    with container.uow() as uow:
        row = uow.db.get(JourneyEnrolment, (uuid.UUID(clinic.tenant_id), uuid.UUID(fresh["id"])))
        assert row is not None
        assert row.adjustments["targets"] == {"1": {"minutes": 60}}


def test_assessments_in_range_and_in_their_weeks(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "assess")
    ama = clinic.member()
    me = clinic.member_headers(ama)
    made = api.client.post(
        "/me/journeys/enrolments", json={"template_id": clinic.journey_id}, headers=me
    ).json()
    url = f"/journeys/enrolments/{made['id']}/assessments"
    events = OutboxEvents(container)
    bad = [
        {"key": "sit_to_stand_30s", "week": 0, "value": 75},  # above 60
        {"key": "sit_to_stand_30s", "week": 2, "value": 12},  # taken in weeks 0 and 4
        {"key": "resting_heart_rate", "week": 0, "value": 60},  # not in this journey
    ]
    for body in bad:
        assert api.client.post(url, json=body, headers=me).status_code == 422, body
    assert _count(container, JourneyAssessmentResult) == 0
    good = api.client.post(
        url, json={"key": "sit_to_stand_30s", "week": 0, "value": 12}, headers=me
    )
    assert good.status_code == 201, good.text
    fixed = api.client.post(
        url, json={"key": "sit_to_stand_30s", "week": 0, "value": 13}, headers=clinic.manager
    )
    assert fixed.status_code == 201
    assert _count(container, JourneyAssessmentResult) == 1
    detail = api.client.get(f"/journeys/enrolments/{made['id']}", headers=me).json()
    assert detail["assessments"][0]["value"] == 13
    published = [e for e in events.events if e.name == "journey.assessment"]
    assert len(published) == 2
    assert "value" not in published[0].data  # a measurement is health data


def test_a_completed_journey_has_a_certificate(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "cert")
    ama = clinic.member("Abena")
    enrolment_id = _past_enrolment(clinic, ama)
    me = clinic.member_headers(ama)
    url = f"/me/journeys/enrolments/{enrolment_id}/certificate.pdf"
    # Before completion: 409. The roll-up (weeks all past) starts and completes it.
    assert api.client.get(url, headers=me).status_code == 409
    adherence.rollup_all(container.uow)
    adherence.rollup_all(container.uow)
    response = api.client.get(url, headers=me)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Abena Mensah" in text
    assert "4-week Starter" in text
    assert "2 March 2026" in text and "29 March 2026" in text
    assert "Weeks met: 0 of 4" in text
    other = clinic.member_headers(clinic.member("Kofi"))
    assert api.client.get(url, headers=other).status_code == 404


def test_the_database_keeps_one_live_enrolment_per_journey(api: Api, container: Container) -> None:
    """Two requests at once both pass the service's check: the partial unique index
    refuses the second row (the service answers it as a 409)."""
    clinic = open_clinic(api, container, "onelive")
    ama = clinic.member()
    made = api.client.post(
        f"/members/{ama}/journeys", json={"template_id": clinic.journey_id}, headers=clinic.manager
    ).json()
    with container.uow() as uow:
        first = uow.db.get(JourneyEnrolment, (uuid.UUID(clinic.tenant_id), uuid.UUID(made["id"])))
        assert first is not None
        twin = {
            c.key: getattr(first, c.key)
            for c in JourneyEnrolment.__table__.columns
            if c.key not in ("id", "created_at", "updated_at")
        }
        uow.db.add(JourneyEnrolment(**{**twin, "id": uuid.uuid4()}))
        with pytest.raises(IntegrityError):
            uow.db.flush()
    dropped = api.client.post(f"/journeys/enrolments/{made['id']}/drop", headers=clinic.manager)
    assert dropped.status_code == 200
    again = api.client.post(
        f"/members/{ama}/journeys", json={"template_id": clinic.journey_id}, headers=clinic.manager
    )
    assert again.status_code == 201, again.text


def test_offers_recommend_the_journeys_that_suit_the_members_flags_with_why(
    api: Api, container: Container
) -> None:
    """The shipped journeys, loaded by the member's own first look: stress and poor sleep
    suit the Stress & Sleep Reset, first; the clinic's general journey follows; a member
    with no flag is offered every journey, none picked out for a risk they do not have."""
    clinic = open_clinic(api, container, "suits")
    stressed, plain = clinic.member("Ama"), clinic.member("Kofi")
    for flag in ("stress", "poor_sleep"):
        flagged = api.client.post(
            f"/members/{stressed}/risk-flags", json={"flag": flag}, headers=clinic.manager
        )
        assert flagged.status_code == 201, flagged.text
    offers = api.client.get("/me/journeys/offers", headers=clinic.member_headers(stressed)).json()[
        "items"
    ]
    first = offers[0]
    assert first["name"] == "4-week Stress & Sleep Reset" and first["recommended"] is True
    assert first["reasons"] == ["Suits: stress, poor sleep"]
    # Then the clinic's own general journey, for anyone; the others suit other risks.
    recommended = [(o["name"], o["reasons"]) for o in offers if o["recommended"]]
    assert recommended[1:] == [("4-week Starter", ["For anyone"])]
    names = {o["name"] for o in offers}
    assert {"8-week Metabolic Reset", "6-week Back & Core Rescue"} <= names
    plain_offers = api.client.get(
        "/me/journeys/offers", headers=clinic.member_headers(plain)
    ).json()["items"]
    assert not any("Suits" in r for o in plain_offers for r in o["reasons"])
