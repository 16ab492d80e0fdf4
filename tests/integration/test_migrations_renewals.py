"""Upgrading to recurring billing gives each live recurring membership its next renewal on
the anchor day after the upgrade (never a backlog since it started), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from server.db import migrate
from tests.conftest import PostgresDatabases
from tests.integration.migration_rows import MEMBER, REVISIONS, TENANT, _id, _stamps, rows_at
from tests.integration.test_migrations_data import _engine, _insert

RECURRING, YEARLY = _id(90), _id(91)
MONTH_END, CANCELLED, ANNUAL = _id(92), _id(93), _id(94)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'zmos.db'}"
    postgres: PostgresDatabases = request.getfixturevalue("postgres")
    return postgres.create("zmos_migrate_renewals")


def _plan(plan_id: object, period: str) -> dict[str, object]:
    return {
        "tenant_id": TENANT, "id": plan_id, "name": f"Every {period}", "kind": "recurring",
        "billing_period": period, "price": 40, "currency": "GBP", "credits": None,
        "validity_days": None, "location_rule": "all", "location_ids": [],
        "visit_limit": None, "visit_limit_period": None, "visit_limit_mode": "block",
        "active": True, **_stamps(),
    }  # fmt: skip


def _membership(membership_id: object, plan_id: object, status: str) -> dict[str, object]:
    return {
        "tenant_id": TENANT, "id": membership_id, "member_id": MEMBER, "plan_id": plan_id,
        "status": status, "starts_on": date(2025, 1, 31), "ends_on": None,
        "frozen_until": None, "source": "desk", "credits_remaining": None,
        "home_location_id": None, **_stamps(),
    }  # fmt: skip


def test_live_recurring_memberships_get_their_next_renewal(url: str) -> None:
    # The newest revision the test rows are written for; 0009-0013 keep memberships as they are.
    migrate.upgrade(url, REVISIONS[-1])
    rows = rows_at(REVISIONS[-1])
    rows["access_plans"] += [_plan(RECURRING, "month"), _plan(YEARLY, "year")]
    rows["memberships"] += [
        _membership(MONTH_END, RECURRING, "active"),
        _membership(CANCELLED, RECURRING, "cancelled"),
        _membership(ANNUAL, YEARLY, "frozen"),
    ]
    with _engine(url) as engine:
        with engine.begin() as connection:
            _insert(connection, rows)
        migrate.upgrade(url)
        with engine.connect() as connection:
            found = {
                row[0]: row[1:]
                for row in connection.execute(
                    sa.text(
                        "SELECT id, periods_billed, next_renewal_on, next_charge_on, "
                        "failed_charges FROM memberships"
                    )
                )
            }
    today = datetime.now(UTC).date()
    anchor = date(2025, 1, 31)
    for membership_id, step in ((MONTH_END, "months"), (ANNUAL, "years")):
        periods, renews, charges, failed = found[_normal(membership_id, url)]
        renews = _day(renews)
        assert renews == anchor + relativedelta(**{step: periods})
        assert renews > today >= anchor + relativedelta(**{step: periods - 1})
        assert _day(charges) == renews
        assert failed == 0
    # Cancelled, and packs: nothing to renew.
    assert found[_normal(CANCELLED, url)] == (None, None, None, 0)
    for membership_id, values in found.items():
        if membership_id not in {_normal(m, url) for m in (MONTH_END, ANNUAL, CANCELLED)}:
            assert values == (None, None, None, 0)


def _normal(value: object, url: str) -> object:
    """How an id comes back from a raw SELECT: 32 hex digits on SQLite."""
    return value.hex if url.startswith("sqlite") else value  # type: ignore[attr-defined]


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
