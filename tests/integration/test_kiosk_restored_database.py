"""A kiosk whose database is restored from an older copy must not lose its new actions: it
numbers them with ids the server has applied already, and the server refuses the push
instead of answering "duplicate"."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from desktop.app import build_core
from desktop.config import KioskSettings
from shared.enums import CheckinMethod
from tests.integration.helpers import Api


def test_a_restored_kiosk_keeps_its_new_actions_and_says_why(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("restore-gym")
    here = api.create_location(tenant, "Door")
    members = [
        api.client.post(
            "/members", json={"first_name": name, "last_name": "Kiosk"}, headers=tenant.headers
        ).json()["id"]
        for name in ("Abla", "Bubu", "Coco")
    ]
    code = api.client.post(f"/locations/{here['id']}/enrolment-codes", headers=tenant.headers)
    data_dir, backup = tmp_path / "kiosk", tmp_path / "backup"
    settings = KioskSettings(data_dir=data_dir, credential_store="file")
    core = build_core(settings, http_client=api.client)
    core.enrol("http://testserver", code.json()["code"], "Door")
    core.checkin.check_in(uuid.UUID(members[0]), CheckinMethod.SEARCH)
    core.close()
    shutil.copytree(data_dir, backup)  # last night's copy

    core = build_core(settings, http_client=api.client)
    core.checkin.check_in(uuid.UUID(members[1]), CheckinMethod.SEARCH)
    core.sync.push()
    assert core.sync.pending_count() == 0
    core.close()

    shutil.rmtree(data_dir)
    shutil.copytree(backup, data_dir)  # the disk died; the copy is restored
    core = build_core(settings, http_client=api.client)
    try:
        # A new visit, in the old numbering.
        core.checkin.check_in(uuid.UUID(members[2]), CheckinMethod.SEARCH)
        core.sync.push()
        assert core.sync.pending_count() == 2  # nothing dropped as a "duplicate"
        status = core.sync.status()
        assert status.last_error is not None and "older or copied" in status.last_error
    finally:
        core.close()
    server_members = {
        c["member_id"] for c in api.client.get("/checkins", headers=tenant.headers).json()["items"]
    }
    assert server_members == {members[0], members[1]}  # Coco's visit waits, not lost
