"""Push: each mutation applied once, in order, with a verdict; faults answered clearly."""

from __future__ import annotations

import gzip
import json

from fastapi.testclient import TestClient

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, open_desk
from tests.integration.sync_helpers import Kiosk, checkin_count


def test_push_applies_each_mutation_and_a_replay_changes_nothing(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "push-once")
    member = desk.member()
    desk.membership(member, desk.plan(MONTHLY))
    kiosk = Kiosk.of(desk)
    batch = [kiosk.checkin(member), kiosk.checkin(member), kiosk.walkin("Kofi", "Boateng")]
    response = kiosk.push(batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == 3
    assert [r["status"] for r in body["results"]] == ["applied"] * 3
    assert checkin_count(desk) == 2

    replay = kiosk.pushed(batch)
    assert [r["status"] for r in replay] == ["duplicate"] * 3
    assert checkin_count(desk) == 2
    # The response of the next push was lost: the kiosk sends it again with a newer action.
    more = [kiosk.checkin(member)]
    kiosk.pushed(more)
    resent = kiosk.pushed([*batch, *more, kiosk.checkin(member)])
    assert [r["status"] for r in resent] == ["duplicate"] * 4 + ["applied"]
    assert checkin_count(desk) == 4
    members = api.client.get("/members", params={"q": "Boateng"}, headers=desk.admin).json()
    assert len(members["items"]) == 1


def test_a_gap_answers_409_with_the_last_applied_id(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-gap")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    kiosk.pushed([kiosk.checkin(member, admitted=False)])
    kiosk.checkin(member)  # id 2 never sent
    response = kiosk.push([kiosk.checkin(member)])
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["last_mutation_id"] == 1
    assert response.json()["code"] == "mutation_gap"
    assert checkin_count(desk) == 1
    # The kiosk recovers by sending from last_mutation_id + 1.
    assert [r["status"] for r in kiosk.pushed(kiosk.sent[1:])] == ["applied", "applied"]


def test_an_invalid_or_unknown_mutation_is_rejected_and_the_queue_moves_on(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "push-reject")
    member = desk.member()
    other = open_desk(api, container, "push-reject-other").member()
    kiosk = Kiosk.of(desk)
    batch = [
        kiosk.checkin(member, admitted=False),
        kiosk.mutation("checkin.create.v1", {"member_id": member}),  # bad args
        kiosk.checkin(other),  # another tenant's member
        kiosk.mutation("booking.create.v9", {"x": 1}),  # unknown
        kiosk.checkin(member, admitted=False),
    ]
    results = kiosk.pushed(batch)
    assert [r["status"] for r in results] == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "applied",
    ]
    assert "checkin_id" in results[1]["reason"]
    assert "not known" in results[2]["reason"]
    assert "booking.create.v9" in results[3]["reason"]
    assert checkin_count(desk) == 2
    # Replayed (the answer was lost): each keeps its first answer, a refusal with its reason.
    replay = kiosk.pushed(batch)
    assert [(r["status"], r["reason"]) for r in replay[1:4]] == [
        ("rejected", r["reason"]) for r in results[1:4]
    ]
    assert [replay[0]["status"], replay[4]["status"]] == ["duplicate", "duplicate"]
    assert checkin_count(desk) == 2


def test_a_kiosk_newer_than_the_server_loses_nothing(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-schema")
    kiosk = Kiosk.of(desk)
    walkin = kiosk.walkin("Esi", "Owusu")
    response = kiosk.push([walkin], schema_version=99)
    assert response.status_code == 409
    assert response.json()["code"] == "schema_unsupported"
    assert "upgrade the server" in response.json()["detail"]
    # Nothing was applied or acknowledged: the same mutation goes through later.
    again = kiosk.push([walkin])
    assert again.status_code == 200, again.text
    assert again.json()["results"][0]["status"] == "applied"


def test_gzip_bodies_are_read_and_bad_gzip_is_a_400(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-gzip")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    response = kiosk.push([kiosk.checkin(member, admitted=False)], compress=True)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] == "applied"
    bad = api.client.post(
        "/sync/push",
        content=b"\x1f\x8bnot really gzip",
        headers={**kiosk.headers, "content-encoding": "gzip", "content-type": "application/json"},
    )
    assert bad.status_code == 400, bad.text
    assert bad.headers["content-type"] == "application/problem+json"
    truncated = gzip.compress(json.dumps({"device_id": kiosk.device_id}).encode())[:-6]
    assert (
        api.client.post(
            "/sync/push",
            content=truncated,
            headers={**kiosk.headers, "content-encoding": "gzip"},
        ).status_code
        == 400
    )
    assert checkin_count(desk) == 1


def test_auth_errors_are_never_rejections(
    api: Api, container: Container, client: TestClient
) -> None:
    desk = open_desk(api, container, "push-auth")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    second = Kiosk.enrol(desk)
    wrong = second.push([second.checkin(member)])
    second.device_id = kiosk.device_id  # claims to be the first kiosk
    wrong = second.push([second.checkin(member)])
    assert wrong.status_code == 403, wrong.text
    revoked = client.post(f"/devices/{kiosk.device_id}/revoke", headers=desk.admin)
    assert revoked.status_code == 200, revoked.text
    response = kiosk.push([kiosk.checkin(member)])
    assert response.status_code == 401
    assert response.json()["code"] == "device_revoked"
    assert kiosk.pull().json()["code"] == "device_revoked"
    no_token = client.post("/sync/push", json={"device_id": kiosk.device_id, "mutations": []})
    assert no_token.status_code == 401
    assert checkin_count(desk) == 1  # only the second kiosk's first push


def test_a_malformed_mutation_name_is_rejected_alone(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-badname")
    kiosk = Kiosk.of(desk)
    batch = [kiosk.mutation("Not a Name!", {}), kiosk.walkin("Kofi", "Owusu")]
    response = kiosk.push(batch)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert "does not know the mutation" in results[0]["reason"]


def test_a_restored_kiosk_database_cannot_reuse_applied_ids(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-restored")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    first = kiosk.checkin(member, admitted=False)
    assert kiosk.pushed([first])[0]["status"] == "applied"
    # The same mutation replayed (its answer was lost): a duplicate, as before.
    assert kiosk.pushed([first])[0]["status"] == "duplicate"
    # An older copy of the kiosk's database numbers a NEW action with the applied id.
    kiosk.next_id = first["mutation_id"]
    reused = kiosk.checkin(member, admitted=False)
    reused["hlc"] = "9" * 16
    response = kiosk.push([reused])
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "device_database_replaced"
    assert "enrol the kiosk again" in response.json()["detail"]
    assert checkin_count(desk) == 1  # the new action was neither applied nor lost as "duplicate"
