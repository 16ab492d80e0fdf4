"""A member's own profile: fitness goals and preferences, read and changed with their token."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from server.bootstrap import Container
from server.members.models import Member
from shared.clock import utcnow
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.members_helpers import create_member


def test_a_member_reads_and_changes_their_own_profile(api: Api, container: Container) -> None:
    tenant = api.sign_up("profile-gym")
    member = create_member(api, tenant, "Ama", "Mensah", email="ama@x.example", phone="020 1")
    mine = member_headers(container, tenant.id, member["id"])
    response = api.client.get("/me/profile", headers=mine)
    assert response.status_code == 200, response.text
    assert response.json()["fitness_goals"] == [] and response.json()["email"] == "ama@x.example"

    changes = {
        "fitness_goals": ["run 5k", " run  5k", "mobility"],
        "preferences": {"class_reminders": True, "preferred_times": ["morning"]},
        "emergency_contact": "Kofi Mensah +233 20 000 0000",
        "phone": None,
    }
    updated = api.client.patch("/me/profile", json=changes, headers=mine)
    assert updated.status_code == 200, updated.text
    profile = updated.json()
    assert profile["fitness_goals"] == ["run 5k", "mobility"]
    assert profile["preferences"] == {"class_reminders": True, "preferred_times": ["morning"]}
    assert (profile["phone"], profile["first_name"]) == (None, "Ama")
    assert api.client.get("/me/profile", headers=mine).json() == profile
    staff_view = api.client.get(f"/members/{member['id']}", headers=tenant.headers).json()
    assert staff_view["fitness_goals"] == ["run 5k", "mobility"]
    # Clearing goals and preferences leaves them empty, not null.
    cleared = api.client.patch(
        "/me/profile", json={"fitness_goals": None, "preferences": None}, headers=mine
    ).json()
    assert (cleared["fitness_goals"], cleared["preferences"]) == ([], {})


def test_bad_profile_changes_are_refused_and_change_nothing(api: Api, container: Container) -> None:
    tenant = api.sign_up("profile-bad")
    member = create_member(api, tenant, "Ama", "Mensah", email="ama@x.example")
    mine = member_headers(container, tenant.id, member["id"])
    before = api.client.get("/me/profile", headers=mine).json()
    for body in (
        {"email": "other@x.example"},  # the sign-in address is changed by staff
        {"first_name": None},
        {"fitness_goals": [""]},
        {"fitness_goals": ["x" * 81]},
        {"preferences": {"blob": "x" * 5000}},
        {"date_of_birth": "2999-01-01"},
        {"phone": "not a phone"},
    ):
        response = api.client.patch("/me/profile", json=body, headers=mine)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert api.client.get("/me/profile", headers=mine).json() == before


def test_only_a_member_token_reaches_a_profile(api: Api, container: Container) -> None:
    tenant, other = api.sign_up("profile-own"), api.sign_up("profile-other")
    member = create_member(api, tenant, "Ama", "Mensah")
    theirs = create_member(api, other, "Esi", "Owusu")
    assert api.client.get("/me/profile", headers=tenant.headers).status_code == 403
    assert api.client.get("/me/profile").status_code == 401
    mine = member_headers(container, tenant.id, member["id"])
    assert api.client.get("/me/profile", headers=mine).json()["id"] == member["id"]
    # A token naming a member of one tenant with another tenant finds nobody.
    forged = member_headers(container, tenant.id, theirs["id"])
    assert api.client.get("/me/profile", headers=forged).status_code in (401, 404)


def _with_password(container: Container, member_id: str, password: str) -> None:
    with container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.id == uuid.UUID(member_id))
            .values(
                password_hash=container.identity.hash_password(password),
                email_verified_at=utcnow(),
            )
        )
        uow.commit()


def test_a_member_changes_their_password_through_the_api(api: Api, container: Container) -> None:
    tenant = api.sign_up("password-api-gym")
    member = create_member(api, tenant, "Ama", "Mensah", email="ama@x.example")
    _with_password(container, member["id"], "the first password")

    def login(password: str) -> Any:
        return api.client.post(
            "/members/login",
            json={"tenant": "password-api-gym", "email": "ama@x.example", "password": password},
        )

    here, elsewhere = login("the first password").json(), login("the first password").json()
    mine = {"Authorization": f"Bearer {here['access_token']}"}
    for body, code in (
        ({"current_password": "not it at all", "password": "a brand new one"}, 422),
        ({"current_password": "the first password", "password": "short"}, 422),
        ({"current_password": "the first password", "password": "the first password"}, 422),
        ({"current_password": "the first password"}, 422),
    ):
        refused = api.client.post("/me/password", json=body, headers=mine)
        assert refused.status_code == code, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    assert login("the first password").status_code == 200  # nothing changed
    changed = api.client.post(
        "/me/password",
        json={"current_password": "the first password", "password": "a brand new one"},
        headers=mine,
    )
    assert changed.status_code == 200, changed.text
    assert login("the first password").status_code == 401
    assert login("a brand new one").status_code == 200
    # The other sign-in is over; the new pair works.
    stale = api.client.post("/members/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert stale.status_code == 401
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert api.client.get("/me/profile", headers=fresh).status_code == 200
    # Staff tokens are not members'.
    staff = api.client.post(
        "/me/password",
        json={"current_password": "x", "password": "a brand new one"},
        headers=tenant.headers,
    )
    assert staff.status_code == 403
