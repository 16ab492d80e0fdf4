"""Every response says how a browser may treat it, and a photo is served as Pillow wrote it."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from server.api.security_headers import API_POLICY, DOCS_POLICY
from tests.integration.helpers import Api
from tests.integration.members_helpers import create_member


def _secured(response: Any, policy: str = API_POLICY) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", response.request.url
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"] == policy
    assert "server" not in headers


def test_every_kind_of_answer_carries_the_headers(api: Api) -> None:
    tenant = api.sign_up("headers-gym")
    member = create_member(api, tenant, email="private@x.example", phone="+233240001111")
    login = api.login("headers-gym", "owner@headers-gym.example")
    answers = [
        login,  # tokens
        api.client.get(f"/members/{member['id']}", headers=tenant.headers),  # personal data
        api.client.get("/members", headers=tenant.headers),
        api.client.get("/me", headers=tenant.headers),
        api.client.get("/members"),  # 401
        api.client.get("/members", params={"limit": 0}, headers=tenant.headers),  # 422
        api.client.get(f"/members/{member['id']}x", headers=tenant.headers),  # 404: no id
        api.client.get("/no-such-thing"),  # 404 of the main app
        api.client.get("/openapi.json"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 401, 422, 404, 404, 200]
    for answer in answers:
        _secured(answer)
        assert answer.headers["cache-control"] == "no-store", answer.request.url


def test_docs_work_under_their_policy(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    _secured(page, DOCS_POLICY)
    # No inline script: the page's own script is a file the policy allows ('self').
    html = page.text
    assert "<script>" not in html and "swagger" in html.lower()
    start = api.client.get("/docs/start.js")
    assert start.status_code == 200
    assert start.headers["content-type"].startswith("text/javascript")
    assert '"/openapi.json"' in start.text
    _secured(start, DOCS_POLICY)
    assert "script-src 'self' https://cdn.jsdelivr.net" in DOCS_POLICY
    assert "'unsafe-inline'" not in DOCS_POLICY.split("script-src")[1].split(";")[0]


def test_a_photo_is_stored_as_a_fresh_image(api: Api) -> None:
    tenant = api.sign_up("polyglot-gym")
    member = create_member(api, tenant)
    url = f"/members/{member['id']}/photo"
    png = io.BytesIO()
    pixels = np.zeros((6, 9, 3), dtype=np.uint8)
    pixels[:, :, 0] = 200
    Image.fromarray(pixels).save(png, "PNG", pnginfo=None)
    html = b"<html><script>alert(document.cookie)</script></html>"
    headers = {**tenant.headers, "content-type": "image/png"}
    # A PNG signature followed by HTML is not an image at all.
    fake = api.client.put(url, content=png.getvalue()[:8] + html, headers=headers)
    assert fake.status_code == 422
    assert "not a readable PNG image" in fake.json()["detail"]
    assert api.client.get(url, headers=tenant.headers).status_code == 404
    # A real image with HTML after it is stored without what follows the image.
    stored = api.client.put(url, content=png.getvalue() + html, headers=headers)
    assert stored.status_code == 200, stored.text
    served = api.client.get(url, headers=tenant.headers)
    assert served.status_code == 200
    assert b"<html" not in served.content and b"script" not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert (image.format, image.size) == ("PNG", (9, 6))
        assert image.convert("RGB").getpixel((4, 3)) == (200, 0, 0)
    _secured(served)
    assert served.headers["cache-control"] == "no-store"
    assert served.headers["content-type"] == "image/png"


def test_a_server_error_carries_them_too(container: Any) -> None:
    from fastapi.testclient import TestClient

    from server.main import create_app

    app = create_app(container=container)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    _secured(response)
    assert response.headers["cache-control"] == "no-store"
