"""Challenges: boards with standard competition ranks and the time tie-break, team boards
per capita, caps, provenance, grace for late uploads, voids, late joiners, and a replay
from the ledger equal to the incremental scores (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from server.challenges import service
from server.config import Settings
from server.ports.identity import AccessClaims
from shared.engagement.ranking import Entry, rank
from shared.enums import MovementKind, PrincipalKind
from shared.movement import MovementIntensity, Provenance
from tests.integration.challenges_helpers import TODAY, Club, at, open_club
from tests.integration.helpers import Api

DAY = TODAY - timedelta(days=5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def club(api: Api, container: Container) -> Club:
    return open_club(api, container, "challenge-gym")


def _board(club: Club, challenge_id: str, headers: dict[str, str], **params: Any) -> Any:
    response = club.api.client.get(
        f"/challenges/{challenge_id}/leaderboard", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_board_ranks_1_2_2_4_with_ties_to_whoever_got_there_first(club: Club) -> None:
    challenge = club.challenge()
    ama = club.member("Ama", "Mensah")
    kofi = club.member("Kofi", "Boateng")
    efua = club.member("Efua", "Owusu")
    yaw = club.member("Yaw", "Darko")
    abena = club.member("Abena", "Asante")
    for member in (ama, kofi, efua, yaw, abena):
        club.join(challenge["id"], member)
    # Ama 3 sessions (last at 11:00); Kofi and Efua 2 each, both reached at 10:00; Yaw 2,
    # reached at 10:30 (later: behind them); Abena 1.
    # Ranks: Ama 1; Kofi, Efua 2 (same score, same time); Yaw 4 (skips 3); Abena 5.
    for hour in (8, 9, 11):
        club.event(ama, at(DAY, hour))
    for member in (kofi, efua):
        club.event(member, at(DAY, 9))
        club.event(member, at(DAY, 10))
    club.event(yaw, at(DAY, 9))
    club.event(yaw, at(DAY, 10, 30))
    club.event(abena, at(DAY, 7))
    outcome = club.pump()
    changed = [e for e in outcome.published if e.name == "challenge.score_changed"]
    assert len(changed) == 5

    board = _board(club, challenge["id"], club.headers(yaw))
    lines = [(line["rank"], line["name"], line["score"]) for line in board["items"]]
    assert lines[0] == (1, "Ama M.", 3)
    assert sorted(lines[1:3]) == [(2, "Efua O.", 2), (2, "Kofi B.", 2)]
    assert lines[3:] == [(4, "Yaw D.", 2), (5, "Abena A.", 1)]
    assert board["mine"]["rank"] == 4 and board["mine"]["me"] is True
    assert all(line["member_id"] is None for line in board["items"])  # members see names only
    # The SQL ranks agree with the pure rules.
    rows = club.rows(challenge["id"])
    pure = rank(Entry(str(m), s, r) for m, (s, r, _, _) in rows.items())
    assert sorted(r.rank for r in pure) == [line[0] for line in lines]

    page = _board(club, challenge["id"], club.owner, limit=2, offset=2)
    assert [line["rank"] for line in page["items"]] == [2, 4]
    assert page["next_offset"] == 4 and page["mine"] is None
    assert page["items"][1]["member_id"] == yaw  # staff see whose line it is

    mine = club.api.client.get("/me/challenges", headers=club.headers(yaw)).json()["items"]
    assert [(i["joined"], i["score"], i["rank"]) for i in mine] == [(True, 2, 4)]


def test_team_board_is_per_capita_and_leaves_small_teams_unranked(club: Club) -> None:
    challenge = club.challenge(team_by="location", metric="sessions")
    london = [club.member(f"L{i}") for i in range(3)]
    accra = [club.member(f"A{i}", home=club.accra) for i in range(4)]
    # London: 3 + 0 + 0 over 3 = 1.00; Accra: 1 + 1 + 1 + 0 over 4 = 0.75.
    for hour in (7, 8, 9):
        club.event(london[0], at(DAY, hour))
    for member in accra[:3]:
        club.event(member, at(DAY, 9))
    for member in london + accra:
        club.join(challenge["id"], member)  # joined after moving: the backfill scores them
    response = club.api.client.get(f"/challenges/{challenge['id']}/teams", headers=club.owner)
    assert response.status_code == 200, response.text
    teams = response.json()
    assert [
        (t["rank"], t["name"], t["size"], t["total"], t["per_capita"]) for t in teams["teams"]
    ] == [
        (1, "London", 3, 3, 1.0),
        (2, "Accra", 4, 3, 0.75),
    ]
    assert teams["too_small"] == []
    # Two London members leave: London (3 over 1) is too small to be ranked.
    for member in london[1:]:
        left = club.api.client.post(
            f"/me/challenges/{challenge['id']}/leave", headers=club.headers(member)
        )
        assert left.status_code == 204
    teams = club.api.client.get(f"/challenges/{challenge['id']}/teams", headers=club.owner).json()
    assert [t["name"] for t in teams["teams"]] == ["Accra"]
    assert [(t["name"], t["per_capita"], t["rank"]) for t in teams["too_small"]] == [
        ("London", 3.0, None)
    ]


def test_a_capped_day_counts_only_the_cap(club: Club) -> None:
    challenge = club.challenge(metric="minutes", daily_cap=60)
    ama = club.member("Ama")
    club.join(challenge["id"], ama)
    # Day 1: 45 + 45 = 90, capped at 60; day 2: 30. Total 60 + 30 = 90.
    club.event(ama, at(DAY, 8), minutes=45)
    club.event(ama, at(DAY, 18), minutes=45)
    club.event(ama, at(DAY + timedelta(days=1), 8), minutes=30)
    club.pump()
    assert club.score(challenge["id"], ama) == 90


def test_self_reports_count_only_once_allowed(club: Club) -> None:
    strict = club.challenge(metric="minutes")
    ama = club.member("Ama")
    club.join(strict["id"], ama)
    club.event(ama, at(DAY, 8), minutes=20, provenance=Provenance.SELF_REPORTED)
    club.event(ama, at(DAY, 9), minutes=30)
    club.pump()
    assert club.score(strict["id"], ama) == 30  # the 20 self-reported minutes are left out
    allowed = club.api.client.patch(
        f"/challenges/{strict['id']}", json={"allow_self_reports": True}, headers=club.owner
    )
    assert allowed.status_code == 200, allowed.text
    assert club.score(strict["id"], ama) == 50  # rescored from the ledger: 20 + 30


def test_late_uploads_count_within_the_grace_only(club: Club) -> None:
    # The window closed at the start of TODAY − 5 (London), grace 2 days: until TODAY − 3.
    ended = club.challenge(
        metric="minutes",
        starts_on=(TODAY - timedelta(days=10)).isoformat(),
        ends_on=(TODAY - timedelta(days=6)).isoformat(),
        grace_days=2,
    )
    ama = club.member("Ama")
    club.enrol(ended["id"], ama)  # joined while it ran (a join now is refused: it has finished)
    moved = at(TODAY - timedelta(days=7), 9)
    club.event(ama, moved, minutes=40, recorded_at=at(TODAY - timedelta(days=4), 9))  # inside
    club.event(ama, moved, minutes=25, recorded_at=at(TODAY - timedelta(days=2), 9))  # outside
    club.pump()
    assert club.score(ended["id"], ama) == 40
    refused = club.api.client.post(
        f"/me/challenges/{ended['id']}/join", headers=club.headers(club.member("Kofi"))
    )
    assert refused.status_code == 409 and "finished" in refused.json()["detail"]


def test_a_void_takes_the_score_back_and_a_correction_replaces_it(club: Club) -> None:
    challenge = club.challenge(metric="minutes", target=40)
    sessions = club.challenge(name="Every session")
    ama = club.member("Ama")
    club.join(challenge["id"], ama)
    club.join(sessions["id"], ama)
    first = club.api.client.post(
        "/movement-events",
        json={
            "member_id": ama,
            "kind": "outdoor",
            "minutes": 45,
            "intensity": "moderate",
            "occurred_at": at(DAY, 8).isoformat(),
        },
        headers=club.owner,
    ).json()
    club.entered(first["id"])
    outcome = club.pump()
    assert club.score(challenge["id"], ama) == 45
    assert [c.name for c in outcome.completed[uuid.UUID(ama)]] == ["Spring moves"]
    assert "challenge.completed" in [e.name for e in outcome.published]
    corrected = club.api.client.post(
        f"/movement-events/{first['id']}/correction",
        json={"reason": "was shorter", "minutes": 20},
        headers=club.owner,
    ).json()
    club.entered(corrected["id"])
    club.pump()
    assert club.score(challenge["id"], ama) == 20  # 45 out, 20 in; below the target again
    assert club.rows(challenge["id"])[uuid.UUID(ama)][2] is None
    void = club.api.client.post(
        f"/movement-events/{corrected['id']}/void", json={"reason": "never"}, headers=club.owner
    ).json()
    club.entered(void["id"])
    club.pump()
    assert club.score(challenge["id"], ama) == 0
    # The correction was one session; the void that cancels it is none.
    assert club.score(sessions["id"], ama) == 0


def test_joining_late_counts_earlier_movement_in_the_window_only(club: Club) -> None:
    challenge = club.challenge(starts_on=(TODAY - timedelta(days=3)).isoformat())
    ama = club.member("Ama")
    club.event(ama, at(TODAY - timedelta(days=4), 9))  # before the window
    club.event(ama, at(TODAY - timedelta(days=2), 9))
    club.event(ama, at(TODAY - timedelta(days=1), 9))
    joined = club.join(challenge["id"], ama)
    assert (joined["joined"], joined["score"], joined["rank"]) == (True, 2, 1)
    # Seeing the same events again changes nothing.
    club.pump()
    assert club.score(challenge["id"], ama) == 2


def test_reset_and_replay_equal_the_incremental_scores(club: Club) -> None:
    capped = club.challenge(metric="minutes", daily_cap=50, target=60)
    doses = club.challenge(metric="dose_weeks", allow_self_reports=True)
    members = [club.member(name) for name in ("Ama", "Kofi", "Efua")]
    for challenge in (capped, doses):
        for member in members:
            club.join(challenge["id"], member)
    for index, member in enumerate(members):
        for day in range(4):
            club.event(
                member,
                at(DAY - timedelta(days=day), 7 + index),
                minutes=20 + 15 * day,
                intensity=MovementIntensity.VIGOROUS if day % 2 else MovementIntensity.MODERATE,
                provenance=Provenance.SELF_REPORTED if day == 3 else Provenance.STAFF_RECORDED,
            )
        club.pump()
    first = club.api.client.post(
        "/movement-events",
        json={
            "member_id": members[0],
            "kind": "outdoor",
            "minutes": 50,
            "intensity": "moderate",
            "occurred_at": at(DAY, 6).isoformat(),
        },
        headers=club.owner,
    ).json()
    club.entered(first["id"])
    club.pump()
    void = club.api.client.post(
        f"/movement-events/{first['id']}/void", json={"reason": "twice"}, headers=club.owner
    ).json()
    club.entered(void["id"])
    club.event(
        members[1],
        at(DAY, 20),
        kind=MovementKind.TILE,
        minutes=10,
        provenance=Provenance.SELF_REPORTED,
    )
    club.pump()
    incremental = {c["id"]: club.rows(c["id"]) for c in (capped, doses)}
    assert any(row[0] > 0 for rows in incremental.values() for row in rows.values())
    club.replay()
    assert {c["id"]: club.rows(c["id"]) for c in (capped, doses)} == incremental


def _post(club: Club, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    sent = {
        "name": "Bad",
        "metric": "sessions",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=7)).isoformat(),
        **body,
    }
    return club.api.client.post("/challenges", json=sent, headers=headers or club.owner)


def _problem(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"], response.json()["detail"]


def test_bad_challenges_are_refused_and_nothing_is_stored(club: Club) -> None:
    before = club.api.client.get("/challenges", headers=club.owner).json()["items"]
    _problem(_post(club, {"ends_on": (TODAY - timedelta(days=1)).isoformat()}), 422, "before it")
    _problem(_post(club, {"metric": "laps"}), 422, "metric")
    _problem(_post(club, {"team_by": "company"}), 422, "corporate accounts")
    _problem(_post(club, {"team_by": "department"}), 422, "corporate accounts")
    _problem(_post(club, {"team_by": "circle"}), 422, "needs its circle")
    _problem(_post(club, {"circle_id": str(uuid.uuid4())}), 404, "circle")
    _problem(_post(club, {"metric": "tiles"}), 422, "self-reports")
    assert club.api.client.get("/challenges", headers=club.owner).json()["items"] == before
    made = club.challenge()
    patched = club.api.client.patch(
        f"/challenges/{made['id']}",
        json={"ends_on": (TODAY - timedelta(days=30)).isoformat()},
        headers=club.owner,
    )
    _problem(patched, 422, "before it starts")


def test_joining_refusals_and_joining_twice(club: Club) -> None:
    ama = club.member("Ama")
    cancelled = club.challenge()
    done = club.api.client.post(f"/challenges/{cancelled['id']}/cancel", headers=club.owner)
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    join = f"/me/challenges/{cancelled['id']}/join"
    _problem(club.api.client.post(join, headers=club.headers(ama)), 409, "cancelled")

    circle = club.api.client.post(
        "/circles", json={"name": "Runners", "interest": "runners"}, headers=club.owner
    ).json()
    circles_only = club.challenge(team_by="circle", circle_id=circle["id"])
    join = f"/me/challenges/{circles_only['id']}/join"
    _problem(club.api.client.post(join, headers=club.headers(ama)), 403, "join the circle")
    entered = club.api.client.post(f"/me/circles/{circle['id']}/join", headers=club.headers(ama))
    assert entered.status_code == 200, entered.text
    first = club.join(circles_only["id"], ama)
    again = club.join(circles_only["id"], ama)
    assert first == again and len(club.rows(circles_only["id"])) == 1

    other = open_club(club.api, club.container, "other-gym")
    theirs = other.challenge()
    for path in (f"/challenges/{theirs['id']}", f"/challenges/{theirs['id']}/leaderboard"):
        assert club.api.client.get(path, headers=club.owner).status_code == 404
    joined = club.api.client.post(f"/me/challenges/{theirs['id']}/join", headers=club.headers(ama))
    _problem(joined, 404, "was not found")


def test_who_may_run_and_read_challenges(club: Club) -> None:
    made = club.challenge()
    coach = club.api.create_staff(club.tenant, "coach", "coach@challenge-gym.example")
    desk = club.api.create_staff(club.tenant, "front_desk", "desk@challenge-gym.example")
    del coach, desk
    coach_h = club.api.token_for(club.tenant.slug, "coach@challenge-gym.example")
    desk_h = club.api.token_for(club.tenant.slug, "desk@challenge-gym.example")
    assert _post(club, {}, coach_h).status_code == 403
    assert club.api.client.get(f"/challenges/{made['id']}", headers=coach_h).status_code == 200
    board = f"/challenges/{made['id']}/leaderboard"
    assert club.api.client.get(board, headers=coach_h).status_code == 200
    assert club.api.client.get(board, headers=desk_h).status_code == 403
    member = club.headers(club.member("Ama"))
    assert club.api.client.get("/challenges", headers=member).status_code == 403
    assert club.api.client.get(board, headers=member).status_code == 200
    listed = club.api.client.get("/challenges", params={"status": "active"}, headers=club.owner)
    assert [c["id"] for c in listed.json()["items"]] == [made["id"]]
    upcoming = club.api.client.get("/challenges", params={"status": "upcoming"}, headers=club.owner)
    assert upcoming.json()["items"] == []


def test_a_manager_limited_to_london_cannot_tie_a_challenge_to_an_accra_circle(
    club: Club,
) -> None:
    email = "london-manager@challenge-gym.example"
    club.api.create_staff(club.tenant, "manager", email, location_ids=[club.london])
    manager = club.api.token_for(club.tenant.slug, email)
    circles = {
        where: club.api.client.post(
            "/circles",
            json={"name": f"{where} runners", "interest": "runners", "location_id": where},
            headers=club.owner,
        ).json()["id"]
        for where in (club.london, club.accra)
    }
    accra = _post(club, {"team_by": "circle", "circle_id": circles[club.accra]}, manager)
    _problem(accra, 404, "was not found")
    london = _post(club, {"team_by": "circle", "circle_id": circles[club.london]}, manager)
    assert london.status_code == 201, london.text


def test_a_cancelled_challenge_stops_scoring_and_members_see_what_they_may_join(
    club: Club,
) -> None:
    running = club.challenge(name="Running")
    later = club.challenge(name="Later", starts_on=(TODAY + timedelta(days=3)).isoformat())
    ama = club.member("Ama")
    club.join(running["id"], ama)
    mine = club.api.client.get("/me/challenges", headers=club.headers(ama)).json()["items"]
    assert {(i["challenge"]["name"], i["joined"], i["challenge"]["status"]) for i in mine} == {
        ("Running", True, "active"),
        ("Later", False, "upcoming"),
    }
    stored = club.api.client.post(
        "/movement-events",
        json={
            "member_id": ama,
            "kind": "outdoor",
            "minutes": 30,
            "intensity": "moderate",
            "occurred_at": at(DAY, 8).isoformat(),
        },
        headers=club.owner,
    ).json()
    club.entered(stored["id"])
    # The ledger keeps when it stored the event: what the grace is measured from.
    assert all(entry.recorded_at is not None for entry in club._entries(club.pending))
    club.api.client.post(f"/challenges/{running['id']}/cancel", headers=club.owner)
    club.pump()
    assert club.score(running["id"], ama) == 0
    mine = club.api.client.get("/me/challenges", headers=club.headers(ama)).json()["items"]
    states = {i["challenge"]["id"]: (i["challenge"]["status"], i["joined"]) for i in mine}
    assert states == {later["id"]: ("upcoming", False), running["id"]: ("cancelled", True)}


def test_two_joins_at_once_leave_one_participant(club: Club) -> None:
    challenge = club.challenge()
    ama = club.member("Ama")
    claims = AccessClaims(
        kind=PrincipalKind.MEMBER, subject_id=uuid.UUID(ama), tenant_id=club.tenant_id
    )
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def join() -> None:
        barrier.wait()
        answers.append(
            service.join(
                uow=club.container.uow(), claims=claims, challenge_id=uuid.UUID(challenge["id"])
            ).answer
        )

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2 and all(a.joined for a in answers)
    assert len(club.rows(challenge["id"])) == 1


def test_an_announcement_links_a_challenge_of_the_tenant(club: Club) -> None:
    circle = club.api.client.post(
        "/circles", json={"name": "Runners", "interest": "runners"}, headers=club.owner
    ).json()
    challenge = club.challenge(team_by="circle", circle_id=circle["id"])
    path = f"/circles/{circle['id']}/announcements"
    body = {"title": "Spring moves", "body": "Join the circle's challenge."}
    linked = club.api.client.post(
        path, json={**body, "challenge_id": challenge["id"]}, headers=club.owner
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["challenge_id"] == challenge["id"]
    unknown = club.api.client.post(
        path, json={**body, "challenge_id": str(uuid.uuid4())}, headers=club.owner
    )
    _problem(unknown, 404, "challenge")
