"""What the browser tests share: a provider set up through the API, a member who can sign
in, and photographs of a page at both sizes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page
from sqlalchemy import update

from server.members.models import Member
from shared.clock import utcnow
from tests.web.conftest import SETUP_TIMEOUT, SIZES, Live


@dataclass(frozen=True)
class Provider:
    tenant_id: uuid.UUID
    #: The owner's API headers.
    owner: dict[str, str]
    location_id: str
    member_id: str


def open_provider(
    live: Live,
    *,
    slug: str,
    name: str,
    currency: str,
    owner: tuple[str, str],
    location: tuple[str, str],
    member: tuple[str, str],
) -> Provider:
    """A provider signed up through the API with one location (name, zone) and one member
    (email, password) who can sign in: their password is set and their email confirmed."""
    owner_email, owner_password = owner
    with httpx.Client(timeout=SETUP_TIMEOUT, base_url=live.url) as api:
        signed_up = api.post(
            "/tenants",
            json={
                "name": name,
                "slug": slug,
                "currency": currency,
                "owner": {"name": "Olu Owner", "email": owner_email, "password": owner_password},
            },
        )
        assert signed_up.status_code == 201, signed_up.text
        headers = {"Authorization": f"Bearer {signed_up.json()['tokens']['access_token']}"}
        made = api.post(
            "/locations",
            json={"name": location[0], "timezone": location[1], "opening_hours": {}},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        added = api.post(
            "/members",
            json={"first_name": "Ama", "last_name": "Mensah", "email": member[0]},
            headers=headers,
        )
        assert added.status_code == 201, added.text
    member_id = added.json()["id"]
    with live.container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.id == uuid.UUID(member_id))
            .values(
                password_hash=live.container.identity.hash_password(member[1]),
                email_verified_at=utcnow(),
            )
        )
        uow.commit()
    return Provider(
        tenant_id=uuid.UUID(signed_up.json()["tenant"]["id"]),
        owner=headers,
        location_id=made.json()["id"],
        member_id=member_id,
    )


#: axe-core, vendored (MPL-2.0): the accessibility rules every page is held to.
_AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
_WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical WCAG 2.2 A/AA violation on the page as it stands. The rules
    are evaluated through the browser's debugging protocol, so the page's own
    Content-Security-Policy (no inline script) stays in force."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, _WCAG_TAGS)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: accessibility violations {serious}"


def photograph(page: Page, live: Live, name: str) -> None:
    """Both sizes, each checked for sideways overflow and with axe-core; the page ends at
    its first size. A page whose text shows may still wait for its stylesheet (through the
    service worker, on a busy machine): the checks wait for the page's load first, or they
    would measure it unstyled."""
    page.wait_for_load_state("load")
    first = page.viewport_size
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        overflow: Any = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} overflows sideways by {overflow}px at {size}"
        assert_accessible(page, f"{name} at {size}")
        page.screenshot(path=str(live.screenshots / f"{name}-{size}.png"), full_page=True)
    if first:
        page.set_viewport_size(first)
