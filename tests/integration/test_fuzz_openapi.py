"""A property-based fuzz of the whole OpenAPI document: no input makes the server fail.

Every operation the app documents is called with requests schemathesis generates from its
schema: valid ones (positive: they reach the services, with the ids of a seeded tenant with
full data in the paths) and invalid ones (negative: they must be refused with a 4xx). Each
role calls every operation with its own token: owner, manager, a manager limited to one
location, front desk, coach, member and a kiosk device, on SQLite and PostgreSQL. A test
fails on any 5xx answer, and on an answer that does not match the schema documented for
its status code.

The generation is derandomized (the same cases on every run) and bounded by a fixed number of
cases per operation, so that a run takes a few seconds and CI is stable. The number of
operations and cases each run made is printed in the terminal summary.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.bootstrap import Container
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api
from tests.integration.test_isolation import OTHER_PARAMS, _world

# The tenant archive's import takes a ZIP: random bytes, and an empty archive, which the route
# must refuse as cleanly as any other body.
schemathesis.openapi.media_type(
    "application/zip",
    st.one_of(st.binary(max_size=256), st.just(b"PK\x05\x06" + b"\x00" * 18)),
)

pytestmark = pytest.mark.slow

ROLES = ("owner", "manager", "branch_manager", "front_desk", "coach", "member", "kiosk")
#: Cases per operation and generation mode. The owner reaches the most code (few of its calls
#: are refused for the role), so it gets the most cases.
#: (About 20 ms a case on the 2-core machine: the whole fuzz, 12 tests and some 3,000 cases,
#: adds about 30 s to the suite at -n 3.)
EXAMPLES = {"owner": (3, 2)}
DEFAULT_EXAMPLES = (1, 1)
#: A local wall-clock time ("07:00"): pydantic documents it as JSON Schema's "time" format,
#: which requires a UTC offset that such times have not, by design. A pattern checks the
#: same shape, in requests and answers alike.
LOCAL_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"}


@dataclass
class Fuzzed:
    cases: Counter[str] = field(default_factory=Counter)
    #: One reproducing request per failing operation and kind of failure.
    failures: dict[tuple[str, str], str] = field(default_factory=dict)


def _local_times(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            return {**{k: v for k, v in node.items() if k != "format"}, **LOCAL_TIME}
        return {key: _local_times(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_local_times(item) for item in node]
    return node


@pytest.fixture
def world(api: Api, container: Container) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """A tenant with full data, and a token of each role in it."""
    tenant, ids = _world(api, "fuzz-gym")
    headers = {"owner": tenant.headers}
    for role in ("manager", "front_desk"):
        email = f"{role.replace('_', '-')}@fuzz-gym.example"
        extra = {"home_location_id": ids["location_id"]} if role == "front_desk" else {}
        api.create_staff(tenant, role, email, **extra)
        headers[role] = api.token_for(tenant.slug, email)
    # A manager whose role is limited to the world's location (the location-scope checks).
    email = "branch-manager@fuzz-gym.example"
    api.create_staff(tenant, "manager", email, location_ids=[ids["location_id"]])
    headers["branch_manager"] = api.token_for(tenant.slug, email)
    # The world's coach, who teaches nothing: the coach's refusals are fuzzed too.
    headers["coach"] = api.token_for(tenant.slug, "coach@fuzz-gym.example")
    headers["member"] = member_headers(container, tenant.id, ids["member_id"])
    device = api.enrol_device(tenant, ids["location_id"], name="Fuzz kiosk")
    headers["kiosk"] = api.device_headers(device)
    return headers, {**ids, **OTHER_PARAMS}


def _request(case: Case[Any], headers: dict[str, str]) -> dict[str, Any]:
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    sent.pop("auth", None)
    # Per-request cookies are deprecated in the test client, and the API reads none.
    sent.pop("cookies", None)
    if isinstance(sent.get("data"), bytes | str):  # a raw body: httpx takes it as content
        sent["content"] = sent.pop("data")
    return sent


def _describe(sent: dict[str, Any], status: int, text: str) -> str:
    shown = {
        k: sent[k] for k in ("params", "json", "data", "content") if sent.get(k) not in (None, {})
    }
    return f"{sent['method']} {sent['url']} {shown!r} -> {status} {text[:300]}"


#: The cases each operation was fuzzed with, kept for the other roles in this worker. The
#: generation is derandomized from the same function for every role: a role with the same
#: number of cases gets the very same requests (only its token, and the seeded ids in the
#: paths, differ), and drawing them again from the schema took most of each test's time.
#: Keyed by the schema document too, so a changed document never reuses another's cases.
_DRAWN: dict[tuple[str, str, GenerationMode, int], list[Case[Any]]] = {}


def _fuzz(
    client: TestClient,
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    examples: int,
    headers: dict[str, str],
    ids: dict[str, str],
    fuzzed: Fuzzed,
    document: str,
) -> None:
    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    # Valid requests name the seeded tenant's objects, to get past the 404s into the
    # services; invalid ones keep whatever schemathesis makes of the path.
    fixed = known if mode is GenerationMode.POSITIVE and known else None

    def check(case: Case[Any]) -> None:
        sent = _request(case, headers)
        response = client.request(**sent)
        fuzzed.cases[operation.label] += 1
        label = operation.label
        if response.status_code >= 500:
            fuzzed.failures.setdefault(
                (label, "5xx"), _describe(sent, response.status_code, response.text)
            )
            return
        # A multipart upload is sent as a stream: read it, as the check shows the request.
        response.request.read()
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except FailureGroup as failed:
            reason = str(failed.exceptions[0]).splitlines()[0] if failed.exceptions else ""
            fuzzed.failures.setdefault(
                (label, "schema"), f"{reason}: {_describe(sent, response.status_code, '')}"
            )

    key = (document, operation.label, mode, examples)
    if key in _DRAWN:
        for case in _DRAWN[key]:
            if fixed:  # this test's own seeded objects, as generating would have put there
                case.path_parameters = {**(case.path_parameters or {}), **fixed}
            check(case)
        return

    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
    drawn: list[Case[Any]] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def call(case: Case[Any]) -> None:
        drawn.append(case)
        check(case)

    # Unsatisfiable: nothing about this operation can be made invalid (no parameters, no body).
    with contextlib.suppress(Unsatisfiable):
        call()
    _DRAWN[key] = drawn


@pytest.fixture
def schema(client: TestClient) -> Iterator[tuple[Any, str]]:
    document = _local_times(client.get("/openapi.json").json())
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    yield schemathesis.openapi.from_dict(document), digest


@pytest.mark.parametrize("role", ROLES)
def test_no_request_makes_the_server_fail(
    role: str,
    client: TestClient,
    world: tuple[dict[str, dict[str, str]], dict[str, str]],
    schema: tuple[Any, str],
    request: pytest.FixtureRequest,
) -> None:
    headers, ids = world
    positive, negative = EXAMPLES.get(role, DEFAULT_EXAMPLES)
    loaded, document = schema
    operations = [result.ok() for result in loaded.get_all_operations()]
    # Deletions last: the other operations still find the seeded objects.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    fuzzed = Fuzzed()
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, positive),
            (GenerationMode.NEGATIVE, negative),
        ):
            _fuzz(client, operation, mode, examples, headers[role], ids, fuzzed, document)
    summary = (
        f"{role}: {len(operations)} operations, {len(fuzzed.cases)} called, "
        f"{sum(fuzzed.cases.values())} cases, {len(fuzzed.failures)} failures"
    )
    request.node.user_properties.append(("fuzz", summary))
    print(summary)
    assert len(operations) >= 100
    assert len(fuzzed.cases) == len(operations), set(op.label for op in operations) - set(
        fuzzed.cases
    )
    failures = "\n".join(f"[{kind}] {text}" for (_, kind), text in sorted(fuzzed.failures.items()))
    assert not fuzzed.failures, f"{summary}\n{failures}"
