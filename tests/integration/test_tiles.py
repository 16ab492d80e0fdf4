"""Movement Tiles: staff keep the library (roles, bad input, the starter library, archive);
members complete Tiles into the movement ledger, idempotently and at most three a local
day (the tenant's day-start hour and a local midnight); other tenants' Tiles are not found
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.engagement.models import MovementEvent
from server.errors import Conflict
from server.ports.identity import AccessClaims
from server.tiles import service
from server.tiles.models import Tile, TileCompletion
from server.tiles.rules import DAILY_CAP
from server.tiles.starter import STARTER_TILES
from shared.enums import PrincipalKind
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api, Tenant
from tests.integration.outbox_helpers import names

TILE = {
    "title": "Wall push-ups",
    "summary": "Upper-body strength with a wall.",
    "steps": ["Stand an arm's length from a wall.", "Do 10 push-ups, three rounds."],
    "minutes": 5,
    "intensity": "moderate",
    "contraindications": ["wrist injury"],
    "video_url": "https://video.example/wall-push-ups",
}


@dataclass
class Gym:
    api: Api
    container: Container
    tenant: Tenant
    location_id: str

    @property
    def owner(self) -> dict[str, str]:
        return self.tenant.headers

    def member(self, first_name: str = "Ama") -> tuple[str, dict[str, str]]:
        body = {
            "first_name": first_name,
            "last_name": "Mensah",
            "home_location_id": self.location_id,
        }
        response = self.api.client.post("/members", json=body, headers=self.owner)
        assert response.status_code == 201, response.text
        member_id: str = response.json()["id"]
        return member_id, member_headers(self.container, self.tenant.id, member_id)

    def staff(self, role: str, **extra: Any) -> dict[str, str]:
        email = f"{role}-{uuid.uuid4().hex[:6]}@{self.tenant.slug}.example"
        self.api.create_staff(self.tenant, role, email, **extra)
        return self.api.token_for(self.tenant.slug, email)

    def tile(self, **changes: Any) -> dict[str, Any]:
        response = self.api.client.post("/tiles", json={**TILE, **changes}, headers=self.owner)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def count(self, model: type[Any]) -> int:
        with self.container.uow() as uow:
            found: int = uow.db.execute(
                select(func.count())
                .select_from(model)
                .where(model.tenant_id == uuid.UUID(self.tenant.id))
            ).scalar_one()
            return found

    def claims(self, member_id: str) -> AccessClaims:
        return AccessClaims(
            kind=PrincipalKind.MEMBER,
            subject_id=uuid.UUID(member_id),
            tenant_id=uuid.UUID(self.tenant.id),
        )


def _open_gym(api: Api, container: Container, slug: str) -> Gym:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant, "Central", timezone="Europe/London")
    return Gym(api, container, tenant, location["id"])


@pytest.fixture
def gym(api: Api, container: Container) -> Gym:
    return _open_gym(api, container, "tile-gym")


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def _done(gym: Gym, tile_id: str, headers: dict[str, str], done_id: str | None = None) -> Any:
    body = {"id": done_id or str(uuid.uuid4())}
    return gym.api.client.post(f"/me/tiles/{tile_id}/completions", json=body, headers=headers)


def test_owners_and_managers_write_the_library_and_every_staff_role_reads(gym: Gym) -> None:
    client = gym.api.client
    tile = gym.tile()
    assert (tile["minutes"], tile["intensity"], tile["steps"][1]) == (
        5,
        "moderate",
        "Do 10 push-ups, three rounds.",
    )
    manager = gym.staff("manager")
    # A manager limited to one location still keeps the library: Tiles are tenant-wide.
    limited = gym.staff("manager", location_ids=[gym.location_id])
    for headers in (manager, limited):
        changed = client.patch(
            f"/tiles/{tile['id']}", json={"minutes": 7, "video_url": None}, headers=headers
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["minutes"], changed.json()["video_url"]) == (7, None)
    for role in ("coach", "front_desk"):
        headers = gym.staff(role)
        assert client.get("/tiles", headers=headers).json()["items"][0]["id"] == tile["id"]
        assert client.get(f"/tiles/{tile['id']}", headers=headers).status_code == 200
        _problem(client.post("/tiles", json=TILE, headers=headers), 403)
        _problem(client.patch(f"/tiles/{tile['id']}", json={"minutes": 6}, headers=headers), 403)
        _problem(client.post(f"/tiles/{tile['id']}/archive", headers=headers), 403)
        _problem(client.post("/tiles/starter", headers=headers), 403)
    _, member = gym.member()
    _problem(client.get("/tiles", headers=member), 403)
    _problem(client.post("/tiles", json=TILE, headers=member), 403)
    assert gym.count(Tile) == 1
    # Archived: gone from the default list and from members; still there for staff asking.
    archived = client.post(f"/tiles/{tile['id']}/archive", headers=manager)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    again = client.post(f"/tiles/{tile['id']}/archive", headers=manager)
    assert again.json()["archived_at"] == archived.json()["archived_at"]
    assert client.get("/tiles", headers=manager).json()["items"] == []
    listed = client.get("/tiles", params={"include_archived": True}, headers=manager)
    assert [t["id"] for t in listed.json()["items"]] == [tile["id"]]
    assert client.get("/me/tiles", headers=member).json()["items"] == []
    _problem(client.get(f"/me/tiles/{tile['id']}", headers=member), 404)


@pytest.mark.parametrize(
    "changes",
    [
        {"minutes": 4},
        {"minutes": 11},
        {"intensity": "extreme"},
        {"video_url": "http://video.example/x"},
        {"video_url": "javascript:alert(1)"},
        {"steps": []},
        {"steps": ["  "]},
        {"title": ""},
        {"contraindications": ["x" * 301]},
        {"unexpected": True},
    ],
)
def test_bad_input_is_a_422_and_changes_nothing(gym: Gym, changes: dict[str, Any]) -> None:
    client = gym.api.client
    tile = gym.tile()
    _problem(client.post("/tiles", json={**TILE, **changes}, headers=gym.owner), 422)
    _problem(client.patch(f"/tiles/{tile['id']}", json=changes, headers=gym.owner), 422)
    assert gym.count(Tile) == 1
    assert client.get(f"/tiles/{tile['id']}", headers=gym.owner).json() == tile


def test_null_is_refused_for_required_fields(gym: Gym) -> None:
    tile = gym.tile()
    for field in ("title", "minutes", "steps", "intensity"):
        response = gym.api.client.patch(
            f"/tiles/{tile['id']}", json={field: None}, headers=gym.owner
        )
        assert field in _problem(response, 422)


def test_the_starter_library_loads_once(gym: Gym) -> None:
    client = gym.api.client
    first = client.post("/tiles/starter", headers=gym.owner)
    assert first.status_code == 200, first.text
    assert first.json()["added"] == len(STARTER_TILES) == 8
    # Every starter Tile is itself valid input: 5–10 minutes, steps, an intensity.
    assert all(5 <= t["minutes"] <= 10 and t["steps"] for t in first.json()["items"])
    # Archiving one and loading again neither duplicates nor brings it back.
    stairs = next(t for t in first.json()["items"] if t["starter_key"] == "stair-intervals")
    client.post(f"/tiles/{stairs['id']}/archive", headers=gym.owner)
    again = client.post("/tiles/starter", headers=gym.owner)
    assert again.json() == {"added": 0, "items": []}
    assert gym.count(Tile) == 8
    assert len(client.get("/tiles", headers=gym.owner).json()["items"]) == 7


def test_a_completion_is_a_self_reported_ledger_event_recorded_once_per_id(gym: Gym) -> None:
    client = gym.api.client
    tile = gym.tile(minutes=8, intensity="vigorous")
    member_id, member = gym.member()
    done_id = str(uuid.uuid4())
    first = _done(gym, tile["id"], member, done_id)
    assert first.status_code == 201, first.text
    repeat = _done(gym, tile["id"], member, done_id)
    assert repeat.status_code == 200 and repeat.json() == first.json()
    with gym.container.uow() as uow:
        events = list(uow.db.execute(select(MovementEvent)).scalars())
        assert len(events) == 1
        event = events[0]
        assert event.id == uuid.UUID(done_id)
        assert (event.kind, event.minutes, event.intensity) == ("tile", 8, "vigorous")
        assert (event.provenance, event.source) == ("self_reported", "app")
        assert event.data == {"tile_id": tile["id"]}
        assert event.member_id == uuid.UUID(member_id)
    assert gym.count(TileCompletion) == 1
    assert names(gym.container, "movement.") == ["movement.tile"]
    mine = client.get("/me/tiles", headers=member).json()
    assert [d["id"] for d in mine["done_today"]] == [done_id]
    assert (mine["daily_cap"], mine["items"][0]["id"]) == (DAILY_CAP, tile["id"])
    # The same id for another Tile, or from another member: a 409, nothing stored.
    other = gym.tile(title="Desk stretch")
    _problem(_done(gym, other["id"], member, done_id), 409)
    _, someone = gym.member("Kofi")
    _problem(_done(gym, tile["id"], someone, done_id), 409)
    assert gym.count(TileCompletion) == 1 and gym.count(MovementEvent) == 1


def test_an_archived_tile_cannot_be_completed(gym: Gym) -> None:
    tile = gym.tile()
    _, member = gym.member()
    gym.api.client.post(f"/tiles/{tile['id']}/archive", headers=gym.owner)
    assert "archived" in _problem(_done(gym, tile["id"], member), 409)
    assert gym.count(MovementEvent) == 0 and gym.count(TileCompletion) == 0


def _complete(gym: Gym, member_id: str, tile_id: str, at: datetime) -> service.Completed:
    return service.complete_tile(
        uow=gym.container.uow(),
        claims=gym.claims(member_id),
        tile_id=uuid.UUID(tile_id),
        completion_id=uuid.uuid4(),
        now=at,
    )


def test_three_completions_count_per_local_day_from_the_tenants_day_start(gym: Gym) -> None:
    patched = gym.api.client.patch("/tenant", json={"day_start_hour": 3}, headers=gym.owner)
    assert patched.status_code == 200, patched.text
    tile = gym.tile()
    member_id, _ = gym.member()
    # London in July is UTC+1 and the day starts at 03:00 local time, so the member's
    # 9 July runs from 02:00 UTC on the 9th to 02:00 UTC on the 10th.
    ninth = [
        datetime(2026, 7, 9, 8, 0, tzinfo=UTC),  # 09:00 BST
        datetime(2026, 7, 9, 18, 0, tzinfo=UTC),  # 19:00 BST
        datetime(2026, 7, 9, 23, 30, tzinfo=UTC),  # 00:30 BST on the 10th: past midnight
    ]
    for at in ninth:
        done = _complete(gym, member_id, tile["id"], at)
        assert done.created and done.completion.local_date.isoformat() == "2026-07-09"
    # 01:30 BST on the 10th, before 03:00: still the 9th, whose 3 are used.
    with pytest.raises(Conflict) as refused:
        _complete(gym, member_id, tile["id"], datetime(2026, 7, 10, 0, 30, tzinfo=UTC))
    assert refused.value.code == "tile_daily_cap" and "3 Tiles count per day" in str(refused.value)
    assert gym.count(MovementEvent) == 3 and gym.count(TileCompletion) == 3
    # 03:30 BST: the 10th has begun.
    done = _complete(gym, member_id, tile["id"], datetime(2026, 7, 10, 2, 30, tzinfo=UTC))
    assert done.completion.local_date.isoformat() == "2026-07-10"
    assert gym.count(MovementEvent) == 4
    # Another member's day is their own.
    other_id, _ = gym.member("Kofi")
    assert _complete(gym, other_id, tile["id"], datetime(2026, 7, 10, 0, 30, tzinfo=UTC)).created


def test_the_fourth_completion_today_is_a_409_through_the_api(gym: Gym) -> None:
    tile = gym.tile()
    _, member = gym.member()
    for _ in range(DAILY_CAP):
        assert _done(gym, tile["id"], member).status_code == 201
    detail = _problem(_done(gym, tile["id"], member), 409)
    assert "come back tomorrow" in detail
    assert gym.count(MovementEvent) == 3
    mine = gym.api.client.get("/me/tiles", headers=member).json()
    assert len(mine["done_today"]) == 3


def test_another_tenants_tile_is_not_found(api: Api, container: Container, gym: Gym) -> None:
    other = _open_gym(api, container, "tile-gym-b")
    theirs = other.tile()
    mine = gym.tile()
    _, member = gym.member()
    client = api.client
    for method, path, body in (
        ("GET", f"/tiles/{theirs['id']}", None),
        ("PATCH", f"/tiles/{theirs['id']}", {"minutes": 6}),
        ("POST", f"/tiles/{theirs['id']}/archive", None),
    ):
        _problem(client.request(method, path, json=body, headers=gym.owner), 404)
    _problem(client.get(f"/me/tiles/{theirs['id']}", headers=member), 404)
    _problem(_done(gym, theirs["id"], member), 404)
    assert [t["id"] for t in client.get("/me/tiles", headers=member).json()["items"]] == [
        mine["id"]
    ]
    assert other.count(Tile) == 1 and other.count(MovementEvent) == 0
    fetched = client.get(f"/tiles/{theirs['id']}", headers=other.owner).json()
    assert fetched["minutes"] == 5 and fetched["archived_at"] is None


def _at_once(count: int, work: Any) -> tuple[list[Any], list[BaseException]]:
    start = threading.Barrier(count)
    answers: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            answers.append(work())
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, failures


def test_two_completions_at_once_cannot_both_take_the_last_slot(gym: Gym) -> None:
    tile = gym.tile()
    member_id, _ = gym.member()
    at = datetime(2026, 7, 9, 8, 0, tzinfo=UTC)
    for _ in range(DAILY_CAP - 1):
        _complete(gym, member_id, tile["id"], at)
    answers, failures = _at_once(2, lambda: _complete(gym, member_id, tile["id"], at))
    assert len(answers) == 1 and len(failures) == 1, (answers, failures)
    assert isinstance(failures[0], Conflict)
    assert gym.count(TileCompletion) == DAILY_CAP and gym.count(MovementEvent) == DAILY_CAP


def test_the_same_completion_sent_twice_at_once_is_recorded_once(gym: Gym) -> None:
    tile = gym.tile()
    member_id, _ = gym.member()
    done_id = uuid.uuid4()

    def complete() -> service.Completed:
        return service.complete_tile(
            uow=gym.container.uow(),
            claims=gym.claims(member_id),
            tile_id=uuid.UUID(tile["id"]),
            completion_id=done_id,
        )

    answers, failures = _at_once(2, complete)
    assert not failures, failures
    assert sorted(a.created for a in answers) == [False, True]
    assert gym.count(TileCompletion) == 1 and gym.count(MovementEvent) == 1
