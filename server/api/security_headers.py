"""Headers every response carries, and the API docs page that fits their Content-Security-Policy.

The API answers JSON, so by default a browser may run, embed or load nothing from a response.
The docs page is the one HTML page: Swagger UI's assets come from the jsDelivr CDN (FastAPI's
default; a browser without internet shows no docs either way, while ``/openapi.json`` always
works), and its start-up script is served from here, so no inline script needs allowing.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWAGGER_CDN = "https://cdn.jsdelivr.net"
_SWAGGER_DIST = f"{SWAGGER_CDN}/npm/swagger-ui-dist@5"
DOCS_PATH = "/docs"
_DOCS_SCRIPT_PATH = "/docs/start.js"

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = (
    # Swagger UI sets some styles inline; scripts stay strict.
    f"default-src 'none'; script-src 'self' {SWAGGER_CDN}; "
    f"style-src {SWAGGER_CDN} 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)

#: The web pages (``server.web``): their own scripts, styles, images and service worker,
#: nothing inline and nothing from elsewhere; forms post to this site only.
WEB_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
WEB_ROOTS = ("/app", "/manage")
#: The unsubscribe page of an email link is a page too (its POST answers JSON to mail clients).
WEB_PREFIXES = ("/app/", "/manage/", "/static/", "/unsubscribe/", "/web/")

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_API_HEADERS = [*_COMMON, (b"content-security-policy", API_POLICY.encode())]
_DOCS_HEADERS = [*_COMMON, (b"content-security-policy", DOCS_POLICY.encode())]


def _web_headers(form_targets: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    policy = WEB_POLICY
    if form_targets:  # a sign-in form that leads (by redirect) to the identity provider
        policy = policy.replace(
            "form-action 'self'", f"form-action 'self' {' '.join(form_targets)}"
        )
    return [*_COMMON, (b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY")]


#: Tokens and personal data must not stay in a browser's or a proxy's cache; a response
#: that says how it may be cached (a public timetable) keeps its own rule.
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """ASGI middleware: adds the headers to every HTTP response, error pages included."""

    def __init__(self, app: ASGIApp, *, form_targets: tuple[str, ...] = ()) -> None:
        """``form_targets``: origins besides this site's that a page's form may lead to
        (the identity provider's, in integrated mode)."""
        self.app = app
        self._web_headers = _web_headers(form_targets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith(DOCS_PATH):
            extra = _DOCS_HEADERS
        elif path in WEB_ROOTS or path.startswith(WEB_PREFIXES):
            extra = self._web_headers
        else:
            extra = _API_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(_NO_STORE)
                headers.extend(extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) without inline script; create the app with ``docs_url=None``."""
    openapi_url = app.openapi_url or "/openapi.json"
    page = (
        "<!DOCTYPE html><html><head>"
        f"<title>{app.title} - Swagger UI</title>"
        f'<link rel="stylesheet" href="{_SWAGGER_DIST}/swagger-ui.css">'
        '</head><body><div id="swagger-ui"></div>'
        f'<script src="{_SWAGGER_DIST}/swagger-ui-bundle.js"></script>'
        f'<script src="{_DOCS_SCRIPT_PATH}"></script>'
        "</body></html>"
    )
    start = (
        "window.ui = SwaggerUIBundle({"
        f"url: {json.dumps(openapi_url)}, dom_id: '#swagger-ui', deepLinking: true, "
        "showExtensions: true, showCommonExtensions: true, validatorUrl: null, "
        "presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset], "
        "layout: 'BaseLayout'});\n"
    )

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(_DOCS_SCRIPT_PATH, include_in_schema=False)
    async def docs_start() -> Response:
        return Response(start, media_type="text/javascript")
