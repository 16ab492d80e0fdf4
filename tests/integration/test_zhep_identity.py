"""Integrated identity against a real OpenID Connect provider (oidc-provider on loopback):
signing in to the console and the member app with authorization code + PKCE, ZHEP's JWT
access tokens on the API, forged and replayed answers refused, and key rotation."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwk, jws
from joserfc import jwt as jose_jwt
from sqlalchemy import select, update

from server.adapters.oidc_keys import ProviderKeys, peek
from server.adapters.zhep_identity import ZhepSignIn
from server.bootstrap import Container
from server.config import Settings
from server.members.models import Member
from server.ports.identity import AuthorizationStart, InvalidToken, SignInFailed
from server.staff.models import StaffAccount
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member
from tests.loopback.zhep_oidc import (
    AUDIENCE,
    CONSOLE_CLIENT,
    CONSOLE_SECRET,
    MEMBER_CLIENT,
    TEST_CALLBACK,
    OidcProvider,
    running_provider,
)
from tests.ports import free_port


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcProvider]:
    with running_provider(TEST_CALLBACK) as provider:
        yield provider


@pytest.fixture
def settings(db_url: str, tmp_path: Path, oidc: OidcProvider) -> Settings:
    return Settings(
        data_dir=tmp_path / "server",
        database_url=db_url,
        secret_key="test-secret-key-for-signing-tokens-0123456789",
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        mode="integrated",
        oidc_issuer=oidc.issuer,
        oidc_client_id=CONSOLE_CLIENT,
        oidc_client_secret=CONSOLE_SECRET,
        oidc_member_client_id=MEMBER_CLIENT,
        oidc_audience=AUDIENCE,
        # A rotated key is read at once; a retired one is dropped within a second.
        oidc_jwks_ttl_seconds=1.0,
        oidc_jwks_refetch_seconds=0.0,
        oidc_leeway_seconds=0,
        access_grant_ttl_seconds=0.2,
    )


def _party() -> str:
    return f"party-{uuid.uuid4()}"


def _link(container: Container, model: type[Any], tenant: Tenant, row_id: str, party: str) -> None:
    with container.uow() as uow:
        uow.db.execute(
            update(model)
            .where(model.tenant_id == uuid.UUID(tenant.id), model.id == uuid.UUID(row_id))
            .values(party_id=party)
        )
        uow.commit()


@pytest.fixture
def gym(api: Api) -> Tenant:
    return api.sign_up("gym")


def _start(client: TestClient, app: str, tenant: str) -> str:
    response = client.get(f"/web/oidc/login?app={app}&tenant={tenant}", follow_redirects=False)
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    return location


def _sign_in(client: TestClient, oidc: OidcProvider, app: str, tenant: str, party: str) -> str:
    """The whole round: ZMOS → the provider's login form → back to ZMOS's callback URL."""
    with httpx.Client() as browser:
        return oidc.sign_in(browser, _start(client, app, tenant), party)


# --- the web sign-ins -------------------------------------------------------------------


def test_staff_sign_in_to_the_console_with_zimasa(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    page = client.get("/manage/signin")
    assert "Continue with Zimasa" in page.text
    # Its form leads (by a redirect) to the provider: the page's policy lets it.
    assert f"form-action 'self' {oidc.issuer}" in page.headers["content-security-policy"]
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    back = _sign_in(client, oidc, "console", "gym", party)
    assert back.startswith(TEST_CALLBACK)
    response = client.get(back, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/manage"
    today = client.get("/manage")
    assert today.status_code == 200
    assert "Olu Owner" in today.text


def test_member_signs_in_to_the_app_and_is_linked_by_verified_email(
    client: TestClient, container: Container, api: Api, gym: Tenant, oidc: OidcProvider
) -> None:
    assert "Continue with Zimasa" in client.get("/app/gym/signin").text
    member = create_member(api, gym, "Ama", "Mensah", email="ama@example.org")
    party = _party()
    oidc.add_person(party, tenant="gym", email="ama@example.org", email_verified=True)
    response = client.get(_sign_in(client, oidc, "member", "gym", party), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/app/pass"
    assert client.get("/app/pass").status_code == 200
    with container.uow() as uow:
        linked = uow.db.execute(
            select(Member.party_id, Member.email_verified_at).where(
                Member.id == uuid.UUID(member["id"])
            )
        ).one()
    assert linked.party_id == party and linked.email_verified_at is not None
    # Linked now: their next sign-in finds them by party, whatever the email.
    client.cookies.clear()
    oidc.add_person(party, tenant="gym")
    again = client.get(_sign_in(client, oidc, "member", "gym", party), follow_redirects=False)
    assert again.headers["location"] == "/app/pass"


def test_an_unknown_party_is_refused_and_nothing_is_created(
    client: TestClient, container: Container, api: Api, gym: Tenant, oidc: OidcProvider
) -> None:
    create_member(api, gym, "Kofi", "Boateng", email="kofi@example.org")
    party = _party()
    # An unverified email links nobody.
    oidc.add_person(party, tenant="gym", email="kofi@example.org", email_verified=False)
    for app in ("console", "member"):
        response = client.get(_sign_in(client, oidc, app, "gym", party), follow_redirects=False)
        assert response.status_code == 403
        assert "is linked to this Zimasa identity" in response.text
        assert "zmos_staff" not in response.headers.get("set-cookie", "")
    with container.uow() as uow:
        assert uow.db.execute(select(Member).where(Member.party_id == party)).first() is None
        assert (
            uow.db.execute(select(StaffAccount).where(StaffAccount.party_id == party)).first()
            is None
        )
    assert client.get("/manage", follow_redirects=False).headers["location"] == "/manage/signin"


def test_another_tenants_party_does_not_sign_in_here(
    client: TestClient, container: Container, api: Api, gym: Tenant, oidc: OidcProvider
) -> None:
    other = api.sign_up("other")
    party = _party()
    _link(container, StaffAccount, other, other.owner_id, party)
    oidc.add_person(party, tenant="gym")
    response = client.get(_sign_in(client, oidc, "console", "gym", party), follow_redirects=False)
    assert response.status_code == 403
    # Their token naming this tenant is refused by the API too.
    token = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    refused = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert "no ZMOS account is linked" in refused.json()["detail"]
    # Named for their own tenant, it works.
    oidc.add_person(party, tenant="other")
    token = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    me = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["id"] == other.owner_id


def test_a_state_is_answered_once(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    back = _sign_in(client, oidc, "console", "gym", party)
    kept = client.cookies.get("zmos_oidc")
    assert client.get(back, follow_redirects=False).status_code == 303
    # Again: the cookie is gone, and a copy of it does not help either.
    assert client.get(back, follow_redirects=False).status_code == 400
    client.cookies.set("zmos_oidc", kept or "", path="/web/oidc")
    replayed = client.get(back, follow_redirects=False)
    assert replayed.status_code == 400
    assert "expired" in replayed.text


def test_an_answer_for_another_sign_in_is_refused(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    first = _sign_in(client, oidc, "console", "gym", party)
    _start(client, "console", "gym")  # a second sign-in in this browser: its cookie now
    response = client.get(first, follow_redirects=False)
    assert response.status_code == 400
    # An answer naming another issuer (RFC 9207) is refused even with the right state.
    second = _sign_in(client, oidc, "console", "gym", party)
    forged_iss = second.replace(f"iss={quote(oidc.issuer, safe='')}", "iss=http%3A%2F%2Fevil")
    assert forged_iss != second
    mixed_up = client.get(forged_iss, follow_redirects=False)
    assert mixed_up.status_code == 401 and "came from elsewhere" in mixed_up.text
    # A made-up state, and no state at all.
    assert client.get("/web/oidc/callback?code=x&state=forged").status_code == 400
    assert client.get("/web/oidc/callback").status_code == 400


def test_an_id_token_with_another_sign_ins_nonce_is_refused(
    settings: Settings, oidc: OidcProvider
) -> None:
    with httpx.Client() as http:
        keys = ProviderKeys(http, oidc.issuer)
        sign_in = ZhepSignIn(
            http,
            keys,
            {"member": _client(MEMBER_CLIENT), "console": _client(CONSOLE_CLIENT)},
            audience=AUDIENCE,
        )
        party = _party()
        first = sign_in.start(app="member", redirect_uri=TEST_CALLBACK)
        other = sign_in.start(app="member", redirect_uri=TEST_CALLBACK)
        with httpx.Client() as browser:
            back = oidc.sign_in(browser, first.url, party)
        code = parse_qs(urlparse(back).query)["code"][0]
        mixed = AuthorizationStart(
            url="", state=first.state, nonce=other.nonce, code_verifier=first.code_verifier
        )
        with pytest.raises(SignInFailed, match="another sign-in"):
            sign_in.finish(app="member", redirect_uri=TEST_CALLBACK, code=code, started=mixed)
        # The code is spent: replaying it with the right nonce is refused by the provider.
        with pytest.raises(SignInFailed, match="refused"):
            sign_in.finish(app="member", redirect_uri=TEST_CALLBACK, code=code, started=first)


def _client(client_id: str) -> Any:
    from server.adapters.zhep_identity import SignInClient

    return SignInClient(client_id, CONSOLE_SECRET if client_id == CONSOLE_CLIENT else None)


def test_the_provider_saying_no_is_shown(client: TestClient, gym: Tenant) -> None:
    location = _start(client, "member", "gym")
    state = parse_qs(urlparse(location).query)["state"][0]
    response = client.get(
        f"/web/oidc/callback?error=access_denied&error_description=<b>no</b>&state={state}"
    )
    assert response.status_code == 401
    assert "Zimasa said: &lt;b&gt;no&lt;/b&gt;" in response.text


@pytest.mark.parametrize(
    "query", ["app=kiosk&tenant=gym", "app=console&tenant=", "app=member&tenant=../x"]
)
def test_bad_sign_in_requests_are_refused(client: TestClient, query: str) -> None:
    response = client.get(f"/web/oidc/login?{query}", follow_redirects=False)
    assert response.status_code == 422


# --- bearer tokens on the API ------------------------------------------------------------


def test_zhep_access_tokens_act_for_the_linked_member_and_staff(
    client: TestClient, container: Container, api: Api, gym: Tenant, oidc: OidcProvider
) -> None:
    member = create_member(api, gym, "Esi", "Owusu", email="esi@example.org")
    member_party, staff_party = _party(), _party()
    _link(container, Member, gym, member["id"], member_party)
    _link(container, StaffAccount, gym, gym.owner_id, staff_party)
    for party in (member_party, staff_party):
        oidc.add_person(party, tenant="gym")
    token = oidc.access_token(member_party)
    me = client.get("/members/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["id"] == member["id"]
    # A member's token is no staff's.
    assert client.get("/staff", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    staff_token = oidc.access_token(staff_party, client_id=CONSOLE_CLIENT)
    staff = client.get("/staff", headers={"Authorization": f"Bearer {staff_token}"})
    assert staff.status_code == 200, staff.text
    # ZMOS's own tokens keep working beside them: staff's, and kiosks' device tokens.
    assert client.get("/me", headers=gym.headers).status_code == 200
    location = api.create_location(gym)
    kiosk = api.device_headers(api.enrol_device(gym, location["id"]))
    assert client.get("/sync/snapshot", headers=kiosk).status_code == 200
    assert (
        client.get("/sync/snapshot", headers={"Authorization": f"Bearer {token}"}).status_code
        == 403
    )


def _forge(oidc: OidcProvider, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": oidc.issuer,
        "aud": AUDIENCE,
        "sub": "party-x",
        "zmos_tenant": "gym",
        "client_id": MEMBER_CLIENT,
        "iat": now,
        "exp": now + 300,
    }
    claims.update(changes)
    return claims


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_forged_tokens_are_refused_with_a_clear_message(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    import json

    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    oidc.add_person(party, tenant="gym")
    kid = oidc.kids()[0]
    real = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    assert client.get("/me", headers={"Authorization": f"Bearer {real}"}).status_code == 200

    wrong_key = jwk.RSAKey.generate_key(2048, parameters={"kid": kid})
    signed_by_stranger = jose_jwt.encode(
        {"alg": "RS256", "kid": kid}, _forge(oidc, sub=party), wrong_key
    )
    header = _b64(json.dumps({"alg": "none", "kid": kid}).encode())
    body = _b64(json.dumps(_forge(oidc, sub=party)).encode())
    unsigned = f"{header}.{body}."
    # HS256 with the provider's public key as the shared secret (algorithm confusion).
    public = httpx.get(f"{oidc.issuer}/jwks").json()["keys"][0]
    secret = jwk.RSAKey.import_key(public).as_pem(private=False)
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "kid": kid}).encode())
        + "."
        + _b64(json.dumps(_forge(oidc, sub=party)).encode())
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{_b64(mac)}"
    other_issuer = jose_jwt.encode(
        {"alg": "RS256", "kid": kid}, _forge(oidc, sub=party, iss="http://127.0.0.1:1"), wrong_key
    )
    # The provider's own ID token is signed by it, but for the client, not this API.
    id_token = oidc.tokens(party, client_id=MEMBER_CLIENT)["id_token"]
    cases = {
        signed_by_stranger: "signature",
        unsigned: "'none'",
        confused: "'HS256'",
        other_issuer: "issuer",
        id_token: "audience",
        "not-a-token": "not valid",
    }
    for token, said in cases.items():
        response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (said, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert said in response.json()["detail"], (said, response.json())


def test_an_expired_token_and_another_providers_token_are_refused(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    with running_provider(TEST_CALLBACK, token_ttl=1) as short:
        short.add_person(party, tenant="gym")
        stranger = short.access_token(party, client_id=CONSOLE_CLIENT)
    response = client.get("/me", headers={"Authorization": f"Bearer {stranger}"})
    assert response.status_code == 401
    assert "issuer" in response.json()["detail"]
    oidc.add_person(party, tenant="gym")
    token = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_expired_zhep_token_is_refused(
    client: TestClient, container: Container, gym: Tenant, tmp_path: Path, db_url: str
) -> None:
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    with running_provider(TEST_CALLBACK, token_ttl=5) as short:
        settings = container.settings.model_copy(update={"oidc_issuer": short.issuer})
        from server.bootstrap import build_container
        from server.main import create_app

        other = build_container(settings)
        try:
            with TestClient(create_app(container=other), raise_server_exceptions=False) as api:
                short.add_person(party, tenant="gym")
                token = short.access_token(party, client_id=CONSOLE_CLIENT)
                headers = {"Authorization": f"Bearer {token}"}
                assert api.get("/me", headers=headers).status_code == 200
                seen = peek(token)
                assert seen is not None
                expires = float(seen[1]["exp"])
                time.sleep(max(0.0, expires - time.time()) + 0.5)
                response = api.get("/me", headers=headers)
                assert response.status_code == 401
                assert "expired" in response.json()["detail"]
        finally:
            other.dispose()


def test_key_rotation_takes_effect_without_a_restart(
    client: TestClient, container: Container, gym: Tenant, oidc: OidcProvider
) -> None:
    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    oidc.add_person(party, tenant="gym")
    old = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    assert client.get("/me", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    kids = oidc.rotate_keys()
    new = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    assert jws.extract_compact(new.encode()).headers()["kid"] == kids[0] != kids[1]
    # Signed by a key this server has not seen: it reads the keys again at once.
    assert client.get("/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    assert client.get("/me", headers={"Authorization": f"Bearer {old}"}).status_code == 200
    oidc.retire_keys()
    time.sleep(1.3)  # the keys' time to live (1 s here) and the tokens remembered (0.2 s)
    refused = client.get("/me", headers={"Authorization": f"Bearer {old}"})
    assert refused.status_code == 401
    assert "signature" in refused.json()["detail"]
    assert client.get("/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_unknown_key_ids_read_the_keys_at_most_once_per_interval(oidc: OidcProvider) -> None:
    with httpx.Client() as http:
        keys = ProviderKeys(http, oidc.issuer, ttl=300, refetch_interval=60)
        stranger = jwk.RSAKey.generate_key(2048)
        for n in range(5):
            forged = jose_jwt.encode(
                {"alg": "RS256", "kid": f"unknown-{n}"}, _forge(oidc), stranger
            )
            with pytest.raises(InvalidToken):
                keys.decode(forged, audience=AUDIENCE, leeway=0)
        assert keys.fetches == 1


def test_standalone_mode_ignores_the_provider(
    settings: Settings, oidc: OidcProvider, gym: Tenant, client: TestClient, container: Container
) -> None:
    from server.bootstrap import build_container
    from server.main import create_app

    party = _party()
    _link(container, StaffAccount, gym, gym.owner_id, party)
    oidc.add_person(party, tenant="gym")
    token = oidc.access_token(party, client_id=CONSOLE_CLIENT)
    standalone = build_container(settings.model_copy(update={"mode": "standalone"}))
    try:
        with TestClient(create_app(container=standalone), raise_server_exceptions=False) as api:
            assert "Zimasa" not in api.get("/manage/signin").text
            assert "Zimasa" not in api.get("/app/gym/signin").text
            assert api.get("/web/oidc/login?app=console&tenant=gym").status_code == 404
            refused = api.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 401
            assert api.get("/me", headers=gym.headers).status_code == 200
    finally:
        standalone.dispose()


# --- linking parties --------------------------------------------------------------------


def test_owners_link_and_unlink_parties_through_the_api(
    client: TestClient, api: Api, gym: Tenant, oidc: OidcProvider
) -> None:
    coach = api.create_staff(gym, "coach", "coach@gym.example")
    member = create_member(api, gym, "Yaw", "Asante", email="yaw@example.org")
    party = _party()
    oidc.add_person(party, tenant="gym")
    linked = client.put(
        f"/staff/{gym.owner_id}/party", json={"party_id": party}, headers=gym.headers
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["party_id"] == party
    # One party, one staff account (and, apart, one member).
    taken = client.put(f"/staff/{coach['id']}/party", json={"party_id": party}, headers=gym.headers)
    assert taken.status_code == 409
    assert "linked to another staff account" in taken.json()["detail"]
    as_member = client.put(
        f"/members/{member['id']}/party", json={"party_id": party}, headers=gym.headers
    )
    assert as_member.status_code == 200 and as_member.json()["party_id"] == party
    # Signed in to the console with Zimasa, then unlinked: that sign-in ends.
    back = _sign_in(client, oidc, "console", "gym", party)
    assert client.get(back, follow_redirects=False).headers["location"] == "/manage"
    assert client.get("/manage", follow_redirects=False).status_code == 200
    bearer = {"Authorization": f"Bearer {oidc.access_token(party, client_id=CONSOLE_CLIENT)}"}
    assert client.get("/me", headers=bearer).status_code == 200
    unlinked = client.put(
        f"/staff/{gym.owner_id}/party", json={"party_id": None}, headers=gym.headers
    )
    assert unlinked.status_code == 200 and unlinked.json()["party_id"] is None
    assert client.get("/manage", follow_redirects=False).headers["location"] == "/manage/signin"
    time.sleep(0.3)  # what this process remembers of the token (0.2 s here)
    assert client.get("/me", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    "body", [{}, {"party_id": ""}, {"party_id": "a b"}, {"party_id": "x" * 201}]
)
def test_bad_party_links_are_refused(
    client: TestClient, api: Api, gym: Tenant, body: dict[str, Any]
) -> None:
    member = create_member(api, gym, "Abena", "Ofori")
    for path in (f"/staff/{gym.owner_id}/party", f"/members/{member['id']}/party"):
        response = client.put(path, json=body, headers=gym.headers)
        assert response.status_code == 422, response.text
        assert (
            client.get(path.removesuffix("/party"), headers=gym.headers).json()["party_id"] is None
        )


def test_only_owners_link_staff(client: TestClient, api: Api, gym: Tenant) -> None:
    api.create_staff(gym, "manager", "manager@gym.example")
    manager = api.token_for("gym", "manager@gym.example")
    refused = client.put(f"/staff/{gym.owner_id}/party", json={"party_id": "p"}, headers=manager)
    assert refused.status_code == 403


def test_a_provider_that_cannot_be_reached_refuses_its_tokens_clearly(
    oidc: OidcProvider,
) -> None:
    token = oidc.access_token(_party())
    with httpx.Client(timeout=2) as http:
        keys = ProviderKeys(http, f"http://127.0.0.1:{free_port()}")
        with pytest.raises(InvalidToken, match="issuer"):
            keys.decode(token, audience=AUDIENCE, leeway=0)
        nobody = ProviderKeys(http, oidc.issuer.rsplit(":", 1)[0] + f":{free_port()}")
        forged = peek(token)
        assert forged is not None
        stranger = jwk.RSAKey.generate_key(2048)
        claims = {**forged[1], "iss": nobody.issuer}
        made = jose_jwt.encode({"alg": "RS256", "kid": "k"}, claims, stranger)
        with pytest.raises(InvalidToken, match="could not be reached"):
            nobody.decode(made, audience=AUDIENCE, leeway=0)
