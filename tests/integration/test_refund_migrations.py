"""Migration 0046 (PSP payments) goes down and up again with sales refunded: its downgrade
drops desk_payments' PSP columns in place (a batch copy of the table on SQLite dropped a
table that sale_refunds' rows point at, and failed once refunds existed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from server.bootstrap import Container
from server.config import Settings
from server.db import migrate
from tests.integration.helpers import Api
from tests.integration.psp_helpers import (
    Psps,
    card_on_file,
    loopback_psps,
    psp_desk,
    psp_settings,
    sale_body,
)


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps)


def _rows(url: str) -> tuple[list[tuple[str, Decimal]], list[tuple[int, Decimal]], set[str]]:
    """The refunds, the sales' refunded amounts and desk_payments' columns, as stored."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            refunds = connection.execute(
                sa.text("SELECT id, amount FROM sale_refunds ORDER BY amount")
            ).all()
            sales = connection.execute(
                sa.text("SELECT receipt_number, refunded_amount FROM desk_payments ORDER BY 1")
            ).all()
        columns = {c["name"] for c in sa.inspect(engine).get_columns("desk_payments")}
    finally:
        engine.dispose()
    return (
        [(str(uuid.UUID(str(i))), Decimal(a)) for i, a in refunds],
        [(int(n), Decimal(r)) for n, r in sales],
        columns,
    )


def test_0046_goes_down_and_up_with_refunded_sales(
    api: Api, container: Container, psps: Psps, settings: Settings
) -> None:
    desk, plan = psp_desk(api, container, "refund-down-0046")
    member = desk.member()
    card_on_file(api, desk, member)
    cash = api.client.post(
        "/sales", json=sale_body(desk, desk.member(), plan, "cash"), headers=desk.desk
    )
    card = api.client.post(
        "/sales", json=sale_body(desk, member, plan, "card_on_file"), headers=desk.desk
    )
    assert cash.status_code == card.status_code == 201, card.text
    refunds = []
    for sale, amount in ((cash, "5.00"), (card, "10.00")):
        body = {"refund_id": str(uuid.uuid4()), "reason": "moved away", "amount": amount}
        made = api.client.post(
            f"/sales/{sale.json()['sale_id']}/refunds", json=body, headers=desk.admin
        )
        assert made.status_code == 201, made.text
        refunds.append((body["refund_id"], Decimal(amount)))
    url = settings.database_url
    assert url is not None
    container.dispose()
    migrate.downgrade(url, "0045")
    kept, sales, columns = _rows(url)
    assert kept == refunds
    assert sales == [(1, Decimal("5.00")), (2, Decimal("10.00"))]
    assert not {"payment_status", "provider", "provider_reference"} & columns
    migrate.upgrade(url)
    kept, sales, columns = _rows(url)
    assert kept == refunds
    assert sales == [(1, Decimal("5.00")), (2, Decimal("10.00"))]
    assert {"payment_status", "provider", "provider_reference"} <= columns
