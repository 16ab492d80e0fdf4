"""Erasure and the audit log: the erasure is one named entry naming no personal data, and
the server's answers to kiosks' pushes about the erased member lose their text."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from server.audit.models import AuditEntry
from server.bootstrap import Container
from server.sync.models import ReviewItem, SyncMutation
from shared.clock import utcnow
from tests.integration.helpers import Api
from tests.integration.privacy_helpers import EFUA, privacy_world


def _pushed(container: Container, tenant_id: uuid.UUID, device_id: uuid.UUID, n: int) -> None:
    now = utcnow()
    with container.uow() as uow:
        uow.db.execute(
            insert(SyncMutation).values(
                tenant_id=tenant_id,
                device_id=device_id,
                mutation_id=n,
                name="member.create.v1",
                status="applied",
                reason=f"walk-in {EFUA['first_name']} {EFUA['last_name']} may be a duplicate",
                device_time=now,
                clamped=False,
                hlc=f"hlc-{n}",
                received_at=now,
            )
        )
        uow.commit()


def test_erasure_clears_pushed_answers_and_is_logged_without_values(
    api: Api, container: Container
) -> None:
    world = privacy_world(api, container, "audit-erase")
    tenant_id = uuid.UUID(world.desk.tenant.id)
    device_id = uuid.UUID(world.desk.device_id)
    member_id = uuid.UUID(world.member_id)
    _pushed(container, tenant_id, device_id, 7)  # about Efua (a review item names her)
    _pushed(container, tenant_id, device_id, 8)  # about nobody the erasure knows of
    with container.uow() as uow:
        uow.db.add(
            ReviewItem(
                tenant_id=tenant_id,
                location_id=uuid.UUID(world.desk.location["id"]),
                kind="possible_duplicate",
                member_id=member_id,
                device_id=device_id,
                mutation_id=7,
                summary="walk-in Efua Quartey may be a duplicate",
                created_at=utcnow(),
            )
        )
        uow.commit()
    done = api.client.post(
        f"/members/{world.member_id}/erasure",
        json={"confirmation": EFUA["email"]},
        headers=world.owner,
    )
    assert done.status_code == 200, done.text
    assert done.json()["tables"]["sync_mutations"] == "kept (cleared: reason of 1)"
    with container.uow() as uow:
        rows = {
            m.mutation_id: m
            for m in uow.db.execute(
                select(SyncMutation).where(SyncMutation.tenant_id == tenant_id)
            ).scalars()
        }
        entries = list(
            uow.db.execute(select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)).scalars()
        )
    # The row stays (its id and outcome are the kiosk's replay log); its text is gone.
    assert (rows[7].status, rows[7].reason) == ("applied", None)
    assert rows[8].reason is not None and "Efua" in rows[8].reason
    [erasure] = [e for e in entries if e.action == "erasure"]
    assert (erasure.entity, erasure.entity_id) == ("members", world.member_id)
    assert erasure.actor_role == "owner" and erasure.actor_kind == "staff"
    assert "sync_mutations" in erasure.fields
    # Nothing of Efua's in the whole log, before or after her erasure.
    for entry in entries:
        seen = repr([getattr(entry, c.key) for c in AuditEntry.__table__.columns]).lower()
        for value in EFUA.values():
            assert value.lower() not in seen, (value, entry.entity, entry.action)


def test_a_staff_sign_in_is_logged_with_its_address(api: Api, container: Container) -> None:
    tenant = api.sign_up("audit-signin")
    assert api.login(tenant.slug, f"owner@{tenant.slug}.example").status_code == 200
    with container.uow() as uow:
        [signed] = uow.db.execute(
            select(AuditEntry).where(
                AuditEntry.tenant_id == uuid.UUID(tenant.id), AuditEntry.action == "sign-in"
            )
        ).scalars()
    assert (signed.actor_id, signed.entity_id) == (uuid.UUID(tenant.owner_id), tenant.owner_id)
    assert signed.ip == "testclient" and signed.actor_role == "owner"
