"""In a real Chromium: an owner brings members over from another system's export: uploads
the file from Set-up, finds the columns already mapped from their names, dry-runs it, reads
the refused row, then imports the good rows while the progress bar runs."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "migration-browser-gym"
OWNER, PASSWORD = "owner@migration-browser-gym.example", "correct horse battery"


def _sign_in(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")


def test_an_owner_maps_dry_runs_and_imports_another_systems_members(
    live: Live, browser: Browser, tmp_path: Path
) -> None:
    open_provider(
        live,
        slug=SLUG,
        name="Migration Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Osu Studio", "Africa/Accra"),
        member=("ama@migration-browser-gym.example", "member web password"),
    )
    rows = [
        f"C{i};Name{i};Family{i};n{i}@old.example;0{i % 28 + 1:02d}/03/1990" for i in range(3000)
    ]
    csv = tmp_path / "clients-export.csv"
    csv.write_text(
        "\ufeffClient ID;Forename;Surname;E-mail;DOB;Loyalty points\n"
        + "\n".join(r + ";10" for r in rows)
        + "\nX1;Bad;Date;bad@old.example;31/02/1990;0\n",
        encoding="utf-8",
    )
    width, height = SIZES["desktop"]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    _sign_in(page, live)
    page.goto(f"{live.url}/manage/setup")
    page.get_by_role("link", name="Import from another system").click()
    page.wait_for_url(f"{live.url}/manage/migration-in")
    photograph(page, live, "manage-migration-in-upload")

    page.get_by_label("The other system's name").fill("ClubSoft")
    page.get_by_label("What the file holds").select_option("members")
    page.get_by_label("How its dates are written").select_option("dmy")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.wait_for_url(f"{live.url}/manage/migration-in/*")
    # The other system's headers come suggested: "Surname" is the last name, and so on.
    expect(page.get_by_label("Surname", exact=True)).to_have_value("last_name")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("email")
    expect(page.get_by_label("Client ID", exact=True)).to_have_value("external_id")
    expect(page.get_by_label("Loyalty points", exact=True)).to_have_value("")
    photograph(page, live, "manage-migration-in-mapping")

    page.get_by_role("button", name="Dry run").click()
    report = page.locator(".migration-report")
    expect(report).to_be_visible(timeout=30_000)
    expect(report.get_by_role("heading")).to_have_text("Dry run: nothing was written")
    expect(report.locator('[data-count="created"] strong')).to_have_text("3000")
    expect(report.locator('[data-count="error"] strong')).to_have_text("1")
    photograph(page, live, "manage-migration-in-dry-run")

    page.get_by_label("Apply the good rows even if some are refused").check()
    page.get_by_role("button", name="Import", exact=True).click()
    bar = page.locator(".migration-progress progress")
    running = page.locator(".migration-progress[data-status='running']")
    if running.count():
        expect(bar).to_be_visible()
        photograph(page, live, "manage-migration-in-progress")
    expect(report.get_by_role("heading")).to_have_text("Imported", timeout=30_000)
    expect(report.locator('[data-count="created"] strong')).to_have_text("3000")
    refused = report.locator("tr[data-outcome='error']")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("'31/02/1990' is not a date (dd/mm/yyyy)")
    photograph(page, live, "manage-migration-in-report")

    # The same file again, uploaded anew: nothing changes.
    page.get_by_role("link", name="Import another file").click()
    page.get_by_label("The other system's name").fill("ClubSoft")
    page.get_by_label("How its dates are written").select_option("dmy")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.wait_for_url(f"{live.url}/manage/migration-in/*")
    page.get_by_label("Apply the good rows even if some are refused").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(report.locator('[data-count="unchanged"] strong')).to_have_text("3000", timeout=30_000)
    expect(report.locator('[data-count="created"] strong')).to_have_text("0")
    page.goto(f"{live.url}/manage/members?q=Family17")
    expect(page.get_by_role("link", name="Family17, Name17")).to_be_visible()
    context.close()
