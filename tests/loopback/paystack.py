"""Paystack's API on loopback, as documented: JSON bodies with a Bearer secret key,
``POST /charge`` with ``mobile_money`` (pending, ``pay_offline``, until the payer approves),
a reused reference refused ("Duplicate Transaction Reference"), ``GET
/transaction/verify/{reference}``, ``POST /refund`` (no idempotency key: the same request
twice makes two refunds), ``GET /refund?transaction=`` (a transaction's refunds, with
their ``merchant_note``), ``GET /transaction`` paged with
``page``/``perPage`` and ``meta.pageCount``, and webhooks signed with
``x-paystack-signature`` (hex HMAC-SHA512 of the body under the secret key)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from typing import Any

from tests.loopback.psp_base import Answer, Call, LoopbackPsp

#: A phone whose network declines at once.
DECLINING_PHONE = "0550000000"


def _no(status: int, message: str) -> Answer:
    return Answer(status, {"status": False, "message": message})


class LoopbackPaystack(LoopbackPsp):
    def __init__(self, secret_key: str) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.transactions: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self._ids = itertools.count(1000)

    def handle(self, call: Call) -> Answer:
        if call.headers.get("authorization") != f"Bearer {self.secret_key}":
            return _no(401, "Invalid key")
        if call.method == "POST" and call.path == "/charge":
            return self._charge(json.loads(call.body or b"{}"))
        if call.method == "POST" and call.path == "/refund":
            return self._refund(json.loads(call.body or b"{}"))
        if call.method == "GET" and call.path.startswith("/transaction/verify/"):
            found = self.transactions.get(call.path.rsplit("/", 1)[1])
            if found is None:
                return _no(400, "Transaction reference not found")
            return Answer(
                200, {"status": True, "message": "Verification successful", "data": found}
            )
        if call.method == "GET" and call.path == "/transaction":
            return self._list(call.query)
        if call.method == "GET" and call.path == "/refund":
            return self._refunds_of(call.query)
        return _no(404, "Not found")

    def add(self, reference: str, amount: int, currency: str, status: str) -> dict[str, Any]:
        found = {
            "id": next(self._ids),
            "reference": reference,
            "amount": amount,
            "currency": currency,
            "status": status,
            "channel": "mobile_money",
            "created_at": datetime.now(UTC).isoformat(),
            "gateway_response": "Approved" if status == "success" else "Awaiting approval",
        }
        self.transactions[reference] = found
        return found

    def _charge(self, body: dict[str, Any]) -> Answer:
        reference = str(body.get("reference"))
        if reference in self.transactions:
            return _no(400, "Duplicate Transaction Reference")
        money = body.get("mobile_money") or {}
        if (
            not body.get("email")
            or not isinstance(body.get("amount"), int)
            or not money.get("phone")
        ):
            return _no(400, "Invalid parameters")
        status = "failed" if money["phone"] == DECLINING_PHONE else "pay_offline"
        found = self.add(reference, body["amount"], body.get("currency", "GHS"), status)
        found["metadata"] = body.get("metadata")
        if status == "failed":
            found["gateway_response"] = "Declined by the network"
        return Answer(200, {"status": True, "message": "Charge attempted", "data": dict(found)})

    def approve(self, reference: str, status: str = "success") -> dict[str, Any]:
        """The payer approved (or refused) on their phone."""
        self.transactions[reference]["status"] = status
        return self.transactions[reference]

    def _refund(self, body: dict[str, Any]) -> Answer:
        found = self._transaction(str(body.get("transaction")))
        if found is None or found["status"] != "success":
            return _no(400, "Transaction not found or not refundable")
        amount = body.get("amount", found["amount"])
        given = sum(r["amount"] for r in self.refunds if r["transaction"] == found["id"])
        if not isinstance(amount, int) or amount <= 0 or given + amount > found["amount"]:
            return _no(400, "Refund amount cannot be more than the transaction amount")
        refund = {
            "id": next(self._ids),
            "transaction": found["id"],
            "transaction_reference": found["reference"],
            "amount": amount,
            "currency": found["currency"],
            "merchant_note": body.get("merchant_note"),
            "customer_note": body.get("customer_note"),
            "status": "pending",
            "created_at": datetime.now(UTC).isoformat(),
        }
        self.refunds.append(refund)
        return Answer(
            200,
            {"status": True, "message": "Refund has been queued for processing", "data": refund},
        )

    def _transaction(self, identity: str) -> dict[str, Any] | None:
        """A transaction by its reference or its numeric id (Paystack takes either)."""
        found = self.transactions.get(identity)
        if found is None:
            found = next((t for t in self.transactions.values() if str(t["id"]) == identity), None)
        return found

    def _refunds_of(self, query: dict[str, str]) -> Answer:
        data = list(self.refunds)
        if "transaction" in query:
            found = self._transaction(query["transaction"])
            data = [r for r in data if found is not None and r["transaction"] == found["id"]]
        meta = {"total": len(data), "perPage": len(data) or 50, "page": 1, "pageCount": 1}
        return Answer(
            200, {"status": True, "message": "Refunds retrieved", "data": data, "meta": meta}
        )

    def _list(self, query: dict[str, str]) -> Answer:
        per, page = int(query.get("perPage", 50)), int(query.get("page", 1))
        found = list(self.transactions.values())
        pages = max(1, -(-len(found) // per))
        meta = {"total": len(found), "perPage": per, "page": page, "pageCount": pages}
        data = found[(page - 1) * per : page * per]
        return Answer(
            200, {"status": True, "message": "Transactions retrieved", "data": data, "meta": meta}
        )


def signed(payload: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
    return body, {"x-paystack-signature": digest, "content-type": "application/json"}
