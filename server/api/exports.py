"""Reports as files: CSV, Excel (openpyxl) and PDF (fpdf2), written by one set of writers
that every report route uses through ``?format=``.

A report is handed over as an :class:`Export`: a title, the filters it was asked with, and
its tables (columns with a kind each, rows as mappings). :func:`tables_of` reads the tables
off a report's response model (each list of rows becomes a table, its columns the row
model's fields), so a route adds a download without a per-report writer.

- CSV: UTF-8 with a byte-order mark (Excel otherwise reads it as the system's code page),
  a header row. A report of several tables writes them one after another, each preceded by
  a row holding its title and separated by an empty row.
- Excel: a sheet per table, header row bold and frozen, numbers as numbers, days as dates,
  ratios as percentages, money in its currency's format.
- PDF: A4 landscape, the title, the filters and period, then the tables; a long table
  continues on the next page under its header row again.

Text a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading apostrophe in CSV and Excel, so a member
named ``=HYPERLINK(...)`` stays a name (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import re
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel
from starlette.responses import Response

Kind = Literal["text", "int", "number", "ratio", "money", "date"]
ExportFormat = Literal["json", "csv", "xlsx", "pdf"]

FormatParam = Annotated[
    ExportFormat,
    Query(
        alias="format",
        description="json (the default), or a file: csv (UTF-8, header row), xlsx or pdf",
    ),
]

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

#: The responses a report route documents besides its JSON.
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}}
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_FONTS = (
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Export:
    #: The report's name, also the file's (``attendance`` → ``attendance.csv``).
    name: str
    title: str
    #: What it was asked with, in order: ("From", "2026-01-01"), ("Location", "all") …
    filters: Sequence[tuple[str, str]]
    tables: Sequence[Table] = field(default_factory=list)


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it and never evaluates it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _title(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _kind(name: str, annotation: Any) -> Kind:
    """A column's kind from its field's type; floats named ``…rate`` or ``share`` are
    ratios (0.75 is 75 %)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((a for a in args if a is not type(None)), str)
    if annotation is bool or annotation is str or annotation is uuid.UUID:
        return "text"
    if annotation is int:
        return "int"
    if annotation is Decimal:
        return "money"
    if annotation is date:
        return "date"
    if annotation is float:
        return "ratio" if name.endswith("rate") or name.endswith("share") else "number"
    return "text"


def columns_of(model: type[BaseModel]) -> list[Column]:
    return [
        Column(name, _title(name), _kind(name, info.annotation))
        for name, info in model.model_fields.items()
    ]


def tables_of(report: BaseModel) -> list[Table]:
    """Each list of rows in ``report`` as a table, in the model's field order."""
    tables = []
    for name, info in type(report).model_fields.items():
        if typing.get_origin(info.annotation) is not list:
            continue
        (row_model,) = typing.get_args(info.annotation)
        if not (isinstance(row_model, type) and issubclass(row_model, BaseModel)):
            continue
        rows = [dict(row) for row in getattr(report, name)]
        tables.append(Table(_title(name), columns_of(row_model), rows))
    return tables


def _text(value: Any, kind: Kind) -> str:
    """A cell as plain text (CSV, PDF): days ISO, ratios as ratios, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def csv_bytes(export: Export) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    several = len(export.tables) > 1
    for index, table in enumerate(export.tables):
        if several:
            if index:
                writer.writerow([])
            writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(c.title) for c in table.columns])
        for row in table.rows:
            writer.writerow(
                [
                    neutralise(_text(row.get(c.key), c.kind))
                    if c.kind == "text"
                    else _text(row.get(c.key), c.kind)
                    for c in table.columns
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@lru_cache(maxsize=64)
def money_format(currency: str) -> str:
    """Excel's number format for amounts in ``currency``: its symbol and its decimals."""
    from babel.numbers import get_currency_precision, get_currency_symbol

    code = currency.upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        return "#,##0.00"
    symbol = get_currency_symbol(code, locale="en_GB").replace('"', "")
    digits = get_currency_precision(code)
    decimals = "." + "0" * digits if digits else ""
    return f'"{symbol}"#,##0{decimals};-"{symbol}"#,##0{decimals}'


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


_XLSX_FORMATS = {"date": "yyyy-mm-dd", "ratio": "0.0%"}


def _xlsx_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "text":
        return neutralise(str(value))
    if kind == "money":
        return float(value)
    return value


def xlsx_bytes(export: Export) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in export.tables or [Table(export.title, [], [])]:
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        sheet.append([c.title for c in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_xlsx_value(row.get(c.key), c.kind) for c in table.columns])
            for c, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
                if c.kind in _XLSX_FORMATS:
                    cell.number_format = _XLSX_FORMATS[c.kind]
                elif c.kind == "money":
                    cell.number_format = money_format(str(row.get("currency") or ""))
        for index, c in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(c.title) + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "ratio":
        return f"{float(value) * 100:.1f} %"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    return _text(value, kind)


@lru_cache(maxsize=1)
def _font() -> tuple[Path, Path] | None:
    return next(
        ((regular, bold) for regular, bold in _FONTS if regular.is_file() and bold.is_file()),
        None,
    )


def pdf_bytes(export: Export) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(export.title)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    font = _font()
    if font is not None:
        pdf.add_font("report", fname=str(font[0]))
        pdf.add_font("report", style="B", fname=str(font[1]))
        family = "report"

        def text(value: str) -> str:
            return value
    else:
        family = "helvetica"

        def text(value: str) -> str:
            return value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font(family, style="B", size=16)
    pdf.cell(text=text(export.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    line = "   ".join(f"{label}: {value}" for label, value in export.filters)
    pdf.multi_cell(w=0, text=text(line), new_x="LMARGIN", new_y="NEXT")
    for table in export.tables:
        pdf.ln(4)
        pdf.set_font(family, style="B", size=12)
        pdf.cell(text=text(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=8)
        if not table.columns:
            continue
        if not table.rows:
            pdf.cell(text="Nothing in this period.", new_x="LMARGIN", new_y="NEXT")
            continue
        # Columns as wide as their longest cell (within reason), fitted to the page.
        cells = [[_pdf_text(row.get(c.key), c.kind) for c in table.columns] for row in table.rows]
        wanted = [
            max(6, min(40, max([len(c.title)] + [len(r[i]) for r in cells])))
            for i, c in enumerate(table.columns)
        ]
        scale = pdf.epw / sum(wanted)
        widths = tuple(w * scale for w in wanted)
        with pdf.table(
            col_widths=widths,
            width=pdf.epw,
            text_align="LEFT",
            line_height=pdf.font_size * 1.6,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            repeat_headings=1,
        ) as grid:
            head = grid.row()
            for c in table.columns:
                head.cell(text(c.title))
            for values in cells:
                body = grid.row()
                for value in values:
                    body.cell(text(value))
    return bytes(pdf.output())


def download(export: Export, format: ExportFormat) -> Response:
    """The report as the file asked for (not for ``json``: the route answers that)."""
    writers = {"csv": csv_bytes, "xlsx": xlsx_bytes, "pdf": pdf_bytes}
    body = writers[format](export)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{export.name}.{format}"'},
    )


def period_filters(
    from_day: date, to_day: date, location: str | None, **more: str
) -> list[tuple[str, str]]:
    """The filters line most reports print: the period, the location, then ``more``."""
    shown = [("From", from_day.isoformat()), ("To", to_day.isoformat())]
    shown.append(("Location", location or "all of yours"))
    shown.extend((_title(k), v) for k, v in more.items())
    return shown
