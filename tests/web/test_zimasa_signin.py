"""In a real Chromium: signing in to the console and the member app with Zimasa (ZHEP's
OpenID Connect provider, the real oidc-provider on loopback). The sign-in pages offer it
when it is set up; both pages are photographed at a desktop and a phone size."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import update

from server.members.models import Member
from server.staff.models import StaffAccount
from tests.loopback.zhep_oidc import (
    AUDIENCE,
    CONSOLE_CLIENT,
    CONSOLE_SECRET,
    MEMBER_CLIENT,
    OidcProvider,
    running_provider,
)
from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "zimasa-gym"


@pytest.fixture(scope="module")
def oidc() -> Iterator[OidcProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def live_settings(oidc: OidcProvider) -> dict[str, Any]:
    return {
        "mode": "integrated",
        "oidc_issuer": oidc.issuer,
        "oidc_client_id": CONSOLE_CLIENT,
        "oidc_client_secret": CONSOLE_SECRET,
        "oidc_member_client_id": MEMBER_CLIENT,
        "oidc_audience": AUDIENCE,
    }


def _link(live: Live, model: type[Any], tenant_id: uuid.UUID, row_id: str, party: str) -> None:
    with live.container.uow() as uow:
        uow.db.execute(
            update(model)
            .where(model.tenant_id == tenant_id, model.id == uuid.UUID(row_id))
            .values(party_id=party)
        )
        uow.commit()


def test_staff_and_a_member_sign_in_with_zimasa(
    live: Live, browser: Browser, oidc: OidcProvider
) -> None:
    oidc.allow_redirects_to(f"{live.url}/web/oidc/callback")
    gym = open_provider(
        live,
        slug=SLUG,
        name="Zimasa Gym",
        currency="GHS",
        owner=("owner@zimasa-gym.example", "owner web password"),
        location=("Osu Studio", "Africa/Accra"),
        member=("ama@zimasa-gym.example", "member web password"),
    )
    with live.container.uow() as uow:
        owner_id = uow.db.execute(
            update(StaffAccount)
            .where(StaffAccount.tenant_id == gym.tenant_id)
            .values(party_id="party-owner")
            .returning(StaffAccount.id)
        ).scalar_one()
        uow.commit()
    assert owner_id
    _link(live, Member, gym.tenant_id, gym.member_id, "party-ama")
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    photograph(page, live, "manage-signin-zimasa")
    page.get_by_label("Gym or studio to sign in to with Zimasa").fill(SLUG)
    page.get_by_role("button", name="Continue with Zimasa").click()
    # The provider's own login page, then back to the console.
    page.get_by_label("Party id").fill("party-owner")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    expect(page.get_by_text("Olu Owner").first).to_be_visible()
    context.close()

    # Another person, in their own browser (the provider remembers who signed in there).
    width, height = SIZES["phone"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.url}/app/{SLUG}/signin")
    photograph(page, live, "app-signin-zimasa")
    page.get_by_role("link", name="Continue with Zimasa").click()
    page.get_by_label("Party id").fill("party-ama")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/app/pass")
    expect(page.locator("img.qr")).to_be_visible()
    context.close()
