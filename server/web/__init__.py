"""The web pages: the member app (``/app``) and the manager console (``/manage``), rendered
on the server and calling the same services as the API, never the API itself."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from server.web import manage_pages, member_pages
from server.web.pages import STATIC_DIR, refusal_page, sign_in_first
from server.web.sessions import SignInFirst, WebRefusal

#: Where the pages' CSS, scripts and icons are served from (files of this package).
STATIC_PATH = "/static"
#: First path segments of the web pages; their responses carry the pages' own policy.
WEB_SEGMENTS = ("app", "manage", "static")


def install_web(app: FastAPI) -> None:
    """Adds the pages to the main app. They are not in the API's segment index: requests
    for them reach the main app, and the API's routing is unchanged."""
    app.include_router(member_pages.router)
    app.include_router(manage_pages.router)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(WebRefusal, refusal_page)
    app.add_exception_handler(SignInFirst, sign_in_first)
