"""The members report (new, active, churned, retention by monthly cohort) with figures
worked by hand, and every report downloaded as CSV, Excel and PDF: read back, formula-like
text neutralised, a location-limited manager's file holding only their location."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from server.bookings.models import Booking
from server.bootstrap import Container
from server.checkin.models import Checkin
from server.main import create_app
from server.plans.models import Membership, RevenueDay
from server.scheduling.models import ClassSession
from shared.ids import new_id
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD
from tests.integration.test_web_reports import _cells
from tests.integration.web_helpers import staff_signs_in

SPAN = {"from": "2026-01-01", "to": "2026-03-31"}


@dataclass(frozen=True)
class Seeded:
    studio: Studio
    london: str
    accra: str
    manager: dict[str, str]


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _member(studio: Studio, name: str, home: str) -> str:
    return studio.desk.member(first_name=name, home_location_id=uuid.UUID(home))


def _held(studio: Studio, member: str, status: str, starts: date, ends: date | None) -> None:
    with studio.container.uow() as uow:
        uow.db.add(
            Membership(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member),
                plan_id=uuid.UUID(studio.monthly_plan),
                status=status,
                starts_on=starts,
                ends_on=ends,
                source="desk",
            )
        )
        uow.commit()


def _visit(studio: Studio, member: str, place: str, at: datetime, *, admitted: bool = True) -> None:
    with studio.container.uow() as uow:
        uow.db.add(
            Checkin(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member),
                location_id=uuid.UUID(place),
                method="search",
                admitted=admitted,
                reason="ok" if admitted else "no membership",
                occurred_at=at,
                recorded_at=at,
            )
        )
        uow.commit()


def _attended(studio: Studio, member: str, place: str, at: datetime) -> None:
    session_id = new_id()
    tenant = uuid.UUID(studio.tenant_id)
    with studio.container.uow() as uow:
        uow.db.add(
            ClassSession(
                tenant_id=tenant,
                id=session_id,
                location_id=uuid.UUID(place),
                session_type_id=uuid.UUID(studio.session_type_id),
                starts_at=at,
                ends_at=at + timedelta(hours=1),
                capacity=10,
                confirmed_count=1,
                waitlist_count=0,
                next_position=2,
                status="scheduled",
                detached=False,
            )
        )
        uow.flush()
        uow.db.add(
            Booking(
                tenant_id=tenant,
                id=new_id(),
                session_id=session_id,
                member_id=uuid.UUID(member),
                status="confirmed",
                position=1,
                starts_at=at,
                ends_at=at + timedelta(hours=1),
                source="staff",
                booked_at=at - timedelta(days=1),
                credit_taken=False,
                attendance="on_time",
            )
        )
        uow.commit()


def _seed(studio: Studio) -> Seeded:
    """London (Europe/London) and Accra (Africa/Accra); January to March 2026."""
    api, tenant = studio.api, studio.desk.tenant
    london = studio.desk.location["id"]
    accra = api.create_location(tenant, "Accra", timezone="Africa/Accra")["id"]
    # A: joined 10 Jan, open-ended; visits 15 Jan, a class 3 Feb, a visit 1 Mar 00:30 UTC
    # (00:30 GMT, 1 March in London).
    a = _member(studio, "Abena", london)
    _held(studio, a, "active", date(2026, 1, 10), None)
    _visit(studio, a, london, _at(1, 15, 10))
    _attended(studio, a, london, _at(2, 3, 18))
    _visit(studio, a, london, _at(3, 1, 0, 30))
    # B: joined 20 Jan, a month that expired on 19 Feb and was not renewed: churned in Feb.
    b = _member(studio, "Bea", london)
    _held(studio, b, "expired", date(2026, 1, 20), date(2026, 2, 19))
    _visit(studio, b, london, _at(1, 22, 9))
    # C: joined in 2025, renewed 1 Feb with an open-ended membership: neither new nor
    # churned. A refused check-in (5 Feb) is no visit; a class on 10 Mar is.
    c = _member(studio, "Kofi", london)
    _held(studio, c, "expired", date(2025, 11, 1), date(2026, 1, 31))
    _held(studio, c, "active", date(2026, 2, 1), None)
    _visit(studio, c, london, _at(2, 5, 9), admitted=False)
    _attended(studio, c, london, _at(3, 10, 18))
    # D: joined 14 Feb, cancelled with the last day 15 Mar: churned in March. Their visit
    # on 31 Mar 23:30 UTC is 1 April 00:30 BST in London: after the span.
    d = _member(studio, "Yaw", london)
    _held(studio, d, "cancelled", date(2026, 2, 14), date(2026, 3, 15))
    _visit(studio, d, london, _at(2, 14, 12))
    _visit(studio, d, london, _at(3, 31, 23, 30))
    # E: Accra's, joined 2 Mar; visits Accra on 3 Mar.
    e = _member(studio, "Esi", accra)
    _held(studio, e, "active", date(2026, 3, 2), None)
    _visit(studio, e, accra, _at(3, 3, 8))
    # F: only a membership awaiting payment (never joined), but visited on 6 Jan: active.
    f = _member(studio, "Fiifi", london)
    _held(studio, f, "pending", date(2026, 1, 5), None)
    _visit(studio, f, london, _at(1, 6, 8))
    # G: joined 20 Mar for a fixed term ending after the span: new, not churned, no visit.
    g = _member(studio, "Gifty", london)
    _held(studio, g, "active", date(2026, 3, 20), date(2026, 6, 30))
    email = f"manager@{tenant.slug}.example"
    api.create_staff(tenant, "manager", email, location_ids=[london])
    token = api.login(tenant.slug, email, PASSWORD).json()["access_token"]
    return Seeded(studio, london, accra, {"Authorization": f"Bearer {token}"})


@pytest.fixture
def seeded(api: Any, container: Container) -> Seeded:
    return _seed(open_studio(api, container, "members-report"))


def _get(seeded: Seeded, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    response = seeded.studio.api.client.get(
        path, params={**SPAN, **params}, headers=headers or seeded.studio.admin
    )
    assert response.status_code == 200, response.text
    return response


def test_members_per_month_and_the_cohort_triangle(seeded: Seeded) -> None:
    report = _get(seeded, "/reports/members").json()
    # Jan: new A, B; active A, B, F; churned none (C's first membership ended on 31 Jan,
    #      but C holds an open-ended one).
    # Feb: new D; active A (class), D (visit) (C's refused check-in is no visit);
    #      churned B (19 Feb).
    # Mar: new E, G; active A (1 Mar local), C (class), E (Accra); D's last visit is
    #      April in London; churned D (15 Mar).
    assert [
        (p["period_start"], p["new"], p["active"], p["churned"]) for p in report["periods"]
    ] == [
        ("2026-01-01", 2, 3, 0),
        ("2026-02-01", 1, 2, 1),
        ("2026-03-01", 2, 3, 1),
    ]
    # Jan cohort A, B: both active in Jan, A alone in Feb and Mar. Feb cohort D: Feb, not
    # Mar. Mar cohort E, G: E active in Mar.
    assert [(c["cohort"], c["members"], c["active"]) for c in report["cohorts"]] == [
        ("2026-01-01", 2, [2, 1, 1]),
        ("2026-02-01", 1, [1, 0]),
        ("2026-03-01", 2, [1]),
    ]


def test_weeks_start_on_monday(seeded: Seeded) -> None:
    report = _get(seeded, "/reports/members", period="week").json()
    weeks = {p["period_start"]: p for p in report["periods"]}
    assert min(weeks) == "2025-12-29" and len(weeks) == 14
    # A joined Sat 10 Jan (week of Mon 5 Jan), B Tue 20 Jan (week of 19 Jan).
    assert weeks["2026-01-05"]["new"] == 1 and weeks["2026-01-19"]["new"] == 1
    # B's membership's last day, Thu 19 Feb, in the week of Mon 16 Feb.
    assert weeks["2026-02-16"]["churned"] == 1
    # The cohorts stay monthly.
    assert [c["cohort"] for c in report["cohorts"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_a_london_manager_counts_london_only(seeded: Seeded) -> None:
    report = _get(seeded, "/reports/members", seeded.manager).json()
    # E (Accra's home, Accra's visit) is left out: March has G new, A and C active.
    assert [(p["new"], p["active"], p["churned"]) for p in report["periods"]] == [
        (2, 3, 0),
        (1, 2, 1),
        (1, 2, 1),
    ]
    assert report["cohorts"][2] == {"cohort": "2026-03-01", "members": 1, "active": [0]}
    client = seeded.studio.api.client
    other = client.get(
        "/reports/members",
        params={**SPAN, "location_id": seeded.accra},
        headers=seeded.manager,
    )
    assert other.status_code == 404
    # Their download is London's too.
    rows = _csv(_get(seeded, "/reports/members", seeded.manager, format="csv"))
    assert rows[:5] == [
        ["Periods"],
        ["Period start", "New", "Active", "Churned"],
        ["2026-01-01", "2", "3", "0"],
        ["2026-02-01", "1", "2", "1"],
        ["2026-03-01", "1", "2", "1"],
    ]


def _csv(response: Any) -> list[list[str]]:
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_members_report_as_each_file(seeded: Seeded) -> None:
    rows = _csv(_get(seeded, "/reports/members", format="csv"))
    assert rows[5:] == [
        [],
        ["Retention by cohort"],
        ["Cohort", "Members", "Month 0", "Month 1", "Month 2"],
        ["2026-01-01", "2", "2", "1", "1"],
        ["2026-02-01", "1", "1", "0", ""],
        ["2026-03-01", "2", "1", "", ""],
    ]
    response = _get(seeded, "/reports/members", format="xlsx")
    assert response.headers["content-disposition"] == 'attachment; filename="members.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Periods", "Retention by cohort"]
    sheet = book["Periods"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet["A2"].value == datetime(2026, 1, 1) and sheet["A2"].is_date
    assert sheet["C2"].value == 3 and isinstance(sheet["C2"].value, int)
    pdf = PdfReader(io.BytesIO(_get(seeded, "/reports/members", format="pdf").content))
    page = pdf.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = page.extract_text()
    assert "Members" in text and "Retention by cohort" in text and "2026-03-01" in text


def _money(studio: Studio, place: str, day: date, gross: str, currency: str) -> None:
    with studio.container.uow() as uow:
        uow.db.add(
            RevenueDay(
                tenant_id=uuid.UUID(studio.tenant_id),
                day=day,
                location_id=uuid.UUID(place),
                plan_id=uuid.UUID(studio.monthly_plan),
                currency=currency,
                sales=2,
                gross=Decimal(gross),
                refunds=Decimal("0"),
            )
        )
        uow.commit()


def test_revenue_as_each_file(seeded: Seeded) -> None:
    studio = seeded.studio
    _money(studio, seeded.london, date(2026, 2, 10), "1234.50", "GBP")
    _money(studio, seeded.accra, date(2026, 2, 11), "300.00", "GHS")
    params: dict[str, Any] = {"group_by": "location", "period": "month"}
    rows = _csv(_get(seeded, "/reports/revenue", format="csv", **params))
    assert rows[0] == [
        "Group id",
        "Group name",
        "Period start",
        "Currency",
        "Sales",
        "Gross",
        "Refunds",
        "Net",
    ]
    assert sorted(r[1:] for r in rows[1:]) == [
        ["Accra", "2026-02-01", "GHS", "2", "300.00", "0.00", "300.00"],
        ["Osu Studio", "2026-02-01", "GBP", "2", "1234.50", "0.00", "1234.50"],
    ]
    book = load_workbook(
        io.BytesIO(_get(seeded, "/reports/revenue", format="xlsx", **params).content)
    )
    sheet = book["Revenue"]
    net = {row[1].value: row[7] for row in sheet.iter_rows(min_row=2)}
    assert net["Osu Studio"].value == 1234.5 and "£" in net["Osu Studio"].number_format
    assert "GH₵" in net["Accra"].number_format or "GHS" in net["Accra"].number_format
    pdf = _get(seeded, "/reports/revenue", format="pdf", **params).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Revenue" in text and "1,234.50" in text
    # The London manager's file holds London's money only.
    mine = _csv(_get(seeded, "/reports/revenue", seeded.manager, format="csv", **params))
    assert [r[1] for r in mine[1:]] == ["Osu Studio"]


def test_attendance_as_each_file(seeded: Seeded) -> None:
    rows = _csv(_get(seeded, "/reports/attendance", format="csv"))
    assert rows[0][:3] == ["Week start", "Sessions", "Places"]
    # A's class on Tue 3 Feb, in the week of Mon 2 Feb: 1 session, 10 places, 1 booked,
    # 1 attended: fill 1/10, attendance 1/1.
    assert ["2026-02-02", "1", "10", "1", "1", "0.1", "1.0"] in rows
    book = load_workbook(io.BytesIO(_get(seeded, "/reports/attendance", format="xlsx").content))
    sheet = book["Weeks"]
    week = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == datetime(2026, 2, 2))
    assert week[5].value == 0.1 and week[5].number_format == "0.0%"
    text = (
        PdfReader(io.BytesIO(_get(seeded, "/reports/attendance", format="pdf").content))
        .pages[0]
        .extract_text()
    )
    assert "Attendance" in text and "10.0 %" in text


def test_formula_like_text_is_neutralised(seeded: Seeded) -> None:
    # B's name, as a class type's name would be: the popular report lists class names.
    studio = seeded.studio
    with studio.container.uow() as uow:
        from server.scheduling.models import SessionType

        kind = uow.db.get(
            SessionType, (uuid.UUID(studio.tenant_id), uuid.UUID(studio.session_type_id))
        )
        assert kind is not None
        kind.name = '=HYPERLINK("http://x","y")'
        uow.commit()
    rows = _csv(_get(seeded, "/reports/popular", format="csv"))
    assert rows[2][1] == '\'=HYPERLINK("http://x","y")'
    book = load_workbook(io.BytesIO(_get(seeded, "/reports/popular", format="xlsx").content))
    cell = book["Types"]["B2"]
    assert cell.value == '\'=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_a_format_not_offered_is_422(seeded: Seeded) -> None:
    client = seeded.studio.api.client
    for path in ("/reports/members", "/reports/revenue", "/reports/attendance"):
        response = client.get(path, params={**SPAN, "format": "docx"}, headers=seeded.studio.admin)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_console_members_tab_and_its_files(seeded: Seeded, container: Container) -> None:
    slug = seeded.studio.desk.tenant.slug
    with TestClient(create_app(container=container), raise_server_exceptions=False) as browser:
        assert staff_signs_in(browser, slug, f"owner@{slug}.example", PASSWORD).status_code == 303
        # 13 weeks ending Sunday 29 March: 29 Dec 2025 to 29 Mar 2026, by month.
        period = "weeks=13&to=2026-03-29"
        page = browser.get(f"/manage/reports/members?{period}")
        assert page.status_code == 200, page.text
        assert _cells(page.text, "months") == [
            ["Dec 2025", "0", "0", "0"],
            ["Jan 2026", "2", "3", "0"],
            ["Feb 2026", "1", "2", "1"],
            ["Mar 2026", "2", "3", "1"],
        ]
        assert _cells(page.text, "cohorts") == [
            ["Dec 2025", "0", "0", "0", "0", "0"],
            ["Jan 2026", "2", "2", "1", "1", "–"],
            ["Feb 2026", "1", "1", "0", "–", "–"],
            ["Mar 2026", "2", "1", "–", "–", "–"],
        ]
        for ext in ("csv", "xlsx", "pdf"):
            assert f'href="/manage/reports/members/download.{ext}?' in page.text
        book = browser.get(f"/manage/reports/members/download.xlsx?{period}")
        assert book.status_code == 200, book.text
        assert re.fullmatch(
            r'attachment; filename="members-2025-12-29-2026-03-29\.xlsx"',
            book.headers["content-disposition"],
        )
        sheets = load_workbook(io.BytesIO(book.content)).sheetnames
        assert sheets == ["New, active and churned members", "Retention by monthly cohort"]
        pdf = browser.get(f"/manage/reports/attendance/download.pdf?{period}")
        assert pdf.headers["content-type"] == "application/pdf"
        assert "Attendance" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        rows = list(
            csv.reader(
                io.StringIO(
                    browser.get(f"/manage/reports/members/download.csv?{period}").content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        assert rows[:2] == [
            ["New, active and churned members by month"],
            ["Month", "New", "Active", "Churned"],
        ]
        assert browser.get(f"/manage/reports/members/download.docx?{period}").status_code == 404
        assert browser.get("/manage/reports/members/download.csv?weeks=5").status_code == 422


def test_every_report_downloads(seeded: Seeded) -> None:
    """Each report route answers each format with its file (its title in the PDF)."""
    reports = {
        "/reports/no-shows": "No-shows and late cancellations",
        "/reports/popular": "Popular classes and slots",
        "/reports/ratings": "Class ratings",
        "/reports/engagement": "Engagement",
    }
    for path, title in reports.items():
        rows = _csv(_get(seeded, path, format="csv"))
        assert rows and rows[0], path
        book = load_workbook(io.BytesIO(_get(seeded, path, format="xlsx").content))
        assert all(sheet["A1"].font.bold for sheet in book.worksheets), path
        pdf = PdfReader(io.BytesIO(_get(seeded, path, format="pdf").content))
        assert title in pdf.pages[0].extract_text(), path
