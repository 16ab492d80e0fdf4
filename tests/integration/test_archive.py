"""The tenant archive: export, read back into an empty tenant, the same rows; refusals that
change nothing."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any, cast

import pytest

from server.archive import rules
from server.archive.tables import archived_tables
from server.bootstrap import Container
from server.config import Settings
from server.errors import Conflict, InvalidInput
from tests.integration.archive_helpers import (
    export_bytes,
    import_bytes,
    seed_demo,
    seed_more,
    table_rows,
    tenant_id_of,
)
from tests.integration.helpers import Api

#: Tables the round trip must see filled, so that it compares more than empty lists.
FILLED = {
    "access_plans",
    "bookings",
    "checkins",
    "class_sessions",
    "corporate_accounts",
    "corporate_departments",
    "journey_enrolments",
    "journey_templates",
    "journey_versions",
    "locations",
    "member_engagement",
    "members",
    "memberships",
    "movement_events",
    "risk_flags",
    "schedules",
    "screening_clearances",
    "screenings",
    "session_types",
    "staff_accounts",
    "tiles",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The outbox job would send the source tenant's notices between the export and the
    # comparison; the round trip compares data at rest.
    return settings.model_copy(update={"background_jobs": False})


def _rewrite(data: bytes, change: dict[str, bytes]) -> bytes:
    """The archive with some entries replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info.filename)))
    return out.getvalue()


def test_round_trip_gives_the_same_rows(api: Api, container: Container, tmp_path: Path) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    seed_more(api, container, demo)
    data = export_bytes(container, demo.tenant_id)
    done = import_bytes(container, data, "copy-of-demo")
    assert done.created
    before = table_rows(container, demo.tenant_id, with_audit=True)
    after = table_rows(container, tenant_id_of(container, "copy-of-demo"), with_audit=True)
    # The copy's audit log is the original's as exported (the export's own entry is written
    # after its last byte, so it is not in it), and then the import's own entries.
    logged = {repr(r) for r in before.pop("audit_entries") if "'archive-export'" not in repr(r)}
    assert logged and logged < {repr(row) for row in after.pop("audit_entries")}
    assert {name for name, rows in before.items() if rows} >= FILLED
    assert set(before) == {t.name for t in archived_tables()} - {"audit_entries"}
    for name in before:
        assert after[name] == before[name], name
    assert done.rows["members"] == len(before["members"])

    # A second run changes nothing: the tenant is no longer empty.
    with pytest.raises(Conflict, match="not empty"):
        import_bytes(container, data, "copy-of-demo")
    assert table_rows(container, tenant_id_of(container, "copy-of-demo")) == after


def test_manifest_describes_every_file(container: Container, tmp_path: Path) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "zmos-tenant-archive"
        assert manifest["version"] == 1
        assert manifest["tenant"]["slug"] == "demo-fitness"
        assert manifest["exported_at"].endswith("Z")
        names = [e["name"] for e in manifest["entities"]]
        assert "refresh_tokens" not in names and "pass_keys" not in names
        for entity in manifest["entities"]:
            content = archive.read(entity["file"])
            assert hashlib.sha256(content).hexdigest() == entity["sha256"]
            header, *records = rules.csv_records(io.StringIO(content.decode(), newline=""))
            assert "tenant_id" not in header
            assert len(records) == entity["rows"]
            assert all(len(record) == len(header) for record in records)
        members = next(e for e in manifest["entities"] if e["name"] == "members")
        kinds = {c["name"]: c["type"] for c in members["columns"]}
        assert kinds["id"] == "uuid" and kinds["photo"] == "binary"
        assert kinds["created_at"] == "datetime"


def test_into_a_tenant_holding_data_is_refused(
    api: Api, container: Container, tmp_path: Path
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    api.sign_up("busy-gym")
    with pytest.raises(Conflict, match=r"busy-gym.*not empty"):
        import_bytes(container, data, "busy-gym")


def test_a_changed_file_is_refused_and_nothing_is_written(
    container: Container, tmp_path: Path
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.read("members.csv")
    tampered = _rewrite(data, {"members.csv": members.replace(b"Ama", b"Amy", 1)})
    with pytest.raises(InvalidInput, match=r"members\.csv does not match its SHA-256"):
        import_bytes(container, tampered, "copy-of-demo")
    with pytest.raises(Exception, match="No row was found"):
        tenant_id_of(container, "copy-of-demo")


def test_a_bad_row_undoes_the_whole_import(container: Container, tmp_path: Path) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        checkins = archive.read("checkins.csv")
    # The last table holding rows gets a broken date: every table before it was inserted.
    broken = checkins.replace(b'"20', b'"not-a-date', 1)
    entity = next(e for e in manifest["entities"] if e["name"] == "checkins")
    entity["sha256"] = hashlib.sha256(broken).hexdigest()
    changed = _rewrite(
        data, {"checkins.csv": broken, "manifest.json": json.dumps(manifest).encode()}
    )
    with pytest.raises(InvalidInput, match="is not a datetime"):
        import_bytes(container, changed, "copy-of-demo")
    with pytest.raises(Exception, match="No row was found"):
        tenant_id_of(container, "copy-of-demo")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, "does not name the format"),
        ({"version": 2}, "archive version 2"),
    ],
)
def test_another_format_or_version_is_refused(
    container: Container, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    changed = _rewrite(data, {"manifest.json": json.dumps({**manifest, **change}).encode()})
    with pytest.raises(InvalidInput, match=message):
        import_bytes(container, changed, "copy-of-demo")


def test_not_a_zip_is_refused(container: Container) -> None:
    with pytest.raises(InvalidInput, match="not a ZIP"):
        import_bytes(container, b"members,csv", "copy-of-demo")


def test_null_and_empty_text_stay_apart() -> None:
    # None → an empty field; "" → a quoted empty field; quotes doubled; a line break kept.
    line = rules.csv_line([None, "", 'say "hi"', "two\r\nlines"])
    assert line == ',"","say ""hi""","two\r\nlines"\n'
    records = list(rules.csv_records(io.StringIO(line + line, newline="")))
    assert records == [[None, "", 'say "hi"', "two\r\nlines"]] * 2


def test_the_fast_writers_agree_with_the_format() -> None:
    from datetime import UTC, date, datetime, timedelta, timezone

    from server.archive.export import _FAST

    samples: dict[str, list[Any]] = {
        "text": ["", 'a "b"', "=1+2", "line\nbreak"],
        "uuid": [uuid.UUID(int=7)],
        "integer": [0, -3, 2**40],
        "boolean": [True, False],
        "datetime": [
            datetime(2026, 2, 1, 7, 30, tzinfo=UTC),
            datetime(2026, 2, 1, 8, 30, 0, 123, tzinfo=timezone(timedelta(hours=1))),
        ],
        "date": [date(2026, 2, 1)],
    }
    for kind, values in samples.items():
        for value in values:
            expected = rules.csv_field(rules.encode(cast(rules.Kind, kind), value))
            assert _FAST[kind](value) == expected, (kind, value)
    # 08:30 at UTC+1 is 07:30 UTC.
    assert _FAST["datetime"](samples["datetime"][1]) == '"2026-02-01T07:30:00.000123Z"'
