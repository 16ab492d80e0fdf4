"""The audit log: every change recorded with who, when, from where and which fields (never
the values); append-only in the database; purged after the retention; read by owners."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from server.audit import service as audit_service
from server.audit.models import AuditEntry
from server.audit.recorder import entry
from server.bootstrap import Container
from server.db.actor import SYSTEM, Actor, acting_as
from server.db.bulk import insert_rows
from server.errors import InvalidInput
from server.jobs import Job, JobRunner
from server.notices.models import Notice
from shared.clock import utcnow
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member
from zmos import cli

NAME, SURNAME, EMAIL, PHONE = "Abena", "Mensah-Quist", "abena.quist@example.com", "+233201112233"


def _entries(container: Container, tenant: Tenant) -> list[AuditEntry]:
    with container.uow() as uow:
        rows = uow.db.execute(
            select(AuditEntry).where(AuditEntry.tenant_id == uuid.UUID(tenant.id))
        ).scalars()
        return list(rows)


def _member(api: Api, tenant: Tenant) -> dict[str, Any]:
    return create_member(api, tenant, first=NAME, last=SURNAME, email=EMAIL, phone=PHONE)


def test_a_change_names_who_when_where_and_the_fields_never_the_values(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("audit-who")
    member = _member(api, tenant)
    changed = api.client.patch(
        f"/members/{member['id']}",
        json={"last_name": "Quist", "phone": "+233209998877"},
        headers=tenant.headers,
    )
    assert changed.status_code == 200, changed.text
    page = api.client.get(
        "/audit", params={"entity": "members", "entity_id": member["id"]}, headers=tenant.headers
    )
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    actions = [item["action"] for item in items]
    assert actions == ["update", "create"]  # newest first
    update_entry, create_entry = items
    assert update_entry["actor_kind"] == "staff"
    assert update_entry["actor_id"] == tenant.owner_id
    assert update_entry["actor_role"] == "owner"
    assert update_entry["ip"] == "testclient"  # the TestClient's client address
    assert set(update_entry["fields"].split(", ")) >= {"last_name", "phone"}
    assert "first_name" not in update_entry["fields"]
    assert "email" in create_entry["fields"]
    # No value anywhere in the log: not the old, not the new.
    for row in _entries(container, tenant):
        seen = repr([getattr(row, c.key) for c in AuditEntry.__table__.columns]).lower()
        for value in (NAME, SURNAME, "Quist", EMAIL, PHONE, "+233209998877", "1112233"):
            assert value.lower() not in seen, (value, row.entity)


def test_only_owners_read_the_log_and_only_their_tenants(api: Api) -> None:
    tenant = api.sign_up("audit-owner")
    other = api.sign_up("audit-other")
    _member(api, other)
    api.create_staff(tenant, "manager", "manager@audit-owner.example")
    manager = api.token_for(tenant.slug, "manager@audit-owner.example")
    assert api.client.get("/audit", headers=manager).status_code == 403
    mine = api.client.get("/audit", params={"entity": "members"}, headers=tenant.headers)
    assert mine.status_code == 200 and mine.json()["items"] == []
    assert api.client.get("/audit").status_code == 401


def test_filters_paging_and_csv(api: Api) -> None:
    tenant = api.sign_up("audit-filter")
    for index in range(3):
        create_member(api, tenant, first=f"M{index}", last="Filter")
    created = api.client.get(
        "/audit",
        params={"entity": "members", "action": "create", "limit": 2},
        headers=tenant.headers,
    ).json()
    assert len(created["items"]) == 2 and created["next_offset"] == 2
    rest = api.client.get(
        "/audit",
        params={"entity": "members", "action": "create", "offset": 2},
        headers=tenant.headers,
    ).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    by_actor = api.client.get(
        "/audit", params={"actor_id": str(uuid.uuid4())}, headers=tenant.headers
    ).json()
    assert by_actor["items"] == []
    today = utcnow().date()
    later = api.client.get(
        "/audit", params={"from": (today + timedelta(days=2)).isoformat()}, headers=tenant.headers
    ).json()
    assert later["items"] == []
    backwards = api.client.get(
        "/audit",
        params={"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()},
        headers=tenant.headers,
    )
    assert backwards.status_code == 422
    assert backwards.headers["content-type"].startswith("application/problem+json")
    csv = api.client.get(
        "/audit", params={"entity": "members", "format": "csv"}, headers=tenant.headers
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert "Actor kind" in lines[0] or any("Actor kind" in line for line in lines[:3])
    assert sum("members" in line and "create" in line for line in lines) == 3


def _one_entry(container: Container, tenant_id: uuid.UUID, days_old: int) -> uuid.UUID:
    row = entry(SYSTEM, utcnow() - timedelta(days=days_old), tenant_id, "create", "x", "1")
    with container.uow() as uow:
        uow.db.execute(insert(AuditEntry).values([row]))
        uow.commit()
    found: uuid.UUID = row["id"]
    return found


def test_the_database_refuses_updates_and_early_deletes(api: Api, container: Container) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-append").id)
    young = _one_entry(container, tenant_id, days_old=1)
    old = _one_entry(container, tenant_id, days_old=45)
    for statement in (
        update(AuditEntry).where(AuditEntry.id == young).values(action="delete"),
        update(AuditEntry).where(AuditEntry.id == old).values(entity="y"),
        delete(AuditEntry).where(AuditEntry.id == young),
    ):
        with container.uow() as uow, pytest.raises(DBAPIError):
            uow.db.execute(statement)
    # Older than the database's 30-day floor: the purge may delete it.
    with container.uow() as uow:
        gone = uow.db.execute(delete(AuditEntry).where(AuditEntry.id == old)).rowcount  # type: ignore[attr-defined]
        uow.commit()
    assert gone == 1
    with container.uow() as uow:
        assert uow.db.execute(select(AuditEntry.id).where(AuditEntry.id == young)).all()


def test_the_purge_deletes_only_entries_past_the_retention(api: Api, container: Container) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-purge").id)
    ids = {days: _one_entry(container, tenant_id, days_old=days) for days in (10, 99, 101, 500)}
    # Retention 100 days: 101 and 500 go; 10 and 99 stay. A retention under the floor
    # (30 days) is refused, nothing deleted; 98 days takes the 99-day-old one.
    done = audit_service.purge(uow=container.uow(), retention_days=100)
    assert done.deleted == 2
    with pytest.raises(InvalidInput):
        audit_service.purge(uow=container.uow(), retention_days=29)
    assert audit_service.purge(uow=container.uow(), retention_days=98).deleted == 1
    with container.uow() as uow:
        kept = set(
            uow.db.execute(select(AuditEntry.id).where(AuditEntry.tenant_id == tenant_id)).scalars()
        )
    assert ids[10] in kept and ids[99] not in kept
    assert ids[101] not in kept and ids[500] not in kept


def test_the_database_floor_is_a_safety_net_for_a_clock_ahead(
    api: Api, container: Container
) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-clock").id)
    young = _one_entry(container, tenant_id, days_old=25)
    old = _one_entry(container, tenant_id, days_old=45)
    # The application's clock 10 days ahead: retention 30 puts the cutoff 20 days back by
    # the database's clock (30 - 10), so the 25-day-old entry is past it; the database's
    # floor (30 days) still protects it. The purge takes the 45-day-old one and keeps the
    # other, where a plain "older than the cutoff" would trip the trigger and delete nothing.
    ahead = utcnow() + timedelta(days=10)
    done = audit_service.purge(uow=container.uow(), retention_days=30, clock=lambda: ahead)
    assert done.deleted == 1
    with container.uow() as uow:
        left = set(uow.db.execute(select(AuditEntry.id)).scalars())
    assert young in left and old not in left


def test_bulk_inserts_one_summary_and_jobs_act_as_the_system(
    api: Api, container: Container
) -> None:
    tenant = api.sign_up("audit-bulk")
    tenant_id = uuid.UUID(tenant.id)
    now = utcnow()
    rows = [
        {
            "tenant_id": tenant_id,
            "id": uuid.uuid4(),
            "to_email": f"p{i}@example.com",
            "subject": "s",
            "body": "b",
            "topic": "audit.test",
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
            "sent_at": None,
            "last_error": None,
        }
        for i in range(5)
    ]

    def job() -> None:
        with container.uow() as uow:
            insert_rows(uow.db, Notice, rows)
            uow.commit()

    runner = JobRunner([Job("audit.test_job", 0.0, job)])
    runner._run(runner._jobs[0])
    [summary] = [e for e in _entries(container, tenant) if e.entity == "notices"]
    assert (summary.action, summary.count, summary.entity_id) == ("bulk_create", 5, None)
    assert (summary.actor_kind, summary.actor_name, summary.actor_id) == (
        "system",
        "audit.test_job",
        None,
    )
    assert "to_email" in summary.fields
    assert not any("@example.com" in str(e.fields) for e in _entries(container, tenant))


def test_a_rolled_back_savepoint_takes_its_entries_with_it(api: Api, container: Container) -> None:
    tenant = api.sign_up("audit-savepoint")
    tenant_id = uuid.UUID(tenant.id)
    actor = Actor("staff", uuid.uuid4(), tenant_id, "owner", "10.0.0.9")
    now = utcnow()
    kept_id, dropped_id = uuid.uuid4(), uuid.uuid4()

    def notice(notice_id: uuid.UUID) -> Notice:
        return Notice(
            tenant_id=tenant_id,
            id=notice_id,
            to_email="x@example.com",
            subject="s",
            body="b",
            topic="t",
            created_at=now,
            next_attempt_at=now,
        )

    with acting_as(actor), container.uow() as uow:
        uow.db.add(notice(kept_id))
        uow.db.flush()
        savepoint = uow.db.begin_nested()
        uow.db.add(notice(dropped_id))
        uow.db.flush()
        savepoint.rollback()
        uow.commit()
    logged = {e.entity_id: e for e in _entries(container, tenant) if e.entity == "notices"}
    assert set(logged) == {str(kept_id)}
    assert logged[str(kept_id)].ip == "10.0.0.9"


def test_the_trigger_is_there_after_migration(container: Container) -> None:
    with container.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            names = connection.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_entries'::regclass")
            ).scalars()
        else:
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
        assert any("audit_entries" in name for name in names)


def test_a_kiosk_push_is_logged_as_the_device(api: Api, container: Container) -> None:
    tenant = api.sign_up("audit-kiosk")
    location = api.create_location(tenant)
    device = api.enrol_device(tenant, location["id"])
    existing = create_member(api, tenant, first="Kwame", last="Mensah")
    api.review_item(device, "Mensah", existing["id"])
    pushed = [
        e for e in _entries(container, tenant) if e.entity == "members" and e.action == "create"
    ]
    by_device = [e for e in pushed if e.actor_kind == "device"]
    assert by_device, [(e.actor_kind, e.entity) for e in pushed]
    assert all(e.actor_id == uuid.UUID(device["device_id"]) for e in by_device)
    assert all(e.ip == "testclient" and e.actor_role is None for e in by_device)
    # The kiosk's review item too, whichever way it was written.
    reviews = [e for e in _entries(container, tenant) if e.entity == "review_items"]
    assert reviews and all(e.actor_kind == "device" for e in reviews)


def test_the_cli_purges_past_the_retention(
    api: Api,
    container: Container,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-cli").id)
    young = _one_entry(container, tenant_id, days_old=40)
    old = _one_entry(container, tenant_id, days_old=401)
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", "test-secret-key-for-signing-tokens-0123456789")
    # The default retention, 400 days: the 401-day-old entry goes, the 40-day-old stays.
    assert cli.main(["audit", "purge"]) == 0
    assert "audit log: 1 entries older than" in capsys.readouterr().out
    with container.uow() as uow:
        left = set(uow.db.execute(select(AuditEntry.id)).scalars())
    assert young in left and old not in left
    # Under the floor: refused, nothing deleted.
    assert cli.main(["audit", "purge", "--days", "10"]) == 2
    with container.uow() as uow:
        assert young in set(uow.db.execute(select(AuditEntry.id)).scalars())
    # --days 30: now the 40-day-old one goes too.
    assert cli.main(["audit", "purge", "--days", "30"]) == 0
    with container.uow() as uow:
        assert young not in set(uow.db.execute(select(AuditEntry.id)).scalars())
