"""At the door: a pass the server signed, shown to the kiosk's camera, admits its member;
once revoked and synced, the same pass is refused and nothing is recorded as an admission."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop.app import build_core, pass_scanner
from desktop.config import KioskSettings
from desktop.core.scanning import ScanKind
from tests.frames import camera_frame, qr_image
from tests.integration.helpers import Api


def test_server_pass_through_the_camera_path(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("door-gym")
    here = api.create_location(tenant, "Door")
    member = api.client.post(
        "/members", json={"first_name": "Efua", "last_name": "Sarpong"}, headers=tenant.headers
    ).json()
    plan = api.client.post(
        "/plans",
        json={
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GHS",
        },
        headers=tenant.headers,
    ).json()
    api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan["id"], "starts_on": "2026-01-01"},
        headers=tenant.headers,
    )
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    code = api.client.post(
        f"/locations/{here['id']}/enrolment-codes", headers=tenant.headers
    ).json()
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=api.client
    )
    try:
        core.enrol("http://testserver", code["code"], "Door")
        scanner = pass_scanner(core)
        assert scanner is not None
        frame = camera_frame(qr_image(issued["token"])[0], np.random.default_rng(21))
        scanned = scanner.scan(frame)
        assert scanned.kind is ScanKind.PASS_OK, scanned.reason
        outcome = core.checkin.check_in_scan(scanned)
        assert outcome is not None and outcome.admitted, outcome
        assert outcome.member_name == "Efua Sarpong"

        revoked = api.client.post(
            f"/passes/{issued['id']}/revoke",
            json={"reason": "phone stolen"},
            headers=tenant.headers,
        )
        assert revoked.status_code == 200
        core.sync.refresh()
        scanner = pass_scanner(core)
        assert scanner is not None
        again = scanner.scan(camera_frame(qr_image(issued["token"])[0], np.random.default_rng(22)))
        assert again.kind is ScanKind.PASS_REFUSED
        assert "revoked" in again.reason
        before = core.sync.pending_count()
        refused = core.checkin.check_in_scan(again)
        assert refused is not None and not refused.admitted
        assert core.sync.pending_count() == before  # a refused pass is not recorded as a visit
    finally:
        core.close()
