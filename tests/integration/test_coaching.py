"""The coach console's API: whose members a coach sees and in which order, the timeline,
contacts (sealed at rest) and messages (as nudges, with the member's choices)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.coaching.models import CoachContact
from server.journeys.models import JourneyEnrolmentEvent
from server.notices.models import Notice
from server.nudges.models import Nudge, NudgeSettings
from shared.carepath.screening import QUESTION_KEYS
from tests.integration.coaching_helpers import CoachWorld, coach_world
from tests.integration.helpers import Api


@pytest.fixture
def world(api: Api, container: Container) -> CoachWorld:
    return coach_world(api, container, "coach-console")


def _today() -> date:
    # The tenant's only location is in London: "days inactive" counts London dates.
    return datetime.now(ZoneInfo("Europe/London")).date()


def _names(page: dict[str, Any]) -> list[str]:
    return [f"{m['first_name']} {m['last_name']}" for m in page["items"]]


def _list(world: CoachWorld, headers: dict[str, str], **params: Any) -> Any:
    response = world.api.client.get("/coaching/members", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_slipping_members_come_first_most_at_risk_first(world: CoachWorld) -> None:
    today = _today()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    a = world.coach_a
    # Threshold 0.5, or 14 days without movement:
    #   Abena  no row: score 0, never active      slipping (score 0, never: first)
    #   Esi    0.10, 3 days                         slipping (score 0.10)
    #   Zed    0.20, 10 days                        slipping (0.20, the longer idle of the two)
    #   Kofi   0.20, 2 days                         slipping (0.20)
    #   Yaw    0.90, 20 days                        slipping (20 >= 14 days, score 0.90)
    #   Bea Also   0.70, today                      steady: by last name, "Also" < "Steady"
    #   Adwoa Steady 0.80, 1 day                    steady
    adwoa = world.member("Adwoa", "Steady", score=0.8, last_active_on=ago(1), weekly=6)
    kofi = world.member("Kofi", "Low", score=0.2, last_active_on=ago(2))
    esi = world.member("Esi", "Lower", score=0.1, last_active_on=ago(3))
    yaw = world.member("Yaw", "Idle", score=0.9, last_active_on=ago(20))
    abena = world.member("Abena", "Never")
    zed = world.member("Zed", "Tie", score=0.2, last_active_on=ago(10))
    bea = world.member("Bea", "Also", score=0.7, last_active_on=today, daily=3)
    for member in (adwoa, kofi, yaw, abena, zed, bea):
        world.assign(member, a)
    # Esi is A's through her journey only; B's member came to A on a journey now over.
    world.enrol(esi, a)
    other = world.member("Kojo", "Other", score=0.1, last_active_on=ago(1))
    world.assign(other, world.coach_b)
    world.enrol(other, a, status="completed")

    page = _list(world, world.coach_a_headers)
    assert _names(page) == [
        "Abena Never",
        "Esi Lower",
        "Zed Tie",
        "Kofi Low",
        "Yaw Idle",
        "Bea Also",
        "Adwoa Steady",
    ]
    assert page["total"] == 7 and page["next_offset"] is None
    by_name = {m["last_name"]: m for m in page["items"]}
    assert [m["slipping"] for m in page["items"]] == [True] * 5 + [False] * 2
    assert by_name["Steady"]["score_percent"] == 80
    assert by_name["Steady"]["weekly_streak"] == 6 and by_name["Also"]["daily_streak"] == 3
    assert by_name["Idle"]["days_inactive"] == 20 and by_name["Never"]["days_inactive"] is None
    assert [j["name"] for j in by_name["Lower"]["journeys"]] == ["Back & Core Rescue"]
    assert by_name["Lower"]["journeys"][0]["adherence"] == pytest.approx(0.625)
    assert by_name["Lower"]["lead_coach_id"] is None
    assert by_name["Steady"]["lead_coach_name"] == "Ama Coach"
    assert by_name["Steady"]["risk_category"] is None

    # Paged: the second page continues the same order.
    first = _list(world, world.coach_a_headers, limit=3)
    second = _list(world, world.coach_a_headers, limit=3, offset=3)
    assert _names(first) + _names(second) == _names(page)[:6]
    assert first["next_offset"] == 3 and first["total"] == 7
    assert _names(_list(world, world.coach_a_headers, status="steady")) == [
        "Bea Also",
        "Adwoa Steady",
    ]

    # A manager sees both coaches' members, or one coach's.
    everyone = _names(_list(world, world.manager_headers))
    assert "Kojo Other" in everyone and len(everyone) == 8
    assert _names(_list(world, world.manager_headers, coach_id=world.coach_b)) == ["Kojo Other"]
    # A coach asking for another coach's list: not found.
    refused = world.api.client.get(
        "/coaching/members", params={"coach_id": world.coach_b}, headers=world.coach_a_headers
    )
    assert refused.status_code == 404, refused.text

    # The tenant's threshold moves Bea (0.70) and Adwoa (0.80) below 0.85.
    put = world.api.client.put(
        "/coaching/policy", json={"slipping_below": 0.85}, headers=world.owner
    )
    assert put.status_code == 200, put.text
    raised = _list(world, world.coach_a_headers)
    assert _names(raised)[:2] == ["Abena Never", "Esi Lower"]
    assert all(m["slipping"] for m in raised["items"])
    assert _names(raised)[-2:] == ["Adwoa Steady", "Yaw Idle"]  # 0.80 then 0.90


def _contacts(world: CoachWorld) -> list[CoachContact]:
    with world.container.uow() as uow:
        return list(uow.db.execute(select(CoachContact)).scalars())


def test_a_coach_never_reaches_another_coachs_member(world: CoachWorld) -> None:
    mine = world.member("Ama", "Mine", score=0.3, last_active_on=_today())
    theirs = world.member("Ben", "Theirs", score=0.3, last_active_on=_today())
    world.assign(mine, world.coach_a)
    world.assign(theirs, world.coach_b)
    client, a = world.api.client, world.coach_a_headers
    assert _names(_list(world, a)) == ["Ama Mine"]
    calls = [
        ("GET", f"/coaching/members/{theirs}/timeline", None),
        ("GET", f"/coaching/members/{theirs}/coach", None),
        ("POST", f"/coaching/members/{theirs}/contacts", {"kind": "note", "text": "hi"}),
        ("POST", f"/coaching/members/{theirs}/messages", {"text": "See you Monday"}),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=a)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        # The same call for A's own member works.
        own = client.request(method, path.replace(theirs, mine), json=body, headers=a)
        assert own.status_code < 400, (path, own.text)
    # Only the own member's contacts were recorded (the note and the message).
    assert {c.member_id for c in _contacts(world)} == {uuid.UUID(mine)}
    # A coach does not choose lead coaches.
    refused = client.put(
        f"/coaching/members/{mine}/coach", json={"coach_id": world.coach_a}, headers=a
    )
    assert refused.status_code == 403, refused.text
    # A manager reaches both.
    for member in (mine, theirs):
        seen = client.get(f"/coaching/members/{member}/timeline", headers=world.manager_headers)
        assert seen.status_code == 200, seen.text


def test_contacts_are_sealed_at_rest_and_opened_for_the_reader(world: CoachWorld) -> None:
    member = world.member("Efua", "Asante", score=0.4, last_active_on=_today())
    world.assign(member, world.coach_a)
    client, a = world.api.client, world.coach_a_headers
    secret = "Sore left knee after squats; GP letter on file"
    note = client.post(
        f"/coaching/members/{member}/contacts", json={"kind": "note", "text": secret}, headers=a
    )
    assert note.status_code == 201, note.text
    call = client.post(
        f"/coaching/members/{member}/contacts",
        json={"kind": "call", "outcome": "voicemail", "text": "left a message"},
        headers=a,
    )
    assert call.status_code == 201, call.text
    referral = client.post(
        f"/coaching/members/{member}/contacts",
        json={"kind": "referral", "referred_to": "physiotherapist", "text": "knee"},
        headers=a,
    )
    assert referral.status_code == 201, referral.text
    [stored] = [c for c in _contacts(world) if c.kind == "note"]
    assert secret.encode() not in stored.sealed_text
    assert b"knee" not in stored.sealed_text
    with world.container.engine.connect() as db:
        raw = db.exec_driver_sql("SELECT sealed_text FROM coach_contacts").scalars().all()
    assert all(b"knee" not in bytes(value) for value in raw)
    timeline = client.get(f"/coaching/members/{member}/timeline", headers=a).json()
    contacts = [e for e in timeline["items"] if e["source"] == "contact"]
    assert [e["title"] for e in contacts] == [
        "Referral: Physiotherapist",
        "Call: Voicemail",
        "Note",
    ]
    assert contacts[2]["detail"] == secret and contacts[2]["by_name"] == "Ama Coach"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "call", "text": "no outcome"},
        {"kind": "note", "text": "  "},
        {"kind": "note", "text": "x", "outcome": "reached"},
        {"kind": "referral", "text": "who?"},
        {"kind": "referral", "referred_to": "other", "text": ""},
        {"kind": "message", "text": "use the messages route"},
        {"kind": "call", "outcome": "maybe"},
        {"kind": "note", "text": "x" * 4001},
    ],
)
def test_a_contact_that_cannot_be_recorded_is_refused(
    world: CoachWorld, body: dict[str, Any]
) -> None:
    member = world.member("Efua", "Asante")
    world.assign(member, world.coach_a)
    response = world.api.client.post(
        f"/coaching/members/{member}/contacts", json=body, headers=world.coach_a_headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _contacts(world) == []


def _settings(world: CoachWorld, member: str, opted_out: list[str], quiet: tuple[int, int]) -> None:
    with world.container.uow() as uow:
        uow.db.add(
            NudgeSettings(
                tenant_id=world.tenant_uuid,
                member_id=uuid.UUID(member),
                opted_out=opted_out,
                quiet_start_minute=quiet[0],
                quiet_end_minute=quiet[1],
                updated_at=datetime.now(UTC),
            )
        )
        uow.commit()


def _nudges_and_notices(world: CoachWorld) -> tuple[list[Nudge], list[Notice]]:
    with world.container.uow() as uow:
        nudges = list(uow.db.execute(select(Nudge)).scalars())
        notices = list(
            uow.db.execute(select(Notice).where(Notice.topic == "nudge.coach")).scalars()
        )
    return nudges, notices


def test_a_message_respects_the_members_opt_out_and_quiet_hours(world: CoachWorld) -> None:
    client, a = world.api.client, world.coach_a_headers
    plain = world.member("Kwesi", "Plain")
    opted = world.member("Akos", "Optedout")
    quiet = world.member("Nana", "Quiet")
    for member in (plain, opted, quiet):
        world.assign(member, world.coach_a)
    # No quiet hours (start == end) for the first two; the third's last all day but a minute.
    _settings(world, opted, ["coach"], (0, 0))
    _settings(world, plain, [], (0, 0))
    _settings(world, quiet, [], (0, 24 * 60 - 1))

    sent = client.post(
        f"/coaching/members/{plain}/messages", json={"text": "Great week!"}, headers=a
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["outcome"] == "sent" and sent.json()["why"] == "message from Ama Coach"
    skipped = client.post(
        f"/coaching/members/{opted}/messages", json={"text": "Missed you"}, headers=a
    )
    assert skipped.status_code == 201, skipped.text
    assert skipped.json()["outcome"] == "skipped" and skipped.json()["skipped"] == "opted_out"
    held = client.post(f"/coaching/members/{quiet}/messages", json={"text": "Hello"}, headers=a)
    assert held.status_code == 201, held.text
    assert held.json()["outcome"] == "held"
    goes_at = datetime.fromisoformat(held.json()["goes_at"])
    assert goes_at > datetime.now(UTC)

    nudges, notices = _nudges_and_notices(world)
    by_member = {str(n.member_id): n for n in nudges}
    assert {n.kind for n in nudges} == {"coach"}
    assert by_member[opted].skipped == "opted_out" and by_member[opted].sent_at is None
    assert by_member[plain].skipped is None and by_member[plain].sent_at is not None
    assert by_member[plain].why == "message from Ama Coach"
    # Queued for the two who get it; the held one not before the quiet hours end.
    assert sorted(n.to_email for n in notices) == [
        "kwesi.plain@example.com",
        "nana.quiet@example.com",
    ]
    [later] = [n for n in notices if n.to_email.startswith("nana")]
    assert later.next_attempt_at == goes_at
    assert "Great week!" in next(n.body for n in notices if n.to_email.startswith("kwesi"))
    # The message shows on the timeline as the coach's contact, with what became of it.
    timeline = client.get(f"/coaching/members/{opted}/timeline", headers=a).json()
    assert [(e["title"], e["detail"]) for e in timeline["items"][:1]] == [
        ("Message to member: skipped", "Missed you")
    ]


def test_the_timeline_merges_its_sources_newest_first_and_pages(world: CoachWorld) -> None:
    client = world.api.client
    member = world.member("Afia", "Mensah", score=0.5, last_active_on=_today())
    world.assign(member, world.coach_a)  # 1: assignment
    moved = client.post(
        "/movement-events",
        json={
            "member_id": member,
            "kind": "staff_entry",
            "minutes": 30,
            "intensity": "moderate",
            "occurred_at": (datetime.now(UTC) - timedelta(days=2)).isoformat(),
        },
        headers=world.owner,
    )
    assert moved.status_code == 201, moved.text
    enrolment = world.enrol(member, world.coach_b)
    with world.container.uow() as uow:
        uow.db.add(
            JourneyEnrolmentEvent(
                tenant_id=world.tenant_uuid,
                enrolment_id=enrolment,
                kind="enrolled",
                at=datetime.now(UTC) - timedelta(days=1),
                by_kind="staff",
                by=uuid.UUID(world.coach_b),
                reason="back pain",
            )
        )
        uow.commit()
    note = client.post(
        f"/coaching/members/{member}/contacts",
        json={"kind": "note", "text": "first chat"},
        headers=world.coach_a_headers,
    )
    assert note.status_code == 201, note.text
    world.assign(member, world.coach_b)  # the newest: a change of lead coach

    everything = client.get(
        f"/coaching/members/{member}/timeline", headers=world.manager_headers
    ).json()
    assert [e["source"] for e in everything["items"]] == [
        "assignment",
        "contact",
        "assignment",
        "journey",
        "movement",
    ]
    assert everything["items"][0]["detail"] == "Now Ben Coach"
    assert everything["items"][3]["title"] == "Back & Core Rescue: enrolled"
    assert everything["next_before"] is None
    first = client.get(
        f"/coaching/members/{member}/timeline", params={"limit": 2}, headers=world.owner
    ).json()
    assert first["next_before"] is not None
    rest = client.get(
        f"/coaching/members/{member}/timeline",
        params={"limit": 10, "before": first["next_before"]},
        headers=world.owner,
    ).json()
    assert first["items"] + rest["items"] == everything["items"]
    # Or by offset: the same pages.
    assert first["next_offset"] == 2
    by_offset = client.get(
        f"/coaching/members/{member}/timeline",
        params={"limit": 2, "offset": 2},
        headers=world.owner,
    ).json()
    assert by_offset["items"] == everything["items"][2:4] and by_offset["next_offset"] == 4


def test_the_list_shows_each_members_risk_category_from_screening_and_flags(
    world: CoachWorld,
) -> None:
    a = world.coach_a
    flagged = world.member("Ama", "Heart")
    mild = world.member("Kwesi", "Back")
    screened = world.member("Efua", "Clear")
    unknown = world.member("Yaa", "Unknown")
    for member in (flagged, mild, screened, unknown):
        world.assign(member, a)
    client = world.api.client
    for member, flag in ((flagged, "cardiovascular"), (mild, "low_back_pain")):
        answer = client.post(
            f"/members/{member}/risk-flags", json={"flag": flag}, headers=world.owner
        )
        assert answer.status_code == 201, answer.text
    answers = dict.fromkeys(QUESTION_KEYS, False)
    done = client.post(
        f"/members/{screened}/screening", json={"answers": answers}, headers=world.owner
    )
    assert done.status_code == 201, done.text
    page = _list(world, world.coach_a_headers)
    category = {m["member_id"]: m["risk_category"] for m in page["items"]}
    # cardiovascular is a high-risk flag; back pain any other; screened all-no and
    # unflagged is low; never screened nor flagged: nothing known.
    assert category == {flagged: "high", mild: "moderate", screened: "low", unknown: None}


def test_a_lead_coach_reads_their_members_health_data_and_no_other_coach_does(
    world: CoachWorld,
) -> None:
    member = world.member("Adjoa", "Coached")
    world.assign(member, world.coach_a)
    flagged = world.api.client.post(
        f"/members/{member}/risk-flags", json={"flag": "stress"}, headers=world.owner
    )
    assert flagged.status_code == 201, flagged.text
    mine = world.api.client.get(f"/members/{member}/risk-flags", headers=world.coach_a_headers)
    assert mine.status_code == 200, mine.text
    assert [f["flag"] for f in mine.json()["items"]] == ["stress"]
    answers = dict.fromkeys(QUESTION_KEYS, False)
    screened = world.api.client.post(
        f"/members/{member}/screening", json={"answers": answers}, headers=world.owner
    )
    assert screened.status_code == 201, screened.text
    timeline = world.api.client.get(
        f"/coaching/members/{member}/timeline", headers=world.coach_a_headers
    ).json()
    health = [(e["title"], e["detail"]) for e in timeline["items"] if e["source"] == "health"]
    assert health == [
        ("Health questionnaire: clear", ""),
        ("Risk flag: Stress", "from staff"),
    ]
    theirs = world.api.client.get(f"/members/{member}/screening", headers=world.coach_b_headers)
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_your_member"
