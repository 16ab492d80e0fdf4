"""The report writers: formula-like text neutralised in CSV and Excel (a member named
``=HYPERLINK(...)``), numbers left as numbers, money in its currency's format."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from server.api.exports import Column, Export, Table, csv_bytes, money_format, xlsx_bytes

NAMES = ['=HYPERLINK("http://evil.example","Click")', "+44 20", "-1", "@SUM(A1)", "\tx", "\rx"]


def _export() -> Export:
    columns = [
        Column("name", "Member", "text"),
        Column("net", "Net", "money"),
        Column("on", "Day", "date"),
        Column("share", "Share", "ratio"),
    ]
    rows = [
        {
            "name": n,
            "net": Decimal("-12.50"),
            "currency": "EUR",
            "on": date(2026, 3, 1),
            "share": 0.25,
        }
        for n in NAMES
    ]
    return Export("members", "Members", [("From", "2026-03-01")], [Table("Members", columns, rows)])


def test_csv_neutralises_formula_text_only() -> None:
    rows = list(csv.reader(io.StringIO(csv_bytes(_export()).decode("utf-8-sig"))))
    assert rows[0] == ["Member", "Net", "Day", "Share"]
    assert [r[0] for r in rows[1:]] == ["'" + n for n in NAMES]
    # A negative amount is a number, not text: left as it is.
    assert rows[1][1:] == ["-12.50", "2026-03-01", "0.25"]


def test_excel_neutralises_and_types_cells() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes(_export())))["Members"]
    names = [sheet.cell(row=i, column=1).value for i in range(2, 8)]
    # XML reads a stored carriage return back as a line feed; the apostrophe stays first.
    assert names == ["'" + n.replace("\r", "\n") for n in NAMES]
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(2, 8))
    net = sheet["B2"]
    assert net.value == -12.5 and net.number_format == money_format("EUR")
    assert sheet["D2"].number_format == "0.0%"


def test_money_formats_follow_the_currency() -> None:
    # Pounds and euros to 2 decimals; yen has none.
    assert money_format("GBP") == '"£"#,##0.00;-"£"#,##0.00'
    assert money_format("JPY") == '"JP¥"#,##0;-"JP¥"#,##0'
    assert money_format("") == "#,##0.00"


def test_a_long_table_pages_on_a4_landscape_under_its_header() -> None:
    from pypdf import PdfReader

    from server.api.exports import pdf_bytes

    columns = [Column("week", "Week start", "date"), Column("n", "Attended", "int")]
    rows = [{"week": date(2026, 1, 1), "n": i} for i in range(150)]
    pdf = PdfReader(
        io.BytesIO(pdf_bytes(Export("a", "Attendance", [], [Table("Weeks", columns, rows)])))
    )
    assert len(pdf.pages) > 1
    for page in pdf.pages:
        # A4 landscape: 297 × 210 mm in points.
        assert (
            round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
        )
        assert "Week start" in page.extract_text()
    assert "149" in pdf.pages[-1].extract_text()
