"""The ZHEP contracts in ``docs/zhep/`` are whole OpenAPI 3.1 documents (every reference
resolves, every schema compiles), and the loopback servers hold clients to them: a request
that strays is refused and kept as a violation, which every adapter test checks is empty."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.loopback.zhep_services import TOKEN, contract, schema_errors, zhep_service

SERVICES = ["payments", "messaging", "health-score"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("service", SERVICES)
def test_the_contract_is_a_whole_openapi_3_1_document(service: str) -> None:
    spec = contract(service)
    assert spec["openapi"] == "3.1.0"
    assert spec["security"] == [{"serviceToken": []}]
    assert spec["components"]["securitySchemes"]["serviceToken"]["scheme"] == "bearer"
    for ref in _refs(spec):
        node: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]  # a broken reference raises here
    for schema in spec["components"]["schemas"].values():
        schema_errors(service, schema, None)  # a schema that does not compile raises here
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            assert "401" in answers, f"{method} {path}"
            assert any(code.startswith("2") for code in answers), f"{method} {path}"


def test_the_payments_server_refuses_what_breaks_the_contract() -> None:
    good = {
        "tenant_id": str(uuid.uuid4()),
        "amount_minor": 100,
        "currency": "GHS",
        "method": "card",
        "description": "x",
        "member_ref": str(uuid.uuid4()),
    }
    with zhep_service("payments") as zhep, httpx.Client(base_url=zhep.url) as client:
        key = {"Idempotency-Key": "k1", **AUTH}
        assert (
            client.post("/v1/payments", json={**good, "method": "cash"}, headers=key).status_code
            == 400
        )
        assert (
            client.post("/v1/payments", json={**good, "amount_minor": 1.5}, headers=key).status_code
            == 400
        )
        assert (
            client.post("/v1/payments", json={**good, "extra": 1}, headers=key).status_code == 400
        )
        assert client.post("/v1/payments", json=good, headers=AUTH).status_code == 400  # no key
        assert client.post("/v1/payments", content=b"[]", headers=key).status_code == 415
        assert client.post("/v1/payments", json=good).status_code == 401
        assert len(zhep.state.violations) == 5
        nobody = {**good, "member_ref": None}
        assert client.post("/v1/payments", json=nobody, headers=key).status_code == 422
        assert zhep.state.made_payments() == []
        made = client.post("/v1/payments", json=good, headers=key)
        assert made.status_code == 201 and made.json()["status"] == "succeeded"
        assert client.post("/v1/payments", json=good, headers=key).json() == made.json()


def test_the_messaging_server_wants_a_template_or_a_body_not_both() -> None:
    base = {"recipient": {"email": "a@example.com"}, "channel": "sms"}
    with zhep_service("messaging") as zhep, httpx.Client(base_url=zhep.url) as client:
        key = {"Idempotency-Key": "m1", **AUTH}
        both = {**base, "body": "b", "template": {"id": "t"}}
        assert client.post("/v1/messages", json=both, headers=key).status_code == 400
        assert client.post("/v1/messages", json=base, headers=key).status_code == 400
        nobody = {**base, "recipient": {}, "body": "b"}
        assert client.post("/v1/messages", json=nobody, headers=key).status_code == 400
        assert (
            client.post("/v1/messages", json={**base, "body": "b"}, headers=key).status_code == 202
        )
        assert len(zhep.state.violations) == 3


def test_the_health_score_server_takes_only_cloudevents_batches() -> None:
    event = {
        "specversion": "1.0",
        "id": "e1",
        "source": f"/zmos/tenants/{uuid.uuid4()}",
        "type": "zmos.engagement.badge_awarded",
        "time": "2026-03-02T07:30:00+00:00",
        "subject": "member/x",
        "datacontenttype": "application/json",
        "data": {"tenant_id": str(uuid.uuid4()), "member_id": str(uuid.uuid4())},
    }
    batch = {"Content-Type": "application/cloudevents-batch+json", **AUTH}
    with zhep_service("health-score") as zhep, httpx.Client(base_url=zhep.url) as client:
        assert client.post("/v1/events", json=[event], headers=batch).status_code == 400
        good = {**event, "type": "zmos.movement.tile"}
        assert client.post("/v1/events", json=[good], headers=AUTH).status_code == 415
        assert client.post("/v1/events", json=[], headers=batch).status_code == 400
        taken = client.post("/v1/events", json=[good, good], headers=batch)
        assert (taken.status_code, taken.json()) == (202, {"accepted": 1, "duplicates": 1})
        assert len(zhep.state.violations) == 3
