"""In a real Chromium: an owner opens the Reports' Members tab with the keyboard, reads
the months and the cohort triangle, and downloads the report as a CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, expect

from server.checkin.models import Checkin
from server.plans.models import Membership
from shared.clock import utcnow
from shared.ids import new_id
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "members-report-gym"
OWNER, PASSWORD = "owner@members-report-gym.example", "correct horse battery"
MEMBER = ("ama@members-report-gym.example", "member web password")


def _members_over_three_months(live: Live) -> None:
    """Nine members at Soho who joined over the last 80 days, some of them visiting
    since, two of them gone."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Members Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=MEMBER,
    )
    owner: Any = provider.owner
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        plan = api.post(
            "/plans",
            json={
                "name": "Monthly",
                "kind": "recurring",
                "billing_period": "month",
                "price": "45.00",
                "currency": "GBP",
            },
            headers=owner,
        ).json()["id"]
        members = [
            api.post(
                "/members",
                json={
                    "first_name": "M",
                    "last_name": f"N{i}",
                    "home_location_id": provider.location_id,
                },
                headers=owner,
            ).json()["id"]
            for i in range(9)
        ]
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    with live.container.uow() as uow:
        for i, member in enumerate(members):
            joined = (now - timedelta(days=80 - 9 * i)).date()
            gone = joined + timedelta(days=20) if i in (1, 4) else None
            uow.db.add(
                Membership(
                    tenant_id=provider.tenant_id,
                    id=new_id(),
                    member_id=uuid.UUID(member),
                    plan_id=uuid.UUID(plan),
                    status="cancelled" if gone else "active",
                    starts_on=joined,
                    ends_on=gone,
                    source="desk",
                )
            )
            for days_ago in range(80 - 9 * i, 0, -7 - i):
                at = now - timedelta(days=days_ago)
                uow.db.add(
                    Checkin(
                        tenant_id=provider.tenant_id,
                        id=new_id(),
                        member_id=uuid.UUID(member),
                        location_id=uuid.UUID(provider.location_id),
                        method="search",
                        admitted=True,
                        reason="ok",
                        occurred_at=at,
                        recorded_at=at,
                    )
                )
        uow.commit()


def test_an_owner_reads_the_members_tab_and_downloads_it(live: Live, browser: Browser) -> None:
    _members_over_three_months(live)
    width, height = SIZES["desktop"]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{live.url}/manage/reports/attendance")
    # To the Members tab and a 13-week period, with the keyboard.
    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Members").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/manage/reports/members?*")
    page.get_by_label("Period").select_option(label="13 weeks")
    page.get_by_role("button", name="Show").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/manage/reports/members?location=*&weeks=13&to=*")
    expect(page.get_by_role("heading", name="Retention by monthly cohort")).to_be_visible()
    months = page.locator('table[data-table="months"] tbody tr')
    assert months.count() >= 3
    # Nine members joined in the period: the "New" column adds up to nine.
    new = [int(months.nth(i).locator("td").nth(0).inner_text()) for i in range(months.count())]
    assert sum(new) == 9
    cohorts = page.locator('table[data-table="cohorts"] tbody tr')
    assert cohorts.count() == months.count()
    photograph(page, live, "manage-reports-members")

    with page.expect_download() as fetched:
        page.get_by_role("link", name="CSV of the members report").click()
    download = fetched.value
    assert download.suggested_filename.startswith("members-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["New, active and churned members by month"]
    assert rows[1] == ["Month", "New", "Active", "Churned"]
    assert [int(r[1]) for r in rows[2 : 2 + len(new)]] == new
    assert ["Retention by monthly cohort"] in rows
    context.close()
