"""The console's journey pages without a browser: the library and a template's page, the
weeks form (add and remove a week change the form only; a save with an enrolment makes
the next version and says so beforehand), bad input is the form again (422) with nothing
changed, a coach cannot open Set-up, other tenants' ids are not found, and the forms need
their CSRF token."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.journeys_helpers import enrol, new_member, shipped
from tests.integration.web_helpers import csrf_of, staff_signs_in

SLUG = "journey-pages"
OWNER = f"owner@{SLUG}.example"


@pytest.fixture
def tenant(api: Api) -> Tenant:
    tenant = api.sign_up(SLUG)
    api.create_location(tenant, "Central")
    return tenant


@pytest.fixture
def owner(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        assert staff_signs_in(client, SLUG, OWNER, PASSWORD).status_code == 303
        yield client


def _weeks_form(client: TestClient, template_id: str) -> tuple[str, dict[str, str]]:
    """The form's CSRF token and its fields as shown."""
    page = client.get(f"/manage/setup/journeys/{template_id}/weeks")
    assert page.status_code == 200, page.text
    fields = dict(
        re.findall(
            r'name="((?:minutes|sessions|strength_days|tiles)-\d+)" value="(\d*)"', page.text
        )
    )
    fields["weeks"] = re.search(r'name="weeks" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    return csrf_of(page.text), fields


def _post(
    client: TestClient, template_id: str, csrf: str, fields: dict[str, str], action: str
) -> Any:
    return client.post(
        f"/manage/setup/journeys/{template_id}/weeks",
        data={"csrf": csrf, **fields, "action": action},
        follow_redirects=False,
    )


def test_library_and_template_pages(api: Api, tenant: Tenant, owner: TestClient) -> None:
    index = owner.get("/manage/setup")
    assert 'href="/manage/setup/journeys"' in index.text
    library = owner.get("/manage/setup/journeys")
    assert library.status_code == 200
    for name in (
        "8-week Metabolic Reset",
        "6-week Back &amp; Core Rescue",
        "4-week Stress &amp; Sleep Reset",
    ):
        assert name in library.text
    metabolic = shipped(api, tenant.headers)["metabolic_reset"]
    page = owner.get(f"/manage/setup/journeys/{metabolic['id']}")
    assert page.status_code == 200
    for text in (
        "Pre-diabetes".lower(),
        "Sit-to-stand in 30 seconds",
        "Resting heart rate",
        "Versions",
    ):
        assert text in page.text
    assert owner.get(f"/manage/setup/journeys/{uuid.uuid4()}").status_code == 404
    assert owner.get("/manage/setup/journeys/not-an-id").status_code == 404


def test_a_save_with_an_enrolment_makes_version_2(
    api: Api, container: Container, tenant: Tenant, owner: TestClient
) -> None:
    back = shipped(api, tenant.headers)["back_core_rescue"]
    location = api.client.get("/locations", headers=tenant.headers).json()["items"][0]["id"]
    enrol(container, tenant.id, back["id"], new_member(api, tenant, location))
    page = owner.get(f"/manage/setup/journeys/{back['id']}/weeks")
    assert "Saving makes version 2: 1 member stays on version 1." in page.text
    csrf, fields = _weeks_form(owner, back["id"])
    # Add a week: the form has 7 rows, nothing is saved.
    added = _post(owner, back["id"], csrf, fields, "add")
    assert added.status_code == 200 and 'name="minutes-7"' in added.text
    assert (
        api.client.get(f"/journeys/templates/{back['id']}", headers=tenant.headers).json()["weeks"]
        == 6
    )
    removed = _post(owner, back["id"], csrf, {**fields, "weeks": "6"}, "remove")
    assert 'name="minutes-6"' not in removed.text and 'name="minutes-5"' in removed.text
    saved = _post(owner, back["id"], csrf, {**fields, "minutes-3": "80"}, "save")
    assert saved.status_code == 303, saved.text
    shown = owner.get(saved.headers["location"])
    assert "Saved. This is version 2." in shown.text
    read = api.client.get(f"/journeys/templates/{back['id']}", headers=tenant.headers).json()
    assert read["current_version"] == 2 and read["current"]["plan"]["weeks"][2]["minutes"] == 80
    assert [(v["version"], v["enrolments"]) for v in read["versions"]] == [(1, 1), (2, 0)]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            {"minutes-2": "0", "sessions-2": "0", "strength_days-2": "0", "tiles-2": "0"},
            "Week 2: asks for nothing",
        ),
        ({"minutes-1": "lots"}, "Week 1: minutes must be a whole number."),
        ({"sessions-1": "15"}, "Week 1: sessions must be 0 to 14, not 15"),
        ({"minutes-1": "9999999"}, "less than or equal to 100000"),
    ],
)
def test_bad_weeks_are_the_form_again(
    api: Api, tenant: Tenant, owner: TestClient, change: dict[str, str], says: str
) -> None:
    stress = shipped(api, tenant.headers)["stress_sleep_reset"]
    before = api.client.get(f"/journeys/templates/{stress['id']}", headers=tenant.headers).json()
    csrf, fields = _weeks_form(owner, stress["id"])
    response = _post(owner, stress["id"], csrf, {**fields, **change}, "save")
    assert response.status_code == 422, response.text
    assert says in response.text
    assert 'aria-invalid="true"' in response.text or 'role="alert"' in response.text
    assert (
        api.client.get(f"/journeys/templates/{stress['id']}", headers=tenant.headers).json()
        == before
    )


def test_a_coach_cannot_open_journeys_and_forms_need_csrf(
    api: Api, container: Container, tenant: Tenant, owner: TestClient
) -> None:
    stress = shipped(api, tenant.headers)["stress_sleep_reset"]
    csrf, fields = _weeks_form(owner, stress["id"])
    no_token = owner.post(
        f"/manage/setup/journeys/{stress['id']}/weeks",
        data={**fields, "action": "save"},
        follow_redirects=False,
    )
    assert no_token.status_code == 403
    api.create_staff(tenant, "coach", f"coach@{SLUG}.example")
    with TestClient(create_app(container=container), raise_server_exceptions=False) as coach:
        assert staff_signs_in(coach, SLUG, f"coach@{SLUG}.example", PASSWORD).status_code == 303
        assert coach.get("/manage/setup/journeys").status_code == 403
        assert coach.get(f"/manage/setup/journeys/{stress['id']}/weeks").status_code == 403
    other = api.sign_up("journey-pages-rival")
    theirs = shipped(api, other.headers)["stress_sleep_reset"]
    assert owner.get(f"/manage/setup/journeys/{theirs['id']}").status_code == 404
    assert _post(owner, theirs["id"], csrf, fields, "save").status_code == 404
