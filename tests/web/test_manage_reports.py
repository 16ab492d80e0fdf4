"""In a real Chromium: an owner opens Reports, sees the charts drawn (pixels on the canvas,
no refusal by the page's Content-Security-Policy), changes the period and the location,
downloads a CSV, and goes through every report."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from server.bookings.models import Booking
from server.plans.models import RevenueDay
from server.scheduling.models import ClassSession, SessionType
from shared.clock import utcnow
from shared.ids import new_id
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live
from tests.web.pages import open_provider, photograph

SLUG = "reports-browser-gym"
OWNER, PASSWORD = "owner@reports-browser-gym.example", "correct horse battery"
MEMBER = ("ama@reports-browser-gym.example", "member web password")
#: The outcomes of each class's bookings: (status, attendance, cancel kind).
OUTCOMES = [
    ("confirmed", "on_time", None),
    ("confirmed", "on_time", None),
    ("confirmed", "late", None),
    ("confirmed", "no_show", None),
    ("cancelled", None, "late"),
]
#: Pixels drawn on a canvas: the same number of non-transparent ones.
_DRAWN = """(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""


def _api_post(api: httpx.Client, path: str, body: dict[str, Any], headers: Any) -> Any:
    made = api.post(path, json=body, headers=headers)
    assert made.status_code == 201, made.text
    return made.json()


def _three_weeks_at_two_branches(live: Live) -> dict[str, str]:
    """Soho (London) and Osu (Accra), each with classes at two times a day over the last
    three weeks, their bookings decided, and revenue."""
    provider = open_provider(
        live,
        slug=SLUG,
        name="Reports Gym",
        currency="GBP",
        owner=(OWNER, PASSWORD),
        location=("Soho Studio", "Europe/London"),
        member=MEMBER,
    )
    tenant, owner = provider.tenant_id, provider.owner
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        osu = _api_post(
            api,
            "/locations",
            {"name": "Osu", "timezone": "Africa/Accra", "opening_hours": {}},
            owner,
        )["id"]
        members = [
            _api_post(api, "/members", {"first_name": "M", "last_name": f"N{i}"}, owner)["id"]
            for i in range(len(OUTCOMES))
        ]
        plan = _api_post(
            api,
            "/plans",
            {
                "name": "Monthly",
                "kind": "recurring",
                "billing_period": "month",
                "price": "45.00",
                "currency": "GBP",
            },
            owner,
        )["id"]
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    with live.container.uow() as uow:
        types = []
        for name in ("Spin", "Yoga"):
            types.append(new_id())
            uow.db.add(
                SessionType(
                    tenant_id=tenant,
                    id=types[-1],
                    name=name,
                    kind="class",
                    category=name,
                    duration_minutes=45,
                    default_capacity=8,
                    requires_approval=False,
                    intensity="medium",
                    contraindications=[],
                )
            )
        uow.db.flush()
        for days_ago in range(1, 22):
            slots = ((provider.location_id, 7, 0), (provider.location_id, 12, 1), (osu, 18, 1))
            for place, hour, kind in slots:
                start = today - timedelta(days=days_ago, hours=-hour)
                session_id = new_id()
                uow.db.add(
                    ClassSession(
                        tenant_id=tenant,
                        id=session_id,
                        location_id=uuid.UUID(place),
                        session_type_id=types[kind],
                        starts_at=start,
                        ends_at=start + timedelta(minutes=45),
                        capacity=8,
                        confirmed_count=0,
                        waitlist_count=0,
                        next_position=1,
                        status="scheduled",
                        detached=False,
                    )
                )
                uow.db.flush()
                taken = OUTCOMES[: 2 + (days_ago + kind) % 4]
                for position, ((state, came, cancel), member) in enumerate(
                    zip(taken, members, strict=False), 1
                ):
                    uow.db.add(
                        Booking(
                            tenant_id=tenant,
                            id=new_id(),
                            session_id=session_id,
                            member_id=uuid.UUID(member),
                            status=state,
                            position=position,
                            starts_at=start,
                            ends_at=start + timedelta(minutes=45),
                            source="staff",
                            booked_at=start - timedelta(days=1),
                            credit_taken=False,
                            attendance=came,
                            cancel_kind=cancel,
                        )
                    )
            uow.db.add(
                RevenueDay(
                    tenant_id=tenant,
                    day=(today - timedelta(days=days_ago)).date(),
                    location_id=uuid.UUID(provider.location_id),
                    plan_id=uuid.UUID(plan),
                    currency="GBP",
                    sales=1,
                    gross=Decimal("45.00"),
                    refunds=Decimal("0"),
                )
            )
        uow.commit()
    return {"soho": provider.location_id, "osu": osu}


def _charts_drawn(page: Page) -> None:
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() >= 1
    for i in range(canvases.count()):
        drawn = canvases.nth(i).evaluate(_DRAWN)
        assert drawn > 500, f"chart {i} is blank ({drawn} pixels drawn)"


def test_an_owner_reads_the_reports_and_downloads_a_csv(live: Live, browser: Browser) -> None:
    places = _three_weeks_at_two_branches(live)
    width, height = SIZES["desktop"]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    refused: list[str] = []

    def _console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", _console)
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(f"{live.url}/manage/signin")
    page.get_by_label("Gym or studio (short name)").fill(SLUG)
    page.get_by_label("Email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/manage")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{live.url}/manage/reports/attendance")
    expect(page.get_by_role("heading", name="Attendance and fill rate by week")).to_be_visible()
    _charts_drawn(page)
    all_weeks = page.locator('table[data-table="weeks"] tbody tr')
    assert all_weeks.count() == 8
    photograph(page, live, "manage-reports-attendance")

    # Four weeks at Soho only, chosen with the keyboard.
    page.get_by_label("Location").select_option(label="Soho Studio")
    page.get_by_label("Period").select_option(label="4 weeks")
    page.get_by_role("button", name="Show").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/manage/reports/attendance?location={places['soho']}&weeks=4&to=*")
    expect(all_weeks).to_have_count(4)
    expect(page.locator(".report-period")).to_contain_text("Soho Studio")
    _charts_drawn(page)

    with page.expect_download() as fetched:
        page.get_by_role("link", name="Download CSV of attendance and fill rate by week").click()
    download = fetched.value
    assert download.suggested_filename.startswith("attendance-weeks-")
    assert download.suggested_filename.endswith("-Soho-Studio.csv")
    path = download.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "Week of",
        "Sessions",
        "Places",
        "Booked",
        "Attended",
        "Fill rate",
        "Attendance",
    ]
    assert len(rows) == 5
    shown = [
        page.locator('table[data-table="weeks"] tbody tr').nth(i).locator("td").nth(2).inner_text()
        for i in range(4)
    ]
    assert [row[3] for row in rows[1:]] == shown

    for tab, name in (
        ("Classes", "classes"),
        ("Time slots", "slots"),
        ("No-shows", "no-shows"),
        ("Revenue", "revenue"),
    ):
        page.get_by_role("navigation", name="Reports").get_by_role("link", name=tab).click()
        page.wait_for_url(f"**/manage/reports/{name}?location={places['soho']}&weeks=4&to=*")
        expect(page.get_by_role("heading", level=1, name=tab)).to_be_visible()
        if name == "slots":
            # Soho's classes at 07:00 and 12:00 London time, the hours between them empty.
            head = page.locator("table.heat thead th")
            expect(head).to_have_text(["Day", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00"])
            assert page.locator("table.heat td.heat-5").count() >= 1
        else:
            _charts_drawn(page)
        photograph(page, live, f"manage-reports-{name}")
    assert refused == [], refused
    context.close()
