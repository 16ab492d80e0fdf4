"""The member's rights: their data exported (everything, health data opened), erased
(personal data gone, financial records kept), corrected; every request logged."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from server.bootstrap import Container
from server.db.base import Base
from server.privacy import records, rules
from shared.clock import utcnow
from tests.integration.helpers import Api
from tests.integration.privacy_helpers import ALERT, COACH_NOTE, EFUA, privacy_world


def _export(api: Api, path: str, headers: dict[str, str]) -> dict[str, Any]:
    response = api.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    document: dict[str, Any] = response.json()
    return document


def test_every_table_naming_a_member_is_accounted_for() -> None:
    """A new table with a member_id must say how erasure treats it (or why it holds nothing
    personal); the export finds it by itself."""
    named = {t.name for t in records.member_tables()}
    assert named == set(rules.ERASURE) | set(rules.NOT_PERSONAL), (
        "tables naming a member without an erasure policy: "
        f"{sorted(named - set(rules.ERASURE) - set(rules.NOT_PERSONAL))}"
    )
    assert not set(rules.ERASURE) & set(rules.NOT_PERSONAL)
    assert all(reason.strip() for reason in rules.NOT_PERSONAL.values())
    children = {child.name for child, _, _ in records.child_links()}
    assert children == set(rules.CHILD_ERASURE)
    # A row erasure deletes is pointed at only by rows it deletes first.
    policies = {**rules.ERASURE, **rules.CHILD_ERASURE}
    deleted = {name for name, policy in policies.items() if isinstance(policy, rules.Delete)}
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in deleted:
                assert table.name in deleted, (table.name, fk.referred_table.name)
                assert table.name in rules.DELETE_ORDER, (table.name, fk.referred_table.name)
    for name, policy in policies.items():
        table = Base.metadata.tables[name]
        if isinstance(policy, rules.Keep):
            assert all(c in table.c for c in policy.scrub), name


def test_the_export_holds_the_members_data_and_nobody_elses(api: Api, container: Container) -> None:
    world = privacy_world(api, container, "privacy-export")
    elsewhere = privacy_world(api, container, "privacy-elsewhere")
    path = f"/members/{world.member_id}/data-export"
    document = _export(api, path, world.owner)
    assert document["format"] == "zmos-member-export/1"
    tables = document["tables"]
    assert set(tables) >= {t.name for t in records.member_tables()} | {"members", "notices"}
    [me] = tables["members"]
    assert (me["first_name"], me["email"], me["phone"]) == (
        EFUA["first_name"],
        EFUA["email"],
        EFUA["phone"],
    )
    assert "password_hash" not in me
    assert [s["amount"] for s in tables["desk_payments"]] == ["45.00"]
    assert len(tables["memberships"]) == 1 and len(tables["checkins"]) == 1
    # Health data opened: the questionnaire, the clearance's evidence, the flag, the note.
    [screening] = tables["screenings"]
    assert screening["answers"]["supervision"] is True
    assert tables["screening_clearances"][0]["evidence"] == "GP letter"
    assert tables["risk_flags"][0]["flag"] == "joint_pain"
    assert tables["coach_contacts"][0]["sealed_text"] == COACH_NOTE
    assert tables["member_alerts"][0]["text"] == ALERT
    asked = [r for r in tables["privacy_requests"] if r["kind"] == "rectification"]
    assert asked and asked[0]["details"].startswith("My phone number")
    # Kofi (same tenant) and the other tenant's Efua appear nowhere.
    text = json.dumps(document)
    for stranger in (world.other_id, elsewhere.member_id, elsewhere.desk.tenant.id):
        assert stranger not in text
    assert "Kofi" not in text
    # Still sealed at rest.
    with container.uow() as uow:
        sealed = uow.db.execute(
            select(Base.metadata.tables["coach_contacts"].c.sealed_text)
        ).scalars()
        assert all(COACH_NOTE.encode() not in value for value in sealed)
        answers = uow.db.execute(select(Base.metadata.tables["screenings"].c.answers)).scalars()
        assert all(b"supervision" not in value for value in answers)
    # The other tenant's owner cannot reach her; a front desk and a coach may not export.
    assert api.client.get(path, headers=elsewhere.owner).status_code == 404
    assert api.client.get(path, headers=world.desk.desk).status_code == 403
    # The member exports her own; both exports are logged.
    mine = _export(api, "/me/data-export", world.member())
    assert mine["tables"]["members"][0]["id"] == world.member_id
    assert all("token_hash" not in t for t in mine["tables"]["refresh_tokens"])
    log = api.client.get(
        "/privacy/requests",
        params={"member_id": world.member_id, "kind": "export"},
        headers=world.owner,
    ).json()["items"]
    assert [r["requested_by_kind"] for r in log] == ["member", "staff"]
    assert all(r["completed_at"] for r in log)


def _sales_total(container: Container) -> Decimal:
    table = Base.metadata.tables["desk_payments"]
    with container.uow() as uow:
        return sum(uow.db.execute(select(table.c.amount)).scalars(), Decimal(0))


def _personal_values_left(container: Container, tenant_id: str) -> list[tuple[str, str]]:
    """Every column of every table, read raw, searched for the member's identifying values
    (long enough not to turn up by chance in an id or a hash)."""
    needles = [v.casefold() for v in EFUA.values()] + [COACH_NOTE.casefold(), "111 2233"]
    found = []
    with container.uow() as uow:
        for table in Base.metadata.sorted_tables:
            for row in uow.db.execute(select(table)).mappings():
                for column, value in row.items():
                    text = str(value).casefold()
                    if any(needle in text for needle in needles):
                        found.append((table.name, column))
    return found


def _on_a_roster_and_imported(container: Container, tenant_id: str, member_id: str) -> None:
    """Efua on her employer's roster (with her consent on record) and brought in from
    another system, whose file and source id are still held."""
    tenant, member = uuid.UUID(tenant_id), uuid.UUID(member_id)
    account, employee = uuid.uuid4(), uuid.uuid4()
    tables = Base.metadata.tables
    with container.uow() as uow:
        db = uow.db
        db.execute(
            tables["corporate_accounts"]
            .insert()
            .values(
                tenant_id=tenant,
                id=account,
                name="Acme Ltd",
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        db.execute(
            tables["corporate_employees"]
            .insert()
            .values(
                tenant_id=tenant,
                id=employee,
                account_id=account,
                employee_ref="EQ-4411",
                work_email=EFUA["email"],
                first_name=EFUA["first_name"],
                last_name=EFUA["last_name"],
                status="active",
                member_id=member,
                reminders_sent=0,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        db.execute(
            tables["corporate_consents"]
            .insert()
            .values(
                tenant_id=tenant,
                id=uuid.uuid4(),
                employee_id=employee,
                scope="participation",
                granted_at=utcnow(),
            )
        )
        db.execute(
            tables["migration_keys"]
            .insert()
            .values(
                tenant_id=tenant,
                source_system="GymSoft",
                entity="members",
                external_id="C77",
                zmos_id=member,
                digest="0" * 64,
                imported_at=utcnow(),
            )
        )
        data = f"id,first,last,email\nC77,{EFUA['first_name']},{EFUA['last_name']},"
        db.execute(
            tables["migration_runs"]
            .insert()
            .values(
                tenant_id=tenant,
                id=uuid.uuid4(),
                source_system="GymSoft",
                entity="members",
                filename="clients.csv",
                data=(data + EFUA["email"] + "\n").encode(),
                headers=[],
                mapping={},
                date_format="iso",
                status="checked",
                dry_run=True,
                apply_good_rows=False,
                total=1,
                done=0,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        uow.commit()


def test_erasure_removes_personal_data_and_keeps_the_books(api: Api, container: Container) -> None:
    world = privacy_world(api, container, "privacy-erase")
    _on_a_roster_and_imported(container, world.desk.tenant.id, world.member_id)
    before = _sales_total(container)
    member = world.member()
    assert _personal_values_left(container, world.desk.tenant.id)
    path = f"/members/{world.member_id}/erasure"
    # Refused without the confirmation, and to anyone but an owner: nothing changes.
    for body, headers, status in (
        ({"confirmation": "Efua"}, world.owner, 422),
        ({"confirmation": ""}, world.owner, 422),
        ({}, world.owner, 422),
        ({"confirmation": EFUA["email"]}, world.desk.desk, 403),
    ):
        response = api.client.post(path, json=body, headers=headers)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert api.client.get("/me/profile", headers=member).status_code == 200
    done = api.client.post(path, json={"confirmation": "  efua QUARTEY "}, headers=world.owner)
    assert done.status_code == 200, done.text
    assert done.json()["tables"]["coach_contacts"] == "deleted 1"
    # Nothing identifying is left in any column of any table; the books still add up.
    assert _personal_values_left(container, world.desk.tenant.id) == []
    assert _sales_total(container) == before
    sales = api.client.get(f"/sales/{world.sale_id}", headers=world.owner)
    assert sales.status_code == 200 and sales.json()["amount"] == "45.00"
    members = Base.metadata.tables["members"]
    with container.uow() as uow:
        row = uow.db.execute(
            select(members).where(members.c.id == uuid.UUID(world.member_id))
        ).one()
        assert (row.first_name, row.last_name) == ("Erased", "member")
        assert row.email is row.phone is row.photo is row.barcode is row.password_hash is None
        assert row.archived_at is not None
        for name in ("screenings", "risk_flags", "coach_contacts", "member_alerts"):
            table = Base.metadata.tables[name]
            assert (
                uow.db.execute(
                    select(table).where(table.c.member_id == uuid.UUID(world.member_id))
                ).all()
                == []
            )
        # Kiosks learn she is gone: the member's last change they pull is a removal.
        changes = Base.metadata.tables["sync_changes"]
        last = uow.db.execute(
            select(changes.c.deleted)
            .where(
                changes.c.table_name == "members",
                changes.c.row_id == uuid.UUID(world.member_id),
            )
            .order_by(changes.c.seq.desc())
            .limit(1)
        ).scalar_one()
        assert last is True
    # Her token no longer works; Kofi is untouched.
    assert api.client.get("/me/profile", headers=member).status_code == 401
    kofi = api.client.get(f"/members/{world.other_id}", headers=world.owner).json()
    assert kofi["first_name"] == "Kofi"
    # A second erasure changes nothing.
    again = api.client.post(path, json={"confirmation": "Erased member"}, headers=world.owner)
    assert again.status_code == 409, again.text
    log = api.client.get(
        "/privacy/requests", params={"kind": "erasure"}, headers=world.owner
    ).json()["items"]
    assert [r["member_id"] for r in log] == [world.member_id]


def test_erasure_is_for_owners_only(api: Api, container: Container) -> None:
    world = privacy_world(api, container, "privacy-roles")
    slug = world.desk.tenant.slug
    for role in ("manager", "coach", "front_desk"):
        email = f"{role}-x@{slug}.example"
        api.create_staff(world.desk.tenant, role, email)
        response = api.client.post(
            f"/members/{world.member_id}/erasure",
            json={"confirmation": EFUA["email"]},
            headers=api.token_for(slug, email),
        )
        assert response.status_code == 403, (role, response.text)
    assert api.client.get(f"/members/{world.member_id}", headers=world.owner).json()["email"]


def test_a_correction_asked_for_is_answered_and_logged(api: Api, container: Container) -> None:
    world = privacy_world(api, container, "privacy-rectify")
    waiting = api.client.get(
        "/privacy/requests", params={"open_only": True}, headers=world.owner
    ).json()["items"]
    [asked] = [r for r in waiting if r["member_id"] == world.member_id]
    assert asked["kind"] == "rectification" and asked["requested_by_kind"] == "member"
    # Bad input changes nothing.
    for body in ({"details": ""}, {"details": "  \n "}, {"details": "x" * 2001}, {"text": "hi"}):
        bad = api.client.post("/me/rectification-requests", json=body, headers=world.member())
        assert bad.status_code == 422, bad.text
    fixed = api.client.post(
        f"/members/{world.member_id}/rectifications",
        json={"changes": {"phone": "+233 20 999 0000"}, "request_id": asked["id"]},
        headers=world.owner,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["phone"] == "+233209990000"
    again = api.client.post(
        f"/members/{world.member_id}/rectifications",
        json={"changes": {"phone": "+233 20 999 0001"}, "request_id": asked["id"]},
        headers=world.owner,
    )
    assert again.status_code == 409, again.text
    # A correction staff make unasked is logged too.
    plain = api.client.post(
        f"/members/{world.member_id}/rectifications",
        json={"changes": {"last_name": "Quartey-Mensah"}, "note": "spelling"},
        headers=world.owner,
    )
    assert plain.status_code == 200, plain.text
    mine = api.client.get("/me/privacy-requests", headers=world.member()).json()["items"]
    outcomes = sorted(r["outcome"] for r in mine if r["kind"] == "rectification")
    assert outcomes == ["corrected: last_name (spelling)", "corrected: phone"]
    assert all(r["completed_at"] for r in mine)
    assert (
        api.client.get("/privacy/requests", params={"open_only": True}, headers=world.owner).json()[
            "items"
        ]
        == []
    )
