"""An invoice as files: CSV and Excel through the report writers, and a printable PDF
(fpdf2, with the receipts' font so that names in any script print)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.api.exports import Column, Export, Table
from server.corporate_billing.schemas import InvoiceRead
from server.sales.receipts import use_unicode_font

_LINE_COLUMNS = (
    Column("cost_centre", "Cost centre"),
    Column("department", "Department"),
    Column("package", "Package"),
    Column("seats", "Seats", "int"),
    Column("seat_fee", "Seat fee", "money"),
    Column("company_share", "Company share per seat", "money"),
    Column("amount", "Amount", "money"),
    Column("employees_owe", "Paid by employees", "money"),
    Column("active_employees", "Active employees", "int"),
    Column("visits", "Visits", "int"),
)


def invoice_export(invoice: InvoiceRead) -> Export:
    rows = [line.model_dump() for line in invoice.lines]
    total = Table(
        "Total",
        (Column("total", "Total", "money"), Column("currency", "Currency")),
        [{"total": invoice.total, "currency": invoice.currency}],
    )
    return Export(
        name=f"invoice-{invoice.number}",
        title=f"Invoice {invoice.number}: {invoice.account_name}",
        filters=[
            ("Month", invoice.month),
            ("From", invoice.period_start.isoformat()),
            ("To", invoice.period_end.isoformat()),
            ("Currency", invoice.currency),
        ],
        tables=[Table("Lines by cost centre", _LINE_COLUMNS, rows), total],
    )


def invoice_pdf(invoice: InvoiceRead, provider_name: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, text = use_unicode_font(pdf, "invoice")
    money = f" {invoice.currency}"
    pdf.set_font(family, size=18)
    pdf.cell(text=text(provider_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=13)
    pdf.cell(text=text(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    pdf.ln(2)
    for label, value in (
        ("Billed to", invoice.account_name),
        ("Period", f"{invoice.period_start.isoformat()} to {invoice.period_end.isoformat()}"),
        ("Issued", invoice.issued_at.date().isoformat()),
    ):
        pdf.cell(w=30, text=label)
        pdf.multi_cell(w=0, text=text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    headings = (
        "Cost centre",
        "Department",
        "Package",
        "Seats",
        "Per seat",
        "Amount",
        "Active",
        "Visits",
    )
    with pdf.table(
        col_widths=(22, 30, 34, 14, 22, 26, 16, 16),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=pdf.font_size * 1.7,
        headings_style=FontFace(fill_color=(235, 235, 235)),
        repeat_headings=1,
    ) as grid:
        head = grid.row()
        for title in headings:
            head.cell(title)
        for line in invoice.lines:
            row = grid.row()
            for value in (
                line.cost_centre or "-",
                line.department,
                line.package,
                str(line.seats),
                f"{line.company_share}",
                f"{line.amount}",
                str(line.active_employees),
                str(line.visits),
            ):
                row.cell(text(value))
    pdf.ln(4)
    pdf.set_font(family, size=12)
    pdf.cell(text=text(f"Total due: {invoice.total}{money}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    if invoice.employees_owe:
        note = (
            f"Employees pay {invoice.employees_owe}{money} of the seats' fees themselves; "
            "that part is not on this invoice."
        )
        pdf.multi_cell(w=0, text=text(note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
