"""Money rules without a database: refunds never exceed a sale, revenue periods, currencies
kept apart, and the receipt's PDF."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from server.sales import receipts
from server.sales.rules import buckets, period_start, refund_problem


@pytest.mark.parametrize(
    ("amount", "refunded", "problem"),
    [
        ("10.00", "0.00", None),
        ("45.00", "0.00", None),
        ("35.00", "10.00", None),
        ("35.01", "10.00", "only 35.00 is left to refund on this sale, not 35.01"),
        ("0.01", "45.00", "this sale has been refunded in full already"),
    ],
)
def test_a_refund_never_exceeds_what_is_left(
    amount: str, refunded: str, problem: str | None
) -> None:
    assert refund_problem(Decimal(amount), Decimal("45.00"), Decimal(refunded)) == problem


@pytest.mark.parametrize(
    ("day", "period", "start"),
    [
        (date(2026, 3, 29), "day", date(2026, 3, 29)),
        (date(2026, 3, 29), "week", date(2026, 3, 23)),  # a Sunday: the Monday before
        (date(2026, 3, 23), "week", date(2026, 3, 23)),
        (date(2026, 1, 1), "week", date(2025, 12, 29)),
        (date(2026, 2, 28), "month", date(2026, 2, 1)),
    ],
)
def test_periods_start_on_mondays_and_first_days(day: date, period: str, start: date) -> None:
    assert period_start(day, period) == start


def test_buckets_never_add_two_currencies() -> None:
    plan = uuid.uuid4()
    rows = [
        (plan, "Monthly", date(2026, 1, 5), "GBP", 2, Decimal("90.00"), Decimal("0")),
        (plan, "Monthly", date(2026, 1, 6), "GHS", 1, Decimal("300.00"), Decimal("0")),
        (plan, "Monthly", date(2026, 1, 20), "GBP", 0, Decimal("0"), Decimal("10.00")),
    ]
    folded = buckets("month", rows)
    assert {key: (b.sales, b.gross, b.refunds, b.net) for key, b in folded.items()} == {
        (plan, date(2026, 1, 1), "GBP"): (2, Decimal("90.00"), Decimal("10.00"), Decimal("80.00")),
        (plan, date(2026, 1, 1), "GHS"): (1, Decimal("300.00"), Decimal("0"), Decimal("300.00")),
    }


def _lines(**changes: object) -> receipts.ReceiptLines:
    fields: dict[str, object] = {
        "tenant_name": "Ɛfua Fitness",
        "receipt_number": 42,
        "taken_at_local": datetime(2026, 3, 29, 7, 30, tzinfo=ZoneInfo("Europe/London")),
        "location_name": "London",
        "member_name": "Émile Ɛfua",
        "plan_name": "Monthly",
        "currency": "GBP",
        "list_price": Decimal("45.00"),
        "discount_amount": Decimal("5.00"),
        "discount_reason": "student",
        "amount": Decimal("40.00"),
        "refunded_amount": Decimal("15.00"),
        "method": "card_terminal",
    }
    fields.update(changes)
    return receipts.ReceiptLines(**fields)  # type: ignore[arg-type]


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_receipt_shows_number_amounts_discount_refund_and_names() -> None:
    text = _text(receipts.render(_lines()))
    for expected in (
        "Receipt No. 000042",
        "Émile Ɛfua",
        "Price 45.00 GBP",
        "-5.00 GBP (student)",
        "Total paid 40.00 GBP",
        "Refunded -15.00 GBP",
        "Net 25.00 GBP",
        "card terminal",
    ):
        assert expected in text, text


def test_a_pending_refund_is_shown_apart_and_not_counted_as_given_back() -> None:
    pending = _text(receipts.render(_lines(refund_pending_amount=Decimal("10.00"))))
    assert "Refund pending 10.00 GBP" in pending and "Net 25.00 GBP" in pending, pending
    only = _text(
        receipts.render(
            _lines(refunded_amount=Decimal("0"), refund_pending_amount=Decimal("10.00"))
        )
    )
    assert "Refund pending 10.00 GBP" in only and "Refunded" not in only, only


def test_without_a_unicode_font_the_receipt_still_renders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receipts._unicode_font.cache_clear()
    monkeypatch.setattr(receipts, "UNICODE_FONTS", ())
    try:
        text = _text(
            receipts.render(_lines(discount_amount=Decimal("0"), refunded_amount=Decimal("0")))
        )
    finally:
        receipts._unicode_font.cache_clear()
    assert "Emile ?fua" in text and "Total paid 40.00 GBP" in text and "Price" not in text
