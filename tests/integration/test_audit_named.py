"""Named actions in the audit log: a sale, a refund, a check-in override, a staff member's
booking cancellation, a privacy export, a tenant archive's export and import, a roster upload
and a corporate invoice's issue each write one entry named after the action, with the
entity and its id (never values), beside the entries of the rows they write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server.audit import service as audit_service
from server.audit.models import AuditEntry
from server.audit.schemas import AuditFilters
from server.bootstrap import Container
from server.errors import Forbidden
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole
from tests.integration.archive_helpers import export_bytes, import_bytes, tenant_id_of
from tests.integration.bookings_helpers import open_studio
from tests.integration.corporate_billing_rows import add_plan, corporate_billing_world
from tests.integration.corporate_helpers import corporate_world, upload
from tests.integration.helpers import Api


def _named(container: Container, tenant_id: str | uuid.UUID, action: str) -> list[AuditEntry]:
    with container.uow() as uow:
        query = select(AuditEntry).where(
            AuditEntry.tenant_id == uuid.UUID(str(tenant_id)), AuditEntry.action == action
        )
        return list(uow.db.execute(query).scalars())


def test_desk_actions_are_named(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "audit-named-desk")
    desk = studio.desk
    tenant_id = studio.tenant_id
    member = studio.member(plan="")
    sale_id = api.sell_day_pass(desk.tenant, member, desk.location["id"])
    [sale] = _named(container, tenant_id, "sale")
    assert (sale.entity, sale.entity_id, sale.actor_role) == ("desk_payments", sale_id, "owner")
    refund_id = str(uuid.uuid4())
    refunded = api.client.post(
        f"/sales/{sale_id}/refunds",
        json={"refund_id": refund_id, "amount": "4.00", "reason": "moved away"},
        headers=desk.admin,
    )
    assert refunded.status_code == 201, refunded.text
    [refund] = _named(container, tenant_id, "refund")
    assert (refund.entity, refund.entity_id) == ("sale_refunds", refund_id)
    # An admission on a membership is no override; a refused one let in by staff is.
    stranger = desk.member()
    checked = desk.check_in(stranger, override_reason="paid cash, card in the post").json()
    assert checked["admitted"] is True and checked["override_by"] == desk.desk_staff_id
    [override] = _named(container, tenant_id, "check-in-override")
    assert (override.entity, override.entity_id) == ("checkins", checked["id"])
    assert override.actor_role == "front_desk" and override.fields == []
    # Staff cancelling a booking is named; the member's own cancellation is not.
    session_id = studio.session()
    regular, other = studio.member(), studio.member()
    by_staff = studio.booked(session_id, regular)["id"]
    by_member = studio.booked(session_id, other)["id"]
    assert studio.cancel(by_staff).status_code == 200
    own = api.client.post(f"/me/bookings/{by_member}/cancel", headers=studio.member_headers(other))
    assert own.status_code == 200, own.text
    [cancelled] = _named(container, tenant_id, "booking-cancel")
    assert (cancelled.entity, cancelled.entity_id) == ("bookings", by_staff)
    # The row changes are there too, beside the named entries.
    with container.uow() as uow:
        updates = uow.db.execute(
            select(AuditEntry.entity_id).where(
                AuditEntry.tenant_id == uuid.UUID(tenant_id),
                AuditEntry.entity == "bookings",
                AuditEntry.action == "update",
            )
        ).scalars()
        assert {by_staff, by_member} <= set(updates)


def test_exports_imports_and_corporate_actions_are_named(api: Api, container: Container) -> None:
    tenant = api.sign_up("audit-named-corp")
    member = api.client.post(
        "/members", json={"first_name": "Efua", "last_name": "Asante"}, headers=tenant.headers
    )
    assert member.status_code == 201, member.text
    member_id = member.json()["id"]
    exported = api.client.get(f"/members/{member_id}/data-export", headers=tenant.headers)
    assert exported.status_code == 200, exported.text
    [privacy] = _named(container, tenant.id, "privacy-export")
    assert (privacy.entity, privacy.entity_id) == ("members", member_id)
    world = corporate_world(api, container, tenant, name="Beta Ltd")
    # A dry run changes nothing: no entry.
    roster = "employee_id,work_email,package\nE1,ama@acme.example,Gold\n"
    assert upload(api, tenant.headers, world["account_id"], roster, dry_run=True).is_success
    assert _named(container, tenant.id, "roster-upload") == []
    assert upload(api, tenant.headers, world["account_id"], roster).is_success
    [uploaded] = _named(container, tenant.id, "roster-upload")
    assert (uploaded.entity, uploaded.entity_id) == ("corporate_accounts", world["account_id"])
    billed = corporate_billing_world(api, tenant, add_plan(api, tenant))
    [issued] = _named(container, tenant.id, "invoice-issue")
    assert (issued.entity, issued.entity_id) == ("corporate_invoices", billed["invoice_id"])
    # Issuing the same month again finds the invoice: nothing new is issued.
    again = api.client.post(
        f"/corporate/accounts/{billed['account_id']}/invoices",
        json={"month": "2026-01"},
        headers=tenant.headers,
    )
    assert again.status_code == 200 and len(_named(container, tenant.id, "invoice-issue")) == 1
    data = export_bytes(container, uuid.UUID(tenant.id))
    [archived] = _named(container, tenant.id, "archive-export")
    assert (archived.entity, archived.entity_id) == ("tenants", tenant.id)
    done = import_bytes(container, data, "audit-named-copy")
    copy_id = tenant_id_of(container, "audit-named-copy")
    [imported] = _named(container, copy_id, "archive-import")
    assert (imported.entity, imported.entity_id) == ("tenants", str(done.tenant_id))


def test_the_log_is_for_owners_of_the_whole_business(api: Api, container: Container) -> None:
    tenant = api.sign_up("audit-located")
    here = api.create_location(tenant, "Osu")
    # Owners are tenant-wide: an owner of some locations cannot be made ...
    refused = api.client.post(
        "/staff",
        json={
            "name": "Osu owner",
            "email": "osu@audit-located.example",
            "role": "owner",
            "password": "correct horse battery staple",
            "location_ids": [here["id"]],
        },
        headers=tenant.headers,
    )
    assert refused.status_code == 422 and refused.json()["code"] == "owner_tenant_wide"
    # ... and claims naming some locations would be refused the log, never shown part of it.
    owner = AccessClaims(
        PrincipalKind.STAFF,
        uuid.UUID(tenant.owner_id),
        uuid.UUID(tenant.id),
        StaffRole.OWNER,
        location_ids=frozenset({uuid.UUID(here["id"])}),
    )
    with pytest.raises(Forbidden):
        audit_service.list_entries(
            uow=container.uow(), claims=owner, filters=AuditFilters(), limit=10, offset=0
        )
    whole = AccessClaims(
        PrincipalKind.STAFF, uuid.UUID(tenant.owner_id), uuid.UUID(tenant.id), StaffRole.OWNER
    )
    page = audit_service.list_entries(
        uow=container.uow(), claims=whole, filters=AuditFilters(), limit=10, offset=0
    )
    assert page.items
