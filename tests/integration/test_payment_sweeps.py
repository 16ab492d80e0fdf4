"""The payment jobs' sweeps (refunds still pending, PSP payments still pending) look at
every tenant each minute: each is one query, read through a partial index that holds
pending rows only, so tenants with nothing pending cost nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from server.bootstrap import Container
from server.config import Settings
from server.payments import service as payments_service
from server.sales import refunding
from tests.integration.helpers import Api
from tests.integration.psp_helpers import Psps, loopback_psps, psp_desk, psp_settings


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps)


@contextmanager
def _selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def statement(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)


def _plan(engine: Engine, sql: str, params: Any) -> str:
    """The database's plan of a statement as the sweep sent it (PostgreSQL: sequential
    scans off, so the small tables of a test show which index the query can use)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()


def _tenants(api: Api, container: Container, count: int) -> None:
    for n in range(count):
        psp_desk(api, container, f"sweep-{n}")


def test_the_pending_refunds_sweep_is_one_query_through_the_pending_index(
    api: Api, container: Container
) -> None:
    _tenants(api, container, 3)
    with _selects(container.engine) as seen:
        assert refunding.settle_refunds(make_uow=container.uow, payments=container.payments) == 0
    [(sql, params)] = seen
    assert "ix_sale_refunds_tenant_pending" in _plan(container.engine, sql, params)


def test_the_pending_payments_sweep_is_one_query_through_the_pending_index(
    api: Api, container: Container
) -> None:
    _tenants(api, container, 3)
    with _selects(container.engine) as seen:
        moved = payments_service.verify_pending(
            make_uow=container.uow,
            accounts=container.payment_accounts,
            gateways=container.payment_gateways,
        )
    assert moved == 0
    [(sql, params)] = seen
    assert "ix_desk_payments_tenant_pending" in _plan(container.engine, sql, params)
