"""The web pages: the member app (``/app``) and the manager console (``/manage``), rendered
on the server and calling the same services as the API, never the API itself."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server.web import (
    account,
    activity_imports,
    audit,
    challenges,
    coaching,
    community,
    corporate,
    corporate_billing,
    corporate_consent,
    corporate_reports,
    health,
    journeys,
    manage_pages,
    member_accounts,
    member_pages,
    members,
    migration_in,
    my_challenges,
    my_journeys,
    notices_log,
    nudges,
    oidc,
    payments_setup,
    payments_web,
    privacy,
    progress,
    reports,
    schedule,
    setup,
    setup_profiles,
    staff_passwords,
    tenant_archive,
    timetable,
    webhooks,
)
from server.web.pages import STATIC_DIR, refusal_page, sign_in_first
from server.web.sessions import SignInFirst, WebRefusal

#: Where the pages' CSS, scripts and icons are served from (files of this package).
STATIC_PATH = "/static"
#: First path segments of the web pages; their responses carry the pages' own policy.
WEB_SEGMENTS = ("app", "manage", "static", "web")


class _Assets(StaticFiles):
    """The pages' files, which a browser may keep and revalidate (by ETag) rather than
    download on every page: the server's default for other answers is not to store them."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.setdefault("cache-control", "no-cache")
        return response


def install_web(app: FastAPI) -> None:
    """Adds the pages to the main app. They are not in the API's segment index: requests
    for them reach the main app, and the API's routing is unchanged."""
    app.include_router(member_pages.router)
    app.include_router(member_accounts.router)
    app.include_router(account.router)
    app.include_router(nudges.router)
    app.include_router(health.router)
    app.include_router(privacy.router)
    app.include_router(activity_imports.router)
    app.include_router(my_journeys.router)
    app.include_router(progress.router)
    app.include_router(my_challenges.router)
    app.include_router(manage_pages.router)
    app.include_router(oidc.router)
    app.include_router(members.router)
    app.include_router(schedule.router)
    # Before Set-up: its kinds' addresses would otherwise take the circles' and a Tile's.
    app.include_router(community.router)
    app.include_router(setup_profiles.router)
    app.include_router(journeys.router)
    app.include_router(tenant_archive.router)
    app.include_router(webhooks.router)
    app.include_router(notices_log.router)
    app.include_router(payments_setup.router)
    app.include_router(setup.router)
    app.include_router(migration_in.router)
    app.include_router(staff_passwords.router)
    # Before Reports: its report pages would otherwise take the reconciliation's address.
    app.include_router(payments_web.router)
    app.include_router(reports.router)
    app.include_router(audit.router)
    app.include_router(corporate_reports.router)
    app.include_router(corporate_consent.router)
    app.include_router(challenges.router)
    app.include_router(coaching.router)
    app.include_router(corporate_billing.router)
    app.include_router(corporate.router)
    # Last: its provider page (``/app/{slug}``) would otherwise take other one-segment pages.
    app.include_router(timetable.router)
    app.mount(STATIC_PATH, _Assets(directory=STATIC_DIR), name="static")
    app.add_exception_handler(WebRefusal, refusal_page)
    app.add_exception_handler(SignInFirst, sign_in_first)
