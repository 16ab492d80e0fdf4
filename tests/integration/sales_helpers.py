"""Helpers for the sales ledger tests: a desk that sells, and the PDF's text."""

from __future__ import annotations

import io
import uuid
from typing import Any

from pypdf import PdfReader

from tests.integration.plans_helpers import Desk


def sell(
    desk: Desk,
    member_id: str,
    plan_id: str,
    amount: str,
    *,
    headers: dict[str, str] | None = None,
    currency: str = "GBP",
    location_id: str | None = None,
    **extra: Any,
) -> Any:
    body = {
        "sale_id": str(uuid.uuid4()),
        "member_id": member_id,
        "plan_id": plan_id,
        "method": "card_terminal",
        "amount": amount,
        "currency": currency,
        "location_id": location_id or desk.location["id"],
        **extra,
    }
    return desk.api.client.post("/sales", json=body, headers=headers or desk.desk)


def sold(desk: Desk, member_id: str, plan_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    response = sell(desk, member_id, plan_id, amount, **extra)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)
