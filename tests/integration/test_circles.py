"""Circles: staff create and run them, members join, leave and read announcements; who
was in a circle on a past day stays answerable (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from server.adapters.location_scope import SqlLocationScope
from server.bootstrap import Container
from server.circles import membership, rules, service
from server.circles.models import Circle, CircleAnnouncement, CircleMembership
from server.circles.rules import Stay
from server.errors import NotFound
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api, Tenant

LONDON = ZoneInfo("Europe/London")


@dataclass
class Club:
    api: Api
    container: Container
    tenant: Tenant
    location_id: str

    @property
    def owner(self) -> dict[str, str]:
        return self.tenant.headers

    def member(self, first_name: str = "Ama") -> tuple[str, dict[str, str]]:
        response = self.api.client.post(
            "/members",
            json={"first_name": first_name, "last_name": "Mensah"},
            headers=self.owner,
        )
        assert response.status_code == 201, response.text
        member_id: str = response.json()["id"]
        return member_id, member_headers(self.container, self.tenant.id, member_id)

    def staff(self, role: str, **extra: Any) -> tuple[str, dict[str, str]]:
        email = f"{role}-{uuid.uuid4().hex[:6]}@{self.tenant.slug}.example"
        made = self.api.create_staff(self.tenant, role, email, **extra)
        return made["id"], self.api.token_for(self.tenant.slug, email)

    def circle(self, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
        sent = {"name": "Runners", "interest": "runners", **body}
        response = self.api.client.post("/circles", json=sent, headers=headers or self.owner)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str, headers: dict[str, str], **params: Any) -> Any:
        return self.api.client.get(path, params=params, headers=headers)

    def count(self, model: type[Any]) -> int:
        with self.container.uow() as uow:
            found: int = uow.db.execute(
                select(func.count())
                .select_from(model)
                .where(model.tenant_id == uuid.UUID(self.tenant.id))
            ).scalar_one()
            return found


def _open_club(api: Api, container: Container, slug: str) -> Club:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant, "Central", timezone="Europe/London")
    return Club(api, container, tenant, location["id"])


@pytest.fixture
def club(api: Api, container: Container) -> Club:
    return _open_club(api, container, "circle-gym")


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _member_ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["member_id"] for item in response.json()["items"]]


def test_staff_create_edit_and_archive_and_members_see_only_open_circles(club: Club) -> None:
    client = club.api.client
    runners = club.circle(
        description="Saturday 5k", location_id=club.location_id, interest="Runners"
    )
    assert runners["interest"] == "runners"  # one spelling for filtering
    assert (runners["invite_only"], runners["archived_at"]) == (False, None)
    back = club.circle(name="Back care", interest="back-care", invite_only=True)
    _, ama = club.member()
    # Staff see both, by name; members only the open one.
    assert _ids(club.get("/circles", club.owner)) == [back["id"], runners["id"]]
    assert _ids(club.get("/circles", ama)) == [runners["id"]]
    assert _ids(club.get("/circles", club.owner, interest="back-care")) == [back["id"]]
    changed = client.patch(
        f"/circles/{runners['id']}",
        json={"name": "Road runners", "description": None},
        headers=club.owner,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["description"]) == ("Road runners", None)
    assert changed.json()["location_id"] == club.location_id  # not sent: kept
    gone = client.delete(f"/circles/{runners['id']}", headers=club.owner)
    assert gone.status_code == 204
    assert client.delete(f"/circles/{runners['id']}", headers=club.owner).status_code == 204
    assert _ids(club.get("/circles", club.owner)) == [back["id"]]
    archived = club.get("/circles", club.owner, include_archived="true")
    assert _ids(archived) == [back["id"], runners["id"]]
    assert _ids(club.get("/circles", ama)) == []
    assert club.get(f"/circles/{runners['id']}", ama).status_code == 404
    assert club.get(f"/circles/{runners['id']}", club.owner).json()["archived_at"] is not None
    # An archived circle takes no members and no announcements.
    joined = client.post(f"/me/circles/{runners['id']}/join", headers=ama)
    assert joined.status_code == 404
    announced = client.post(
        f"/circles/{runners['id']}/announcements",
        json={"title": "Hi", "body": "Anyone?"},
        headers=club.owner,
    )
    assert announced.status_code == 409 and announced.json()["code"] == "circle_archived"
    assert club.count(CircleMembership) == 0 and club.count(CircleAnnouncement) == 0


def test_joining_twice_is_one_membership_and_leaving_twice_changes_nothing(club: Club) -> None:
    client = club.api.client
    circle = club.circle()
    ama_id, ama = club.member()
    first = client.post(f"/me/circles/{circle['id']}/join", headers=ama)
    second = client.post(f"/me/circles/{circle['id']}/join", headers=ama)
    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["joined_at"] == second.json()["joined_at"]
    assert first.json()["circle"]["id"] == circle["id"]
    assert _member_ids(club.get(f"/circles/{circle['id']}/members", club.owner)) == [ama_id]
    mine = club.get("/me/circles", ama).json()
    assert [c["circle"]["id"] for c in mine["items"]] == [circle["id"]]
    assert club.count(CircleMembership) == 1
    for _ in range(2):
        assert client.post(f"/me/circles/{circle['id']}/leave", headers=ama).status_code == 204
    assert club.get("/me/circles", ama).json()["items"] == []
    assert _member_ids(club.get(f"/circles/{circle['id']}/members", club.owner)) == []
    assert club.count(CircleMembership) == 1  # the ended stay is kept as history
    # Staff adding someone already in changes nothing either.
    again = client.put(f"/circles/{circle['id']}/members/{ama_id}", headers=club.owner)
    twice = client.put(f"/circles/{circle['id']}/members/{ama_id}", headers=club.owner)
    assert again.status_code == twice.status_code == 200
    assert again.json()["id"] == twice.json()["id"] and club.count(CircleMembership) == 2


def test_the_database_holds_one_open_membership_whatever_the_concurrency(club: Club) -> None:
    """Two joins at the same moment both pass the "not in yet" check; the partial unique
    index refuses the second row, and the service answers it as the first."""
    circle = club.circle()
    ama_id, _ = club.member()
    tenant_id = uuid.UUID(club.tenant.id)
    now = datetime.now(UTC)

    def stay() -> CircleMembership:
        return CircleMembership(
            tenant_id=tenant_id,
            circle_id=uuid.UUID(circle["id"]),
            member_id=uuid.UUID(ama_id),
            joined_at=now,
        )

    with club.container.uow() as uow:
        uow.db.add(stay())
        uow.commit()
    with club.container.uow() as uow, pytest.raises(IntegrityError):
        uow.db.add(stay())
        uow.commit()
    assert club.count(CircleMembership) == 1


class FrozenClock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for module in (service, membership):
            monkeypatch.setattr(module, "utcnow", self)
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> None:
        self.now = datetime.fromisoformat(text)


def test_leaving_and_rejoining_keeps_a_history_of_who_was_in_on_each_day(
    club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = club.api.client
    clock = FrozenClock(monkeypatch)
    circle = club.circle(location_id=club.location_id)  # Europe/London days
    path = f"/circles/{circle['id']}"
    ama_id, ama = club.member("Ama")
    kofi_id, kofi = club.member("Kofi")
    efua_id, efua = club.member("Efua")

    def act(who: dict[str, str], verb: str, when: str) -> None:
        clock.at(when)
        response = client.post(f"/me{path}/{verb}", headers=who)
        assert response.status_code in (200, 204), response.text

    act(ama, "join", "2026-03-01T10:00:00+00:00")
    # 23:30 UTC on 2 March is 23:30 in London too (GMT): still the 2nd there.
    act(kofi, "join", "2026-03-02T23:30:00+00:00")
    act(ama, "leave", "2026-03-03T09:00:00+00:00")
    act(ama, "join", "2026-03-05T12:00:00+00:00")
    # Clocks go forward on 29 March: 23:30 UTC that day is 00:30 BST on the 30th.
    act(efua, "join", "2026-03-29T23:30:00+00:00")

    def on(day: str) -> list[str]:
        return _member_ids(club.get(f"{path}/members", club.owner, on=day))

    assert on("2026-02-28") == []
    assert on("2026-03-01") == [ama_id]
    assert on("2026-03-02") == [ama_id, kofi_id]
    assert on("2026-03-03") == [ama_id, kofi_id]  # Ama left at 09:00 that day
    assert on("2026-03-04") == [kofi_id]
    assert on("2026-03-05") == [kofi_id, ama_id]  # in the order the stays began
    assert on("2026-03-29") == [kofi_id, ama_id]  # Efua's 23:30 UTC is the 30th in London
    assert on("2026-03-30") == [kofi_id, ama_id, efua_id]
    history = club.get(f"{path}/members", club.owner, on="2026-03-03").json()["items"]
    assert history[0]["left_at"].startswith("2026-03-03T09:00:00")
    assert history[1]["left_at"] is None
    assert _member_ids(club.get(f"{path}/members", club.owner)) == [kofi_id, ama_id, efua_id]
    # A circle as a team: its members at one moment, the leave time itself excluded.
    tenant_id, circle_id = uuid.UUID(club.tenant.id), uuid.UUID(circle["id"])

    def at(moment: str) -> list[str]:
        found = service.member_ids_at(
            uow=club.container.uow(),
            tenant_id=tenant_id,
            circle_id=circle_id,
            moment=datetime.fromisoformat(moment),
        )
        return [str(member_id) for member_id in found]

    assert at("2026-03-03T08:59:59+00:00") == [ama_id, kofi_id]
    assert at("2026-03-03T09:00:00+00:00") == [kofi_id]
    assert at("2026-03-05T12:00:00+00:00") == [kofi_id, ama_id]
    assert at("2026-03-01T09:59:59+00:00") == []
    assert club.get(f"{path}/members", club.owner, on="2026-02-30").status_code == 422
    assert efua and kofi


def test_a_tenant_wide_circle_counts_utc_days(club: Club, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FrozenClock(monkeypatch)
    circle = club.circle()
    ama_id, ama = club.member()
    clock.at("2026-03-29T23:30:00+00:00")
    assert club.api.client.post(f"/me/circles/{circle['id']}/join", headers=ama).is_success
    members = f"/circles/{circle['id']}/members"
    assert _member_ids(club.get(members, club.owner, on="2026-03-29")) == [ama_id]


def test_an_invite_only_circle_takes_members_only_from_staff(club: Club) -> None:
    client = club.api.client
    circle = club.circle(name="Back care", interest="back-care", invite_only=True)
    ama_id, ama = club.member()
    refused = client.post(f"/me/circles/{circle['id']}/join", headers=ama)
    assert refused.status_code == 403 and refused.json()["code"] == "invite_only"
    assert refused.headers["content-type"] == "application/problem+json"
    assert club.count(CircleMembership) == 0
    added = client.put(f"/circles/{circle['id']}/members/{ama_id}", headers=club.owner)
    assert added.status_code == 200, added.text
    assert added.json()["added_by"] == club.tenant.owner_id
    assert (added.json()["first_name"], added.json()["left_at"]) == ("Ama", None)
    mine = club.get("/me/circles", ama).json()["items"]
    assert [c["circle"]["id"] for c in mine] == [circle["id"]]
    # In already: joining again is the same membership, not a refusal.
    assert client.post(f"/me/circles/{circle['id']}/join", headers=ama).status_code == 200
    removed = client.delete(f"/circles/{circle['id']}/members/{ama_id}", headers=club.owner)
    assert removed.status_code == 204
    assert club.get("/me/circles", ama).json()["items"] == []
    assert client.post(f"/me/circles/{circle['id']}/join", headers=ama).status_code == 403
    nobody = client.put(f"/circles/{circle['id']}/members/{uuid.uuid4()}", headers=club.owner)
    assert nobody.status_code == 404


def test_announcements_reach_only_the_circles_members_newest_first(club: Club) -> None:
    client = club.api.client
    runners = club.circle()
    yoga = club.circle(name="Stress reset", interest="stress-reset")
    path = f"/circles/{runners['id']}/announcements"
    ama_id, ama = club.member("Ama")
    _, kofi = club.member("Kofi")
    assert client.post(f"/me/circles/{runners['id']}/join", headers=ama).is_success
    assert client.post(f"/me/circles/{yoga['id']}/join", headers=kofi).is_success
    made = client.post(
        "/challenges",
        json={
            "name": "March challenge",
            "metric": "sessions",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
        },
        headers=club.owner,
    )
    assert made.status_code == 201, made.text
    challenge = made.json()["id"]
    first = client.post(
        path, json={"title": "Saturday 5k", "body": "Meet at 8."}, headers=club.owner
    )
    second = client.post(
        path,
        json={"title": "March challenge", "body": "Join the team!", "challenge_id": challenge},
        headers=club.owner,
    )
    assert first.status_code == second.status_code == 201, second.text
    assert second.json()["challenge_id"] == challenge
    seen = club.get(path, ama)
    assert [a["title"] for a in seen.json()["items"]] == ["March challenge", "Saturday 5k"]
    paged = club.get(path, ama, limit=1).json()
    assert (len(paged["items"]), paged["next_offset"]) == (1, 1)
    assert club.get(path, club.owner).status_code == 200
    # A member of another circle is refused; so is one who left.
    other = club.get(path, kofi)
    assert other.status_code == 403 and other.json()["code"] == "not_a_member"
    assert club.get(f"/circles/{yoga['id']}/announcements", kofi).json()["items"] == []
    assert client.post(f"/me/circles/{runners['id']}/leave", headers=ama).status_code == 204
    assert club.get(path, ama).status_code == 403
    # Another tenant's member and staff: not found.
    rival = _open_club(club.api, club.container, "rival-gym")
    _, stranger = rival.member()
    assert club.get(path, stranger).status_code == 404
    assert club.get(path, rival.owner).status_code == 404
    # A member never posts.
    posted = client.post(path, json={"title": "Me", "body": "Hello"}, headers=ama)
    assert posted.status_code == 403
    assert club.count(CircleAnnouncement) == 2 and ama_id


def test_another_tenants_circle_is_not_found_and_unchanged(club: Club) -> None:
    client = club.api.client
    circle = club.circle(location_id=club.location_id)
    rival = _open_club(club.api, club.container, "rival-gym")
    stranger_id, stranger = rival.member()
    path = f"/circles/{circle['id']}"
    calls = [
        client.get(path, headers=rival.owner),
        client.patch(path, json={"name": "Mine now"}, headers=rival.owner),
        client.delete(path, headers=rival.owner),
        client.get(f"{path}/members", headers=rival.owner),
        client.put(f"{path}/members/{stranger_id}", headers=rival.owner),
        client.get(path, headers=stranger),
        client.post(f"/me{path}/join", headers=stranger),
        client.post(f"/me{path}/leave", headers=stranger),
    ]
    for response in calls:
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    # The caller's own member into the other tenant's circle: the circle is not found.
    ama_id, _ = club.member()
    assert client.put(f"{path}/members/{ama_id}", headers=rival.owner).status_code == 404
    assert _ids(club.get("/circles", rival.owner)) == []
    shown = club.get(path, club.owner).json()
    assert (shown["name"], shown["archived_at"]) == ("Runners", None)
    assert club.count(CircleMembership) == 0


def test_roles_front_desk_reads_coach_runs_only_their_own(club: Club) -> None:
    client = club.api.client
    _, desk = club.staff("front_desk")
    coach_id, coach = club.staff("coach")
    other_coach_id, _ = club.staff("coach")
    ama_id, _ = club.member()
    refused = client.post("/circles", json={"name": "Desk", "interest": "x"}, headers=desk)
    assert refused.status_code == 403
    # A coach's circle is theirs to lead; they cannot create one for someone else.
    own = club.circle(coach, name="Coach runs")
    assert own["leader_id"] == coach_id
    for_other = client.post(
        "/circles",
        json={"name": "Not mine", "interest": "x", "leader_id": other_coach_id},
        headers=coach,
    )
    assert for_other.status_code == 403
    managers = club.circle()
    led_by_other = club.circle(name="Other coach", leader_id=other_coach_id)
    assert led_by_other["leader_id"] == other_coach_id
    for circle_id in (managers["id"], led_by_other["id"]):
        path = f"/circles/{circle_id}"
        attempts = [
            client.patch(path, json={"name": "Taken"}, headers=coach),
            client.delete(path, headers=coach),
            client.put(f"{path}/members/{ama_id}", headers=coach),
            client.post(f"{path}/announcements", json={"title": "t", "body": "b"}, headers=coach),
            client.patch(path, json={"name": "Taken"}, headers=desk),
            client.put(f"{path}/members/{ama_id}", headers=desk),
        ]
        assert [r.status_code for r in attempts] == [403] * len(attempts)
    # Reading is for all staff.
    assert club.get(f"/circles/{managers['id']}", desk).status_code == 200
    assert club.get(f"/circles/{managers['id']}/members", desk).status_code == 200
    # Who is in a circle: a coach sees it only for their own.
    assert club.get(f"/circles/{managers['id']}/members", coach).status_code == 403
    assert club.get(f"/circles/{own['id']}/members", coach).status_code == 200
    # Their own circle the coach runs, but cannot hand it to someone else.
    path = f"/circles/{own['id']}"
    assert client.patch(path, json={"invite_only": True}, headers=coach).status_code == 200
    assert client.put(f"{path}/members/{ama_id}", headers=coach).status_code == 200
    handed = client.patch(path, json={"leader_id": other_coach_id}, headers=coach)
    assert handed.status_code == 403
    assert club.get(path, club.owner).json()["leader_id"] == coach_id
    announced = client.post(
        f"{path}/announcements", json={"title": "Tuesday", "body": "Bring water"}, headers=coach
    )
    assert announced.status_code == 201
    # A kiosk is neither staff nor member here.
    device = club.api.enrol_device(club.tenant, club.location_id)
    assert club.get("/circles", club.api.device_headers(device)).status_code == 403
    names = {c["name"] for c in club.get("/circles", club.owner).json()["items"]}
    assert names == {"Coach runs", "Runners", "Other coach"}


def test_staff_limited_to_a_location_see_its_circles_and_the_tenant_wide_ones(
    club: Club,
) -> None:
    client = club.api.client
    accra = club.api.create_location(club.tenant, "Accra", timezone="Africa/Accra")["id"]
    here = club.circle(name="Central runners", location_id=club.location_id)
    there = club.circle(name="Accra runners", location_id=accra)
    everywhere = club.circle(name="Stress reset", interest="stress-reset")
    _, manager = club.staff("manager", location_ids=[club.location_id])
    assert _ids(club.get("/circles", manager)) == [here["id"], everywhere["id"]]
    for response in (
        club.get(f"/circles/{there['id']}", manager),
        club.get(f"/circles/{there['id']}/members", manager),
        client.patch(f"/circles/{there['id']}", json={"name": "x"}, headers=manager),
    ):
        assert response.status_code == 404, response.text
    # Their own circles must be at one of their locations.
    wide = client.post("/circles", json={"name": "Wide", "interest": "x"}, headers=manager)
    assert wide.status_code == 422
    moved = client.post(
        "/circles", json={"name": "Far", "interest": "x", "location_id": accra}, headers=manager
    )
    assert moved.status_code == 404
    assert club.count(Circle) == 3
    # The request's own check, before any use case: a circle is at its location, and a
    # tenant-wide one at none (every limited caller reaches it).
    claims = AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=uuid.uuid4(),
        tenant_id=uuid.UUID(club.tenant.id),
        role=StaffRole.MANAGER,
        location_ids=frozenset({uuid.UUID(club.location_id)}),
    )
    scope = SqlLocationScope()
    assert "circle_id" in scope.parameters
    for reached in (here, everywhere):
        scope.check(club.container.read_uow(), claims, {"circle_id": uuid.UUID(reached["id"])})
    with pytest.raises(NotFound):
        scope.check(club.container.read_uow(), claims, {"circle_id": uuid.UUID(there["id"])})


@pytest.mark.parametrize(
    "body",
    [
        {"interest": "runners"},
        {"name": "", "interest": "runners"},
        {"name": "Runners", "interest": "run<script>"},
        {"name": "Runners", "interest": "runners", "colour": "red"},
        {"name": "Runners", "interest": "runners", "description": "x" * 2001},
        {"name": "Runners\x00", "interest": "runners"},
        {"name": "Runners", "interest": "runners", "invite_only": "perhaps"},
        {"name": "Runners", "interest": "runners", "location_id": "not-an-id"},
    ],
)
def test_bad_circles_are_refused_and_nothing_is_stored(club: Club, body: dict[str, Any]) -> None:
    response = club.api.client.post("/circles", json=body, headers=club.owner)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert club.count(Circle) == 0


def test_bad_changes_and_announcements_change_nothing(club: Club) -> None:
    client = club.api.client
    circle = club.circle()
    path = f"/circles/{circle['id']}"
    for body in ({"name": None}, {"invite_only": None}, {"name": " "}, {"nope": 1}):
        assert client.patch(path, json=body, headers=club.owner).status_code == 422, body
    foreign = _open_club(club.api, club.container, "far-gym")
    elsewhere = client.patch(path, json={"location_id": foreign.location_id}, headers=club.owner)
    assert elsewhere.status_code == 404
    ghost = client.patch(path, json={"leader_id": str(uuid.uuid4())}, headers=club.owner)
    assert ghost.status_code == 404
    assert club.get(path, club.owner).json() == circle | {"name": "Runners"}
    for body in (
        {"title": "No body"},
        {"title": "", "body": "x"},
        {"title": "t", "body": "x" * 5001},
        {"title": "t", "body": "b", "challenge_id": "challenge-1"},
    ):
        response = client.post(f"{path}/announcements", json=body, headers=club.owner)
        assert response.status_code == 422, body
    assert club.count(CircleAnnouncement) == 0


@st.composite
def _histories(draw: st.DrawFn) -> list[tuple[int, datetime, datetime | None]]:
    """Up to three members' stays: each member's joins and leaves alternate in time."""
    stays = []
    for person in range(3):
        hours = sorted(draw(st.lists(st.integers(0, 24 * 30), max_size=5, unique=True)))
        times = [datetime(2026, 3, 20, tzinfo=UTC) + timedelta(hours=h, minutes=7) for h in hours]
        for start in range(0, len(times), 2):
            left = times[start + 1] if start + 1 < len(times) else None
            stays.append((person, times[start], left))
    return stays


def test_the_database_agrees_with_the_rules_on_who_was_in(club: Club) -> None:
    """Stays around the end of March (the clocks change in London on the 29th): the
    circle's members on each day and at each hour, as the queries find them, are those the
    pure rules give."""
    circle = club.circle(location_id=club.location_id)
    circle_id, tenant_id = uuid.UUID(circle["id"]), uuid.UUID(club.tenant.id)
    people = [uuid.UUID(club.member(name)[0]) for name in ("Ama", "Kofi", "Efua")]

    @settings(max_examples=12, deadline=None, derandomize=True, database=None)
    @given(_histories(), st.integers(0, 24 * 31))
    def check(history: list[tuple[int, datetime, datetime | None]], hour: int) -> None:
        stays = [Stay(people[p], joined, left) for p, joined, left in history]
        with club.container.uow() as uow:
            uow.db.execute(delete(CircleMembership).where(CircleMembership.tenant_id == tenant_id))
            for stay in stays:
                uow.db.add(
                    CircleMembership(
                        tenant_id=tenant_id,
                        circle_id=circle_id,
                        member_id=stay.member_id,
                        joined_at=stay.joined_at,
                        left_at=stay.left_at,
                    )
                )
            uow.commit()
        moment = datetime(2026, 3, 20, tzinfo=UTC) + timedelta(hours=hour)
        found = service.member_ids_at(
            uow=club.container.uow(), tenant_id=tenant_id, circle_id=circle_id, moment=moment
        )
        assert found == rules.members_at(stays, moment)
        day = moment.astimezone(LONDON).date()
        listed = club.get(f"/circles/{circle_id}/members", club.owner, on=day.isoformat())
        queried = list(dict.fromkeys(uuid.UUID(m) for m in _member_ids(listed)))
        assert queried == rules.members_on(stays, day, LONDON)

    check()
