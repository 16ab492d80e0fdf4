"""A kiosk restored from an older copy of its database, with a real
``zmos server`` process: the server refuses to take its new actions for ones it already has
(409 ``device_database_replaced``), staff enrol the kiosk again, and the actions kept in its
outbox then arrive under the new device, each exactly once."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from tests.e2e.conftest import ServerProcess
from tests.e2e.sync_support import (
    Provider,
    enrolled_core,
    open_core,
    pending,
    record_checkins,
)


def _on_server(provider: Provider) -> Counter[str]:
    return Counter(c["id"] for c in provider.checkins())


def test_a_restored_kiosk_is_enrolled_again_and_its_outbox_arrives_once(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = Provider(server.url)
    for i in range(5):
        provider.add_member("Member", f"No{i:03d}")
    data_dir, backup = tmp_path / "kiosk", tmp_path / "backup"
    core = enrolled_core(provider, data_dir)
    first_device = str(core.device().device_id)  # type: ignore[union-attr]
    before_backup = {str(i) for i in record_checkins(core, 5)}
    assert core.sync.push() is not None and pending(core) == 0
    core.close()
    shutil.copytree(data_dir, backup)  # last night's copy of the kiosk's files

    core = open_core(data_dir)
    after_backup = {str(i) for i in record_checkins(core, 5)}
    assert core.sync.push() is not None and pending(core) == 0
    core.close()
    shutil.rmtree(data_dir)
    shutil.copytree(backup, data_dir)  # the disk failed; the copy is put back

    core = open_core(data_dir)
    try:
        # The restored database numbers its new actions 6, 7, 8 again: ids the server has
        # applied for other actions. Answering "duplicate" would lose them; it refuses.
        kept = {str(i) for i in record_checkins(core, 3)}
        assert core.sync.push() is None
        status = core.sync.status()
        assert status.last_error is not None and "enrol the kiosk again" in status.last_error
        assert pending(core) == 3
        assert set(_on_server(provider)) == before_backup | after_backup

        # Staff enrol it again: a new device, whose mutation numbers start at 1 on the
        # server; the kept outbox is sent under it.
        assert core.enrol(provider.url, provider.enrolment_code(), "Front desk").last_error is None
        second_device = str(core.device().device_id)  # type: ignore[union-attr]
        assert second_device != first_device
        assert pending(core) == 3
        result = core.sync.push()
        assert result is not None and result.acknowledged == 3 and pending(core) == 0
        assert core.sync.push() is not None  # nothing left; nothing sent twice
        on_server = _on_server(provider)
        assert set(on_server) == before_backup | after_backup | kept
        assert max(on_server.values()) == 1
        devices = {c["id"]: str(c["device_id"]) for c in provider.checkins()}
        assert {devices[i] for i in kept} == {second_device}
        assert {devices[i] for i in before_backup | after_backup} == {first_device}
        # Acknowledged up to outbox id 8: the new device's mutations 1-3 offset by the 5
        # numbers the restored outbox had used before.
        assert core.sync.cursor()[1] == 8
    finally:
        core.close()
