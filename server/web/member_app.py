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
    #: Other pages that mark this section current (those it groups under its tabs).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class MoveTab:
    key: str
    label: str
    href: str


APP_SECTIONS = (
    AppSection("pass", "My pass", "/app/pass"),
    AppSection("timetable", "Timetable", "/app/timetable"),
    AppSection("bookings", "Bookings", "/app/bookings"),
    # Challenges, Tiles and the journey sit under Progress (its tabs): seven sections do
    # not fit a phone's bar.
    AppSection("progress", "Progress", "/app/progress", also=("challenges", "tiles", "journeys")),
    AppSection("account", "Account", "/app/account"),
)


#: The tabs of the Progress section, at the top of each of its pages.
MOVE_TABS = (
    MoveTab("progress", "Progress", "/app/progress"),
    MoveTab("challenges", "Challenges", "/app/challenges"),
    MoveTab("tiles", "Tiles", "/app/tiles"),
    MoveTab("journeys", "Journey", "/app/journeys"),
)


def member_page(
    request: Request, template: str, section: str, status: int = 200, /, **values: Any
) -> HTMLResponse:
    """A signed-in member's page with the app's bar, the current section marked."""
    return render(
        request,
        template,
        status,
        app_sections=APP_SECTIONS,
        move_tabs=MOVE_TABS,
        current=section,
        **values,
    )
