"""Rendering the pages: one Jinja2 environment (autoescaped), the error page, and the
handlers that turn a refused page request into that page or a redirect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from server.web.sessions import SignInFirst, WebRefusal, apply_cookies, csrf_token

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(request: Request, template: str, status: int = 200, /, **values: Any) -> HTMLResponse:
    """The page, with this browser's CSRF token for its forms and any cookies to set."""
    html = _env.get_template(template).render(csrf=csrf_token(request), **values)
    response = HTMLResponse(html, status_code=status)
    apply_cookies(request, response)
    return response


def redirect(request: Request, location: str) -> Response:
    """After a form (303: the browser follows with a GET)."""
    response = RedirectResponse(location, status_code=303)
    apply_cookies(request, response)
    return response


async def refusal_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebRefusal)
    return render(request, "error.html", exc.status, title=exc.title, detail=exc.detail)


async def sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInFirst)
    return redirect(request, exc.location)
