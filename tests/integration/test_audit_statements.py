"""The audit log sees Core statements run through the session: an ``UPDATE``, ``DELETE`` or
``INSERT`` is one entry (the row's key when the ``WHERE`` names one, else a count), with the
names of the columns set and never their values."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from server.audit.models import AuditEntry
from server.bootstrap import Container
from server.db.actor import Actor, acting_as
from server.notices.models import Notice
from shared.clock import utcnow
from tests.integration.helpers import Api

SECRET = "very-private@example.com"


def _notice(tenant_id: uuid.UUID, notice_id: uuid.UUID | None = None) -> dict[str, Any]:
    now = utcnow()
    return {
        "tenant_id": tenant_id,
        "id": notice_id or uuid.uuid4(),
        "to_email": "x@example.com",
        "subject": "s",
        "body": "b",
        "topic": "audit.statements",
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


def _logged(container: Container, tenant_id: uuid.UUID) -> list[AuditEntry]:
    with container.uow() as uow:
        query = select(AuditEntry).where(
            AuditEntry.tenant_id == tenant_id, AuditEntry.entity == "notices"
        )
        return sorted(uow.db.execute(query).scalars(), key=lambda e: (e.at, e.action))


def test_core_update_delete_and_insert_are_each_one_entry(api: Api, container: Container) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-core").id)
    actor = Actor("staff", uuid.uuid4(), tenant_id, "owner", "10.0.0.7")
    one, two, three = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with acting_as(actor), container.uow() as uow:
        # A single-row INSERT names its row; a list of rows is one summary of 2.
        uow.db.execute(insert(Notice).values(**_notice(tenant_id, one)))
        uow.db.execute(insert(Notice), [_notice(tenant_id, two), _notice(tenant_id, three)])
        # The WHERE names one row: its key, and the column set (never its value).
        uow.db.execute(
            update(Notice)
            .where(Notice.tenant_id == tenant_id, Notice.id == one)
            .values(to_email=SECRET)
        )
        # No single row: the count of rows changed (3 notices of the topic).
        uow.db.execute(
            update(Notice)
            .where(Notice.tenant_id == tenant_id, Notice.topic == "audit.statements")
            .values(attempts=1, last_error="boom")
        )
        # Matches nothing: nothing changed, nothing logged.
        uow.db.execute(
            update(Notice)
            .where(Notice.tenant_id == tenant_id, Notice.id == uuid.uuid4())
            .values(attempts=2)
        )
        uow.db.execute(delete(Notice).where(Notice.tenant_id == tenant_id, Notice.id == two))
        # A statement built once with named parameters: the key comes from its parameters.
        cached = (
            update(Notice)
            .where(Notice.tenant_id == bindparam("b_tenant"), Notice.id == bindparam("b_id"))
            .values(subject="t")
        )
        uow.db.execute(cached, {"b_tenant": tenant_id, "b_id": three})
        uow.commit()
    got = [(e.action, e.entity_id, e.count, e.fields) for e in _logged(container, tenant_id)]
    assert ("create", str(one), None, sorted(_notice(tenant_id))) in got
    assert ("bulk_create", None, 2, sorted(_notice(tenant_id))) in got
    assert ("update", str(one), None, ["to_email"]) in got
    assert ("update", None, 3, ["attempts", "last_error"]) in got
    assert ("delete", str(two), None, []) in got
    assert ("update", str(three), None, ["subject"]) in got
    assert len(got) == 6, got
    for row in _logged(container, tenant_id):
        assert (row.actor_kind, row.actor_id, row.ip) == ("staff", actor.id, "10.0.0.7")
        assert SECRET not in repr([getattr(row, c.key) for c in AuditEntry.__table__.columns])


def test_a_rolled_back_statement_takes_its_entry_and_selects_write_none(
    api: Api, container: Container
) -> None:
    tenant_id = uuid.UUID(api.sign_up("audit-core-rollback").id)
    actor = Actor("staff", uuid.uuid4(), tenant_id, "owner")
    with acting_as(actor), container.uow() as uow:
        uow.db.execute(insert(Notice).values(**_notice(tenant_id)))
        uow.db.execute(select(Notice).where(Notice.tenant_id == tenant_id)).all()
        pass  # leaving without commit rolls back
    assert _logged(container, tenant_id) == []
