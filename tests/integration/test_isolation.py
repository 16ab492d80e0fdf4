"""Tenant isolation: with tenant A's token, every route given tenant B's ids answers 404.

The walk covers every route in the app's OpenAPI document. A route with a path parameter
this test does not know fails the test, so a new route cannot be added without joining it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.bootstrap import Container
from tests.integration.activity_files import gpx_run
from tests.integration.bookings_helpers import member_headers
from tests.integration.corporate_billing_rows import corporate_billing_world, package_body
from tests.integration.corporate_helpers import (
    CORPORATE_BODIES,
    CORPORATE_STATE_DEPENDENT,
    corporate_ids,
)
from tests.integration.corporate_reports_helpers import admin_headers, open_account
from tests.integration.helpers import Api, Tenant
from tests.integration.journey_rows import add_journey
from tests.integration.journeys_helpers import journey_world
from tests.integration.members_helpers import image_bytes
from tests.integration.outbox_helpers import subscribe
from tests.integration.prescriptions_helpers import PROFILE
from tests.integration.screening_helpers import SCREENING_BODIES, screening_world

PNG = image_bytes(".png")
GPX = gpx_run()
# Request bodies that are valid for each route, so that a 404 cannot come from validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/payments/cards/{member_id}"): {
        "json": {"customer_id": "cus_Walk1234", "payment_method_id": "pm_card_visa"}
    },
    ("PATCH", "/locations/{location_id}"): {"json": {"capacity": 5}},
    ("PATCH", "/staff/{staff_id}"): {"json": {"name": "Renamed"}},
    ("POST", "/locations/{location_id}/enrolment-codes"): {"json": {}},
    ("PATCH", "/members/{member_id}"): {"json": {"first_name": "Renamed"}},
    ("PUT", "/staff/{staff_id}/party"): {"json": {"party_id": "party-of-another-tenant"}},
    ("PUT", "/members/{member_id}/party"): {"json": {"party_id": "party-of-another-tenant"}},
    ("PUT", "/members/{member_id}/photo"): {
        "content": PNG,
        "headers": {"content-type": "image/png"},
    },
    ("POST", "/members/{member_id}/passes"): {"json": {}},
    ("POST", "/members/{member_id}/alerts"): {"json": {"text": "waiver missing"}},
    ("POST", "/passes/{pass_id}/revoke"): {"json": {"reason": "lost"}},
    ("PATCH", "/plans/{plan_id}"): {"json": {"name": "Renamed plan"}},
    ("POST", "/memberships/{membership_id}/freeze"): {"json": {"until": "2099-01-01"}},
    ("POST", "/memberships/{membership_id}/cancel"): {"json": {"reason": "moving away"}},
    ("POST", "/review-items/{review_item_id}/resolve"): {"json": {"note": "merged"}},
    ("PATCH", "/session-types/{session_type_id}"): {"json": {"name": "Renamed type"}},
    ("PUT", "/session-types/{session_type_id}/instructors"): {"json": {"staff_ids": []}},
    ("PATCH", "/schedules/{schedule_id}"): {"json": {"room": "Studio 2"}},
    ("POST", "/schedules/{schedule_id}/end"): {
        "json": {"last_day": (date.today() + timedelta(days=8)).isoformat()}
    },
    ("PATCH", "/sessions/{session_id}"): {"json": {"room": "Studio 2"}},
    ("POST", "/sessions/{session_id}/move"): {
        "json": {
            "local_date": (date.today() + timedelta(days=4)).isoformat(),
            "local_start": "11:00",
        }
    },
    ("POST", "/sessions/{session_id}/cancel"): {"json": {"reason": "instructor ill"}},
    ("POST", "/bookings/{booking_id}/cancel"): {"json": {}},
    ("POST", "/bookings/{booking_id}/decline"): {"json": {}},
    ("POST", "/bookings/{booking_id}/attendance"): {"json": {}},
    ("POST", "/penalties/{penalty_id}/waive"): {"json": {"reason": "first time"}},
    ("POST", "/locations/{location_id}/closures"): {
        "json": {"name": "Christmas", "starts_on": "2099-12-25"}
    },
    ("POST", "/locations/{location_id}/closures/{closure_id}/cancel-sessions"): {"json": {}},
    ("POST", "/movement-events/{movement_event_id}/void"): {"json": {"reason": "twice"}},
    ("POST", "/me/checkins/{checkin_id}/checkout"): {"json": {"minutes": 50}},
    ("POST", "/me/sessions/{session_id}/checkout"): {"json": {"minutes": 50}},
    ("POST", "/me/sessions/{session_id}/rating"): {"json": {"score": 4}},
    ("POST", "/movement-events/{movement_event_id}/correction"): {
        "json": {"reason": "was shorter", "minutes": 20}
    },
    ("POST", "/sales/{sale_id}/refunds"): {
        "json": {"refund_id": str(uuid.uuid4()), "amount": "1.00", "reason": "goodwill"}
    },
    ("POST", "/sales/{sale_id}/receipt/email"): {"json": {"to_email": "books@firm.example"}},
    ("PATCH", "/circles/{circle_id}"): {"json": {"name": "Renamed circle"}},
    ("POST", "/members/{member_id}/activity-imports"): {"files": {"file": ("run.gpx", GPX)}},
    ("PATCH", "/tiles/{tile_id}"): {"json": {"minutes": 6}},
    ("PATCH", "/prescription-profiles/{profile_id}"): {"json": {"notes": "Renamed notes"}},
    # A fresh id: the walk sends it with the other tenant's Tile first, then its own.
    ("POST", "/me/tiles/{tile_id}/completions"): {"json": {"id": str(uuid.uuid4())}},
    ("POST", "/members/{member_id}/streak-pauses"): {
        "json": {"starts_on": "2026-11-02", "ends_on": "2026-11-08", "reason": "illness"}
    },
    ("POST", "/circles/{circle_id}/announcements"): {
        "json": {"title": "Saturday run", "body": "Meet at the gate at 8."}
    },
    ("PATCH", "/challenges/{challenge_id}"): {"json": {"name": "Renamed challenge"}},
    ("PATCH", "/journeys/templates/{template_id}"): {"json": {"name": "Renamed journey"}},
    **SCREENING_BODIES,
    ("PATCH", "/corporate/accounts/{account_id}/packages/{package_id}"): {
        "json": {"name": "Renamed package"}
    },
    ("POST", "/corporate/accounts/{account_id}/packages/{package_id}/end"): {
        "json": {"ends_on": "2099-12-31"}
    },
    ("POST", "/corporate/accounts/{account_id}/invoices"): {"json": {"month": "2026-02"}},
    ("POST", "/coaching/members/{member_id}/contacts"): {
        "json": {"kind": "call", "outcome": "reached", "text": "all well"}
    },
    ("POST", "/coaching/members/{member_id}/messages"): {"json": {"text": "See you Monday"}},
    ("POST", "/members/{member_id}/rectifications"): {"json": {"changes": {"phone": "0201"}}},
    ("PUT", "/coaching/members/{member_id}/coach"): {"json": {"coach_id": None}},
    ("POST", "/journeys/enrolments/{enrolment_id}/adjustments"): {
        "json": {"reason": "tired", "mix": "more_tiles"}
    },
    ("POST", "/journeys/enrolments/{enrolment_id}/assessments"): {
        "json": {"key": "sit_to_stand_30s", "week": 0, "value": 12}
    },
    **CORPORATE_BODIES,
    ("PATCH", "/webhooks/subscriptions/{subscription_id}"): {"json": {"description": "Renamed"}},
    ("POST", "/webhooks/subscriptions/{subscription_id}/rotate-secret"): {"json": {}},
    ("POST", "/webhooks/subscriptions/{subscription_id}/replay"): {
        "json": {"since": "2026-01-01T00:00:00Z"}
    },
}
#: Path parameters that are not ids take these values.
OTHER_PARAMS = {"fmt": "png", "version": "1", "entity": "members", "provider": "stripe"}
#: Routes for members: walked with a member token of the caller's tenant.
MEMBER_ROUTES = {
    "/me/checkins/{checkin_id}/checkout",
    "/me/sessions/{session_id}/checkout",
    "/me/sessions/{session_id}/rating",
    "/me/bookings/{booking_id}/cancel",
    "/me/sales/{sale_id}/receipt.pdf",
    "/me/sessions/{session_id}",
    "/me/circles/{circle_id}/join",
    "/me/circles/{circle_id}/leave",
    "/me/activity-imports/{activity_import_id}",
    "/me/tiles/{tile_id}",
    "/me/tiles/{tile_id}/completions",
    "/me/challenges/{challenge_id}/join",
    "/me/challenges/{challenge_id}/leave",
    "/me/journeys/enrolments/{enrolment_id}/certificate.pdf",
}
#: Routes whose own-id check may answer 409: the id was found, but its state (a booking
#: already confirmed, cancelled or attended) refuses the action.
STATE_DEPENDENT = {
    # The world's notice (a booking's confirmation) is queued, not failed: not sent again.
    "/notices/{notice_id}/retry",
    # The world's sale was paid in cash: nothing to ask a PSP about.
    "/payments/sales/{sale_id}/verify",
    # An archived profile is not edited: the walk may archive it before it edits it.
    "/prescription-profiles/{profile_id}",
    "/members/{member_id}/alerts/{alert_id}/resolve",
    "/bookings/{booking_id}/approve",
    "/bookings/{booking_id}/decline",
    "/bookings/{booking_id}/attendance",
    "/bookings/{booking_id}/cancel",
    "/me/bookings/{booking_id}/cancel",
    "/penalties/{penalty_id}/waive",
    "/sessions/{session_id}/bookings",
    "/sessions/{session_id}/move",
    "/sessions/{session_id}/cancel",
    "/schedules/{schedule_id}/end",
    "/sync/review-items/{review_item_id}/resolve",
    # The world's staff account has its password: a new invitation is a 409 (own tenant).
    "/staff/{staff_id}/invitation",
    # The world's member has not attended its class: nothing to check out of or rate.
    "/me/sessions/{session_id}/checkout",
    "/me/sessions/{session_id}/rating",
    # Voided by the walk's void: no correction after it.
    "/movement-events/{movement_event_id}/correction",
    "/movement-events/{movement_event_id}/void",
    # Cancelled by the walk's cancel, which comes first: no joining after it.
    "/me/challenges/{challenge_id}/join",
    # The world's member is on the world's journey already, enrolled (not started): it
    # can be dropped, not paused, resumed or completed, and once dropped no more changed;
    # it has no certificate until it is completed.
    "/members/{member_id}/journeys",
    "/journeys/enrolments/{enrolment_id}/pause",
    "/journeys/enrolments/{enrolment_id}/resume",
    "/journeys/enrolments/{enrolment_id}/complete",
    "/journeys/enrolments/{enrolment_id}/drop",
    "/journeys/enrolments/{enrolment_id}/adjustments",
    "/journeys/enrolments/{enrolment_id}/assessments",
    "/me/journeys/enrolments/{enrolment_id}/certificate.pdf",
    *CORPORATE_STATE_DEPENDENT,
}
#: The feed token is the credential of a calendar feed (calendar apps send no headers):
#: it is public by design, and forged tokens are tested in test_ical.py. Likewise an email's
#: signed unsubscribe link and a provider's signed status callback (test_notify_channels.py).
BY_TOKEN = {
    "/calendars/{token}.ics",
    "/unsubscribe/{token}",
    "/notices/status/{tenant_id}/{notice_id}",
}
#: Routes for enrolled kiosks: walked with a device token of the caller's tenant. Walked
#: after the staff routes: resolving a review item here leaves the managers' route a 409.
DEVICE_ROUTES = {"/sync/review-items/{review_item_id}/resolve"}


def _world(api: Api, slug: str) -> tuple[Tenant, dict[str, str]]:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant)
    staff = api.create_staff(tenant, "coach", f"coach@{slug}.example")
    device = api.enrol_device(tenant, location["id"])
    # With an email, so that routes about a member's invitation find something to do.
    body = {"first_name": "Kwame", "last_name": slug, "email": f"kwame@{slug}.example"}
    member = api.client.post("/members", json=body, headers=tenant.headers).json()
    photo = api.client.put(
        f"/members/{member['id']}/photo",
        content=PNG,
        headers={**tenant.headers, "content-type": "image/png"},
    )
    assert photo.status_code == 200, photo.text
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    plan = api.client.post(
        "/plans",
        json={
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GBP",
        },
        headers=tenant.headers,
    ).json()
    membership = api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan["id"], "starts_on": "2026-01-01", "ends_on": "2099-12-31"},
        headers=tenant.headers,
    ).json()
    checkin = api.client.post(
        "/checkins",
        json={"member_id": member["id"], "location_id": location["id"], "method": "search"},
        headers=tenant.headers,
    ).json()
    # A pass, not the monthly plan: a second open membership of it would overlap the one
    # the walk creates after the world's.
    sale_id = api.sell_day_pass(tenant, member["id"], location["id"])
    review_item_id = api.review_item(device, slug, member["id"])
    alert = api.client.post(
        f"/members/{member['id']}/alerts", json={"text": "balance due"}, headers=tenant.headers
    ).json()
    closure = api.client.post(
        f"/locations/{location['id']}/closures",
        json={"name": "Founders day", "starts_on": "2099-03-06"},
        headers=tenant.headers,
    ).json()
    outdoor = {
        "member_id": member["id"],
        "kind": "outdoor",
        "minutes": 45,
        "intensity": "vigorous",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
    }
    movement = api.client.post("/movement-events", json=outdoor, headers=tenant.headers)
    assert movement.status_code == 201, movement.text
    circle = api.client.post(
        "/circles",
        json={"name": "Runners", "interest": "runners", "location_id": location["id"]},
        headers=tenant.headers,
    ).json()
    imported = api.client.post(
        f"/members/{member['id']}/activity-imports",
        files={"file": ("run.gpx", GPX)},
        headers=tenant.headers,
    )
    assert imported.status_code == 201, imported.text
    tile = api.client.post(
        "/tiles",
        json={
            "title": "Desk stretch",
            "summary": "Loosen up at the desk.",
            "steps": ["Roll the shoulders."],
            "minutes": 5,
            "intensity": "light",
        },
        headers=tenant.headers,
    ).json()
    profile = api.client.post("/prescription-profiles", json=PROFILE, headers=tenant.headers)
    assert profile.status_code == 201, profile.text
    challenge = api.client.post(
        "/challenges",
        json={
            "name": "Spring moves",
            "metric": "sessions",
            "team_by": "location",
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        headers=tenant.headers,
    )
    assert challenge.status_code == 201, challenge.text
    journey_id = add_journey(api.client.app.state.container, tenant.id)  # type: ignore[attr-defined]
    enrolment = api.client.post(
        f"/members/{member['id']}/journeys",
        json={"template_id": journey_id, "coach_id": staff["id"]},
        headers=tenant.headers,
    )
    assert enrolment.status_code == 201, enrolment.text
    corporate = corporate_ids(api, tenant)
    return tenant, {
        **corporate,
        **corporate_billing_world(api, tenant, plan["id"], corporate["account_id"]),
        **journey_world(api, tenant, member["id"]),
        "journey_id": journey_id,
        "enrolment_id": enrolment.json()["id"],
        "activity_import_id": imported.json()["id"],
        "tile_id": tile["id"],
        "profile_id": profile.json()["id"],
        "challenge_id": challenge.json()["id"],
        "circle_id": circle["id"],
        "movement_event_id": movement.json()["id"],
        "closure_id": closure["id"],
        **_classes(api, tenant, location["id"], member["id"]),
        "alert_id": alert["id"],
        **screening_world(api, tenant, member["id"]),
        "review_item_id": review_item_id,
        "location_id": location["id"],
        "staff_id": staff["id"],
        "device_id": device["device_id"],
        "member_id": member["id"],
        "pass_id": issued["id"],
        "plan_id": plan["id"],
        "membership_id": membership["id"],
        "checkin_id": checkin["id"],
        "sale_id": sale_id,
        "subscription_id": subscribe(api, tenant, "https://hooks.example.com/zmos")["id"],
        "notice_id": _a_notice(api, tenant),
    }


def _a_notice(api: Api, tenant: Tenant) -> str:
    """A message in the tenant's delivery log (the world's booking confirmations)."""
    notices = api.client.get("/notices?limit=1", headers=tenant.headers).json()["items"]
    assert notices, "the world's booking queued no message"
    notice_id: str = notices[0]["id"]
    return notice_id


def _classes(api: Api, tenant: Tenant, location_id: str, member_id: str) -> dict[str, str]:
    """A session type, a series, a single session, a booking and a late-cancel penalty."""

    def post(path: str, body: dict[str, Any], status: int = 201) -> Any:
        response = api.client.post(path, json=body, headers=tenant.headers)
        assert response.status_code == status, (path, response.text)
        return response.json()

    kind = post(
        "/session-types",
        {
            "name": "Yoga",
            "kind": "class",
            "category": "yoga",
            "duration_minutes": 60,
            "default_capacity": 10,
            "intensity": "moderate",
        },
    )
    soon = date.today() + timedelta(days=2)
    series = post(
        "/schedules",
        {
            "location_id": location_id,
            "session_type_id": kind["id"],
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "local_start": "07:00",
            "starts_on": soon.isoformat(),
            "ends_on": (soon + timedelta(days=10)).isoformat(),
        },
    )
    one_off = {"location_id": location_id, "session_type_id": kind["id"], "local_start": "10:00"}
    session = post("/sessions", {**one_off, "local_date": soon.isoformat()})
    booking = post(f"/sessions/{session['id']}/bookings", {"member_id": member_id})
    # A late cancellation with no grace left: a penalty.
    policy = {"late_cancel_minutes": 10080, "grace_allowance": 0, "late_cancel_fee": "5.00"}
    response = api.client.patch("/booking-policy", json=policy, headers=tenant.headers)
    assert response.status_code == 200, response.text
    late = post("/sessions", {**one_off, "local_date": (soon + timedelta(days=1)).isoformat()})
    cancelled = post(f"/sessions/{late['id']}/bookings", {"member_id": member_id})
    post(f"/bookings/{cancelled['id']}/cancel", {}, status=200)
    penalties = api.client.get(f"/members/{member_id}/penalties", headers=tenant.headers).json()
    return {
        "session_type_id": kind["id"],
        "schedule_id": series["schedule"]["id"],
        "session_id": session["id"],
        "booking_id": booking["id"],
        "penalty_id": penalties["items"][0]["id"],
        "tenant_slug": tenant.slug,
    }


def _request(api: Api, method: str, path: str, headers: dict[str, str], template: str) -> Any:
    options = dict(BODIES.get((method, template), {}))
    headers = {**headers, **options.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **options)


def test_every_route_hides_other_tenants(api: Api, container: Container) -> None:
    tenant_a, ids_a = _world(api, "tenant-a")
    tenant_b, ids_b = _world(api, "tenant-b")
    # Public routes name the tenant by slug: the caller's own slug, with B's ids.
    ids_b = {**ids_b, "tenant_slug": tenant_a.slug}
    member_a = member_headers(container, tenant_a.id, ids_a["member_id"])
    # A kiosk of its own: the walk revokes the world's device.
    device_a = api.device_headers(api.enrol_device(tenant_a, ids_a["location_id"]))
    BODIES[("POST", "/sync/review-items/{review_item_id}/resolve")] = {
        "json": {"note": "merged", "staff_id": ids_a["staff_id"]}
    }
    # B's staff booking the caller's member into B's session: still 404.
    # Tenant A's member confirmed by their email: B's member is still not found.
    BODIES[("POST", "/members/{member_id}/erasure")] = {
        "json": {"confirmation": f"kwame@{tenant_a.slug}.example"}
    }
    # A package of tenant A's plan, for B's account: still 404.
    BODIES[("POST", "/corporate/accounts/{account_id}/packages")] = {
        "json": package_body(ids_a["plan_id"])
    }
    BODIES[("POST", "/sessions/{session_id}/bookings")] = {
        "json": {"member_id": ids_a["member_id"]}
    }
    # Tenant A's journey, for B's member: still 404.
    BODIES[("POST", "/members/{member_id}/journeys")] = {
        "json": {"template_id": ids_a["journey_id"]}
    }
    # A membership of tenant A's member on tenant A's plan (for B's member: still 404),
    # after the one the world holds (one membership of a plan at a time).
    BODIES[("POST", "/members/{member_id}/memberships")] = {
        "json": {"plan_id": ids_a["plan_id"], "starts_on": "2100-01-01"}
    }
    # Routes without ids only ever show the caller's own tenant.
    for path in (
        "/locations",
        "/staff",
        "/devices",
        "/members",
        "/plans",
        "/checkins",
        "/sales",
        "/audit",
    ):
        items = api.client.get(path, headers=tenant_a.headers).json()["items"]
        assert items, path
        seen = {item["id"] for item in items}
        assert not seen & set(ids_b.values()), path
    assert api.client.get("/tenant", headers=tenant_a.headers).json()["id"] == tenant_a.id
    assert tenant_b.id != tenant_a.id

    paths = api.client.get("/openapi.json").json()["paths"]
    operations = []
    assert set(paths) >= BY_TOKEN
    for template, methods in paths.items():
        if template in BY_TOKEN:
            continue
        params = [
            p for p in re.findall(r"{(\w+)}", template) if p not in (*OTHER_PARAMS, "tenant_slug")
        ]
        unknown = [p for p in params if p not in ids_b]
        assert not unknown, f"isolation walk does not know {unknown} of {template}: add it"
        if params:
            operations += [(method.upper(), template) for method in methods]
    # Deletions last, so tenant A's own ids still exist for every other check; nested
    # resources (a location's closures) before what holds them.
    # Erasure at the very end: it removes what the other routes work on.
    operations.sort(
        key=lambda op: (
            op[1].endswith("/erasure"),
            op[0] == "DELETE",
            op[1] in DEVICE_ROUTES,
            -op[1].count("/") if op[0] == "DELETE" else 0,
        )
    )
    walked = 0
    for method, template in operations:
        headers = member_a if template in MEMBER_ROUTES else tenant_a.headers
        headers = device_a if template in DEVICE_ROUTES else headers
        response = _request(
            api, method, template.format(**ids_b, **OTHER_PARAMS), headers, template
        )
        assert response.status_code == 404, (method, template, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        # The same route with tenant A's own ids works, so the 404 is isolation.
        own = _request(api, method, template.format(**ids_a, **OTHER_PARAMS), headers, template)
        found = own.status_code < 400 or (template in STATE_DEPENDENT and own.status_code == 409)
        assert found, (method, template, own.status_code, own.text)
        walked += 1
    assert walked >= 45


def test_a_corporate_admin_sees_no_other_account_on_any_corporate_route(
    api: Api, container: Container
) -> None:
    """Every read naming an account, asked by the admin of another account of the same
    tenant: 404, as another tenant's; with their own account's id it works. (Every route
    with a body is walked in test_isolation_corporate.)"""
    tenant = api.sign_up("two-companies")
    mine = open_account(container, tenant.id, "Acme", ["Sales"])
    theirs = open_account(container, tenant.id, "Globex", ["Legal"])
    headers = admin_headers(mine, "hr@acme.example")
    paths = api.client.get("/openapi.json").json()["paths"]
    walked = 0
    for template, methods in paths.items():
        if "{account_id}" not in template or set(re.findall(r"{(\w+)}", template)) != {
            "account_id"
        }:
            continue
        for method in (m for m in methods if m == "get"):
            other = api.client.request(
                method.upper(), template.format(account_id=theirs.account_id), headers=headers
            )
            assert other.status_code == 404, (method, template, other.text)
            own = api.client.request(
                method.upper(), template.format(account_id=mine.account_id), headers=headers
            )
            # Their own account: an answer, or a refusal for their role (never "not found").
            assert own.status_code < 400 or own.status_code == 403, (template, own.text)
            walked += 1
    assert walked >= 2


def test_a_kiosk_only_sees_its_own_tenant(api: Api) -> None:
    tenant_a, ids_a = _world(api, "kiosk-a")
    tenant_b, ids_b = _world(api, "kiosk-b")
    device = api.enrol_device(tenant_a, ids_a["location_id"])
    snapshot = api.client.get("/sync/snapshot", headers=api.device_headers(device)).json()
    assert snapshot["tenant"]["id"] == tenant_a.id
    assert snapshot["location"]["id"] == ids_a["location_id"]
    assert ids_b["staff_id"] not in {s["id"] for s in snapshot["staff"]}
    assert tenant_b.id != tenant_a.id


# --- ids inside bodies ----------------------------------------------------------------------

#: Routes with ids in their body: (method, path, body, the body's id fields). Ids are named by
#: the key of ``_world``'s ids they take. Each field in turn is given tenant B's id (and an id
#: of nothing) while the rest are the caller's own: the answer is 404 or 422, and the same
#: body with the caller's own ids works.
BODY_IDS: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    (
        "POST",
        "/checkins",
        {"method": "qr"},
        {"member_id": "member_id", "location_id": "location_id", "pass_id": "pass_id"},
    ),
    ("POST", "/bookings/{booking_id}/attendance", {}, {"checkin_id": "checkin_id"}),
    ("POST", "/sessions/{session_id}/bookings", {}, {"member_id": "member_id"}),
    (
        "POST",
        "/members",
        {"first_name": "Efua", "last_name": "Asante"},
        {"home_location_id": "location_id", "guest_of_id": "member_id"},
    ),
    ("PATCH", "/members/{member_id}", {}, {"home_location_id": "location_id"}),
    (
        "POST",
        "/members/{member_id}/memberships",
        {"starts_on": "2026-01-01"},
        {"plan_id": "plan_id", "home_location_id": "location_id"},
    ),
    (
        "POST",
        "/plans",
        {
            "name": "Here only",
            "kind": "recurring",
            "billing_period": "month",
            "price": "9.00",
            "currency": "GBP",
            "location_rule": "listed",
        },
        {"location_ids": "location_id"},
    ),
    ("PUT", "/session-types/{session_type_id}/instructors", {}, {"staff_ids": "staff_id"}),
    ("PATCH", "/sessions/{session_id}", {}, {"instructor_id": "staff_id"}),
    ("PATCH", "/schedules/{schedule_id}", {}, {"instructor_id": "staff_id"}),
    (
        "POST",
        "/sessions",
        {"local_date": (date.today() + timedelta(days=5)).isoformat(), "local_start": "12:00"},
        {
            "location_id": "location_id",
            "session_type_id": "session_type_id",
            "instructor_id": "staff_id",
        },
    ),
    (
        "POST",
        "/staff",
        {"name": "New", "role": "coach", "password": "a long enough password"},
        {"home_location_id": "location_id"},
    ),
    ("PATCH", "/staff/{staff_id}", {}, {"home_location_id": "location_id"}),
    (
        "POST",
        "/movement-events",
        {
            "kind": "staff_entry",
            "minutes": 30,
            "intensity": "moderate",
            "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
        {"member_id": "member_id", "location_id": "location_id"},
    ),
    (
        "POST",
        "/session-types",
        {
            "name": "Knee-friendly strength",
            "kind": "class",
            "category": "strength",
            "duration_minutes": 45,
            "default_capacity": 10,
        },
        {"profile_id": "profile_id"},
    ),
    ("PATCH", "/session-types/{session_type_id}", {}, {"profile_id": "profile_id"}),
    (
        "POST",
        "/tiles",
        {"title": "Sit to stand", "summary": "Legs.", "steps": ["Stand up."], "minutes": 5},
        {"profile_id": "profile_id"},
    ),
    ("PATCH", "/tiles/{tile_id}", {}, {"profile_id": "profile_id"}),
    (
        "POST",
        "/circles/{circle_id}/announcements",
        {"title": "Spring moves", "body": "Join the challenge."},
        {"challenge_id": "challenge_id"},
    ),
    (
        "POST",
        "/challenges",
        {
            "name": "Runners' month",
            "metric": "minutes",
            "team_by": "circle",
            "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        {"circle_id": "circle_id"},
    ),
    ("PUT", "/coaching/members/{member_id}/coach", {}, {"coach_id": "staff_id"}),
    (
        "POST",
        "/members/{member_id}/journeys",
        {},
        {"template_id": "journey_id", "coach_id": "staff_id"},
    ),
    (
        "POST",
        "/corporate/accounts/{account_id}/packages",
        {k: v for k, v in package_body("").items() if k != "plan_ids"},
        {"plan_ids": "plan_id", "journey_template_ids": "journey_id"},
    ),
    (
        "PATCH",
        "/corporate/accounts/{account_id}/packages/{package_id}",
        {},
        {"plan_ids": "plan_id", "journey_template_ids": "journey_id"},
    ),
]


def _body(fields: dict[str, str], ids: dict[str, str], base: dict[str, Any]) -> dict[str, Any]:
    body = dict(base)
    for field, key in fields.items():
        body[field] = [ids[key]] if field.endswith("_ids") else ids[key]
    if "email" not in body and base.get("role"):
        body["email"] = f"{uuid.uuid4().hex[:8]}@example.com"
    return body


def test_ids_inside_bodies_name_the_callers_tenant(api: Api, container: Container) -> None:
    tenant_a, ids_a = _world(api, "body-a")
    _, ids_b = _world(api, "body-b")
    nothing = {key: str(uuid.uuid4()) for key in ids_b}
    checked = 0
    for method, template, base, fields in BODY_IDS:
        path = template.format(**ids_a)
        for field, key in fields.items():
            for foreign in (ids_b, nothing):
                body = _body(fields, ids_a, base)
                body = {**body, **_body({field: key}, foreign, {})}
                response = api.client.request(method, path, json=body, headers=tenant_a.headers)
                assert response.status_code in (404, 422), (
                    method,
                    template,
                    field,
                    response.status_code,
                    response.text,
                )
                assert response.headers["content-type"] == "application/problem+json"
                checked += 1
        own = api.client.request(
            method, path, json=_body(fields, ids_a, base), headers=tenant_a.headers
        )
        # 409: the ids were found, and the object's state refuses (e.g. booked already).
        assert own.status_code < 400 or own.status_code == 409, (
            method,
            template,
            own.status_code,
            own.text,
        )
    assert checked == 2 * sum(len(fields) for *_, fields in BODY_IDS)


def test_a_kiosk_push_naming_other_tenants_ids_is_rejected_per_mutation(api: Api) -> None:
    tenant_a, ids_a = _world(api, "kiosk-body-a")
    _, ids_b = _world(api, "kiosk-body-b")
    device = api.enrol_device(tenant_a, ids_a["location_id"])
    headers = api.device_headers(device)
    # The booked class starts soon: its check-in is open (from an hour before the start).
    soon = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/London"))
    moved = api.client.post(
        f"/sessions/{ids_a['session_id']}/move",
        json={"local_date": soon.date().isoformat(), "local_start": soon.strftime("%H:%M")},
        headers=tenant_a.headers,
    )
    assert moved.status_code == 200, moved.text
    day_pass = api.client.post(
        "/plans",
        json={"name": "Day", "kind": "day_pass", "price": "10.00", "currency": "GBP"},
        headers=tenant_a.headers,
    ).json()
    member, location = ids_a["member_id"], ids_a["location_id"]
    at = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()

    def checkin(**extra: Any) -> dict[str, Any]:
        return {
            "checkin_id": str(uuid.uuid4()),
            "member_id": member,
            "location_id": location,
            "method": "qr",
            "admitted": True,
            "reason": "ok",
            **extra,
        }

    def sale(**extra: Any) -> dict[str, Any]:
        return {
            "sale_id": str(uuid.uuid4()),
            "member_id": member,
            "plan_id": day_pass["id"],
            "payment_method": "cash",
            "amount": "10.00",
            "currency": "GBP",
            "location_id": location,
            **extra,
        }

    def booking(**extra: Any) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "session_id": ids_a["session_id"],
            "member_id": member,
            **extra,
        }

    attend = {
        "booking_id": ids_a["booking_id"],
        "session_id": ids_a["session_id"],
        "member_id": member,
    }
    refused = "override"
    first = checkin(pass_id=ids_a["pass_id"])

    def checkout(checkin_id: str, member_id: str) -> dict[str, Any]:
        return {"checkin_id": checkin_id, "member_id": member_id, "minutes": 30}

    plan: list[tuple[str, dict[str, Any], str]] = [
        ("checkin.create.v1", checkin(pass_id=ids_b["pass_id"]), "rejected"),
        ("checkin.create.v1", checkin(pass_id=str(uuid.uuid4())), "rejected"),
        (
            "checkin.create.v1",
            checkin(admitted=False, override_by=ids_b["staff_id"], override_reason=refused),
            "rejected",
        ),
        ("checkin.create.v1", first, "applied"),
        ("checkin.create.v1", checkin(override_by=ids_a["staff_id"]), "applied"),
        ("checkin.checkout.v1", checkout(ids_b["checkin_id"], ids_b["member_id"]), "rejected"),
        ("checkin.checkout.v1", checkout(ids_b["checkin_id"], member), "rejected"),
        ("checkin.checkout.v1", checkout(first["checkin_id"], member), "applied"),
        ("sale.create.v1", sale(staff_id=ids_b["staff_id"]), "rejected"),
        ("sale.create.v1", sale(membership_id=ids_a["membership_id"]), "rejected"),
        ("sale.create.v1", sale(staff_id=ids_a["staff_id"]), "applied"),
        ("booking.create.v1", booking(staff_id=ids_b["staff_id"]), "rejected"),
        ("booking.attend.v1", {**attend, "checkin_id": ids_b["checkin_id"]}, "rejected"),
        ("booking.attend.v1", {**attend, "checkin_id": ids_a["checkin_id"]}, "applied"),
    ]
    mutations = [
        {"mutation_id": i, "name": name, "args": args, "device_time": at, "hlc": f"{i:016d}"}
        for i, (name, args, _) in enumerate(plan, start=1)
    ]
    response = api.client.post(
        "/sync/push",
        json={"device_id": device["device_id"], "schema_version": 2, "mutations": mutations},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [want for *_, want in plan], results
    checkins = api.client.get("/checkins", headers=tenant_a.headers).json()["items"]
    assert ids_b["pass_id"] not in {c["pass_id"] for c in checkins}
    assert ids_b["staff_id"] not in {c["override_by"] for c in checkins}


def test_a_coach_reaches_only_their_own_members(api: Api) -> None:
    """Every coaching route naming a member: coach A with coach B's member (same tenant)
    answers 404, as another tenant's would; with A's own member it works; a manager
    reaches both."""
    tenant, ids = _world(api, "coach-walk")
    coach_a = api.create_staff(tenant, "coach", "ama@coach-walk.example")
    a = api.token_for(tenant.slug, "ama@coach-walk.example")
    manager = api.create_staff(tenant, "manager", "mia@coach-walk.example")
    assert manager["role"] == "manager"
    body = {"first_name": "Ama", "last_name": "Mine", "email": "ama.mine@example.com"}
    mine = api.client.post("/members", json=body, headers=tenant.headers).json()["id"]
    theirs = ids["member_id"]
    for member, coach in ((mine, coach_a["id"]), (theirs, ids["staff_id"])):
        put = api.client.put(
            f"/coaching/members/{member}/coach", json={"coach_id": coach}, headers=tenant.headers
        )
        assert put.status_code == 200, put.text
    paths = api.client.get("/openapi.json").json()["paths"]
    walked = 0
    for template, methods in paths.items():
        if not template.startswith("/coaching/members/{member_id}"):
            continue
        for method in (m.upper() for m in methods):
            if (method, template) == ("PUT", "/coaching/members/{member_id}/coach"):
                continue  # owners and managers only: a coach is refused whoever it names
            other = _request(api, method, template.format(member_id=theirs), a, template)
            assert other.status_code == 404, (method, template, other.text)
            own = _request(api, method, template.format(member_id=mine), a, template)
            assert own.status_code < 400, (method, template, own.text)
            walked += 1
    assert walked >= 4
    listed = api.client.get("/coaching/members", headers=a).json()["items"]
    assert [m["member_id"] for m in listed] == [mine]
    everyone = api.client.get(
        "/coaching/members", headers=api.token_for(tenant.slug, "mia@coach-walk.example")
    ).json()["items"]
    assert {mine, theirs} <= {m["member_id"] for m in everyone}
