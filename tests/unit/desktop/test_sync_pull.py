"""Pull: pages with their cursor in one transaction, tombstones,
local rows never overwritten, snapshot reset on 410 keeping the outbox."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desktop.core.kiosk import KioskCore
from desktop.core.store import CacheRepository, MemberRepository, OutboxRepository, PulledRows
from desktop.core.sync import apply as apply_module
from tests.unit.desktop.kiosk_fakes import ENROL_CODE
from tests.unit.desktop.sync_fakes import SyncFakeServer, queue_checkins


@pytest.fixture
def fake_server() -> SyncFakeServer:
    return SyncFakeServer()


@pytest.fixture
def kiosk(core: KioskCore, fake_server: SyncFakeServer) -> KioskCore:
    fake_server.add_member("Ana", "Smith")
    core.enrol("http://zmos.test", ENROL_CODE, "Front desk")
    return core


def member_data(member_id: uuid.UUID, first: str, last: str = "Mensah") -> dict[str, object]:
    return {"id": str(member_id), "first_name": first, "last_name": last}


def names(kiosk: KioskCore) -> list[str]:
    return [h.name for h in kiosk.checkin.search_members("mensah")]


def test_pull_applies_pages_until_up_to_date(kiosk: KioskCore, fake_server: SyncFakeServer) -> None:
    kiosk.sync.engine.page_size = 4
    ids = [uuid.uuid4() for _ in range(10)]
    for i, member_id in enumerate(ids):
        fake_server.emit("members", member_id, member_data(member_id, f"Kofi{i}"))
    fake_server.emit("members", ids[0], None)  # a tombstone
    fake_server.emit("review_items", uuid.uuid4(), {"status": "open", "summary": "x"})
    fake_server.emit("lockers", uuid.uuid4(), {"what": "a table this kiosk does not know"})
    assert kiosk.sync.pull() == 12  # the unknown table is skipped
    assert [c for c, _ in fake_server.pulls] == [0, 4, 8, 12]
    assert len(names(kiosk)) == 9
    assert kiosk.sync.cursor()[0] == 13
    assert kiosk.sync.status().open_reviews == 1
    assert kiosk.sync.pull() == 0


def test_membership_plan_and_pass_changes_reach_the_cache(
    kiosk: KioskCore, fake_server: SyncFakeServer
) -> None:
    member_id, plan_id, ms_id, key_row = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    plan: dict[str, object] = {
        "id": str(plan_id),
        "name": "Pack",
        "kind": "class_pack",
        "price": "90.00",
    }
    plan |= {"currency": "GBP", "location_rule": "all", "credits": 10}
    fake_server.emit("plans", plan_id, plan)
    fake_server.emit("members", member_id, member_data(member_id, "Efua"))
    membership = {"id": str(ms_id), "member_id": str(member_id), "plan_id": str(plan_id)}
    membership |= {"status": "active", "starts_on": date.today().isoformat()}
    fake_server.emit("memberships", ms_id, membership | {"credits_remaining": 7})
    fake_server.emit("pass_keys", key_row, {"key_id": 3, "public_key": "AAAA"})
    revoked = uuid.uuid4()
    fake_server.emit("revoked_passes", revoked, {"id": str(revoked)})
    kiosk.sync.pull()
    assert [h.name for h in kiosk.checkin.search_members("efua")] == ["Efua Mensah"]
    [ms] = MemberRepository(kiosk.store.connection()).memberships([member_id])
    assert ms.credits_remaining == 7 and ms.plan.name == "Pack"
    cache = CacheRepository(kiosk.store.connection())
    assert 3 in cache.public_keys() and cache.is_revoked(revoked)
    fake_server.emit("pass_keys", key_row, None)
    fake_server.emit("revoked_passes", revoked, None)
    kiosk.sync.pull()
    assert 3 not in cache.public_keys() and not cache.is_revoked(revoked)


def test_a_page_and_its_cursor_commit_together(
    kiosk: KioskCore, fake_server: SyncFakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    fake_server.emit("members", first, member_data(first, "Kwame"))
    fake_server.emit("members", second, member_data(second, "Yaw"))
    members = kiosk.sync.engine.appliers["members"]
    calls = {"n": 0}

    def crash_on_second(rows: PulledRows, row_id: uuid.UUID, data: apply_module.Data) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        members.upsert(rows, row_id, data)

    monkeypatch.setitem(
        kiosk.sync.engine.appliers,
        "members",
        apply_module.TableApplier(upsert=crash_on_second, delete=members.delete),
    )
    with pytest.raises(RuntimeError):
        kiosk.sync.engine.pull_all()
    assert names(kiosk) == []  # the first row of the page went too
    assert kiosk.sync.cursor()[0] == 0
    monkeypatch.setitem(kiosk.sync.engine.appliers, "members", members)
    assert kiosk.sync.pull() == 2
    assert sorted(names(kiosk)) == ["Kwame Mensah", "Yaw Mensah"]


def test_the_cursor_never_goes_back(kiosk: KioskCore, fake_server: SyncFakeServer) -> None:
    member_id = uuid.uuid4()
    for _ in range(3):
        fake_server.emit("members", member_id, member_data(member_id, "Ama"))
    kiosk.sync.pull()
    assert kiosk.sync.cursor()[0] == 3
    fake_server.changes.clear()  # a confused server answers with cursor 0
    kiosk.sync.pull()
    assert kiosk.sync.cursor()[0] == 3


def test_a_pull_never_overwrites_a_pending_local_row(
    kiosk: KioskCore, fake_server: SyncFakeServer
) -> None:
    walkin = kiosk.checkin.register_walkin("Abena", "Mensah", "0244 000 111").member
    assert walkin is not None
    # The server already has this walk-in (the push's answer was lost), corrected by staff.
    fake_server.emit("members", walkin.id, member_data(walkin.id, "Abenaa"))
    kiosk.sync.pull()
    assert names(kiosk) == ["Abena Mensah"]  # ours, while its mutation waits
    assert kiosk.sync.push() is not None
    # Acknowledged: the server's row is the truth from now on.
    assert names(kiosk) == ["Abenaa Mensah"]


def test_410_resets_from_the_snapshot_and_keeps_outbox_and_local_rows(
    kiosk: KioskCore, fake_server: SyncFakeServer
) -> None:
    walkin = kiosk.checkin.register_walkin("Akosua", "Mensah", "0201 111 222").member
    assert walkin is not None
    queue_checkins(kiosk, walkin.id, 3)
    fresh = fake_server.add_member("Yaa", "Mensah")
    for _ in range(5):
        fake_server.emit("members", fresh, member_data(fresh, "Yaa"))
    fake_server.pruned = 4  # changes up to 4 are gone: our cursor 0 is too old
    snapshots = fake_server.snapshot_requests
    kiosk.sync.pull()
    assert fake_server.snapshot_requests == snapshots + 1
    assert sorted(names(kiosk)) == ["Akosua Mensah", "Yaa Mensah"]
    assert kiosk.sync.cursor()[0] == 5
    assert len(OutboxRepository(kiosk.store.connection()).pending()) == 4
    assert [c for c, _ in fake_server.pulls] == [0, 5]


def test_a_server_that_keeps_answering_410_is_not_looped_on(
    kiosk: KioskCore, fake_server: SyncFakeServer
) -> None:
    fake_server.pruned = 10**9  # every cursor is too old, even the snapshot's
    assert kiosk.sync.pull() is None
    assert "new download" in (kiosk.sync.status().last_error or "")
    assert fake_server.snapshot_requests <= 3
