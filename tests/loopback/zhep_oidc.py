"""ZHEP's OpenID Connect provider for tests: the real ``oidc-provider`` (tests/oidc, on
Node) started on a loopback port, and what tests do with it: register people, rotate its
signing keys, and go through its sign-in (authorization code + PKCE) as a browser would."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx

from tests.ports import free_port
from tests.waiting import wait_for

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
AUDIENCE = "urn:zmos:api"
CONSOLE_CLIENT, CONSOLE_SECRET = "zmos-console", "console-secret"
MEMBER_CLIENT = "zmos-member"
#: Where ZMOS under FastAPI's TestClient takes the provider's answers.
TEST_CALLBACK = "http://testserver/web/oidc/callback"


def ensure_installed() -> None:
    """The provider's npm packages (``./dev test`` installs them; this is for a bare pytest)."""
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "the OpenID Connect tests need Node and npm (Debian: apt install nodejs npm)"
    subprocess.run(
        [npm, "ci", "--prefix", str(OIDC_DIR), "--silent", "--no-audit", "--no-fund"], check=True
    )


@dataclass
class OidcProvider:
    issuer: str

    def add_person(
        self,
        party_id: str,
        *,
        tenant: str | None = None,
        email: str | None = None,
        email_verified: bool = False,
    ) -> None:
        """What the provider says of ``party_id`` (the subject) in its tokens."""
        body = {"party_id": party_id, "tenant": tenant, "email": email}
        body["email_verified"] = email_verified  # type: ignore[assignment]
        response = httpx.post(f"{self.issuer}/admin/users", json=body)
        assert response.status_code == 201, response.text

    def allow_redirects_to(self, *redirect_uris: str) -> None:
        """The clients' redirect URIs from now on (a live server's, once it has a port)."""
        body = {"redirect_uris": list(redirect_uris)}
        response = httpx.post(f"{self.issuer}/admin/redirect-uris", json=body)
        assert response.status_code == 200, response.text

    def kids(self) -> list[str]:
        found: list[str] = httpx.get(f"{self.issuer}/admin/keys").json()["kids"]
        return found

    def rotate_keys(self) -> list[str]:
        """A new signing key; the old ones stay published until :meth:`retire_keys`."""
        found: list[str] = httpx.post(f"{self.issuer}/admin/keys/rotate").json()["kids"]
        return found

    def retire_keys(self) -> list[str]:
        """Only the newest key stays in the JWKS."""
        found: list[str] = httpx.post(f"{self.issuer}/admin/keys/retire").json()["kids"]
        return found

    def sign_in(self, browser: httpx.Client, authorize_url: str, party_id: str) -> str:
        """As a person at the provider's pages: open ``authorize_url``, sign in as
        ``party_id`` at the login form; returns where the provider sends the browser back
        (the client's redirect URI with the code and state)."""
        response = browser.get(authorize_url)
        while response.status_code in (302, 303) and self._here(response):
            response = browser.get(self._next(response))
        assert response.status_code == 200, response.text
        assert "/interaction/" in str(response.url), response.text
        response = browser.post(f"{response.url}/login", data={"login": party_id})
        while response.status_code in (302, 303) and self._here(response):
            response = browser.get(self._next(response))
        assert response.status_code in (302, 303), response.text
        return response.headers["location"]

    def _next(self, response: httpx.Response) -> str:
        return urljoin(str(response.url), response.headers["location"])

    def _here(self, response: httpx.Response) -> bool:
        return self._next(response).startswith(self.issuer + "/")

    def tokens(
        self,
        party_id: str,
        *,
        client_id: str = MEMBER_CLIENT,
        secret: str | None = None,
        redirect_uri: str = TEST_CALLBACK,
        nonce: str | None = None,
    ) -> dict[str, Any]:
        """A client's own code + PKCE flow for ``party_id``: the token endpoint's answer
        (an ID token, and a JWT access token for the API's audience)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email",
            "redirect_uri": redirect_uri,
            "state": secrets.token_urlsafe(16),
            "nonce": nonce or secrets.token_urlsafe(16),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            "resource": AUDIENCE,
        }
        with httpx.Client() as browser:
            url = str(httpx.URL(f"{self.issuer}/auth", params=params))
            back = self.sign_in(browser, url, party_id)
        code = parse_qs(urlparse(back).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "resource": AUDIENCE,
        }
        auth = httpx.BasicAuth(client_id, secret) if secret else None
        if auth is None:
            form["client_id"] = client_id
        response = httpx.post(f"{self.issuer}/token", data=form, auth=auth)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def access_token(self, party_id: str, *, client_id: str = MEMBER_CLIENT) -> str:
        secret = CONSOLE_SECRET if client_id == CONSOLE_CLIENT else None
        token: str = self.tokens(party_id, client_id=client_id, secret=secret)["access_token"]
        return token


@contextmanager
def running_provider(*redirect_uris: str, token_ttl: int = 300) -> Iterator[OidcProvider]:
    """The provider on a free loopback port until the block ends; its access and ID tokens
    live ``token_ttl`` seconds."""
    ensure_installed()
    node = shutil.which("node")
    assert node, "the OpenID Connect tests need Node (Debian: apt install nodejs)"
    port = free_port()
    env = {
        **os.environ,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris or (TEST_CALLBACK,)),
        "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_CONSOLE_SECRET": CONSOLE_SECRET,
        "OIDC_TOKEN_TTL": str(token_ttl),
    }
    process = subprocess.Popen(
        [node, "provider.mjs", str(port)],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    provider = OidcProvider(f"http://127.0.0.1:{port}")

    def ready() -> bool:
        assert process.poll() is None, "the OpenID Connect provider did not start"
        try:
            return httpx.get(f"{provider.issuer}/.well-known/openid-configuration").is_success
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, timeout=30, interval=0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
