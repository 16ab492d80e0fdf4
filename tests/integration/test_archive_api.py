"""The archive over HTTP and the command line: owners only, streamed; a new tenant made
from it, whose staff sign in with their own passwords."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from shared.enums import StaffRole
from tests.integration.archive_helpers import seed_demo, table_rows, tenant_id_of
from tests.integration.helpers import Api
from tests.integration.web_helpers import staff_signs_in
from zmos import cli, demo_data


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The outbox job would send the source tenant's notices between the export and the
    # comparison; the round trips compare data at rest.
    return settings.model_copy(update={"background_jobs": False})


def _owner(api: Api) -> dict[str, str]:
    signed_in = api.login(demo_data.TENANT_SLUG, demo_data.STAFF[0].email, demo_data.PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def test_owner_downloads_and_makes_a_tenant_of_it(
    api: Api, container: Container, tmp_path: Path
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    owner = _owner(api)
    with api.client.stream("GET", "/tenant/export", headers=owner) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert "attachment" in response.headers["content-disposition"]
        data = b"".join(response.iter_bytes())
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None

    made = api.client.post(
        "/tenant/archive-imports?slug=demo-moved&name=Moved%20Fitness",
        content=data,
        headers={**owner, "Content-Type": "application/zip"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["slug"] == "demo-moved"
    assert made.json()["rows"]["members"] > 0
    # The archive's staff sign in to the new tenant with their own password.
    moved = api.login("demo-moved", demo_data.STAFF[0].email, demo_data.PASSWORD)
    assert moved.status_code == 200, moved.text
    tenant = api.client.get(
        "/tenant", headers={"Authorization": f"Bearer {moved.json()['access_token']}"}
    )
    assert tenant.json()["name"] == "Moved Fitness"
    assert tenant.json()["currency"] == "GHS"
    assert table_rows(container, tenant_id_of(container, "demo-moved")) == table_rows(
        container, demo.tenant_id
    )

    again = api.client.post(
        "/tenant/archive-imports?slug=demo-moved",
        content=data,
        headers={**owner, "Content-Type": "application/zip"},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "slug_taken"


def test_a_bad_archive_is_a_422_and_no_tenant(
    api: Api, container: Container, tmp_path: Path
) -> None:
    seed_demo(container, tmp_path / "passes")
    response = api.client.post(
        "/tenant/archive-imports?slug=demo-moved",
        content=b"not a zip",
        headers={**_owner(api), "Content-Type": "application/zip"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "bad_archive"
    assert api.login("demo-moved", demo_data.STAFF[0].email, demo_data.PASSWORD).status_code == 401


@pytest.mark.parametrize("staff", [1, 2, 3])
def test_only_owners_export(api: Api, container: Container, tmp_path: Path, staff: int) -> None:
    seed_demo(container, tmp_path / "passes")
    person = demo_data.STAFF[staff]
    signed_in = api.login(demo_data.TENANT_SLUG, person.email, demo_data.PASSWORD)
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert api.client.get("/tenant/export", headers=headers).status_code == 403
    assert (
        api.client.post(
            "/tenant/archive-imports?slug=demo-moved",
            content=b"",
            headers={**headers, "Content-Type": "application/zip"},
        ).status_code
        == 403
    )


def test_the_command_line_round_trip(
    container: Container,
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", container.settings.secret_key or "")
    out = tmp_path / "demo.zip"
    assert cli.main(["archive", "export", "--tenant", "demo-fitness", "--out", str(out)]) == 0
    assert out.exists() and not Path(f"{out}.partial").exists()
    assert cli.main(["archive", "import", str(out), "--into", "demo-copy"]) == 0
    assert "demo-copy: made and filled with" in capsys.readouterr().out
    copied = tenant_id_of(container, "demo-copy")
    assert table_rows(container, copied) == table_rows(container, demo.tenant_id)
    # A second run refuses, and changes nothing.
    assert cli.main(["archive", "import", str(out), "--into", "demo-copy"]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert cli.main(["archive", "export", "--tenant", "no-such", "--out", str(out)]) == 1


def test_another_tenants_export_and_feeds_hold_none_of_its_rows(
    api: Api, container: Container, tmp_path: Path
) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    other = api.sign_up("other-gym")
    api.create_location(other)
    with api.client.stream("GET", "/tenant/export", headers=other.headers) as response:
        data = b"".join(response.iter_bytes())
    demo_ids = {
        str(value)
        for rows in table_rows(container, demo.tenant_id).values()
        for row in rows
        for value in row
        if isinstance(value, uuid.UUID)
    }
    assert len(demo_ids) > 100
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert str(demo.tenant_id) not in text
    assert not any(found in text for found in demo_ids)
    for feed in ("attendance", "movement"):
        rows = api.client.get(
            f"/feeds/{feed}?from=2000-01-01&to=2100-01-01&format=ndjson", headers=other.headers
        )
        assert rows.status_code == 200 and rows.text == ""


def test_the_console_download_is_for_owners(container: Container, tmp_path: Path) -> None:
    seed_demo(container, tmp_path / "passes")
    pages = {}
    for person in (demo_data.STAFF[0], demo_data.STAFF[1]):
        with TestClient(create_app(container=container), raise_server_exceptions=False) as web:
            staff_signs_in(web, demo_data.TENANT_SLUG, person.email, demo_data.PASSWORD)
            index = web.get("/manage/setup")
            download = web.get("/manage/setup/export")
            pages[person.role] = (index, download)
    owner_index, owner_download = pages[StaffRole.OWNER]
    assert "Download all our data" in owner_index.text
    assert owner_download.status_code == 200
    assert owner_download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(owner_download.content)) as archive:
        assert "members.csv" in archive.namelist()
    manager_index, manager_download = pages[StaffRole.MANAGER]
    assert manager_index.status_code == 200
    assert "Download all our data" not in manager_index.text
    assert manager_download.status_code == 403
    assert "Only an owner" in manager_download.text
