"""Screening end to end (SQLite and PostgreSQL): the questionnaire, clearances and risk flags
through the API; the booking gate on every path that books (members, staff, the group-commit
batch, a kiosk's pushed booking, waitlist promotion), a clearance's twelve months in the
tenant's zone; warnings for contra-indicated classes; health data sealed at rest; who may
read what; nothing of the answers or flags published."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.bookings.placing import place_booking
from server.bookings.queue import BookingRequest, apply_batch
from server.bootstrap import Container
from server.errors import Conflict
from server.scheduling.models import SessionType
from server.screening.gate import BLOCKED
from server.screening.models import RiskFlagRecord, Screening, ScreeningClearance
from server.screening.state import today_in
from shared.carepath.screening import QUESTION_KEYS, clearance_expires
from shared.clock import utcnow
from shared.enums import BookingSource
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import OutboxEvents, recorded

ZONE = "Europe/London"


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "screen-gym")


def _all_no() -> dict[str, bool]:
    return dict.fromkeys(QUESTION_KEYS, False)


#: A yes whose follow-up worries: a clearance is needed.
UNRESOLVED = _all_no() | {
    "chest_pain": True,
    "chest_pain.examined": False,
}


def _answer(studio: Studio, member_id: str, answers: dict[str, Any]) -> Any:
    return studio.api.client.post(
        "/me/screening", json={"answers": answers}, headers=studio.member_headers(member_id)
    )


def _awaiting(studio: Studio) -> str:
    member_id = studio.member()
    response = _answer(studio, member_id, UNRESOLVED)
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "needs_clearance"
    assert response.json()["awaiting_clearance"] is True
    return member_id


def _today(studio: Studio) -> date:
    with studio.container.uow() as uow:
        return today_in(uow, uuid.UUID(studio.tenant_id))


def _clear(studio: Studio, member_id: str, **body: Any) -> Any:
    return studio.api.client.post(
        f"/members/{member_id}/clearances",
        json={"evidence": "GP letter 3 Dec", **body},
        headers=studio.admin,
    )


def _kind(studio: Studio, name: str, **values: Any) -> str:
    """A session type (HIIT-like, high intensity) with ``values`` changed."""
    type_id = studio.session_type(name)
    with studio.container.uow() as uow:
        row = uow.db.get(SessionType, (uuid.UUID(studio.tenant_id), uuid.UUID(type_id)))
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        uow.commit()
    return type_id


def _low_type(studio: Studio) -> str:
    return _kind(studio, "Gentle stretch", intensity="low")


def _my_booking(studio: Studio, member_id: str, session_id: str) -> Any:
    return studio.api.client.post(
        "/me/bookings", json={"session_id": session_id}, headers=studio.member_headers(member_id)
    )


def _counts(studio: Studio) -> tuple[int, int, int]:
    with studio.container.uow() as uow:
        return (
            len(uow.db.scalars(select(Screening)).all()),
            len(uow.db.scalars(select(ScreeningClearance)).all()),
            len(uow.db.scalars(select(RiskFlagRecord)).all()),
        )


def test_questionnaire_clear_and_needing_clearance(studio: Studio) -> None:
    member_id = studio.member()
    mine = studio.api.client.get("/me/screening", headers=studio.member_headers(member_id))
    assert mine.status_code == 200
    assert [q["key"] for q in mine.json()["questions"]] == list(QUESTION_KEYS)
    assert mine.json()["outcome"] is None
    clear = _answer(
        studio,
        member_id,
        _all_no()
        | {"bone_joint": True}
        | {
            "bone_joint.controlled": True,
            "bone_joint.recent": False,
        },
    )
    assert clear.status_code == 201, clear.text
    assert clear.json()["outcome"] == "clear"
    assert clear.json()["awaiting_clearance"] is False
    again = _answer(studio, member_id, UNRESOLVED).json()
    assert again["outcome"] == "needs_clearance"
    assert again["unresolved"] == ["chest_pain"]
    events = OutboxEvents(studio.container, since_start=True)
    assert events.names().count("screening.completed") == 2
    assert [e.data["outcome"] for e in events.events if e.name == "screening.completed"] == [
        "clear",
        "needs_clearance",
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {k: v for k, v in _all_no().items() if k != "dizziness"},  # a question missing
        _all_no() | {"chest_pain": True},  # a yes without its follow-up
        _all_no() | {"smoking": True},  # no such question
        _all_no() | {"medication": "yes"},  # not a yes/no
    ],
)
def test_incomplete_answers_are_refused_and_nothing_kept(
    studio: Studio, answers: dict[str, Any]
) -> None:
    member_id = studio.member()
    response = _answer(studio, member_id, answers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _counts(studio) == (0, 0, 0)


def test_every_booking_path_is_gated_until_cleared(studio: Studio) -> None:
    member_id = _awaiting(studio)
    hiit = studio.session()
    # The member's own booking (through the booking queue).
    refused = _my_booking(studio, member_id, hiit)
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == BLOCKED
    assert refused.json()["code"] == "clearance_needed"
    # Staff booking them in.
    assert studio.book(hiit, member_id).status_code == 409
    # A kiosk's pushed booking goes through the same placement core.
    container = studio.container
    with container.uow() as uow, pytest.raises(Conflict, match="clearance"):
        place_booking(
            uow=uow,
            eligibility=container.eligibility,
            tenant_id=uuid.UUID(studio.tenant_id),
            session_id=uuid.UUID(hiit),
            member_id=uuid.UUID(member_id),
            source=BookingSource.KIOSK,
        )
    assert studio.bookings(hiit) == []
    # A low-intensity class is allowed meanwhile.
    gentle = studio.session(session_type_id=_low_type(studio), starts_in=timedelta(days=5))
    assert _my_booking(studio, member_id, gentle).status_code == 201
    # Cleared: every path books.
    cleared = _clear(studio, member_id)
    assert cleared.status_code == 201, cleared.text
    assert cleared.json()["expires_on"] == clearance_expires(_today(studio)).isoformat()
    booked = _my_booking(studio, member_id, hiit)
    assert booked.status_code == 201, booked.text
    assert booked.json()["warnings"] == []
    other = studio.session(starts_in=timedelta(days=2))
    assert studio.book(other, member_id).status_code == 201
    # Revoked: refused again.
    revoke = studio.api.client.post(
        f"/members/{member_id}/clearances/{cleared.json()['id']}/revoke", headers=studio.admin
    )
    assert revoke.status_code == 200
    third = studio.session(starts_in=timedelta(days=3))
    assert studio.book(third, member_id).status_code == 409


def test_the_batch_refuses_only_the_member_awaiting_clearance(studio: Studio) -> None:
    container = studio.container
    waiting, fine = _awaiting(studio), studio.member()
    hiit = studio.session()
    tenant = uuid.UUID(studio.tenant_id)
    requests = [
        BookingRequest(tenant, uuid.UUID(hiit), uuid.UUID(m), BookingSource.MEMBER)
        for m in (waiting, fine)
    ]
    outcomes = apply_batch(
        container.uow(), requests, eligibility=container.eligibility, sealer=container.sealer
    )
    assert isinstance(outcomes[0], Conflict)
    assert outcomes[0].code == "clearance_needed"
    assert not isinstance(outcomes[1], Exception)
    assert [str(b.member_id) for b in studio.bookings(hiit)] == [fine]


def _backdate_screening(studio: Studio, member_id: str, days: int) -> None:
    with studio.container.uow() as uow:
        row = uow.db.scalars(
            select(Screening).where(Screening.member_id == uuid.UUID(member_id))
        ).one()
        row.completed_at = row.completed_at - timedelta(days=days)
        uow.commit()


def test_a_clearance_holds_twelve_months_in_the_tenants_zone(studio: Studio) -> None:
    member_id = _awaiting(studio)
    _backdate_screening(studio, member_id, 800)
    today = _today(studio)
    assert today == utcnow().astimezone(ZoneInfo(ZONE)).date()
    # Cleared exactly twelve months ago: it holds through today.
    year_ago = (
        today.replace(year=today.year - 1)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - 1, day=28)
    )
    first = _clear(studio, member_id, cleared_on=year_ago.isoformat())
    assert first.status_code == 201, first.text
    assert first.json()["holds"] is (clearance_expires(year_ago) >= today)
    hiit = studio.session()
    if first.json()["holds"]:
        assert studio.book(hiit, member_id).status_code == 201
    studio.api.client.post(
        f"/members/{member_id}/clearances/{first.json()['id']}/revoke", headers=studio.admin
    )
    # Cleared twelve months and a day ago: lapsed yesterday, refused.
    lapsed = _clear(studio, member_id, cleared_on=(year_ago - timedelta(days=1)).isoformat())
    assert lapsed.status_code == 201
    assert lapsed.json()["holds"] is False
    later = studio.session(starts_in=timedelta(days=2))
    assert studio.book(later, member_id).status_code == 409
    state = studio.api.client.get(f"/members/{member_id}/screening", headers=studio.admin)
    assert state.json()["awaiting_clearance"] is True


def test_waitlist_promotion_passes_over_a_member_awaiting_clearance(studio: Studio) -> None:
    hiit = studio.session(capacity=1)
    first, held, next_one = (studio.member(email=f"m{i}@example.com") for i in range(3))
    booked = studio.booked(hiit, first)
    assert studio.booked(hiit, held)["status"] == "waitlisted"
    assert studio.booked(hiit, next_one)["status"] == "waitlisted"
    # Having joined the line, the member answers yes: now awaiting clearance.
    assert _answer(studio, held, UNRESOLVED).json()["awaiting_clearance"] is True
    assert studio.cancel(booked["id"]).status_code == 200
    status = {str(b.member_id): b.status for b in studio.bookings(hiit)}
    assert status == {first: "cancelled", held: "waitlisted", next_one: "confirmed"}
    assert studio.counts(hiit) == (1, 1)
    from server.notices.models import Notice

    with studio.container.uow() as uow:
        topics = [n.topic for n in uow.db.scalars(select(Notice)).all()]
    assert "booking.held_back" in topics


def test_contra_indicated_class_warns_but_books(studio: Studio) -> None:
    member_id = studio.member()
    flag = studio.api.client.post(
        f"/members/{member_id}/risk-flags",
        json={"flag": "high_blood_pressure", "note": "148/95 at the GP"},
        headers=studio.admin,
    )
    assert flag.status_code == 201, flag.text
    assert flag.json()["source"] == "staff"
    assert flag.json()["label"] == "High blood pressure"
    kind = _kind(studio, "Power lifting", contraindications=["high_blood_pressure"])
    session = studio.session(session_type_id=kind)
    booked = _my_booking(studio, member_id, session)
    assert booked.status_code == 201, booked.text
    assert booked.json()["warnings"] == ["Not advised with high blood pressure: check with a coach"]
    by_staff = studio.book(
        studio.session(session_type_id=kind, starts_in=timedelta(days=2)), member_id
    )
    assert by_staff.status_code == 201
    assert by_staff.json()["warnings"]
    # Once the flag has ended, no warning.
    ended = studio.api.client.post(
        f"/members/{member_id}/risk-flags/{flag.json()['id']}/end", headers=studio.admin
    )
    assert ended.status_code == 200
    assert ended.json()["ended_on"] is not None
    third = studio.session(session_type_id=kind, starts_in=timedelta(days=3))
    assert _my_booking(studio, member_id, third).json()["warnings"] == []


def test_integration_flags_carry_their_source(studio: Studio) -> None:
    member_id = studio.member()
    response = studio.api.client.post(
        "/integrations/risk-flags",
        json={
            "flags": [{"member_id": member_id, "flag": "pre_diabetes", "noted_on": "2026-11-02"}]
        },
        headers=studio.admin,
    )
    assert response.status_code == 201, response.text
    listed = studio.api.client.get(f"/members/{member_id}/risk-flags", headers=studio.admin)
    assert [(f["flag"], f["source"], f["noted_on"]) for f in listed.json()["items"]] == [
        ("pre_diabetes", "integration", "2026-11-02")
    ]
    # One unknown member: none of the flags kept.
    bad = studio.api.client.post(
        "/integrations/risk-flags",
        json={
            "flags": [
                {"member_id": member_id, "flag": "stress"},
                {"member_id": str(uuid.uuid4()), "flag": "stress"},
            ]
        },
        headers=studio.admin,
    )
    assert bad.status_code == 404
    assert _counts(studio)[2] == 1


def test_bad_clearances_and_flags_change_nothing(studio: Studio) -> None:
    clear_member = studio.member()
    assert _answer(studio, clear_member, _all_no()).status_code == 201
    # No questionnaire needing a clearance.
    assert _clear(studio, clear_member).status_code == 422
    assert _clear(studio, studio.member()).status_code == 422
    waiting = _awaiting(studio)
    tomorrow = (_today(studio) + timedelta(days=1)).isoformat()
    future = _clear(studio, waiting, cleared_on=tomorrow)
    assert future.status_code == 422
    assert "future" in future.json()["detail"]
    unknown = studio.api.client.post(
        f"/members/{waiting}/risk-flags", json={"flag": "vampirism"}, headers=studio.admin
    )
    assert unknown.status_code == 422
    assert _counts(studio) == (2, 0, 0)


def test_who_may_read_what(studio: Studio, api: Api) -> None:
    member_id = _awaiting(studio)
    slug = "screen-gym"
    desk = studio.staff  # front desk
    seen = api.client.get(f"/members/{member_id}/screening", headers=desk)
    assert seen.status_code == 200
    assert seen.json()["awaiting_clearance"] is True
    assert seen.json()["answers"] is None
    assert seen.json()["outcome"] is None
    assert seen.json()["clearances"] == []
    for path in ("risk-flags",):
        assert api.client.get(f"/members/{member_id}/{path}", headers=desk).status_code == 403
    assert _clear(studio, member_id).status_code == 201  # the owner may
    desk_clear = api.client.post(
        f"/members/{member_id}/clearances", json={"evidence": "x"}, headers=desk
    )
    assert desk_clear.status_code == 403
    # A coach sees only the members of classes they lead.
    api.create_staff(studio.desk.tenant, "coach", f"coach@{slug}.example")
    coach = api.token_for(slug, f"coach@{slug}.example")
    assert api.client.get(f"/members/{member_id}/screening", headers=coach).status_code == 403
    # The owner sees the answers.
    full = api.client.get(f"/members/{member_id}/screening", headers=studio.admin).json()
    assert full["answers"]["chest_pain"] is True
    assert full["clearances"][0]["evidence"] == "GP letter 3 Dec"
    # Another tenant's member is not found.
    other = open_studio(api, studio.container, "other-screen-gym")
    stranger = other.member()
    for method, path in (
        ("get", f"/members/{stranger}/screening"),
        ("get", f"/members/{stranger}/risk-flags"),
        ("post", f"/members/{stranger}/clearances"),
    ):
        body = {"evidence": "x"} if method == "post" else None
        answer = api.client.request(method, path, json=body, headers=studio.admin)
        assert answer.status_code == 404, (path, answer.text)


def test_health_data_is_sealed_at_rest(studio: Studio, container: Container) -> None:
    member_id = studio.member()
    answers = _all_no() | {"supervision": True}
    assert _answer(studio, member_id, answers).status_code == 201
    assert _clear(studio, member_id, evidence="Cardiology letter Zanzibar").status_code == 201
    flagged = studio.api.client.post(
        f"/members/{member_id}/risk-flags",
        json={"flag": "osteoporosis", "note": "DEXA scan Quokka"},
        headers=studio.admin,
    )
    assert flagged.status_code == 201
    secrets = [b"supervision", b"chest_pain", b"Zanzibar", b"osteoporosis", b"Quokka"]
    with container.uow() as uow:
        rows = [
            *uow.db.execute(select(Screening.answers, Screening.outcome)).all(),
            *uow.db.execute(select(ScreeningClearance.evidence)).all(),
            *uow.db.execute(select(RiskFlagRecord.flag, RiskFlagRecord.note)).all(),
        ]
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
        for row in rows
        for v in row
        if v is not None
    )
    assert stored
    for secret in secrets:
        assert secret not in stored, secret
    url = str(container.settings.database_url)
    if url.startswith("sqlite"):
        container.dispose()  # everything on disk, nothing left in a WAL alone
        path = Path(url.removeprefix("sqlite:///"))
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
        # The whole file, indexes and free pages included. Flag keys are also the words
        # prescription profiles and journeys are labelled with, so only texts that are
        # nobody else's are looked for here.
        for secret in (b"supervision", b"chest_pain", b"Zanzibar", b"Quokka"):
            assert secret not in data, secret
    # Nothing published carries an answer or a flag.
    published = repr([e.data for e in recorded(container)]).encode()
    for secret in secrets:
        assert secret not in published
