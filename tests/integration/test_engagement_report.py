"""The engagement report (``GET /reports/engagement``) with figures worked by hand:
members by weekly streak and by adherence score, challenge uptake, retention per class
type; another tenant's data never counted; a manager limited to London counts London only
(SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from server.config import Settings
from server.engagement.models import MemberEngagement, MovementEvent
from server.engagement.repository import MemberDays
from server.engagement.service import MovementFacts, movement_row
from server.scheduling.models import ClassSession, SessionType
from shared.clock import utcnow
from shared.enums import MovementKind
from shared.movement import MovementIntensity, MovementSource, Provenance
from tests.integration.challenges_helpers import LONDON, TODAY, Club, at, open_club
from tests.integration.helpers import PASSWORD, Api

PERIOD = {"from": (TODAY - timedelta(days=27)).isoformat(), "to": TODAY.isoformat()}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def club(api: Api, container: Container) -> Club:
    return open_club(api, container, "report-gym")


def _limited(club: Club, location_id: str, role: str = "manager") -> dict[str, str]:
    email = f"{role}-{uuid.uuid4().hex[:6]}@{club.tenant.slug}.example"
    club.api.create_staff(club.tenant, role, email, location_ids=[location_id])
    response = club.api.login(club.tenant.slug, email, PASSWORD)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _report(club: Club, headers: dict[str, str], **params: Any) -> Any:
    response = club.api.client.get(
        "/reports/engagement", params={**PERIOD, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def _engaged(club: Club, member_id: str, weeks: int, score: float) -> None:
    with club.container.uow() as uow:
        uow.db.add(
            MemberEngagement(
                tenant_id=club.tenant_id,
                member_id=uuid.UUID(member_id),
                state={},
                weekly_current=weeks,
                weekly_longest=weeks,
                score=score,
            )
        )
        uow.commit()


def _bands(rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["band"], r["members"]) for r in rows]


def test_streaks_scores_and_challenges_are_counted_per_tenant_and_location(
    api: Api, club: Club
) -> None:
    # London: Ama (0 weeks, 0.10), Kofi (1, 0.25), Efua (3, 0.60); Accra: Yaw (8, 0.80),
    # Abena (no engagement yet: 0 weeks, score 0).
    ama, kofi, efua = (club.member(n) for n in ("Ama", "Kofi", "Efua"))
    yaw, _abena = (club.member(n, home=club.accra) for n in ("Yaw", "Abena"))
    for member, weeks, score in ((ama, 0, 0.10), (kofi, 1, 0.25), (efua, 3, 0.60), (yaw, 8, 0.8)):
        _engaged(club, member, weeks, score)
    # Another tenant: a member 8 weeks in, a challenge: never counted here.
    other = open_club(api, club.container, "report-other")
    stranger = other.member("Stranger")
    _engaged(other, stranger, 9, 0.9)
    other.challenge(name="Elsewhere")

    running = club.challenge(name="Spring moves", target=1)
    club.challenge(
        name="Long gone",
        starts_on=(TODAY - timedelta(days=60)).isoformat(),
        ends_on=(TODAY - timedelta(days=30)).isoformat(),
    )
    called_off = club.challenge(name="Called off")
    assert (
        api.client.post(f"/challenges/{called_off['id']}/cancel", headers=club.owner).status_code
        == 200
    )
    for member in (ama, kofi, yaw):
        club.join(running["id"], member)
    # Ama moves now (this week), Yaw 8 days ago (last week): both reach the target of 1
    # session; Kofi never moves.
    club.event(ama, utcnow() - timedelta(minutes=1))
    club.event(yaw, at(TODAY - timedelta(days=8), 9))
    club.pump()

    whole = _report(club, club.owner)
    # Weeks: 0 → Ama, Abena; 1 → Kofi; 2–3 → Efua; 8+ → Yaw.
    assert _bands(whole["streaks"]) == [("0", 2), ("1", 1), ("2–3", 1), ("4–7", 0), ("8+", 1)]
    # Scores: < 0.25 → Ama 0.10, Abena 0; 0.25 exactly → the 0.25–0.5 band (Kofi);
    # Efua 0.60; Yaw 0.80.
    assert _bands(whole["scores"]) == [
        ("< 0.25", 2),
        ("0.25–0.5", 1),
        ("0.5–0.75", 1),
        ("≥ 0.75", 1),
    ]
    # Only the running challenge: the finished one ended before the period, the other was
    # cancelled. Joined 3; moved this week: Ama; completed: Ama and Yaw.
    assert [
        (c["name"], c["joined"], c["active_this_week"], c["completed"]) for c in whole["challenges"]
    ] == [("Spring moves", 3, 1, 2)]

    london = _limited(club, club.london)
    mine = _report(club, london)
    # London only: Ama (0), Kofi (1), Efua (3); in the challenge Ama and Kofi.
    assert _bands(mine["streaks"]) == [("0", 1), ("1", 1), ("2–3", 1), ("4–7", 0), ("8+", 0)]
    assert _bands(mine["scores"]) == [
        ("< 0.25", 1),
        ("0.25–0.5", 1),
        ("0.5–0.75", 1),
        ("≥ 0.75", 0),
    ]
    assert [(c["joined"], c["active_this_week"], c["completed"]) for c in mine["challenges"]] == [
        (2, 1, 1)
    ]
    # The owner asking for Accra: Yaw and Abena.
    accra = _report(club, club.owner, location_id=club.accra)
    assert _bands(accra["streaks"]) == [("0", 1), ("1", 0), ("2–3", 0), ("4–7", 0), ("8+", 1)]
    # The London manager asking for Accra, or anyone for another tenant's location: 404.
    refused = api.client.get(
        "/reports/engagement", params={**PERIOD, "location_id": club.accra}, headers=london
    )
    assert refused.status_code == 404
    foreign = api.client.get(
        "/reports/engagement", params={**PERIOD, "location_id": other.london}, headers=club.owner
    )
    assert foreign.status_code == 404


def _session_type(club: Club, name: str) -> uuid.UUID:
    with club.container.uow() as uow:
        row = SessionType(
            tenant_id=club.tenant_id,
            name=name,
            kind="class",
            category="fitness",
            duration_minutes=45,
            default_capacity=20,
            intensity="moderate",
        )
        uow.db.add(row)
        uow.db.flush()
        found = row.id
        uow.commit()
    return found


def _session(club: Club, type_id: uuid.UUID, location: str, day: date) -> uuid.UUID:
    starts = datetime.combine(day, time(7), LONDON).astimezone(UTC)
    with club.container.uow() as uow:
        row = ClassSession(
            tenant_id=club.tenant_id,
            location_id=uuid.UUID(location),
            session_type_id=type_id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            local_date=day,
            local_start=time(7),
            capacity=20,
        )
        uow.db.add(row)
        uow.db.flush()
        found = row.id
        uow.commit()
    return found


def _attended(club: Club, member_id: str, session_id: uuid.UUID, day: date) -> None:
    with club.container.uow() as uow:
        facts = MovementFacts(
            member_id=uuid.UUID(member_id),
            kind=MovementKind.ATTENDANCE,
            occurred_at=at(day, 7),
            minutes=45,
            intensity=MovementIntensity.MODERATE,
            provenance=Provenance.SCANNER_VERIFIED,
            source=MovementSource.DESK.value,
        )
        row = movement_row(MemberDays(uow.db, club.tenant_id), facts)
        row["session_id"] = session_id
        uow.db.add(MovementEvent(tenant_id=club.tenant_id, **row))
        uow.commit()


def test_retention_per_class_type_counts_returns_within_14_days(api: Api, club: Club) -> None:
    first = TODAY - timedelta(days=25)
    spin = _session_type(club, "Spin")
    yoga = _session_type(club, "Yoga")
    pilates = _session_type(club, "Pilates")
    spin_day = _session(club, spin, club.london, first)
    spin_again = _session(club, spin, club.london, first + timedelta(days=2))
    yoga_day = _session(club, yoga, club.accra, first)
    pilates_day = _session(club, pilates, club.london, first)
    # Spin, London, 5 attendees: the 1st comes to Spin again 2 days later (back), the 2nd
    # runs on day 14 (back: the 14th day counts), the 3rd on day 15 (too late), the 4th
    # never again, the 5th only on the same day (not a return). Back: 2 of 5 = 0.4.
    spinners = [club.member(f"Spin{i}") for i in range(5)]
    for member in spinners:
        _attended(club, member, spin_day, first)
    _attended(club, spinners[0], spin_again, first + timedelta(days=2))
    club.event(spinners[1], at(first + timedelta(days=14), 18))
    club.event(spinners[2], at(first + timedelta(days=15), 18))
    club.event(spinners[4], at(first, 18))
    # Yoga, Accra, 5 attendees all back on day 1: 5 of 5 = 1.0.
    yogis = [club.member(f"Yoga{i}", home=club.accra) for i in range(5)]
    for member in yogis:
        _attended(club, member, yoga_day, first)
        club.event(member, at(first + timedelta(days=1), 18))
    # Pilates: 4 attendees, too few to show.
    for member in spinners[:4]:
        _attended(club, member, pilates_day, first)
    # Another tenant's Spin attendees are not this tenant's.
    other = open_club(api, club.container, "retention-other")
    other_spin = _session_type(other, "Spin")
    other_day = _session(other, other_spin, other.london, first)
    for i in range(5):
        _attended(other, other.member(f"Out{i}"), other_day, first)

    whole = _report(club, club.owner)
    assert [
        (r["session_type"], r["attendees"], r["returned"], r["share"]) for r in whole["retention"]
    ] == [("Yoga", 5, 5, 1.0), ("Spin", 5, 2, 0.4)]
    london = _report(club, _limited(club, club.london))
    assert [(r["session_type"], r["share"]) for r in london["retention"]] == [("Spin", 0.4)]
    assert whole["ratings"] == []


def test_bad_input_and_other_roles_are_refused(api: Api, club: Club) -> None:
    backwards = {"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()}
    response = api.client.get("/reports/engagement", params=backwards, headers=club.owner)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    missing = api.client.get("/reports/engagement", headers=club.owner)
    assert missing.status_code == 422
    desk = _limited(club, club.london, role="front_desk")
    assert api.client.get("/reports/engagement", params=PERIOD, headers=desk).status_code == 403
    member = club.member("Ama")
    assert (
        api.client.get(
            "/reports/engagement", params=PERIOD, headers=club.headers(member)
        ).status_code
        == 403
    )
