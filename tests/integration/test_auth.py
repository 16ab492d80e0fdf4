"""Sign-up, sign-in, throttling, token refresh and rotation, forged and expired tokens."""

from __future__ import annotations

import uuid

import jwt

from server.adapters.local_identity import LocalIdentity
from server.bootstrap import Container
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole
from tests.integration.helpers import PASSWORD, Api


def test_sign_up_gives_a_working_owner_session(api: Api) -> None:
    tenant = api.sign_up("north-gym")
    me = api.client.get("/me", headers=tenant.headers)
    assert me.status_code == 200
    assert me.json()["role"] == "owner"
    assert api.client.get("/tenant", headers=tenant.headers).json()["slug"] == "north-gym"


def test_slug_taken_is_a_conflict_and_creates_nothing(api: Api) -> None:
    api.sign_up("taken-gym")
    response = api.client.post(
        "/tenants",
        json={
            "name": "x",
            "slug": "taken-gym",
            "currency": "GHS",
            "owner": {"name": "a", "email": "b@c.example", "password": PASSWORD},
        },
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "taken" in response.json()["detail"]
    assert api.login("taken-gym", "b@c.example").status_code == 401


def test_login_with_right_and_wrong_password(api: Api) -> None:
    api.sign_up("login-gym")
    assert api.login("login-gym", "owner@login-gym.example").status_code == 200
    assert api.login("LOGIN-GYM", "OWNER@login-gym.example").status_code == 200
    wrong = api.login("login-gym", "owner@login-gym.example", "not the password")
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "the email or password is not correct"
    unknown = api.login("no-such-gym", "owner@login-gym.example")
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(api: Api) -> None:
    api.sign_up("lock-gym")
    email = "owner@lock-gym.example"
    for _ in range(5):
        assert api.login("lock-gym", email, "guessing-wrong").status_code == 401
    locked = api.login("lock-gym", email)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 800
    assert "try again in" in locked.json()["detail"]
    # Another account of the same tenant is not affected.
    assert api.login("lock-gym", "someone@lock-gym.example", "x").status_code == 401


def test_success_resets_the_failure_count(api: Api) -> None:
    api.sign_up("reset-gym")
    email = "owner@reset-gym.example"
    for _ in range(4):
        api.login("reset-gym", email, "wrong-password")
    assert api.login("reset-gym", email).status_code == 200
    for _ in range(4):
        api.login("reset-gym", email, "wrong-password")
    assert api.login("reset-gym", email).status_code == 200


def test_refresh_rotates_and_a_reused_token_ends_every_session(api: Api) -> None:
    tenant = api.sign_up("refresh-gym")
    first = api.client.post("/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert first.status_code == 200
    second_token = first.json()["refresh_token"]
    assert second_token != tenant.refresh_token
    # The old one is spent; presenting it again looks like theft and ends the family.
    reused = api.client.post("/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert reused.status_code == 401
    assert api.client.post("/auth/refresh", json={"refresh_token": second_token}).status_code == 401


def test_refresh_token_garbage_and_forgeries_are_refused(api: Api) -> None:
    tenant = api.sign_up("garbage-gym")
    prefix, tenant_hex, token_hex, _secret = tenant.refresh_token.split(".", 3)
    for token in ("nonsense", f"{prefix}.{tenant_hex}.{token_hex}.wrong-secret", "rt.zz.zz.zz"):
        response = api.client.post("/auth/refresh", json={"refresh_token": token})
        assert response.status_code == 401, token


def test_logout_ends_refresh(api: Api) -> None:
    tenant = api.sign_up("logout-gym")
    assert api.client.post("/auth/logout", headers=tenant.headers).status_code == 204
    response = api.client.post("/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert response.status_code == 401


def test_expired_and_forged_access_tokens_are_refused(api: Api, container: Container) -> None:
    tenant = api.sign_up("token-gym")
    claims = AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=uuid.UUID(tenant.owner_id),
        tenant_id=uuid.UUID(tenant.id),
        role=StaffRole.OWNER,
    )
    expired, _ = container.identity.issue_access_token(claims, -10)
    response = api.client.get("/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    forged, _ = LocalIdentity("some-other-secret-key-that-is-long-enough").issue_access_token(
        claims, 600
    )
    assert api.client.get("/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    # PyJWT takes an empty key as no key for "none" (its types do not admit None)
    unsigned = jwt.encode({"sub": tenant.owner_id}, key="", algorithm="none")
    assert api.client.get("/me", headers={"Authorization": f"Bearer {unsigned}"}).status_code == 401
    assert api.client.get("/me").status_code == 401


def test_deactivated_staff_cannot_sign_in_or_refresh(api: Api) -> None:
    tenant = api.sign_up("leaver-gym")
    staff = api.create_staff(tenant, "front_desk", "desk@leaver-gym.example")
    session = api.login("leaver-gym", "desk@leaver-gym.example").json()
    response = api.client.patch(
        f"/staff/{staff['id']}", json={"active": False}, headers=tenant.headers
    )
    assert response.status_code == 200
    assert api.login("leaver-gym", "desk@leaver-gym.example").status_code == 401
    refresh = api.client.post("/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refresh.status_code == 401
