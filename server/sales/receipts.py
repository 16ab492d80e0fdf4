"""A sale's receipt as a PDF (fpdf2, pure Python)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

#: A font with the letters members' names use (Ɛ, É, ŋ …); the PDF core fonts have Latin-1 only.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
)


@dataclass(frozen=True)
class ReceiptLines:
    tenant_name: str
    receipt_number: int
    taken_at_local: datetime
    location_name: str
    member_name: str
    plan_name: str
    currency: str
    list_price: Decimal | None
    discount_amount: Decimal
    discount_reason: str | None
    amount: Decimal
    #: Money given back (done refunds only).
    refunded_amount: Decimal
    method: str
    #: Refunds asked for and not confirmed by the payment provider yet.
    refund_pending_amount: Decimal = Decimal("0")


def receipt_label(number: int) -> str:
    return f"Receipt No. {number:06d}"


@lru_cache(maxsize=1)
def _unicode_font() -> Path | None:
    return next((path for path in UNICODE_FONTS if path.is_file()), None)


def _latin1(text: str) -> str:
    """For the core font: accents dropped where that keeps the letter, else '?'."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.encode("latin-1", "replace").decode("latin-1")


def use_unicode_font(pdf: FPDF, family: str) -> tuple[str, Callable[[str], str]]:
    """Adds the Unicode font to ``pdf`` as ``family`` where one is installed: the family to
    set and how to pass text to it (as it is, or reduced to Latin-1 for the core font)."""
    font = _unicode_font()
    if font is not None:
        pdf.add_font(family, fname=str(font))
        return family, str
    return "helvetica", _latin1


def render(lines: ReceiptLines) -> bytes:
    pdf = FPDF(format=(148, 210))  # A5, in mm
    pdf.set_title(receipt_label(lines.receipt_number))
    pdf.add_page()
    family, text = use_unicode_font(pdf, "receipt")
    pdf.set_font(family, size=16)
    pdf.cell(text=text(lines.tenant_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=12)
    pdf.cell(text=receipt_label(lines.receipt_number), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    rows = [
        ("Date", lines.taken_at_local.strftime("%Y-%m-%d %H:%M %Z")),
        ("Location", lines.location_name),
        ("Member", lines.member_name),
        ("Item", lines.plan_name),
    ]
    if lines.discount_amount:
        price = lines.list_price if lines.list_price is not None else lines.amount
        rows.append(("Price", f"{price} {lines.currency}"))
        reason = f" ({lines.discount_reason})" if lines.discount_reason else ""
        rows.append(("Discount", f"-{lines.discount_amount} {lines.currency}{reason}"))
    rows.append(("Total paid", f"{lines.amount} {lines.currency}"))
    rows.append(("Paid by", lines.method.replace("_", " ")))
    if lines.refunded_amount:
        rows.append(("Refunded", f"-{lines.refunded_amount} {lines.currency}"))
        rows.append(("Net", f"{lines.amount - lines.refunded_amount} {lines.currency}"))
    if lines.refund_pending_amount:
        rows.append(("Refund pending", f"{lines.refund_pending_amount} {lines.currency}"))
    for label, value in rows:
        pdf.cell(w=35, text=label)
        pdf.multi_cell(w=0, text=text(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
