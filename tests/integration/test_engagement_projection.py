"""The engagement projection on both databases: the projector applies each ledger event
once, in the order it stamps; badges once, explained; voids rebuild the member; pauses reach
the streaks through the same path; observers run before the badge rules; a rebuild gives
exactly the incremental state; and the read API sees the member's latest movement."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from server.bootstrap import Container, background_jobs
from server.config import Settings
from server.engagement import progress, projection, service
from server.engagement.models import BadgeAward, MemberEngagement, MovementEvent
from server.engagement.projection import Projector
from shared.clock import utcnow
from shared.engagement.goals import GoalKind
from shared.engagement.streaks import StreakRisk, StreakUnit
from shared.enums import MovementKind
from shared.movement import MovementIntensity
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.engagement_helpers import (
    CountingObserver,
    awards_of,
    move,
    published,
    rebuild,
    row_of,
    run,
    seqs,
    state_of,
)
from tests.integration.helpers import Api
from zmos import cli

MONDAY = date(2026, 11, 2)
MODERATE = MovementIntensity.MODERATE


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "pulse-gym")


def _ten_classes(studio: Studio, member: str) -> list[uuid.UUID]:
    return [move(studio, member, MONDAY + timedelta(days=n)) for n in range(10)]


def test_ten_classes_earn_points_and_badges_once_explained(studio: Studio) -> None:
    member = studio.member(plan="")
    _ten_classes(studio, member)
    assert run(studio) == 10
    awards = awards_of(studio, member)
    # 10 sessions × 10 points, the first class 50, the 10th session 100: 250.
    assert awards["first_class"] == (50, "because: 1st class on 2 Nov 2026")
    assert awards["sessions:10"] == (100, "because: 10th session on 11 Nov 2026")
    # A session's own 10 points are in the total, with no award row of their own.
    assert not [k for k in awards if k.startswith("event:")]
    row = row_of(studio, member)
    assert row is not None
    assert row["points"] == 250
    assert row["last_active_on"] == MONDAY + timedelta(days=9)
    # Score: week of 2 Nov 7 × 45 vigorous = 630 ≥ 150 (dose 1), week of 9 Nov 3 × 90 = 270
    # (dose 1): 1 − m² with m = 0.5 ** (√3 / 13) = 0.911785, so 1 − 0.831352 = 0.168648.
    assert row["score"] == pytest.approx(0.168648, abs=1e-6)
    # Daily streak: the latest date (11 Nov) settles days up to 6 Nov (5 days later), and
    # 2–6 Nov are 5 days met in a row.
    assert (row["daily_current"], row["weekly_current"]) == (5, 0)
    names = [e.name for e in published(studio)]
    assert names.count("engagement.badge_awarded") == 2  # points alone are not published
    assert names.count("engagement.score_changed") == 1
    assert names.count("engagement.streak_changed") == 1
    badge = next(e for e in published(studio) if e.data.get("key") == "sessions:10")
    assert badge.data["explanation"] == "because: 10th session on 11 Nov 2026"


def test_each_event_is_applied_once_with_a_unique_sequence(studio: Studio) -> None:
    member = studio.member(plan="")
    _ten_classes(studio, member)
    # Batches of 3: 3 + 3 + 3 + 1, stamped 1..10 in id order.
    assert run(studio, limit=3) == 10
    assert run(studio) == 0
    assert seqs(studio) == list(range(1, 11))
    assert state_of(studio, member).tally.sessions == 10


def test_a_late_event_counts_in_the_order_it_was_projected(studio: Studio) -> None:
    member = studio.member(plan="")
    for n in range(9):
        move(studio, member, MONDAY + timedelta(days=n + 1))
    run(studio)
    # A kiosk's push of the day before arrives last, with an id made offline that sorts
    # before all the others: it is still the 10th session projected.
    late = move(studio, member, MONDAY)
    with studio.container.uow() as uow:
        uow.db.execute(
            update(MovementEvent).where(MovementEvent.id == late).values(id=uuid.UUID(int=1))
        )
        uow.commit()
    run(studio)
    assert awards_of(studio, member)["sessions:10"][1] == "because: 10th session on 2 Nov 2026"
    before = row_of(studio, member)
    rebuild(studio)
    after = row_of(studio, member)
    assert before is not None and after is not None
    assert {**after, "updated_at": None} == {**before, "updated_at": None}


def test_a_void_rebuilds_the_member_in_the_same_run(studio: Studio) -> None:
    member = studio.member(plan="")
    ids = _ten_classes(studio, member)
    run(studio)
    assert "sessions:10" in awards_of(studio, member)
    service.void_movement(
        uow=studio.container.uow(),
        tenant_id=uuid.UUID(studio.tenant_id),
        event_id=ids[-1],
        reason="scanned twice",
        recorded_by=None,
    )
    badges_before = len(published(studio, "engagement.badge_awarded"))
    run(studio)
    # The replay awards the first class again, but it is no news to the analytics port.
    assert len(published(studio, "engagement.badge_awarded")) == badges_before
    awards = awards_of(studio, member)
    # 9 sessions left: 9 × 10 + 50 = 140; the 10th session's badge is taken back.
    assert "sessions:10" not in awards and f"event:{ids[-1]}" not in awards
    row = row_of(studio, member)
    assert row is not None and row["points"] == 140
    assert state_of(studio, member).tally.sessions == 9
    # A correction (a new event voiding the old) also rebuilds, with the new facts.
    service.correct_movement(
        uow=studio.container.uow(),
        tenant_id=uuid.UUID(studio.tenant_id),
        event_id=ids[0],
        minutes=20,
        reason="left early",
    )
    run(studio)
    state = state_of(studio, member)
    assert state.tally.sessions == 9
    # The first week: 6 × 90 + 40 (the corrected 20 vigorous minutes) = 580.
    assert state.weeks[0].minutes == 580
    incremental = row_of(studio, member)
    rebuild(studio)
    rebuilt = row_of(studio, member)
    assert rebuilt is not None and incremental is not None
    assert {**rebuilt, "updated_at": None} == {**incremental, "updated_at": None}


def test_observers_see_entries_before_the_badge_rules_and_are_reset(studio: Studio) -> None:
    member = studio.member(plan="")
    challenge = uuid.uuid4()
    observer = CountingObserver(challenge)
    projector = Projector([observer])
    for n in range(3):
        move(studio, member, MONDAY + timedelta(days=n))
    run(studio, projector)
    assert observer.seen[uuid.UUID(member)] == 3
    assert awards_of(studio, member)[f"challenge:{challenge}"] == (
        100,
        "because: completed Spring steps on 4 Nov 2026",
    )
    incremental = row_of(studio, member)
    rebuild(studio, projector)
    assert observer.resets == 1 and observer.seen[uuid.UUID(member)] == 3
    rebuilt = row_of(studio, member)
    assert rebuilt is not None and incremental is not None
    assert {**rebuilt, "updated_at": None} == {**incremental, "updated_at": None}


def test_a_kept_state_is_read_again_when_another_writer_moved_it(studio: Studio) -> None:
    """Projector A keeps the states it wrote; B (another process) and the member's goal
    write the row after it; A's next batch must start from the row, not from what it kept."""
    member = studio.member(plan="")
    tenant = uuid.UUID(studio.tenant_id)
    first, other = Projector(), Projector()
    for n in range(3):
        move(studio, member, MONDAY + timedelta(days=n))
    run(studio, first)
    for n in range(3, 5):
        move(studio, member, MONDAY + timedelta(days=n))
    run(studio, other)
    progress.set_goal(
        uow=studio.container.uow(),
        tenant_id=tenant,
        member_id=uuid.UUID(member),
        kind=GoalKind.SESSIONS,
        target=4,
    )
    move(studio, member, MONDAY + timedelta(days=5))
    run(studio, first)
    assert state_of(studio, member).tally.sessions == 6  # 3 + 2 + 1: nothing lost
    incremental = row_of(studio, member)
    assert incremental is not None and incremental["goal_target"] == 4
    rebuild(studio)
    rebuilt = row_of(studio, member)
    assert rebuilt is not None
    assert {**rebuilt, "updated_at": None} == {**incremental, "updated_at": None}


def test_a_batch_rolled_back_leaves_nothing_kept(studio: Studio) -> None:
    member = studio.member(plan="")
    tenant = uuid.UUID(studio.tenant_id)
    projector = Projector()
    move(studio, member, MONDAY)
    run(studio, projector)
    move(studio, member, MONDAY + timedelta(days=1))
    with studio.container.uow() as uow:
        done = projector.project(uow, tenant, now=utcnow())
        assert done.applied == 1  # and the unit of work ends without a commit
    run(studio, projector)
    assert state_of(studio, member).tally.sessions == 2  # the event once, not twice


def test_a_pause_reaches_the_streaks_through_the_projector(studio: Studio) -> None:
    paused, plain = studio.member(plan=""), studio.member(plan="")
    for member in (paused, plain):
        for n in range(7):  # 2–8 Nov
            move(studio, member, MONDAY + timedelta(days=n), minutes=30)
    run(studio)
    response = studio.api.client.post(
        f"/members/{paused}/streak-pauses",
        json={"starts_on": "2026-11-09", "ends_on": "2026-11-12", "reason": "illness"},
        headers=studio.staff,
    )
    assert response.status_code == 201, response.text
    run(studio)
    for member in (paused, plain):
        for n in range(11, 19):  # 13–20 Nov
            move(studio, member, MONDAY + timedelta(days=n), minutes=30)
    run(studio)
    # The latest date, 20 Nov, settles days up to 15 Nov. Paused: 2–8 Nov (7), 9–12 paused,
    # 13–15 (3): 10. Not paused: the freeze earned by 7 days covers 9 Nov, 10 Nov breaks
    # (nothing on 11–12 to repair it), then 13–15: 3.
    assert state_of(studio, paused).daily.current == 10
    assert state_of(studio, plain).daily.current == 3
    listed = studio.api.client.get(f"/members/{paused}/streak-pauses", headers=studio.staff)
    assert [p["reason"] for p in listed.json()["items"]] == ["illness"]
    assert listed.json()["next_offset"] is None
    before = row_of(studio, paused)
    rebuild(studio)
    after = row_of(studio, paused)
    assert before is not None and after is not None
    assert {**after, "updated_at": None} == {**before, "updated_at": None}


def test_pauses_and_goals_refuse_bad_input(studio: Studio) -> None:
    member = studio.member(plan="")
    url = f"/members/{member}/streak-pauses"
    for body in (
        {"starts_on": "2026-11-01", "ends_on": "2027-01-30", "reason": "travel"},  # 91 days
        {"starts_on": "2026-11-10", "ends_on": "2026-11-09", "reason": "travel"},
        {"starts_on": "2026-11-10", "ends_on": "2026-11-12", "reason": "holiday"},
    ):
        response = studio.api.client.post(url, json=body, headers=studio.staff)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert studio.api.client.get(url, headers=studio.staff).json()["items"] == []
    ninety = {"starts_on": "2026-11-01", "ends_on": "2027-01-29", "reason": "travel"}
    assert studio.api.client.post(url, json=ninety, headers=studio.staff).status_code == 201
    headers = studio.member_headers(member)
    goals: list[dict[str, object]] = [
        {"kind": "sessions", "target": 0},
        {"kind": "sessions", "target": 22},
        {"kind": "minutes", "target": 5},
        {"kind": "minutes", "target": 100000},
        {"kind": "steps", "target": 10},
    ]
    for goal in goals:
        response = studio.api.client.put("/me/goal", json=goal, headers=headers)
        assert response.status_code == 422, (goal, response.text)
    assert studio.api.client.get("/me/engagement", headers=headers).json()["goal"] is None


def test_reading_engagement_projects_the_latest_movement_first(studio: Studio) -> None:
    member = studio.member(plan="")
    headers = studio.member_headers(member)
    assert (
        studio.api.client.put(
            "/me/goal", json={"kind": "minutes", "target": 120}, headers=headers
        ).status_code
        == 204
    )
    today = studio.api.client.get("/me/engagement", headers=headers).json()["today"]
    reported = studio.api.client.post(
        "/me/movement-events",
        json={
            "minutes": 40,
            "intensity": "moderate",
            "occurred_at": (utcnow() - timedelta(minutes=5)).isoformat(),
        },
        headers=headers,
    )
    assert reported.status_code == 201, reported.text
    # No job runs in tests: the read itself projects the pending event.
    body = studio.api.client.get("/me/engagement", headers=headers).json()
    assert body["last_active_on"] == today
    assert body["points"] == 10
    assert body["goal"]["done"] == 40 and body["goal"]["target"] == 120
    assert body["daily"]["current"] == 1  # today's 40 minutes ≥ 10: today counts
    assert body["weekly"]["minutes_to_go"] == 110
    assert len(body["doses"]) == 12 and body["doses"][-1]["minutes"] == 40
    assert 0 < body["score"] <= 1
    staff = studio.api.client.get(f"/members/{member}/engagement", headers=studio.staff)
    assert staff.status_code == 200 and staff.json()["points"] == 10


def test_another_tenants_member_is_not_found(studio: Studio, api: Api) -> None:
    other = open_studio(api, studio.container, "other-gym")
    theirs = other.member(plan="")
    for method, url, body in (
        ("get", f"/members/{theirs}/engagement", None),
        ("get", f"/members/{theirs}/streak-pauses", None),
        (
            "post",
            f"/members/{theirs}/streak-pauses",
            {"starts_on": "2026-11-01", "ends_on": "2026-11-02", "reason": "rest"},
        ),
    ):
        response = studio.api.client.request(method, url, json=body, headers=studio.staff)
        assert response.status_code == 404, (url, response.text)


def test_two_projectors_at_once_never_apply_an_event_twice(studio: Studio) -> None:
    members = [studio.member(plan="") for _ in range(5)]
    with studio.container.uow() as uow:
        for n in range(600):
            service.record_movement(
                uow=uow,
                tenant_id=uuid.UUID(studio.tenant_id),
                member_id=uuid.UUID(members[n % 5]),
                kind=MovementKind.FLOOR_CHECKIN,
                occurred_at=utcnow() - timedelta(days=n % 30, minutes=n),
                minutes=30,
                intensity=MovementIntensity.MODERATE,
            )
        uow.commit()
    done: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            while not all(s is not None for s in seqs(studio)):
                done.append(run(studio, limit=50))
        except BaseException as error:  # a thread's failure must fail the test
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    stamped = seqs(studio)
    assert stamped == list(range(1, 601))
    assert sum(done) == 600
    assert sum(state_of(studio, m).tally.sessions for m in members) == 600


def test_the_rebuild_command_restores_what_the_ledger_says(
    studio: Studio,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member = studio.member(plan="")
    _ten_classes(studio, member)
    run(studio)
    expected = row_of(studio, member)
    with studio.container.uow() as uow:
        uow.db.execute(update(MemberEngagement).values(points=0, state={}))
        uow.db.execute(delete(BadgeAward))
        uow.commit()
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", "test-secret-key-for-signing-tokens-0123456789")
    assert cli.main(["engagement", "rebuild", "--tenant", "pulse-gym"]) == 0
    assert "pulse-gym: engagement rebuilt from 10 ledger rows" in capsys.readouterr().out
    rebuilt = row_of(studio, member)
    assert rebuilt is not None and expected is not None
    assert {**rebuilt, "updated_at": None} == {**expected, "updated_at": None}
    assert "sessions:10" in awards_of(studio, member)
    assert cli.main(["engagement", "rebuild", "--tenant", "no-such-gym"]) == 1
    assert "no tenant has the slug 'no-such-gym'" in capsys.readouterr().err


def test_streaks_at_risk_names_who_must_move_this_week(studio: Studio) -> None:
    at_risk, has_freeze, done = (studio.member(plan="") for _ in range(3))
    sept = date(2026, 9, 7)  # a Monday
    for member, weeks in ((at_risk, 3), (has_freeze, 4), (done, 3)):
        first = sept - timedelta(weeks=weeks - 3)
        for n in range(weeks):
            move(studio, member, first + timedelta(weeks=n), minutes=150, intensity=MODERATE)
    move(studio, done, date(2026, 9, 28), minutes=150, intensity=MODERATE)
    run(studio)
    now = datetime(2026, 9, 30, 12, tzinfo=UTC)  # Wednesday of the week of 28 Sep
    with studio.container.uow() as uow:
        risks = projection.streaks_at_risk(uow, uuid.UUID(studio.tenant_id), now)
    # The weeks of 7, 14 and 21 Sep are met (150 each) and settled by Wednesday 30 Sep:
    # a 3-week streak, no freeze yet (one comes with the 4th week), nothing this week.
    # Four weeks earned a freeze, which would cover this week; 150 this week meets it.
    # That member's 1-day streak (Monday 28 Sep) missed Tuesday: today must repair it
    # (10 minutes) and count itself (10 more): 20 by the end of today.
    assert set(risks) == {
        StreakRisk(uuid.UUID(at_risk), StreakUnit.WEEK, 3, 150, date(2026, 10, 4)),
        StreakRisk(uuid.UUID(done), StreakUnit.DAY, 1, 20, date(2026, 9, 30)),
    }


def test_the_background_job_projects_every_tenant_with_pending_rows(
    studio: Studio, api: Api
) -> None:
    other = open_studio(api, studio.container, "second-gym")
    ours, theirs = studio.member(plan=""), other.member(plan="")
    move(studio, ours, MONDAY)
    move(other, theirs, MONDAY)
    container = studio.container
    # The job is wired for a server that runs jobs (these tests run none of their own).
    running = dataclasses.replace(
        container, settings=container.settings.model_copy(update={"background_jobs": True})
    )
    names = [job.name for job in background_jobs(running)]
    assert "engagement.project" in names
    applied = projection.project_all_job(make_uow=container.uow, projector=container.projector())
    assert applied == 2
    assert state_of(studio, ours).tally.sessions == 1
    assert state_of(other, theirs).tally.sessions == 1
    with container.uow() as uow:
        assert projection.tenants_pending(uow) == []


def test_the_api_reference_documents_the_score_formula(studio: Studio) -> None:
    paths = studio.api.client.get("/openapi.json").json()["paths"]
    for path in ("/me/engagement", "/members/{member_id}/engagement"):
        description = paths[path]["get"]["description"]
        assert "0.5 ** (sqrt(f) / 13)" in description
        assert "min(1, (moderate_w + 2 × vigorous_w) / target)" in description
