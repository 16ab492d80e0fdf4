"""Set-up → Prescription profiles through its forms: a profile made with ticked goals and
flags, an edit that writes version 2 with version 1 shown under the form, a refused dose
shown again with 422 and nothing stored, a coach turned away, another tenant's profile not
found, archiving from the list, and a Tile following a profile picked on its form."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.prescriptions.models import PrescriptionProfileVersion
from server.prescriptions.starter import starter_profiles
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.prescriptions_helpers import PROFILE
from tests.integration.test_web_setup import _browser, _made_id, submit
from tests.integration.web_helpers import staff_signs_in

SLUG = "profile-gym"
OWNER = f"owner@{SLUG}.example"

FORM = {
    "name": "Knee-friendly strength",
    "summary": "",
    "goals.strength": "on",
    "risks.joint_pain": "on",
    "contraindications.recent_injury": "on",
    "frequency_min": "2",
    "frequency_max": "3",
    "intensity": "moderate",
    "intensity_ceiling": "moderate",
    "minutes_per_session": "30",
    "minutes_per_week": "60",
    "types": "strength\nmobility",
    "notes": "",
    "sources": "",
}


@pytest.fixture
def tenant(api: Api) -> Tenant:
    return api.sign_up(SLUG)


@pytest.fixture
def owner(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    with _browser(container) as client:
        assert staff_signs_in(client, SLUG, OWNER, PASSWORD).status_code == 303
        yield client


def _versions(container: Container) -> int:
    with container.uow() as uow:
        return uow.db.query(PrescriptionProfileVersion).count()


def test_a_profile_is_made_and_edited_into_version_2_through_the_forms(
    owner: TestClient, api: Api, tenant: Tenant
) -> None:
    listed = owner.get("/manage/setup/profiles")
    assert listed.status_code == 200
    assert "Balance &amp; falls prevention" in listed.text
    made = submit(owner, "/manage/setup/profiles/new", **FORM)
    profile_id = _made_id(made, "profiles")
    read = api.client.get(f"/prescription-profiles/{profile_id}", headers=tenant.headers).json()
    assert read["current"]["indications"] == ["strength", "joint_pain"]
    assert read["current"]["contraindications"] == ["recent_injury"]
    assert read["current"]["types"] == ["strength", "mobility"]

    edited = submit(
        owner, f"/manage/setup/profiles/{profile_id}", **{**FORM, "minutes_per_week": "90"}
    )
    assert edited.status_code == 303, edited.text
    page = owner.get(f"/manage/setup/profiles/{profile_id}").text
    assert 'data-version="2"' in page and 'data-version="1"' in page
    assert "90 min a week" in page and "60 min a week" in page
    assert "Joint pain" in page  # the flag by its label


def test_a_refused_dose_is_the_form_again_with_422_and_nothing_stored(
    owner: TestClient, container: Container
) -> None:
    before = _versions(container)
    refused = submit(
        owner,
        "/manage/setup/profiles/new",
        **{**FORM, "frequency_min": "5", "frequency_max": "2"},
    )
    assert refused.status_code == 422
    assert "cannot be more than" in refused.text
    assert 'value="Knee-friendly strength"' in refused.text
    assert _versions(container) == before


def test_a_coach_is_turned_away_and_another_tenants_profile_is_not_found(
    owner: TestClient, api: Api, tenant: Tenant, container: Container
) -> None:
    other = api.sign_up("profile-other")
    theirs = api.client.post("/prescription-profiles", json=PROFILE, headers=other.headers).json()
    assert owner.get(f"/manage/setup/profiles/{theirs['id']}").status_code == 404
    assert owner.get(f"/manage/setup/profiles/{uuid.uuid4()}").status_code == 404
    email = f"coach@{SLUG}.example"
    api.create_staff(tenant, "coach", email)
    with _browser(container) as coach:
        assert staff_signs_in(coach, SLUG, email, PASSWORD).status_code == 303
        assert coach.get("/manage/setup/profiles").status_code == 403


def test_archiving_from_the_list_and_a_tile_following_a_picked_profile(
    owner: TestClient, api: Api, tenant: Tenant
) -> None:
    listed = api.client.get("/prescription-profiles", headers=tenant.headers).json()["items"]
    assert len(listed) == len(starter_profiles())
    chosen = next(p for p in listed if p["starter_key"] == "back-care-core")
    made = submit(
        owner,
        "/manage/setup/tiles/new",
        title="Cat and camel",
        summary="Round and arch the back slowly.",
        minutes="5",
        intensity="vigorous",
        steps="On hands and knees.\nRound, then arch, ten times.",
        contraindications="",
        video_url="",
        profile_id=chosen["id"],
    )
    tile_id = _made_id(made, "tiles")
    tile = api.client.get(f"/tiles/{tile_id}", headers=tenant.headers).json()
    # The profile's "low" is the Tiles' "light"; its flags replace the form's.
    assert (tile["profile_id"], tile["intensity"]) == (chosen["id"], "light")
    assert tile["contraindications"] == chosen["current"]["contraindications"]

    archived = submit(
        owner, "/manage/setup/profiles", f"/manage/setup/profiles/{chosen['id']}/archive"
    )
    assert archived.status_code == 303
    read = api.client.get(f"/prescription-profiles/{chosen['id']}", headers=tenant.headers)
    assert read.json()["archived_at"]
    # The Tile keeps following it, and its own form still saves.
    again = submit(
        owner,
        f"/manage/setup/tiles/{tile_id}",
        title="Cat and camel",
        summary="Round and arch the back slowly.",
        minutes="6",
        intensity="light",
        steps="On hands and knees.",
        contraindications="",
        video_url="",
        profile_id=chosen["id"],
    )
    assert again.status_code == 303, again.text
