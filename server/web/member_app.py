"""The member app's sections, in the bar of every signed-in page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.web.pages import render


@dataclass(frozen=True)
class AppSection:
    key: str
    label: str
    href: str


APP_SECTIONS = (
    AppSection("pass", "My pass", "/app/pass"),
    AppSection("timetable", "Timetable", "/app/timetable"),
    AppSection("bookings", "Bookings", "/app/bookings"),
    AppSection("progress", "Progress", "/app/progress"),
    AppSection("challenges", "Challenges", "/app/challenges"),
    AppSection("tiles", "Tiles", "/app/tiles"),
    AppSection("account", "Account", "/app/account"),
)


def member_page(
    request: Request, template: str, section: str, status: int = 200, /, **values: Any
) -> HTMLResponse:
    """A signed-in member's page with the app's bar, the current section marked."""
    return render(request, template, status, app_sections=APP_SECTIONS, current=section, **values)
