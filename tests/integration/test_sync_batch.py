"""A push applies its check-ins as a batch: the verdicts, rows and review items are exactly
those of pushing the same mutations one per push."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.bootstrap import Container
from server.checkin.sync_batch import CheckinBatch
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, PACK, Desk, open_desk
from tests.integration.sync_helpers import Kiosk, review_items


def _scenario(desk: Desk) -> tuple[Kiosk, list[Any], dict[str, str]]:
    desk.separate_visits()  # visit limits and credits, with check-ins moments apart
    limited = desk.plan(MONTHLY, visit_limit=1, visit_limit_period="week")
    once, pack, nobody = (
        desk.member(),
        desk.member(first_name="Kojo"),
        desk.member(first_name="Efua"),
    )
    desk.membership(once, limited)
    credits = desk.membership(pack, desk.plan(PACK, credits=2))
    kiosk = Kiosk.of(desk)
    at = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    batch = [
        kiosk.checkin(once, at=at),
        kiosk.checkin(nobody, admitted=False),
        kiosk.mutation("checkin.create.v1", {"member_id": once}),  # invalid args
        kiosk.checkin(str(uuid.uuid4())),  # unknown member
        kiosk.checkin(once),  # over the weekly limit: kept, reviewed
        kiosk.checkin(pack, membership_id=credits["id"]),
    ]
    twice = kiosk.checkin(once, at=at)
    batch += [
        twice,
        kiosk.mutation("checkin.create.v1", twice["args"]),  # the same check-in queued twice
        kiosk.checkin(pack),
        kiosk.checkin(pack),  # the pack ran out mid-batch
        kiosk.checkin(nobody, at="2099-01-01T09:00:00+00:00"),  # a clock far ahead
        kiosk.walkin("Yaw", "Asante"),  # another kind of mutation in between
        kiosk.checkin(nobody, admitted=False, at="2099-01-01T09:01:00+00:00"),
    ]
    kiosk.sent.clear()
    return kiosk, batch, {"once": once, "pack": pack, "credits": credits["id"]}


def _outcome(desk: Desk, results: list[dict[str, Any]], ids: dict[str, str]) -> dict[str, Any]:
    client = desk.api.client
    checkins = client.get("/checkins", params={"limit": 500}, headers=desk.admin).json()["items"]
    names = {value: key for key, value in ids.items()}
    membership = client.get(f"/memberships/{ids['credits']}", headers=desk.admin).json()
    return {
        "results": [(r["status"], bool(r["review_item_id"])) for r in results],
        "reasons": [r["reason"] and r["reason"].split(" ")[0] for r in results],
        "checkins": sorted(
            (names.get(c["member_id"], "other"), c["admitted"], names.get(c["membership_id"]))
            for c in checkins
        ),
        "reviews": sorted((i["kind"], i["summary"].split(" on ")[0]) for i in review_items(desk)),
        "credits": membership["credits_remaining"],
    }


def test_a_batch_applies_as_one_push_per_mutation_would(api: Api, container: Container) -> None:
    together, alone = open_desk(api, container, "batch-all"), open_desk(api, container, "batch-one")
    kiosk, batch, ids = _scenario(together)
    all_at_once = kiosk.pushed(batch)
    kiosk_alone, singles, ids_alone = _scenario(alone)
    one_by_one = [kiosk_alone.pushed([mutation])[0] for mutation in singles]
    expected = _outcome(alone, one_by_one, ids_alone)
    assert _outcome(together, all_at_once, ids) == expected
    assert [s for s, _ in expected["results"]] == [
        "applied",
        "applied",
        "rejected",
        "rejected",
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
        "applied",
    ]
    assert expected["credits"] == 0
    assert [r for _, r in expected["results"]].count(True) == 4
    assert all_at_once[7]["reason"] == "already recorded"


def test_a_clash_in_the_batch_write_falls_back_to_one_mutation_at_a_time(
    api: Api, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(api, container, "batch-clash")
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    kiosk = Kiosk.of(desk)
    first = kiosk.checkin(member)
    assert kiosk.pushed([first])[0]["status"] == "applied"
    # A check-in the batch did not see when it read (as if another push recorded it since).
    monkeypatch.setattr(CheckinBatch, "known", lambda _self, _id: False)
    batch = [kiosk.checkin(member)]
    batch += [kiosk.mutation("checkin.create.v1", first["args"]), kiosk.checkin(member)]
    results = kiosk.pushed(batch)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert "clashes" in results[1]["reason"]
    checkins = api.client.get("/checkins", headers=desk.admin).json()["items"]
    assert len(checkins) == 3
    changes, _ = kiosk.pull_all()
    # Once each: what the undone batch had captured went with it.
    assert sorted(c["row_id"] for c in changes if c["table"] == "checkins") == sorted(
        c["id"] for c in checkins
    )
