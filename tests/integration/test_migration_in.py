"""Migration in from another system's CSV exports: mapping, dry runs, per-row reports,
references kept across files and runs, idempotent re-runs, all-or-nothing files."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select

from server.bookings.models import Booking
from server.bootstrap import Container
from server.members.models import Member
from server.migration_in.models import MigrationKey, MigrationRun
from server.plans.models import Membership
from server.scheduling.models import ClassSession
from tests.integration.helpers import Api, Tenant
from tests.integration.plans_helpers import MONTHLY

SOURCE = "GymSoft"
# Semicolons, a BOM, day-first dates and the other system's own header names.
MEMBERS = (
    "\ufeffClient ID;Forename;Surname;E-mail;Mobile;DOB;Notes\n"
    "C1;Ama;Mensah;ama@x.example;+233 20 111 2222;31/01/1990;likes yoga\n"
    "C2;Kofi;Boateng;kofi@x.example;;07/03/1985;\n"
    "C3;Yaa;Asantewaa;;;;\n"
)
MEMBERS_MAP = {
    "Client ID": "external_id",
    "Forename": "first_name",
    "Surname": "last_name",
    "E-mail": "email",
    "Mobile": "phone",
    "DOB": "date_of_birth",
    "Notes": "",
}
TYPES = "Class ID\tClass name\tLength\tSpaces\nT1\tSpin\t45\t2\nT2\tYoga\t60\t10\n"
TYPES_MAP = {
    "Class ID": "external_id",
    "Class name": "name",
    "Length": "duration_minutes",
    "Spaces": "capacity",
}
SESSIONS = "id,type,day,time\nS1,T1,02/03/2026,07:00\nS2,T2,03/03/2026,18:30\n"
SESSIONS_MAP = {"id": "external_id", "type": "class_type", "day": "date", "time": "start_time"}
MEMBERSHIPS = (
    "Contract,Member,Product,From,Until\n"
    "K1,C1,Monthly unlimited,01/01/2026,\n"
    "K2,C2,monthly UNLIMITED,01/06/2025,31/12/2025\n"
)
MEMBERSHIPS_MAP = {
    "Contract": "external_id",
    "Member": "member",
    "Product": "plan",
    "From": "starts_on",
    "Until": "ends_on",
}
BOOKINGS = (
    "Booking,Client,Session,Status,Attended\n"
    "B1,C1,S1,booked,yes\n"
    "B2,C2,S1,booked,no\n"
    "B3,C3,S2,cancelled,\n"
)
BOOKINGS_MAP = {
    "Booking": "external_id",
    "Client": "member",
    "Session": "session",
    "Status": "status",
    "Attended": "attendance",
}


def _import(
    api: Api,
    tenant: Tenant,
    entity: str,
    csv: str | bytes,
    mapping: dict[str, str],
    **params: Any,
) -> Any:
    query = {
        "source_system": SOURCE,
        "mapping": json.dumps(mapping),
        "dry_run": "false",
        "date_format": "dmy",
        **params,
    }
    return api.client.post(
        f"/migration-in/{entity}/import",
        content=csv.encode() if isinstance(csv, str) else csv,
        params=query,
        headers={**tenant.headers, "content-type": "text/csv"},
    )


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _count(container: Container, model: type[Any]) -> int:
    with container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(model)).scalar_one())


def _everything(api: Api, tenant: Tenant) -> list[dict[str, Any]]:
    return [
        _ok(_import(api, tenant, entity, csv, mapping))
        for entity, csv, mapping in (
            ("members", MEMBERS, MEMBERS_MAP),
            ("class_types", TYPES, TYPES_MAP),
            ("sessions", SESSIONS, SESSIONS_MAP),
            ("memberships", MEMBERSHIPS, MEMBERSHIPS_MAP),
            ("bookings", BOOKINGS, BOOKINGS_MAP),
        )
    ]


def _setup(api: Api, slug: str) -> Tenant:
    tenant = api.sign_up(slug)
    api.create_location(tenant)
    response = api.client.post("/plans", json=MONTHLY, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return tenant


def test_the_suggested_mapping_reads_other_systems_header_names(api: Api) -> None:
    tenant = _setup(api, "mig-suggest")
    response = api.client.post(
        "/migration-in/members/mapping",
        content=MEMBERS.encode(),
        headers={**tenant.headers, "content-type": "text/csv"},
    )
    assert _ok(response)["mapping"] == MEMBERS_MAP


def test_five_files_import_with_their_references_and_a_second_run_changes_nothing(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-chain")
    first = _everything(api, tenant)
    assert [r["counts"]["created"] for r in first] == [3, 2, 2, 2, 3]
    assert all(r["applied"] and r["counts"]["error"] == 0 for r in first)
    members = api.client.get("/members", params={"limit": 50}, headers=tenant.headers).json()
    ama = next(m for m in members["items"] if m["first_name"] == "Ama")
    assert (ama["email"], ama["date_of_birth"]) == ("ama@x.example", "1990-01-31")
    with container.uow() as uow:
        spin = uow.db.execute(select(ClassSession).where(ClassSession.capacity == 2)).scalar_one()
        # 07:00 in London on 2 March (GMT) is 07:00 UTC; two confirmed bookings, B3 cancelled.
        assert spin.starts_at.hour == 7 and spin.confirmed_count == 2
        assert spin.next_position == 3
        attended = {b.attendance for b in uow.db.execute(select(Booking)).scalars()}
        assert attended == {"on_time", "no_show", None}
        statuses = sorted(m.status for m in uow.db.execute(select(Membership)).scalars())
        assert statuses == ["active", "expired"]  # K2 ended on 31/12/2025
    keys = _count(container, MigrationKey)
    assert keys == 12

    second = _everything(api, tenant)
    assert [r["counts"] for r in second] == [
        {"created": 0, "updated": 0, "unchanged": n, "error": 0} for n in (3, 2, 2, 2, 3)
    ]
    assert (_count(container, Member), _count(container, MigrationKey)) == (3, keys)

    changed = MEMBERS.replace("kofi@x.example", "kofi.b@x.example")
    rows = _ok(_import(api, tenant, "members", changed, MEMBERS_MAP))["rows"]
    assert [(r["external_id"], r["outcome"]) for r in rows] == [
        ("C1", "unchanged"),
        ("C2", "updated"),
        ("C3", "unchanged"),
    ]
    with container.uow() as uow:
        emails = set(uow.db.execute(select(Member.email)).scalars())
    assert "kofi.b@x.example" in emails


def test_a_file_with_a_bad_row_writes_nothing_unless_the_good_rows_are_applied(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-all-or-nothing")
    _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    _ok(_import(api, tenant, "class_types", TYPES, TYPES_MAP))
    _ok(_import(api, tenant, "sessions", SESSIONS, SESSIONS_MAP))
    bad = BOOKINGS + "B4,C99,S1,booked,\nB5,C3,S1\nB6,C3,S1,booked,maybe\n"
    result = _ok(_import(api, tenant, "bookings", bad, BOOKINGS_MAP))
    assert not result["applied"]
    errors = [(r["line"], r["message"]) for r in result["rows"] if r["outcome"] == "error"]
    assert errors == [
        (5, f"member 'C99' is not one of the members imported from {SOURCE}"),
        (6, "has 3 fields; the header has 5"),
        (7, "attendance 'maybe' is not yes, no or late"),
    ]
    assert _count(container, Booking) == 0

    result = _ok(_import(api, tenant, "bookings", bad, BOOKINGS_MAP, apply_good_rows="true"))
    assert result["applied"] and result["counts"]["created"] == 3
    assert _count(container, Booking) == 3


def test_a_dry_run_reports_every_row_and_writes_nothing(api: Api, container: Container) -> None:
    tenant = _setup(api, "mig-dry")
    result = _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP, dry_run="true"))
    assert (result["applied"], result["counts"]["created"]) == (False, 3)
    assert (_count(container, Member), _count(container, MigrationKey)) == (0, 0)


def test_a_session_never_gets_more_confirmed_bookings_than_places(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-full")
    _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    _ok(_import(api, tenant, "class_types", TYPES, TYPES_MAP))
    _ok(_import(api, tenant, "sessions", SESSIONS, SESSIONS_MAP))
    # Spin (S1) has 2 places: the third confirmed booking is refused, the cancelled one kept.
    full = "Booking,Client,Session,Status\nB1,C1,S1,booked\nB2,C2,S1,booked\nB3,C3,S1,booked\n"
    mapping = {k: v for k, v in BOOKINGS_MAP.items() if k != "Attended"}
    result = _ok(_import(api, tenant, "bookings", full, mapping, apply_good_rows="true"))
    assert [r["outcome"] for r in result["rows"]] == ["created", "created", "error"]
    assert result["rows"][2]["message"] == "the session is full (2 places)"
    with container.uow() as uow:
        spin = uow.db.execute(select(ClassSession).where(ClassSession.capacity == 2)).scalar_one()
        assert spin.confirmed_count == 2


def test_a_member_clashing_with_an_existing_member_is_refused(api: Api) -> None:
    tenant = _setup(api, "mig-clash")
    created = api.client.post(
        "/members",
        json={"first_name": "Old", "last_name": "Timer", "email": "ama@x.example"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    result = _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    assert [(r["line"], r["message"]) for r in result["rows"] if r["outcome"] == "error"] == [
        (2, "there is already a member with the email ama@x.example")
    ]
    assert not result["applied"]


def test_bad_mappings_and_files_are_refused_whole(api: Api) -> None:
    tenant = _setup(api, "mig-bad")
    cases: list[tuple[dict[str, str], str | bytes, str]] = [
        ({**MEMBERS_MAP, "Surname": ""}, MEMBERS, "map a column to each of: last_name"),
        ({**MEMBERS_MAP, "Notes": "email"}, MEMBERS, "two columns are mapped to email"),
        ({**MEMBERS_MAP, "Nope": "email"}, MEMBERS, "the file has no column 'Nope'"),
        ({**MEMBERS_MAP, "Notes": "shoe_size"}, MEMBERS, "'shoe_size' is not a field"),
        (MEMBERS_MAP, b"\xff\xfe", "the file is not UTF-8 text"),
    ]
    for mapping, csv, message in cases:
        response = _import(api, tenant, "members", csv, mapping)
        assert response.status_code == 422, response.text
        assert message in response.json()["detail"]
    broken = api.client.post(
        "/migration-in/members/import",
        content=MEMBERS.encode(),
        params={"source_system": SOURCE, "mapping": "[1]"},
        headers={**tenant.headers, "content-type": "text/csv"},
    )
    assert broken.status_code == 422


def test_only_owners_and_managers_import(api: Api) -> None:
    tenant = _setup(api, "mig-roles")
    api.create_staff(tenant, "front_desk", "desk@x.example")
    headers = api.token_for("mig-roles", "desk@x.example")
    response = api.client.post(
        "/migration-in/members/import",
        content=MEMBERS.encode(),
        params={"source_system": SOURCE, "mapping": json.dumps(MEMBERS_MAP)},
        headers={**headers, "content-type": "text/csv"},
    )
    assert response.status_code == 403


def test_an_erasure_forgets_the_members_source_id_and_stored_files_naming_them(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-erase")
    _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    members = api.client.get("/members", params={"limit": 50}, headers=tenant.headers).json()
    ama = next(m for m in members["items"] if m["first_name"] == "Ama")
    with container.uow() as uow:
        for name, data in (("ama.csv", MEMBERS.encode()), ("other.csv", b"id,name\nX9,Esi\n")):
            uow.db.add(
                MigrationRun(
                    tenant_id=uuid.UUID(tenant.id),
                    source_system=SOURCE,
                    entity="members",
                    filename=name,
                    data=data,
                    report={"rows": [{"line": 2, "message": "ama@x.example is taken"}]}
                    if name == "ama.csv"
                    else None,
                )
            )
        uow.commit()
    erased = api.client.post(
        f"/members/{ama['id']}/erasure",
        json={"confirmation": "ama@x.example"},
        headers=tenant.headers,
    )
    assert erased.status_code == 200, erased.text
    with container.uow() as uow:
        linked = {
            k.external_id: k.zmos_id
            for k in uow.db.execute(select(MigrationKey)).scalars()
            if k.tenant_id == uuid.UUID(tenant.id)
        }
        runs = {
            r.filename: (r.data, r.report)
            for r in uow.db.execute(select(MigrationRun)).scalars()
            if r.tenant_id == uuid.UUID(tenant.id)
        }
    # Ama's link to the other system's "C1" is gone; Kofi's and Yaa's stay.
    assert "C1" not in linked and {"C2", "C3"} <= set(linked)
    assert runs["ama.csv"] == (b"", None)
    assert runs["other.csv"][0] == b"id,name\nX9,Esi\n"
