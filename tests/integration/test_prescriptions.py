"""Movement prescription profiles: the starter library loaded per tenant (at sign-up and on
a first read), owners and managers write and coaches read, an edit writes the next version
and moves the session types and Tiles that follow the profile, bad input is a 422 that
changes nothing, and another tenant's profile is not found (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from server.bootstrap import Container
from server.prescriptions.models import PrescriptionProfile, PrescriptionProfileVersion
from server.prescriptions.service import CHANGED
from server.prescriptions.starter import starter_profiles
from tests.integration.helpers import Api, Tenant
from tests.integration.outbox_helpers import OutboxEvents
from tests.integration.prescriptions_helpers import PROFILE
from tests.integration.scheduling_helpers import YOGA

TILE = {
    "title": "Chair squats",
    "summary": "Stand up and sit down with control.",
    "steps": ["Sit near the front of a chair.", "Stand up without your hands, ten times."],
    "minutes": 6,
    "intensity": "vigorous",
    "contraindications": ["acute knee pain"],
}


@dataclass
class Gym:
    api: Api
    container: Container
    tenant: Tenant
    #: The events recorded in the outbox since the gym opened (or since cleared).
    events: OutboxEvents

    @property
    def owner(self) -> dict[str, str]:
        return self.tenant.headers

    def staff(self, role: str) -> dict[str, str]:
        email = f"{role}-{uuid.uuid4().hex[:6]}@{self.tenant.slug}.example"
        self.api.create_staff(self.tenant, role, email)
        return self.api.token_for(self.tenant.slug, email)

    def profile(self, **changes: Any) -> dict[str, Any]:
        response = self.api.client.post(
            "/prescription-profiles", json={**PROFILE, **changes}, headers=self.owner
        )
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


@pytest.fixture
def gym(api: Api, container: Container) -> Gym:
    tenant = api.sign_up("mpp-gym")
    return Gym(api, container, tenant, OutboxEvents(container))


def _events(gym: Gym) -> OutboxEvents:
    events = gym.events
    return events


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = str(response.json().get("detail") or response.json())
    return detail


def test_a_new_tenant_has_the_starter_library_and_loading_again_adds_nothing(gym: Gym) -> None:
    shipped = len(starter_profiles())
    assert gym.count(PrescriptionProfile) == shipped
    listed = gym.api.client.get("/prescription-profiles?limit=50", headers=gym.owner).json()
    assert len(listed["items"]) == shipped
    names = [item["current"]["name"] for item in listed["items"]]
    assert names == sorted(names)
    assert "Balance & falls prevention" in names
    # Read again: the library is there already, nothing is added.
    gym.api.client.get("/prescription-profiles", headers=gym.owner)
    assert gym.count(PrescriptionProfile) == shipped


def test_a_tenant_from_before_the_library_gets_it_on_its_first_read(gym: Gym) -> None:
    tenant_id = uuid.UUID(gym.tenant.id)
    with gym.container.uow() as uow:
        uow.db.execute(
            delete(PrescriptionProfileVersion).where(
                PrescriptionProfileVersion.tenant_id == tenant_id
            )
        )
        uow.db.execute(
            delete(PrescriptionProfile).where(PrescriptionProfile.tenant_id == tenant_id)
        )
        uow.commit()
    coach = gym.staff("coach")
    listed = gym.api.client.get("/prescription-profiles", headers=coach)
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["items"]) == len(starter_profiles())
    assert gym.count(PrescriptionProfileVersion) == len(starter_profiles())


def test_owners_and_managers_write_coaches_and_front_desk_only_read(gym: Gym) -> None:
    client = gym.api.client
    manager, coach, desk = gym.staff("manager"), gym.staff("coach"), gym.staff("front_desk")
    made = client.post("/prescription-profiles", json=PROFILE, headers=manager)
    assert made.status_code == 201, made.text
    profile_id = made.json()["id"]
    for reader in (coach, desk):
        assert client.get(f"/prescription-profiles/{profile_id}", headers=reader).status_code == 200
        assert client.get("/prescription-profiles", headers=reader).status_code == 200
        refused = client.post("/prescription-profiles", json=PROFILE, headers=reader)
        assert refused.status_code == 403
        refused = client.patch(
            f"/prescription-profiles/{profile_id}", json={"notes": "x"}, headers=reader
        )
        assert refused.status_code == 403
        refused = client.post(f"/prescription-profiles/{profile_id}/archive", headers=reader)
        assert refused.status_code == 403
    got = client.get(f"/prescription-profiles/{profile_id}", headers=coach).json()
    assert got["current_version"] == 1
    assert got["current"]["indications"] == ["joint_pain", "strength"]


def test_an_edit_writes_version_2_and_moves_the_session_types_that_follow(gym: Gym) -> None:
    client = gym.api.client
    profile = gym.profile()
    following = client.post(
        "/session-types",
        json={**YOGA, "intensity": None, "profile_id": profile["id"]},
        headers=gym.owner,
    )
    assert following.status_code == 201, following.text
    own = client.post("/session-types", json=YOGA, headers=gym.owner).json()
    typed = following.json()
    # From version 1: the first goal of the indications, frequency_min as the weekly
    # suggestion, the flags as contra-indications (the form's free text replaced).
    assert (typed["profile_id"], typed["intensity"], typed["primary_goal"]) == (
        profile["id"],
        "moderate",
        "strength",
    )
    assert (typed["contraindications"], typed["suggested_per_week"]) == (["recent_injury"], 2)

    _events(gym).clear()
    edited = client.patch(
        f"/prescription-profiles/{profile['id']}",
        json={"intensity": "low", "contraindications": ["pregnancy"], "frequency_min": 3},
        headers=gym.owner,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["current_version"] == 2
    assert edited.json()["current"]["minutes_per_week"] == 60  # kept from version 1

    after = client.get(f"/session-types/{typed['id']}", headers=gym.owner).json()
    assert (after["intensity"], after["contraindications"], after["suggested_per_week"]) == (
        "low",
        ["pregnancy"],
        3,
    )
    untouched = client.get(f"/session-types/{own['id']}", headers=gym.owner).json()
    assert (untouched["intensity"], untouched["contraindications"]) == (
        "low",
        ["acute back injury"],
    )
    versions = client.get(
        f"/prescription-profiles/{profile['id']}/versions", headers=gym.owner
    ).json()
    assert [(v["version"], v["intensity"]) for v in versions["items"]] == [
        (2, "low"),
        (1, "moderate"),
    ]
    [event] = _events(gym).events
    assert event.name == CHANGED
    assert event.data["version"] == 2
    assert event.data["followers_updated"] == 1


def test_saving_the_same_values_writes_no_new_version(gym: Gym) -> None:
    profile = gym.profile()
    same = gym.api.client.patch(
        f"/prescription-profiles/{profile['id']}",
        json={"name": PROFILE["name"], "types": ["Strength"]},
        headers=gym.owner,
    )
    assert same.status_code == 200, same.text
    assert same.json()["current_version"] == 1
    assert gym.count(PrescriptionProfileVersion) == len(starter_profiles()) + 1


def test_a_session_type_edit_keeps_the_profile_values_and_null_unlinks(gym: Gym) -> None:
    client = gym.api.client
    profile = gym.profile()
    typed = client.post("/session-types", json=YOGA, headers=gym.owner).json()
    linked = client.patch(
        f"/session-types/{typed['id']}", json={"profile_id": profile["id"]}, headers=gym.owner
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["intensity"] == "moderate"
    # While it follows the profile, the profile says the intensity.
    kept = client.patch(
        f"/session-types/{typed['id']}", json={"intensity": "vigorous"}, headers=gym.owner
    ).json()
    assert kept["intensity"] == "moderate"
    unlinked = client.patch(
        f"/session-types/{typed['id']}",
        json={"profile_id": None, "intensity": "vigorous"},
        headers=gym.owner,
    ).json()
    assert (unlinked["profile_id"], unlinked["intensity"]) == (None, "vigorous")
    client.patch(
        f"/prescription-profiles/{profile['id']}", json={"intensity": "low"}, headers=gym.owner
    )
    after = client.get(f"/session-types/{typed['id']}", headers=gym.owner).json()
    assert after["intensity"] == "vigorous"


def test_a_tile_following_a_profile_takes_its_flags_and_mapped_intensity(gym: Gym) -> None:
    client = gym.api.client
    profile = gym.profile(intensity_ceiling="vigorous", intensity="high")
    tile = client.post(
        "/tiles", json={**TILE, "profile_id": profile["id"]}, headers=gym.owner
    ).json()
    # "high" on the session types' four steps is vigorous on the Tiles' three.
    assert (tile["profile_id"], tile["intensity"], tile["contraindications"]) == (
        profile["id"],
        "vigorous",
        ["recent_injury"],
    )
    client.patch(
        f"/prescription-profiles/{profile['id']}",
        json={"intensity": "low", "contraindications": ["joint_pain", "pregnancy"]},
        headers=gym.owner,
    )
    after = client.get(f"/tiles/{tile['id']}", headers=gym.owner).json()
    assert (after["intensity"], after["contraindications"]) == (
        "light",
        ["joint_pain", "pregnancy"],
    )


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"indications": ["strength", "bad_knees"]}, "bad_knees"),
        ({"contraindications": ["strength"]}, "unknown risk flag strength"),
        ({"frequency_min": 4, "frequency_max": 2}, "cannot be more than"),
        ({"intensity": "vigorous", "intensity_ceiling": "moderate"}, "above the profile"),
        ({"minutes_per_session": 0}, "minutes_per_session"),
        ({"minutes_per_week": 0}, "minutes_per_week"),
    ],
)
def test_bad_profiles_are_422_and_change_nothing(
    gym: Gym, changes: dict[str, Any], words: str
) -> None:
    client = gym.api.client
    profile = gym.profile()
    before = gym.count(PrescriptionProfileVersion)
    made = client.post("/prescription-profiles", json={**PROFILE, **changes}, headers=gym.owner)
    assert words in _problem(made, 422)
    edited = client.patch(
        f"/prescription-profiles/{profile['id']}", json=changes, headers=gym.owner
    )
    assert words in _problem(edited, 422)
    assert gym.count(PrescriptionProfileVersion) == before
    assert (
        client.get(f"/prescription-profiles/{profile['id']}", headers=gym.owner).json()[
            "current_version"
        ]
        == 1
    )


def test_an_edit_that_contradicts_the_kept_fields_is_422(gym: Gym) -> None:
    profile = gym.profile()
    # 5 a week at least, with the kept at most 3.
    edited = gym.api.client.patch(
        f"/prescription-profiles/{profile['id']}", json={"frequency_min": 5}, headers=gym.owner
    )
    assert "cannot be more than" in _problem(edited, 422)


def test_session_types_and_tiles_refuse_unknown_archived_and_foreign_profiles(
    gym: Gym, api: Api
) -> None:
    client = gym.api.client
    other = api.sign_up("mpp-other")
    foreign = client.post("/prescription-profiles", json=PROFILE, headers=other.headers).json()
    archived = gym.profile()
    assert (
        client.post(
            f"/prescription-profiles/{archived['id']}/archive", headers=gym.owner
        ).status_code
        == 200
    )
    typed = client.post("/session-types", json=YOGA, headers=gym.owner).json()
    for profile_id, words in (
        (str(uuid.uuid4()), "no prescription profile"),
        (foreign["id"], "no prescription profile"),
        (archived["id"], "archived"),
    ):
        body = {**YOGA, "profile_id": profile_id}
        assert words in _problem(client.post("/session-types", json=body, headers=gym.owner), 422)
        changed = client.patch(
            f"/session-types/{typed['id']}", json={"profile_id": profile_id}, headers=gym.owner
        )
        assert words in _problem(changed, 422)
        tile = client.post("/tiles", json={**TILE, "profile_id": profile_id}, headers=gym.owner)
        assert words in _problem(tile, 422)
    assert (
        client.get(f"/session-types/{typed['id']}", headers=gym.owner).json()["profile_id"] is None
    )
    missing = {**YOGA}
    del missing["intensity"]
    assert "intensity" in _problem(
        client.post("/session-types", json=missing, headers=gym.owner), 422
    )


def test_another_tenants_profile_is_not_found_and_archived_ones_are_not_edited(
    gym: Gym, api: Api
) -> None:
    client = gym.api.client
    other = api.sign_up("mpp-other")
    profile = gym.profile()
    for method, path, body in (
        ("GET", "", None),
        ("GET", "/versions", None),
        ("PATCH", "", {"notes": "theirs"}),
        ("POST", "/archive", None),
    ):
        response = client.request(
            method,
            f"/prescription-profiles/{profile['id']}{path}",
            json=body,
            headers=other.headers,
        )
        assert response.status_code == 404, (method, path, response.text)
    client.post(f"/prescription-profiles/{profile['id']}/archive", headers=gym.owner)
    listed = client.get("/prescription-profiles?limit=100", headers=gym.owner).json()
    assert profile["id"] not in [item["id"] for item in listed["items"]]
    everything = client.get(
        "/prescription-profiles?limit=100&include_archived=true", headers=gym.owner
    ).json()
    assert profile["id"] in [item["id"] for item in everything["items"]]
    edited = client.patch(
        f"/prescription-profiles/{profile['id']}", json={"notes": "late"}, headers=gym.owner
    )
    _problem(edited, 409)


def test_a_type_following_an_archived_profile_keeps_it_and_is_still_edited(gym: Gym) -> None:
    client = gym.api.client
    profile = gym.profile()
    typed = client.post(
        "/session-types", json={**YOGA, "profile_id": profile["id"]}, headers=gym.owner
    ).json()
    client.post(f"/prescription-profiles/{profile['id']}/archive", headers=gym.owner)
    # Naming the profile it follows already is no new choice: the edit saves.
    edited = client.patch(
        f"/session-types/{typed['id']}",
        json={"name": "Renamed", "profile_id": profile["id"], "intensity": "vigorous"},
        headers=gym.owner,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["profile_id"], edited.json()["intensity"]) == (
        profile["id"],
        "moderate",
    )


def test_creating_and_archiving_publish_the_change(gym: Gym) -> None:
    _events(gym).clear()
    profile = gym.profile()
    gym.api.client.post(f"/prescription-profiles/{profile['id']}/archive", headers=gym.owner)
    gym.api.client.post(f"/prescription-profiles/{profile['id']}/archive", headers=gym.owner)
    changes = [(e.name, e.data["change"], e.data["version"]) for e in _events(gym).events]
    # Archiving twice changes nothing the second time, and publishes nothing.
    assert changes == [(CHANGED, "created", 1), (CHANGED, "archived", 1)]
