"""Screening data for the route walks (isolation, bad input, location scope): a member's
questionnaire needing clearance, a clearance and a risk flag, and bodies for the routes."""

from __future__ import annotations

from typing import Any

from shared.carepath.screening import QUESTION_KEYS
from tests.integration.helpers import Api, Tenant

#: Answers whose yes no follow-up resolves: the member needs a clearance.
NEEDS_CLEARANCE: dict[str, bool] = {
    **dict.fromkeys(QUESTION_KEYS, False),
    "supervision": True,
}

#: Bodies the walks send to the screening routes.
SCREENING_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/members/{member_id}/screening"): {"json": {"answers": NEEDS_CLEARANCE}},
    ("POST", "/members/{member_id}/clearances"): {"json": {"evidence": "GP letter"}},
    ("POST", "/members/{member_id}/risk-flags"): {"json": {"flag": "stress"}},
}


def screening_world(api: Api, tenant: Tenant, member_id: str) -> dict[str, str]:
    """The member screened (needing clearance), cleared, and flagged: the ids the walks use."""
    headers = tenant.headers
    screened = api.client.post(
        f"/members/{member_id}/screening", json={"answers": NEEDS_CLEARANCE}, headers=headers
    )
    assert screened.status_code == 201, screened.text
    cleared = api.client.post(
        f"/members/{member_id}/clearances", json={"evidence": "GP letter"}, headers=headers
    )
    assert cleared.status_code == 201, cleared.text
    flag = api.client.post(
        f"/members/{member_id}/risk-flags", json={"flag": "joint_pain"}, headers=headers
    )
    assert flag.status_code == 201, flag.text
    return {"clearance_id": cleared.json()["id"], "flag_id": flag.json()["id"]}
