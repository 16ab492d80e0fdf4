"""Pull: a location's changes in server order, with tombstones, pages, long-polls and resets."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.store import Store
from desktop.core.sync.apply import apply_changes, kiosk_appliers
from server.bootstrap import Container
from server.sync import pull as pull_service
from shared.sync.messages import Change, PullResponse
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, PACK, open_desk
from tests.integration.sync_helpers import Kiosk


def _of(changes: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    return [c for c in changes if c["table"] == table]


def test_pull_pages_through_changes_in_order_with_tombstones(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "pull-order")
    kiosk = Kiosk.of(desk)
    members = [desk.member(first_name=f"M{i}") for i in range(5)]
    assert api.client.delete(f"/members/{members[0]}", headers=desk.admin).status_code == 204
    everything, cursor = kiosk.pull_all()
    seqs = [c["seq"] for c in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert cursor == seqs[-1]
    member_changes = _of(everything, "members")
    assert [c["row_id"] for c in member_changes] == [*members, members[0]]
    assert member_changes[-1]["deleted"] is True and member_changes[-1]["data"] is None
    assert member_changes[1]["data"]["first_name"] == "M1"
    assert _of(everything, "locations")[0]["data"]["name"] == "Osu Studio"

    page = kiosk.pull(0, limit=2).json()
    assert [c["seq"] for c in page["changes"]] == seqs[:2]
    assert page["has_more"] is True and page["cursor"] == seqs[1]
    rest = kiosk.pull(page["cursor"], limit=1000).json()
    assert [c["seq"] for c in rest["changes"]] == seqs[2:] and rest["has_more"] is False
    # Nothing new: the cursor stays where it is, never goes back.
    empty = kiosk.pull(cursor).json()
    assert empty == {
        "changes": [],
        "cursor": cursor,
        "has_more": False,
        "last_mutation_id": 0,
    }
    kiosk.pushed([kiosk.checkin(members[1], admitted=False)])
    assert kiosk.pull(cursor).json()["last_mutation_id"] == 1


def test_staff_changes_reach_the_right_location_only(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "pull-scope")
    other_place = api.create_location(desk.tenant, "Shoreditch Club")
    here, there = Kiosk.of(desk), Kiosk.enrol(desk, other_place["id"])
    stranger = Kiosk.of(open_desk(api, container, "pull-scope-stranger"))
    member = desk.member()
    membership = desk.membership(member, desk.plan(MONTHLY))
    issued = api.client.post(f"/members/{member}/passes", json={}, headers=desk.admin).json()
    _, here_cursor = here.pull_all()
    _, there_cursor = there.pull_all()
    _, stranger_cursor = stranger.pull_all()

    until = (date.today() + timedelta(days=10)).isoformat()
    frozen = api.client.post(
        f"/memberships/{membership['id']}/freeze", json={"until": until}, headers=desk.admin
    )
    assert frozen.status_code == 200
    revoked = api.client.post(
        f"/passes/{issued['id']}/revoke", json={"reason": "lost"}, headers=desk.admin
    )
    assert revoked.status_code == 200
    new_member = api.client.post(
        "/members", json={"first_name": "Adjoa", "last_name": "New"}, headers=desk.admin
    ).json()
    renamed = api.client.patch(
        f"/locations/{desk.location['id']}", json={"capacity": 7}, headers=desk.admin
    )
    assert renamed.status_code == 200

    mine, _ = here.pull_all(here_cursor)
    theirs, _ = there.pull_all(there_cursor)
    for changes in (mine, theirs):
        assert _of(changes, "memberships")[0]["data"]["status"] == "frozen"
        assert _of(changes, "revoked_passes")[0]["row_id"] == issued["id"]
        assert _of(changes, "members")[0]["row_id"] == new_member["id"]
    assert _of(mine, "locations")[0]["data"]["capacity"] == 7
    assert _of(theirs, "locations") == []
    assert stranger.pull_all(stranger_cursor)[0] == []


def test_a_class_pack_credit_taken_at_the_door_reaches_kiosks(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "pull-credit")
    member = desk.member()
    plan = desk.plan(PACK, credits=3)
    pack = desk.membership(member, plan)
    kiosk = Kiosk.of(desk)
    _, cursor = kiosk.pull_all()
    assert desk.check_in(member).json()["admitted"] is True
    changes, _ = kiosk.pull_all(cursor)
    [change] = _of(changes, "memberships")
    assert change["row_id"] == pack["id"] and change["data"]["credits_remaining"] == 2
    assert len(_of(changes, "checkins")) == 1


def test_long_poll_answers_soon_after_a_change(
    api: Api, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(api, container, "pull-wait")
    kiosk = Kiosk.of(desk)
    _, cursor = kiosk.pull_all()
    looks: list[bool] = []  # what each of the server's looks for a change found
    looked = threading.Event()
    has_changes_after = pull_service.has_changes_after

    def watched(*args: Any, **kwargs: Any) -> bool:
        found = has_changes_after(*args, **kwargs)
        looks.append(found)
        looked.set()
        return found

    monkeypatch.setattr(pull_service, "has_changes_after", watched)
    answers: list[Any] = []
    waiting = threading.Thread(target=lambda: answers.append(kiosk.pull(cursor, wait=30)))
    waiting.start()
    try:
        assert looked.wait(10), "the server should hold the pull and look again"
        desk.member(first_name="Late")  # while the server holds the pull
    finally:
        waiting.join(timeout=25)
    assert not waiting.is_alive(), "the pull should answer on the change, not after its 30 s"
    [response] = answers
    assert response.status_code == 200
    assert [c["data"]["first_name"] for c in response.json()["changes"]] == ["Late"]
    assert looks[-1] is True and looks.count(True) == 1  # answered on the look that found it
    # Nothing new: held until the wait runs out, looking again meanwhile, then an empty page.
    before = len(looks)
    empty = kiosk.pull(response.json()["cursor"], wait=0.5).json()
    assert empty["changes"] == [] and empty["cursor"] == response.json()["cursor"]
    assert len(looks) > before and not any(looks[before:])


def test_a_pruned_cursor_answers_410_and_the_snapshot_gives_a_fresh_one(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "pull-prune")
    kiosk = Kiosk.of(desk)
    desk.member()
    _, cursor = kiosk.pull_all()
    removed = pull_service.prune(
        uow=container.uow(), older_than=datetime.now(UTC) + timedelta(seconds=1)
    )
    assert removed >= 1
    gone = kiosk.pull(0)
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert gone.json()["code"] == "snapshot_required"
    snapshot = api.client.get("/sync/snapshot", headers=kiosk.headers).json()
    assert snapshot["cursor"] == cursor
    desk.member(first_name="After")
    after = kiosk.pull(snapshot["cursor"])
    assert after.status_code == 200
    assert [c["data"]["first_name"] for c in after.json()["changes"]] == ["After"]


def test_pulled_data_arrives_exactly_as_the_server_holds_it(api: Api, container: Container) -> None:
    """Pages are written from the stored JSON text: quotes, backslashes and accents survive,
    and row ids are the dashed UUIDs on both databases."""
    desk = open_desk(api, container, "pull-text")
    kiosk = Kiosk.of(desk)
    _, cursor = kiosk.pull_all()
    odd = 'Zoë "Q" \\ Ñúñez\n😀'
    created = api.client.post(
        "/members", json={"first_name": odd, "last_name": "O'Brien"}, headers=desk.admin
    )
    assert created.status_code == 201, created.text
    member = created.json()["id"]
    gone = desk.member(first_name="Gone")
    assert api.client.delete(f"/members/{gone}", headers=desk.admin).status_code == 204
    response = kiosk.pull(cursor)
    assert response.headers["content-type"] == "application/json"
    page = PullResponse.model_validate_json(response.content)
    first, *_, last = page.changes
    assert (str(first.row_id), first.table, first.deleted) == (member, "members", False)
    assert first.data is not None and first.data["first_name"] == odd
    assert first.data["last_name"] == "O'Brien" and first.data["id"] == member
    assert (str(last.row_id), last.deleted, last.data) == (gone, True, None)
    assert page.cursor == last.seq and page.has_more is False


def _member(first: str, last: str = "Mensah", **extra: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "first_name": first, "last_name": last, **extra}


def _kiosk_tables(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in ("cached_member", "cached_member_token")
    }


def test_a_run_of_member_changes_applies_like_one_at_a_time(tmp_path: Path) -> None:
    """The kiosk applies consecutive member upserts together; the result must be what
    applying each change on its own gives, whatever the mix of tombstones and repeats."""
    ana, kofi, ama = _member("Ana"), _member("Kofi", email="K@x.org"), _member("Ama")
    renamed = {**ana, "first_name": "Anna", "last_name": "Owusu"}
    changes = [
        Change(seq=n, table="members", row_id=uuid.UUID(d["id"]), data=d)
        for n, d in enumerate([ana, kofi, renamed, ama], start=1)
    ]
    changes += [
        Change(seq=5, table="members", row_id=uuid.UUID(kofi["id"]), deleted=True),
        Change(seq=6, table="plans_of_the_future", row_id=uuid.uuid4(), data={"x": 1}),
        Change(seq=7, table="members", row_id=uuid.UUID(kofi["id"]), data={**kofi, "phone": "1"}),
        Change(seq=8, table="members", row_id=uuid.UUID(ama["id"]), deleted=True),
    ]
    batched, single = Store(tmp_path / "batched.db"), Store(tmp_path / "single.db")
    try:
        with batched.transaction() as conn:
            assert apply_changes(conn, changes, kiosk_appliers()) == 7
        with single.transaction() as conn:
            for change in changes:
                apply_changes(conn, [change], kiosk_appliers())
        result = _kiosk_tables(batched.connection())
        assert result == _kiosk_tables(single.connection())
        assert sorted(r[1] for r in result["cached_member"]) == ["Anna", "Kofi"]
        tokens = {r[0] for r in result["cached_member_token"]}
        assert {"anna", "owusu", "kofi"} <= tokens and not {"ana", "ama"} & tokens
    finally:
        batched.close()
        single.close()
