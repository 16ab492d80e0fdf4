"""Every HTTP router of the server, flat: each holds routes only (segment routing indexes
them by their first path segment)."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.health import router as health_router
from server.archive.router import router as archive_router
from server.audit.router import router as audit_router
from server.bookings.report_router import router as attendance_reports_router
from server.bookings.router import calendar_feed_router, calendar_router
from server.bookings.router import router as bookings_router
from server.challenges.router import router as challenges_router
from server.checkin.router import router as checkin_router
from server.circles.router import router as circles_router
from server.coaching.router import router as coaching_router
from server.corporate.router import router as corporate_router
from server.corporate_billing.router import router as corporate_billing_router
from server.corporate_reports.router import router as corporate_reports_router
from server.devices.router import router as devices_router
from server.engagement.progress_router import router as engagement_router
from server.engagement.router import router as movement_router
from server.journeys.router import router as journeys_router
from server.journeys.template_router import router as journey_templates_router
from server.me.router import router as me_router
from server.members.router import router as members_router
from server.migration_in.router import router as migration_in_router
from server.notices.router import router as notices_router
from server.nudges.router import router as nudges_router
from server.outbox.router import router as webhooks_router
from server.passes.router import router as passes_router
from server.payments.router import router as payments_router
from server.plans.router import router as plans_router
from server.prescriptions.router import router as prescriptions_router
from server.privacy.router import router as privacy_router
from server.sales.router import router as sales_router
from server.scheduling.router import public_router as public_browsing_router
from server.scheduling.router import router as scheduling_router
from server.screening.router import router as screening_router
from server.staff.router import router as staff_router
from server.staff.router import signup_router
from server.sync.router import routers as sync_routers
from server.tenants.router import router as tenants_router
from server.tiles.router import router as tiles_router
from server.wearables.router import router as activity_imports_router

ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    signup_router,
    tenants_router,
    staff_router,
    devices_router,
    members_router,
    plans_router,
    sales_router,
    payments_router,
    attendance_reports_router,
    passes_router,
    checkin_router,
    scheduling_router,
    calendar_router,
    calendar_feed_router,
    public_browsing_router,
    bookings_router,
    me_router,
    movement_router,
    activity_imports_router,
    circles_router,
    coaching_router,
    nudges_router,
    notices_router,
    screening_router,
    tiles_router,
    prescriptions_router,
    challenges_router,
    engagement_router,
    journey_templates_router,
    journeys_router,
    privacy_router,
    corporate_billing_router,
    audit_router,
    corporate_router,
    archive_router,
    migration_in_router,
    webhooks_router,
    corporate_reports_router,
    *sync_routers,
)
