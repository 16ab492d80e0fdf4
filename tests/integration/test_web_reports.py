"""The console's Reports: attendance and fill rate, popular classes, the weekday × hour heat
map, no-show and late-cancel rates and revenue, for two locations across the start of
British summer time, with figures computed by hand; the CSV of each table; who sees what."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bookings.models import Booking
from server.bootstrap import Container
from server.main import create_app
from server.plans.models import RevenueDay
from server.scheduling.models import ClassSession
from shared.ids import new_id
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD
from tests.integration.web_helpers import staff_signs_in

SLUG = "reports-gym"
OWNER = f"owner@{SLUG}.example"
DESK = f"desk@{SLUG}.example"
#: Four weeks, 2–29 March 2026: the figures are in the last two (16–22 and 23–29 March),
#: the UK's clocks going forward on the 29th.
PERIOD = "weeks=4&to=2026-03-29"
EMPTY_WEEKS = [
    ["2 Mar 2026", "0", "0", "0", "0", "–", "–"],
    ["9 Mar 2026", "0", "0", "0", "0", "–", "–"],
]


@pytest.fixture
def studio(api: Any, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


@dataclass(frozen=True)
class Seeded:
    london: str
    accra: str


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _session(
    studio: Studio, location: str, type_id: str, start: datetime, capacity: int, status: str
) -> uuid.UUID:
    session_id = new_id()
    with studio.container.uow() as uow:
        uow.db.add(
            ClassSession(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=session_id,
                location_id=uuid.UUID(location),
                session_type_id=uuid.UUID(type_id),
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                capacity=capacity,
                confirmed_count=0,
                waitlist_count=0,
                next_position=1,
                status=status,
                detached=False,
            )
        )
        uow.commit()
    return session_id


#: What became of a booking: (status, attendance, cancel kind).
CAME = ("confirmed", "on_time", None)
LATE = ("confirmed", "late", None)
NO_SHOW = ("confirmed", "no_show", None)
LATE_CANCEL = ("cancelled", None, "late")
IN_TIME_CANCEL = ("cancelled", None, "in_time")
WAITING = ("waitlisted", None, None)
BOOKED = ("confirmed", None, None)
CALLED_OFF = ("cancelled", None, "session_cancelled")


def _class(
    studio: Studio,
    members: list[str],
    where: tuple[str, str],
    start: datetime,
    capacity: int,
    outcomes: list[tuple[str, str | None, str | None]],
    status: str = "scheduled",
) -> None:
    session_id = _session(studio, *where, start, capacity, status)
    with studio.container.uow() as uow:
        for position, ((state, attendance, cancel), member) in enumerate(
            zip(outcomes, members, strict=False), 1
        ):
            uow.db.add(
                Booking(
                    tenant_id=uuid.UUID(studio.tenant_id),
                    id=new_id(),
                    session_id=session_id,
                    member_id=uuid.UUID(member),
                    status=state,
                    position=position,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    source="staff",
                    booked_at=start - timedelta(days=2),
                    credit_taken=False,
                    attendance=attendance,
                    cancel_kind=cancel,
                    cancelled_at=start - timedelta(hours=1) if cancel else None,
                )
            )
        uow.commit()


def _revenue(studio: Studio, location: str, plan: str, day: date, *figures: Any) -> None:
    sales, gross, refunds, currency = figures
    with studio.container.uow() as uow:
        uow.db.add(
            RevenueDay(
                tenant_id=uuid.UUID(studio.tenant_id),
                day=day,
                location_id=uuid.UUID(location),
                plan_id=uuid.UUID(plan),
                currency=currency,
                sales=sales,
                gross=Decimal(gross),
                refunds=Decimal(refunds),
            )
        )
        uow.commit()


def _seed(studio: Studio) -> Seeded:
    """London (Europe/London) and Accra (Africa/Accra, UTC all year) over two weeks."""
    london = studio.desk.location["id"]
    accra = studio.api.create_location(studio.desk.tenant, "Accra", timezone="Africa/Accra")["id"]
    hiit = (london, studio.session_type_id)
    yoga = (accra, studio.session_type("=Yoga()"))
    members = [studio.member(plan="") for _ in range(8)]
    # Tue 17 March 18:00 GMT.
    _class(
        studio,
        members,
        hiit,
        _at(2026, 3, 17, 18),
        10,
        [CAME, CAME, LATE, NO_SHOW, LATE_CANCEL, IN_TIME_CANCEL],
    )
    # Wed 18 March, called off: neither its places nor its bookings count.
    _class(studio, members, hiit, _at(2026, 3, 18, 10), 10, [CALLED_OFF] * 3, "cancelled")
    # Sat 28 March 07:00 GMT, and Sun 29 March 07:00 BST (06:00 UTC): both 07:00 there.
    _class(studio, members, hiit, _at(2026, 3, 28, 7), 5, [CAME, CAME, WAITING])
    _class(
        studio,
        members,
        hiit,
        _at(2026, 3, 29, 6),
        5,
        [CAME, CAME, CAME, LATE, NO_SHOW, LATE_CANCEL, LATE_CANCEL],
    )
    # Sun 29 March 23:30 UTC is Monday 30 March 00:30 in London: after the period.
    _class(studio, members, hiit, _at(2026, 3, 29, 23, 30), 10, [BOOKED, BOOKED])
    # Mon 16 March 18:00 in Accra.
    _class(studio, members, yoga, _at(2026, 3, 16, 18), 8, [CAME, CAME, NO_SHOW, LATE_CANCEL])
    monthly, pack = studio.monthly_plan, studio.pack_plan
    _revenue(studio, london, monthly, date(2026, 3, 17), 2, "90.00", "0", "GBP")
    _revenue(studio, london, monthly, date(2026, 3, 24), 1, "45.00", "45.00", "GBP")
    _revenue(studio, london, monthly, date(2026, 3, 30), 1, "45.00", "0", "GBP")
    _revenue(studio, accra, pack, date(2026, 3, 16), 1, "300.00", "0", "GHS")
    return Seeded(london=london, accra=accra)


def _cells(html: str, table: str) -> list[list[str]]:
    """The rows of a table as the page writes them, tags and spaces stripped."""
    found = re.search(rf'data-table="{table}">(.*?)</table>', html, re.S)
    assert found, f"no table {table}"
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1).split("<tbody>")[1], re.S)
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", "", c)).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def _csv(browser: TestClient, path: str) -> list[list[str]]:
    response = browser.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="[\w.-]+\.csv"', response.headers["content-disposition"]
    )
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _owner(studio: Studio, browser: TestClient) -> Seeded:
    seeded = _seed(studio)
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    return seeded


def test_attendance_and_fill_rate_by_local_week(studio: Studio, browser: TestClient) -> None:
    _owner(studio, browser)
    page = browser.get(f"/manage/reports/attendance?{PERIOD}")
    assert page.status_code == 200, page.text
    assert _cells(page.text, "weeks") == [
        *EMPTY_WEEKS,
        ["16 Mar 2026", "2", "18", "7", "5", "39%", "71%"],
        ["23 Mar 2026", "2", "10", "7", "6", "70%", "86%"],
    ]
    # The chart's figures come in a JSON block its script reads (no inline script).
    assert '<script type="application/json" id="chart-weeks">' in page.text
    assert 'data-chart="chart-weeks"' in page.text
    assert _csv(browser, f"/manage/reports/attendance/weeks.csv?{PERIOD}") == [
        ["Week of", "Sessions", "Places", "Booked", "Attended", "Fill rate", "Attendance"],
        ["2026-03-02", "0", "0", "0", "0", "", ""],
        ["2026-03-09", "0", "0", "0", "0", "", ""],
        ["2026-03-16", "2", "18", "7", "5", "0.3889", "0.7143"],
        ["2026-03-23", "2", "10", "7", "6", "0.7", "0.8571"],
    ]


def test_one_location_at_a_time(studio: Studio, browser: TestClient) -> None:
    seeded = _owner(studio, browser)
    london = browser.get(f"/manage/reports/attendance?location={seeded.london}&{PERIOD}")
    assert _cells(london.text, "weeks")[2:] == [
        ["16 Mar 2026", "1", "10", "4", "3", "40%", "75%"],
        ["23 Mar 2026", "2", "10", "7", "6", "70%", "86%"],
    ]
    accra = f"location={seeded.accra}&{PERIOD}"
    assert _csv(browser, f"/manage/reports/attendance/weeks.csv?{accra}")[3:] == [
        ["2026-03-16", "1", "8", "3", "2", "0.375", "0.6667"],
        ["2026-03-23", "0", "0", "0", "0", "", ""],
    ]


def test_the_heat_map_is_in_local_hours_across_the_clock_change(
    studio: Studio, browser: TestClient
) -> None:
    _owner(studio, browser)
    page = browser.get(f"/manage/reports/slots?{PERIOD}")
    assert page.status_code == 200, page.text
    grid = {row[0]: row[1:] for row in _cells(page.text, "slots")}
    # Hours 07:00 to 18:00: both London mornings at 07:00, the evenings at 18:00.
    hours = [f"{h:02d}:00" for h in range(7, 19)]
    assert re.findall(r'<th scope="col" class="num">(\d\d:00)</th>', page.text) == hours
    expected = {day: ["0"] * 12 for day in ("Monday", "Tuesday", "Wednesday", "Thursday")}
    expected |= {day: ["0"] * 12 for day in ("Friday", "Saturday", "Sunday")}
    expected["Monday"][11] = "3"
    expected["Tuesday"][11] = "4"
    expected["Saturday"][0] = "2"
    expected["Sunday"][0] = "5"
    assert grid == expected
    # The busiest slot is the darkest shade.
    assert 'class="num heat-5">5</td>' in page.text
    rows = _csv(browser, f"/manage/reports/slots/slots.csv?{PERIOD}")
    assert rows[0] == ["Day", *hours]
    assert rows[7] == ["Sunday", "5", *["0"] * 11]


def test_popular_classes_and_a_formula_in_a_name(studio: Studio, browser: TestClient) -> None:
    _owner(studio, browser)
    page = browser.get(f"/manage/reports/classes?{PERIOD}")
    assert _cells(page.text, "types") == [
        ["HIIT", "3", "20", "11", "9", "55%"],
        ["=Yoga()", "1", "8", "3", "2", "38%"],
    ]
    rows = _csv(browser, f"/manage/reports/classes/types.csv?{PERIOD}")
    # A spreadsheet would run "=Yoga()": the file starts it with an apostrophe.
    assert rows[1:] == [
        ["HIIT", "3", "20", "11", "9", "0.55"],
        ["'=Yoga()", "1", "8", "3", "2", "0.375"],
    ]


def test_no_show_and_late_cancel_rates(studio: Studio, browser: TestClient) -> None:
    _owner(studio, browser)
    page = browser.get(f"/manage/reports/no-shows?{PERIOD}")
    assert _cells(page.text, "weeks")[2:] == [
        ["16 Mar 2026", "7", "2", "29%", "2", "20%"],
        ["23 Mar 2026", "7", "1", "14%", "2", "22%"],
    ]
    assert _cells(page.text, "types") == [
        ["=Yoga()", "3", "1", "33%", "1", "25%"],
        ["HIIT", "11", "2", "18%", "3", "20%"],
    ]
    assert _csv(browser, f"/manage/reports/no-shows/types.csv?{PERIOD}")[1:] == [
        ["'=Yoga()", "3", "1", "0.3333", "1", "0.25"],
        ["HIIT", "11", "2", "0.1818", "3", "0.2"],
    ]


def test_revenue_by_plan_and_location(studio: Studio, browser: TestClient) -> None:
    _owner(studio, browser)
    page = browser.get(f"/manage/reports/revenue?{PERIOD}")
    assert page.status_code == 200, page.text
    assert _cells(page.text, "location") == [
        ["16 Mar 2026", "Accra", "GHS", "1", "GHS300.00", "GHS0.00", "GHS300.00"],
        ["16 Mar 2026", "Osu Studio", "GBP", "2", "£90.00", "£0.00", "£90.00"],
        ["23 Mar 2026", "Osu Studio", "GBP", "1", "£45.00", "£45.00", "£0.00"],
    ]
    assert _csv(browser, f"/manage/reports/revenue/plan.csv?{PERIOD}") == [
        ["Week of", "Plan", "Currency", "Sales", "Gross", "Refunds", "Net"],
        ["2026-03-16", "5 classes", "GHS", "1", "300.00", "0.00", "300.00"],
        ["2026-03-16", "Monthly unlimited", "GBP", "2", "90.00", "0.00", "90.00"],
        ["2026-03-23", "Monthly unlimited", "GBP", "1", "45.00", "45.00", "0.00"],
    ]


def test_a_manager_of_london_never_sees_accra(studio: Studio, browser: TestClient) -> None:
    seeded = _seed(studio)
    email = f"london@{SLUG}.example"
    studio.api.create_staff(studio.desk.tenant, "manager", email, location_ids=[seeded.london])
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    page = browser.get(f"/manage/reports/attendance?{PERIOD}")
    assert _cells(page.text, "weeks")[2] == ["16 Mar 2026", "1", "10", "4", "3", "40%", "75%"]
    for name in ("classes", "no-shows", "revenue"):
        html = browser.get(f"/manage/reports/{name}?{PERIOD}").text
        assert "Accra" not in html and "Yoga" not in html and "GHS" not in html
    revenue = _csv(browser, f"/manage/reports/revenue/location.csv?{PERIOD}")
    assert [row[1] for row in revenue[1:]] == ["Osu Studio", "Osu Studio"]
    accra = f"location={seeded.accra}&{PERIOD}"
    assert browser.get(f"/manage/reports/attendance?{accra}").status_code == 404
    assert browser.get(f"/manage/reports/revenue/plan.csv?{accra}").status_code == 404


def test_front_desk_cannot_open_reports(studio: Studio, browser: TestClient) -> None:
    _seed(studio)
    assert staff_signs_in(browser, SLUG, DESK, PASSWORD).status_code == 303
    for path in ("/manage/reports/attendance", f"/manage/reports/revenue/plan.csv?{PERIOD}"):
        refused = browser.get(path)
        assert refused.status_code == 403
        assert "Reports is for owners and managers" in refused.text
        assert "300.00" not in refused.text


def test_a_filter_that_cannot_be_read_says_so_next_to_its_field(
    studio: Studio, browser: TestClient
) -> None:
    _owner(studio, browser)
    page = browser.get("/manage/reports/attendance?weeks=5&to=2026-02-30")
    assert page.status_code == 422
    assert re.search(r'id="weeks-error">Choose a period of 4, 8, 13, 26, 52 weeks', page.text)
    assert 'id="to-error">Give the last day as a date' in page.text
    assert 'data-table="weeks"' not in page.text
    assert browser.get("/manage/reports/attendance/weeks.csv?weeks=5").status_code == 422
    other = browser.get(f"/manage/reports/attendance?location={uuid.uuid4()}")
    assert other.status_code == 404
    assert browser.get("/manage/reports/nothing").status_code == 404


def test_the_api_gives_the_figures_the_console_shows(studio: Studio, browser: TestClient) -> None:
    seeded = _seed(studio)
    client, period = studio.api.client, "from=2026-03-16&to=2026-03-29"
    weeks = client.get(f"/reports/attendance?{period}", headers=studio.admin)
    assert weeks.status_code == 200, weeks.text
    assert weeks.json()["from"] == "2026-03-16"
    assert [
        (
            w["week_start"],
            w["sessions"],
            w["places"],
            w["confirmed_count"],
            w["attended"],
            w["fill_rate"],
        )
        for w in weeks.json()["weeks"]
    ] == [("2026-03-16", 2, 18, 7, 5, 0.3889), ("2026-03-23", 2, 10, 7, 6, 0.7)]
    popular = client.get(
        f"/reports/popular?{period}&location_id={seeded.london}", headers=studio.admin
    )
    assert [t["session_type"] for t in popular.json()["types"]] == ["HIIT"]
    assert sorted(
        (s["weekday"], s["hour"], s["confirmed_count"]) for s in popular.json()["slots"]
    ) == [
        (1, 18, 4),
        (5, 7, 2),
        (6, 7, 5),
    ]
    shows = client.get(f"/reports/no-shows?{period}", headers=studio.admin).json()
    assert [(w["no_shows"], w["late_cancel_rate"]) for w in shows["weeks"]] == [
        (2, 0.2),
        (1, 0.2222),
    ]
    # Front desk: not for them; a London manager asking for Accra: not found.
    assert client.get(f"/reports/attendance?{period}", headers=studio.staff).status_code == 403
    email = f"api-london@{SLUG}.example"
    studio.api.create_staff(studio.desk.tenant, "manager", email, location_ids=[seeded.london])
    login = client.post("/auth/login", json={"tenant": SLUG, "email": email, "password": PASSWORD})
    manager = {"Authorization": f"Bearer {login.json()['access_token']}"}
    accra = client.get(f"/reports/attendance?{period}&location_id={seeded.accra}", headers=manager)
    assert accra.status_code == 404
    own = client.get(f"/reports/attendance?{period}", headers=manager).json()["weeks"]
    assert [w["places"] for w in own] == [10, 10]
    backwards = client.get(
        "/reports/attendance?from=2026-03-29&to=2026-03-16", headers=studio.admin
    )
    assert backwards.status_code == 422
