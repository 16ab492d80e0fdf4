"""Member QR passes: signed by the server, decoded from its PNG, verified with the kiosk's keys."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import select

from server.bootstrap import Container
from server.passes.models import PassKey
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind
from shared.qr import generate_key_pair, public_key_from_b64, sign_pass, verify_pass
from shared.qr.pass_token import PassClaims
from tests.integration.helpers import Api, Tenant


def _member(api: Api, tenant: Tenant, first: str = "Abena") -> dict[str, Any]:
    response = api.client.post(
        "/members", json={"first_name": first, "last_name": "Mensah"}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _kiosk_view(api: Api, tenant: Tenant) -> dict[str, Any]:
    location = api.create_location(tenant, "Door")
    device = api.enrol_device(tenant, location["id"])
    snapshot = api.client.get("/sync/snapshot", headers=api.device_headers(device))
    assert snapshot.status_code == 200, snapshot.text
    body: dict[str, Any] = snapshot.json()
    return body


def _keys(snapshot: dict[str, Any]) -> dict[int, Any]:
    return {k["key_id"]: public_key_from_b64(k["public_key"]) for k in snapshot["pass_keys"]}


def test_issued_pass_verifies_offline_with_the_keys_a_kiosk_downloads(api: Api) -> None:
    tenant = api.sign_up("pass-gym")
    member = _member(api, tenant)
    issued = api.client.post(
        f"/members/{member['id']}/passes", json={"valid_days": 30}, headers=tenant.headers
    )
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    snapshot = _kiosk_view(api, tenant)
    verdict = verify_pass(
        token, _keys(snapshot), tenant_id=uuid.UUID(tenant.id), now=datetime.now(UTC)
    )
    assert verdict.ok, verdict.reason
    assert verdict.claims is not None
    assert str(verdict.claims.member_id) == member["id"]
    # Ed25519 is deterministic: reading the pass again gives the same token.
    again = api.client.get(f"/passes/{issued.json()['id']}", headers=tenant.headers).json()
    assert again["token"] == token
    # Another tenant's kiosk refuses it.
    other = verify_pass(token, _keys(snapshot), tenant_id=uuid.uuid4(), now=datetime.now(UTC))
    assert not other.ok


def test_png_decodes_to_the_token_and_svg_is_an_svg(api: Api) -> None:
    tenant = api.sign_up("png-gym")
    member = _member(api, tenant)
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    png = api.client.get(f"/passes/{issued['id']}/qr.png", headers=tenant.headers)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    decoded = decode(Image.open(io.BytesIO(png.content)))
    assert [d.data.decode() for d in decoded] == [issued["token"]]
    svg = api.client.get(f"/passes/{issued['id']}/qr.svg", headers=tenant.headers)
    assert svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    # A format the route does not serve is a wrong address, as a malformed id is.
    assert (
        api.client.get(f"/passes/{issued['id']}/qr.gif", headers=tenant.headers).status_code == 404
    )


def test_revoked_pass_reaches_the_kiosk_and_is_refused(api: Api) -> None:
    tenant = api.sign_up("revoke-pass-gym")
    member = _member(api, tenant)
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    revoked = api.client.post(
        f"/passes/{issued['id']}/revoke", json={"reason": "phone lost"}, headers=tenant.headers
    )
    assert revoked.status_code == 200
    assert revoked.json()["token"] is None
    assert revoked.json()["revoked_reason"] == "phone lost"
    again = api.client.post(
        f"/passes/{issued['id']}/revoke", json={"reason": "x"}, headers=tenant.headers
    )
    assert again.status_code == 409
    assert (
        api.client.get(f"/passes/{issued['id']}/qr.png", headers=tenant.headers).status_code == 409
    )
    snapshot = _kiosk_view(api, tenant)
    assert issued["id"] in snapshot["revoked_pass_ids"]
    verdict = verify_pass(
        issued["token"],
        _keys(snapshot),
        tenant_id=uuid.UUID(tenant.id),
        now=datetime.now(UTC),
        revoked_pass_ids={uuid.UUID(i) for i in snapshot["revoked_pass_ids"]},
    )
    assert not verdict.ok
    assert "revoked" in verdict.reason


def test_a_forged_pass_is_refused(api: Api) -> None:
    tenant = api.sign_up("forge-gym")
    member = _member(api, tenant)
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    snapshot = _kiosk_view(api, tenant)
    forger, _ = generate_key_pair()
    forged = sign_pass(
        forger,
        PassClaims(
            tenant_id=uuid.UUID(tenant.id),
            member_id=uuid.UUID(member["id"]),
            pass_id=uuid.uuid4(),
            expires_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=9),
            key_id=issued["key_id"],
        ),
    )
    verdict = verify_pass(
        forged, _keys(snapshot), tenant_id=uuid.UUID(tenant.id), now=datetime.now(UTC)
    )
    assert not verdict.ok
    assert "signature" in verdict.reason


def test_signing_keys_are_sealed_and_need_the_server_secret(api: Api, container: Container) -> None:
    tenant = api.sign_up("sealed-gym")
    member = _member(api, tenant)
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    with container.uow() as uow:
        key = uow.db.execute(select(PassKey)).scalar_one()
        assert len(key.private_key) > 32  # nonce + ciphertext + tag, not the raw key
        public = base64.b64encode(key.public_key).decode()
    assert public in {k["public_key"] for k in _kiosk_view(api, tenant)["pass_keys"]}
    container.settings.__dict__["resolved_secret_key"] = "a-different-secret-key-0123456789abcdef"
    response = api.client.get(f"/passes/{issued['id']}", headers=tenant.headers)
    assert response.status_code == 500
    assert response.json()["code"] == "pass_key_unreadable"


def test_coaches_neither_see_nor_issue_nor_revoke_passes(api: Api) -> None:
    tenant = api.sign_up("coach-pass-gym")
    member = _member(api, tenant)
    api.create_staff(tenant, "coach", "coach@coach-pass-gym.example")
    coach = api.token_for("coach-pass-gym", "coach@coach-pass-gym.example")
    assert api.client.post(f"/members/{member['id']}/passes", headers=coach).status_code == 403
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    # A pass is a door credential: front desk staff and above only.
    assert api.client.get(f"/members/{member['id']}/passes", headers=coach).status_code == 403
    assert api.client.get(f"/passes/{issued['id']}", headers=coach).status_code == 403
    response = api.client.post(
        f"/passes/{issued['id']}/revoke", json={"reason": "x"}, headers=coach
    )
    assert response.status_code == 403


def test_a_member_gets_their_own_pass_and_no_one_elses(api: Api, container: Container) -> None:
    tenant = api.sign_up("self-pass-gym")
    member = _member(api, tenant)
    claims = AccessClaims(
        kind=PrincipalKind.MEMBER,
        subject_id=uuid.UUID(member["id"]),
        tenant_id=uuid.UUID(tenant.id),
    )
    token, _ = container.identity.issue_access_token(claims, 300)
    headers = {"Authorization": f"Bearer {token}"}
    first = api.client.get("/me/pass", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["member_id"] == member["id"]
    # Asking again gives the same valid pass rather than a new one each time.
    assert api.client.get("/me/pass", headers=headers).json()["id"] == first.json()["id"]
    png = api.client.get("/me/pass/qr.png", headers=headers)
    assert [d.data.decode() for d in decode(Image.open(io.BytesIO(png.content)))] == [
        first.json()["token"]
    ]
    # A member token opens no staff route, and a staff token is not a member.
    assert api.client.get(f"/passes/{first.json()['id']}", headers=headers).status_code == 403
    assert api.client.get("/me/pass", headers=tenant.headers).status_code == 403
    # Once revoked, the member is given a new pass.
    api.client.post(
        f"/passes/{first.json()['id']}/revoke", json={"reason": "lost"}, headers=tenant.headers
    )
    assert api.client.get("/me/pass", headers=headers).json()["id"] != first.json()["id"]
