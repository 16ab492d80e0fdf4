"""The admission card's data reaches the kiosk: alerts and location names by snapshot,
alerts by pull (a resolved one disappears), photos by the background fetch within their
size budget, never a stale photo."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.kiosk import KioskCore
from desktop.core.store.member_card import MemberCardRows
from desktop.core.sync.apply import apply_changes, kiosk_appliers
from shared.sync.messages import Change
from tests.unit.desktop.checkin_fakes import Clock, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer

AT = datetime(2025, 1, 8, 9, 15, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000


_minutes = itertools.count()


def _alert(member: uuid.UUID, text: str, resolved: bool = False) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "member_id": str(member),
        "text": text,
        "created_at": (AT + timedelta(minutes=next(_minutes))).isoformat(),
        "resolved_at": (AT + timedelta(hours=1)).isoformat() if resolved else None,
    }


def _desk(tmp_path: Path, server: FakeServer) -> KioskCore:
    server.server_time = AT
    return desk_core(tmp_path / "kiosk", server, Clock(AT))


def _card_rows(core: KioskCore) -> MemberCardRows:
    return MemberCardRows(core.store.connection())


def test_alerts_and_places_by_snapshot_then_by_pull(tmp_path: Path) -> None:
    server = FakeServer()
    ama = server.add_member("Ama", "Owusu")
    waiver = _alert(ama, "waiver missing")
    server.member_alerts = [waiver, _alert(ama, "balance due")]
    osu = str(uuid.uuid4())
    server.places = [{"id": osu, "name": "Osu"}, {"id": str(server.location_id), "name": "Door"}]
    core = _desk(tmp_path, server)
    try:
        assert _card_rows(core).alerts(ama) == ["waiver missing", "balance due"]
        assert _card_rows(core).place_names([uuid.UUID(osu), uuid.uuid4()]) == ["Osu"]
        changes = [
            Change(
                seq=1,
                table="member_alerts",
                row_id=uuid.UUID(waiver["id"]),
                data={**waiver, "resolved_at": AT.isoformat()},
            ),
            Change(
                seq=2,
                table="member_alerts",
                row_id=uuid.uuid4(),
                data=_alert(ama, "locker key not returned"),
            ),
        ]
        with core.store.transaction() as conn:
            assert apply_changes(conn, changes, kiosk_appliers()) == 2
        assert core.checkin.cards.alerts(ama) == ["balance due", "locker key not returned"]
        # A new snapshot replaces them all.
        server.member_alerts = []
        core.sync.refresh()
        assert _card_rows(core).alerts(ama) == []
    finally:
        core.close()


def test_photos_are_fetched_in_the_background_within_the_budget(tmp_path: Path) -> None:
    server = FakeServer()
    with_photo = [
        server.add_member(f"M{i}", "Photo", photo_updated_at=AT.isoformat()) for i in range(3)
    ]
    without = server.add_member("No", "Photo")
    for member in with_photo:
        server.thumbnails[str(member)] = JPEG
    core = _desk(tmp_path, server)
    try:
        # Nothing at enrolment: photos never hold up the first download or a check-in.
        assert all(_card_rows(core).photo(m) is None for m in with_photo)
        core.sync.photos.budget = len(JPEG) * 2
        assert core.sync.photos.fetch_some() == 2
        assert core.sync.photos.fetch_some() == 0  # the budget is spent
        core.sync.photos.budget = 10 * len(JPEG)
        assert core.sync.photos.fetch_some() == 1
        assert all(_card_rows(core).photo(m) == JPEG for m in with_photo)
        assert _card_rows(core).photo(without) is None
        asked = [p for _, p in server.requests if p.endswith("/thumbnail")]
        assert f"/members/{without}/thumbnail" not in asked  # it has no photo to ask for
        assert core.sync.photos.fetch_some() == 0
    finally:
        core.close()


def test_a_changed_photo_is_fetched_again_and_the_old_one_never_shown(tmp_path: Path) -> None:
    server = FakeServer()
    ama = server.add_member("Ama", "Owusu", photo_updated_at=AT.isoformat())
    server.thumbnails[str(ama)] = JPEG
    core = _desk(tmp_path, server)
    try:
        assert core.sync.photos.fetch_some() == 1
        assert _card_rows(core).photo(ama) == JPEG
        server.members[0]["photo_updated_at"] = (AT + timedelta(days=1)).isoformat()
        del server.thumbnails[str(ama)]  # gone again by the time the kiosk asks
        core.sync.refresh()
        assert _card_rows(core).photo(ama) is None  # the old face is not shown
        assert core.sync.photos.fetch_some() == 0  # answered 404: nothing kept...
        asked = len([p for _, p in server.requests if p.endswith("/thumbnail")])
        assert core.sync.photos.fetch_some() == 0
        # ...and not asked again until the photo changes once more.
        assert len([p for _, p in server.requests if p.endswith("/thumbnail")]) == asked
        assert _card_rows(core).photo(ama) is None
    finally:
        core.close()


def test_an_oversized_thumbnail_is_not_kept_and_an_offline_server_stops_the_round(
    tmp_path: Path,
) -> None:
    server = FakeServer()
    big, small = (server.add_member(n, "X", photo_updated_at=AT.isoformat()) for n in "AB")
    server.thumbnails[str(big)] = b"\xff" * (20 * 1024 + 1)
    server.thumbnails[str(small)] = JPEG
    core = _desk(tmp_path, server)
    try:
        server.down = True
        assert core.sync.photos.fetch_some() == 0
        assert "photo" not in (core.sync.status().last_error or "")
        server.down = False
        assert core.sync.photos.fetch_some() == 1
        assert _card_rows(core).photo(big) is None
        assert _card_rows(core).photo(small) == JPEG
    finally:
        core.close()
