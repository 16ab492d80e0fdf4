"""Assessment values are health data: sealed at rest, in new rows and, by the migration,
in rows stored before it; only the member's and their staff's reads open them."""

from __future__ import annotations

import struct
from pathlib import Path

import sqlalchemy as sa

from server.bootstrap import Container
from server.db import migrate
from server.db.session import make_engine
from tests.integration.helpers import Api
from tests.integration.journey_rows import Clinic, open_clinic

#: Nobody else's number: looked for as text and as SQLite's 8-byte big-endian double.
VALUE = 47.83
CLEAR = (b"47.83", struct.pack(">d", VALUE))
KEY = "test-secret-key-for-signing-tokens-0123456789"  # the integration settings' key


def _assessed(api: Api, clinic: Clinic) -> tuple[str, dict[str, str]]:
    me = clinic.member_headers(clinic.member())
    made = api.client.post(
        "/me/journeys/enrolments", json={"template_id": clinic.journey_id}, headers=me
    ).json()
    done = api.client.post(
        f"/journeys/enrolments/{made['id']}/assessments",
        json={"key": "sit_to_stand_30s", "week": 0, "value": VALUE},
        headers=me,
    )
    assert done.status_code == 201, done.text
    assert done.json()["value"] == VALUE
    return made["id"], me


def _read_back(api: Api, enrolment_id: str, headers: dict[str, str]) -> float:
    detail = api.client.get(f"/journeys/enrolments/{enrolment_id}", headers=headers).json()
    values = [a["value"] for a in detail["assessments"] if a["value"] is not None]
    assert len(values) == 1
    return float(values[0])


def _assert_sealed(container: Container, url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            columns = [
                c["name"] for c in sa.inspect(connection).get_columns("journey_assessment_results")
            ]
            assert "value" not in columns
            rows = connection.execute(sa.text("SELECT * FROM journey_assessment_results")).all()
    finally:
        engine.dispose()
    assert rows
    stored = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
        for row in rows
        for v in row
        if v is not None
    )
    for clear in CLEAR:
        assert clear not in stored
    if url.startswith("sqlite"):
        container.dispose()  # everything on disk, nothing left in a WAL alone
        path = Path(url.removeprefix("sqlite:///"))
        data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
        for clear in CLEAR:
            assert clear not in data, clear


def test_a_recorded_value_is_sealed_at_rest(api: Api, container: Container, db_url: str) -> None:
    clinic = open_clinic(api, container, "sealed-assessment")
    enrolment_id, me = _assessed(api, clinic)
    _assert_sealed(container, db_url)
    assert _read_back(api, enrolment_id, me) == VALUE
    # The member's data export opens it.
    export = api.client.get("/me/data-export", headers=me)
    assert export.status_code == 200
    assert b"47.83" in export.content


def test_the_migration_seals_values_stored_before_it(
    api: Api, container: Container, db_url: str
) -> None:
    clinic = open_clinic(api, container, "sealed-migration")
    enrolment_id, me = _assessed(api, clinic)
    container.dispose()
    try:
        # Back to the schema before sealing: the value in clear, as it was stored then.
        migrate.downgrade(db_url, "0036", secret_key=KEY)
        engine = make_engine(db_url, pool_size=1)
        try:
            with engine.connect() as connection:
                clear = connection.execute(
                    sa.text("SELECT value FROM journey_assessment_results")
                ).scalars()
                assert [float(v) for v in clear] == [VALUE]
        finally:
            engine.dispose()
    finally:
        migrate.upgrade(db_url, secret_key=KEY)
    _assert_sealed(container, db_url)
    # Sealed as the application seals: it opens it again.
    assert _read_back(api, enrolment_id, me) == VALUE
