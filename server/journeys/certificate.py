"""A completed journey's certificate as a PDF (fpdf2, as the receipts are made)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date
from fpdf import FPDF

from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.journeys import repository, service
from server.journeys.models import JourneyTemplate
from server.members.models import Member
from server.ports.identity import AccessClaims
from server.sales.receipts import use_unicode_font
from server.tenants.models import Location, Tenant
from shared.carepath.enrolment import EnrolmentStatus
from shared.carepath.plans import from_json


@dataclass(frozen=True)
class CertificateLines:
    tenant_name: str
    member_name: str
    journey: str
    started: str
    ended: str
    weeks_met: int
    weeks_total: int
    adherence_percent: int


def render(lines: CertificateLines) -> bytes:
    pdf = FPDF(orientation="landscape", format=(148, 210))  # A5, in mm
    pdf.set_title(f"{lines.journey}: certificate")
    pdf.add_page()
    family, text = use_unicode_font(pdf, "certificate")
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(value: str, size: int, gap: float = 2) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(width, text=text(value), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.ln(6)
    line(lines.tenant_name, 14, 6)
    line("Certificate of completion", 22, 8)
    line(lines.member_name, 20, 6)
    line(f"completed {lines.journey}", 14, 4)
    line(f"{lines.started} to {lines.ended}", 12, 6)
    line(
        f"Weeks met: {lines.weeks_met} of {lines.weeks_total}  ·  "
        f"Adherence: {lines.adherence_percent}%",
        12,
    )
    return bytes(pdf.output())


def for_member(uow: UnitOfWork, claims: AccessClaims, enrolment_id: uuid.UUID) -> bytes:
    """The certificate of one's own completed enrolment; 409 for one not completed."""
    with uow:
        db = uow.db
        row = service._reach(uow, claims, enrolment_id)
        if row.status != EnrolmentStatus.COMPLETED:
            raise Conflict(
                f"the journey is {row.status}: a certificate comes once it is completed",
                code="not_completed",
            )
        member = db.get(Member, (row.tenant_id, row.member_id))
        template = db.get(JourneyTemplate, (row.tenant_id, row.template_id))
        tenant = db.get(Tenant, row.tenant_id)
        version = repository.version(db, row.tenant_id, row.version_id)
        assert member is not None and template is not None and version is not None
        home = (
            db.get(Location, (row.tenant_id, member.home_location_id))
            if member.home_location_id
            else None
        )
        locale = getattr(home, "locale", None) or "en_GB"
        plan = from_json(version.plan)
        ended: date = row.ended_on or row.starts_on + timedelta(days=7 * plan.length - 1)

        def day(d: date) -> str:
            return format_date(d, format="long", locale=locale)

        lines = CertificateLines(
            tenant_name=tenant.name if tenant is not None else "",
            member_name=f"{member.first_name} {member.last_name}",
            journey=template.name,
            started=day(row.starts_on),
            ended=day(ended),
            weeks_met=row.weeks_met or 0,
            weeks_total=plan.length,
            adherence_percent=round(float(row.adherence or 0) * 100),
        )
    return render(lines)
