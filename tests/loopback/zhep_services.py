"""ZHEP's payments, messaging and health-score services on loopback, as their contracts in
``docs/zhep/`` say they behave: bearer-token auth, idempotency keys answered with the first
answer, problem+json errors. Every request is checked against the contract's schemas (and
so is every answer this server gives); what does not match is kept in ``violations`` and
refused with ``400``, so a test sees a client that strays from the contract.

Faults are queued per server: ``fail(503)`` answers a status without doing anything;
``slow(2.0)`` does the work, then waits before answering (a client that gives up first has
lost the answer to a request that took effect).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import jsonschema_rs
import yaml

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "zhep"
TOKEN = "zhep-service-token-for-tests"

Answer = tuple[int, Any]


@cache
def contract(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONTRACTS / f"{service}.openapi.yaml").read_text())
    return loaded


def schema_errors(service: str, schema: dict[str, Any], value: Any) -> list[str]:
    """What in ``value`` breaks ``schema`` (a piece of the service's contract)."""
    whole = {**schema, "components": contract(service)["components"]}
    validator = jsonschema_rs.validator_for(whole, validate_formats=True)
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]


@dataclass(frozen=True)
class Operation:
    method: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]


def operations(service: str) -> list[Operation]:
    found = []
    for path, item in contract(service)["paths"].items():
        regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        for method, spec in item.items():
            found.append(Operation(method.upper(), re.compile(regex), spec))
    return found


@dataclass
class Fault:
    status: int | None = None
    #: Seconds to wait before answering, after the work is done.
    delay: float = 0.0


def problem(status: int, code: str, detail: str) -> Answer:
    return status, {
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "code": code,
    }


@dataclass
class ZhepState:
    """What one service has seen and holds."""

    service: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    #: Payments: every charge fails with this reason (a declined card).
    decline_reason: str | None = None
    #: Payments: a mobile-money payment stays pending for this many reads.
    pending_reads: int = 0
    payments: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    refunds: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    #: Messaging: parties ZHEP does not know.
    unknown_parties: set[str] = field(default_factory=set)
    messages: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    #: Health score: events taken, in order, once each.
    events: list[dict[str, Any]] = field(default_factory=list)
    event_ids: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, status: int, times: int = 1) -> None:
        self.faults.extend(Fault(status=status) for _ in range(times))

    def slow(self, seconds: float, times: int = 1) -> None:
        self.faults.extend(Fault(delay=seconds) for _ in range(times))

    def seen(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    def made_payments(self) -> list[dict[str, Any]]:
        return [payment for _, payment in self.payments.values()]


# --- the services --------------------------------------------------------------------------


def _idempotent(
    store: dict[tuple[str, str], tuple[Any, dict[str, Any]]],
    key: tuple[str, str],
    body: Any,
) -> Answer | None:
    earlier = store.get(key)
    if earlier is None:
        return None
    if earlier[0] != body:
        return problem(409, "idempotency_key_reused", "this key was used with another request")
    return 200, earlier[1]


def _create_payment(state: ZhepState, body: dict[str, Any], key: str) -> Answer:
    store_key = (body["tenant_id"], key)
    replay = _idempotent(state.payments, store_key, body)
    if replay is not None:
        return replay
    if not body.get("party_id") and not body.get("member_ref"):
        return problem(422, "payer_unknown", "name the payer: party_id or member_ref")
    status, reason = "succeeded", None
    if state.decline_reason is not None:
        status, reason = "failed", state.decline_reason
    elif body["method"] == "mobile_money" and state.pending_reads:
        status = "pending"
    payment = {
        "id": str(uuid.uuid4()),
        "idempotency_key": key,
        "tenant_id": body["tenant_id"],
        "status": status,
        "amount_minor": body["amount_minor"],
        "currency": body["currency"],
        "method": body["method"],
        "failure_reason": reason,
        "refunded_minor": 0,
        "created_at": datetime.now(UTC).isoformat(),
    }
    state.payments[store_key] = (body, payment)
    return 201, payment


def _get_payment(state: ZhepState, payment_id: str) -> Answer:
    for _, payment in state.payments.values():
        if payment["id"] == payment_id:
            if payment["status"] == "pending":
                state.pending_reads -= 1
                if state.pending_reads <= 0:
                    payment["status"] = "succeeded"
            return 200, payment
    return problem(404, "payment_not_found", f"no payment {payment_id}")


def _refund_problem(payment: dict[str, Any] | None, body: dict[str, Any]) -> Answer | None:
    if payment is None:
        return problem(404, "payment_not_found", "no payment was made with that key")
    if payment["currency"] != body["currency"]:
        return problem(422, "currency_mismatch", f"the payment is in {payment['currency']}")
    if payment["status"] != "succeeded":
        return problem(409, "payment_not_succeeded", f"the payment is {payment['status']}")
    if body["amount_minor"] > payment["amount_minor"] - payment["refunded_minor"]:
        return problem(409, "refund_exceeds_payment", "more than what is left of the payment")
    return None


def _create_refund(state: ZhepState, body: dict[str, Any], key: str) -> Answer:
    store_key = (body["tenant_id"], key)
    replay = _idempotent(state.refunds, store_key, body)
    if replay is not None:
        return replay
    found = state.payments.get((body["tenant_id"], body["payment_idempotency_key"]))
    payment = found[1] if found else None
    refused = _refund_problem(payment, body)
    if refused is not None:
        return refused
    assert payment is not None
    payment["refunded_minor"] += body["amount_minor"]
    refund = {
        "id": str(uuid.uuid4()),
        "idempotency_key": key,
        "payment_id": payment["id"],
        "status": "succeeded",
        "amount_minor": body["amount_minor"],
        "currency": body["currency"],
        "failure_reason": None,
    }
    state.refunds[store_key] = (body, refund)
    return 201, refund


def _send_message(state: ZhepState, body: dict[str, Any], key: str) -> Answer:
    store_key = (body.get("tenant_id", ""), key)
    earlier = _idempotent(state.messages, store_key, body)
    if earlier is not None:
        return (202, earlier[1]) if earlier[0] == 200 else earlier
    party = body["recipient"].get("party_id")
    if party in state.unknown_parties:
        return problem(422, "recipient_unknown", f"no party {party}")
    accepted = {"id": str(uuid.uuid4()), "status": "accepted", "channel": body["channel"]}
    state.messages[store_key] = (body, accepted)
    return 202, accepted


def _ingest(state: ZhepState, batch: list[dict[str, Any]]) -> Answer:
    accepted = duplicates = 0
    for event in batch:
        key = (event["source"], event["id"])
        if key in state.event_ids:
            duplicates += 1
            continue
        state.event_ids.add(key)
        state.events.append(event)
        accepted += 1
    return 202, {"accepted": accepted, "duplicates": duplicates}


def _dispatch(state: ZhepState, method: str, path: str, body: Any, key: str | None) -> Answer:
    if (method, path) == ("POST", "/v1/payments"):
        return _create_payment(state, body, key or "")
    if method == "GET" and path.startswith("/v1/payments/"):
        return _get_payment(state, path.rsplit("/", 1)[1])
    if (method, path) == ("POST", "/v1/refunds"):
        return _create_refund(state, body, key or "")
    if (method, path) == ("POST", "/v1/messages"):
        return _send_message(state, body, key or "")
    if (method, path) == ("POST", "/v1/events"):
        return _ingest(state, body)
    return problem(404, "not_found", f"no {method} {path}")


# --- HTTP ----------------------------------------------------------------------------------


def _request_problem(state: ZhepState, op: Operation, headers: Any, raw: bytes) -> Answer | None:
    """What in the request breaks the contract (kept as a violation), or None."""
    for parameter in op.spec.get("parameters", []):
        parameter = (
            contract(state.service)["components"]
            .get("parameters", {})
            .get(parameter.get("$ref", "").rsplit("/", 1)[-1], parameter)
        )
        required = parameter["in"] == "header" and parameter.get("required")
        if required and not headers.get(parameter["name"]):
            return problem(400, "invalid_request", f"the {parameter['name']} header is missing")
    content = op.spec.get("requestBody", {}).get("content")
    if not content:
        return None
    media = next(iter(content))
    if headers.get("Content-Type", "").split(";")[0].strip() != media:
        return problem(415, "unsupported_media_type", f"send {media}")
    try:
        body = json.loads(raw)
    except ValueError:
        return problem(400, "invalid_request", "the body is not JSON")
    errors = schema_errors(state.service, content[media]["schema"], body)
    if errors:
        return problem(400, "invalid_request", "; ".join(errors))
    return None


def _answer_violations(state: ZhepState, op: Operation, answer: Answer) -> list[str]:
    status, body = answer
    response = op.spec["responses"].get(str(status))
    if response is None:
        return [f"{op.method} answered {status}, which the contract does not list"]
    ref = response.get("$ref")
    if ref:
        response = contract(state.service)["components"]["responses"][ref.rsplit("/", 1)[1]]
    schema = next(iter(response["content"].values()))["schema"]
    return schema_errors(state.service, schema, body)


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def _operation(service: str, method: str, path: str) -> Operation | None:
    found = (o for o in operations(service) if o.method == method and o.pattern.match(path))
    return next(found, None)


class ZhepHandler(BaseHTTPRequestHandler):
    """Answers for one service; ``state`` is set on a subclass per server."""

    protocol_version = "HTTP/1.1"
    state: ClassVar[ZhepState]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        state = self.state
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        with state.lock:
            seen = {"method": method, "path": path, "headers": dict(self.headers)}
            state.requests.append({**seen, "body": _loads(raw)})
            fault = state.faults.popleft() if state.faults else None
        if fault is not None and fault.status is not None:
            self._send(problem(fault.status, "injected", f"fault {fault.status}"))
            return
        try:
            answer = self._answer(method, path, raw)
        except Exception as exc:  # a fault of this server: the test must see it
            with state.lock:
                state.violations.append(f"the loopback server failed: {exc!r}")
            answer = problem(500, "server_error", repr(exc))
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        self._send(answer)

    def _answer(self, method: str, path: str, raw: bytes) -> Answer:
        state = self.state
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return problem(401, "unauthenticated", "a valid bearer service token is needed")
        op = _operation(state.service, method, path)
        if op is None:
            return problem(404, "not_found", f"no {method} {path}")
        refused = _request_problem(state, op, self.headers, raw)
        with state.lock:
            if refused is not None:
                state.violations.append(f"{method} {path}: {refused[1]['detail']}")
                return refused
            key = self.headers.get("Idempotency-Key")
            answer = _dispatch(state, method, path, _loads(raw), key)
            state.violations.extend(_answer_violations(state, op, answer))
        return answer

    def _send(self, answer: Answer) -> None:
        status, body = answer
        data = json.dumps(body).encode()
        kind = "application/problem+json" if status >= 400 else "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass


@dataclass
class RunningZhep:
    state: ZhepState
    url: str


@contextmanager
def zhep_service(service: str) -> Iterator[RunningZhep]:
    """One of ``payments``, ``messaging``, ``health-score`` listening on loopback."""
    state = ZhepState(service)
    handler = type("Handler", (ZhepHandler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"zhep-{service}", daemon=True)
    thread.start()
    try:
        yield RunningZhep(state, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
