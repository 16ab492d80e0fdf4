"""A fake ZMOS server for kiosk tests, behind ``httpx.MockTransport`` (the device API contract).

Shared by tests/unit/desktop and tests/ui (imported by module name; no tests/ package).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from argon2 import PasswordHasher

from shared.kiosk_pins import keyed_verifier, pin_index, pin_key_from_secret

if TYPE_CHECKING:
    pass

ENROL_CODE = "fake-gym.K7PQ-2MXA-9TZR"
MANAGER_PIN = "246810"
COACH_PIN = "1357"
# Cheap parameters: verification works with any parameters, and tests stay fast.
HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def problem(status: int, detail: str, code: str) -> httpx.Response:
    body = {
        "type": "about:blank",
        "title": "Error",
        "status": status,
        "detail": detail,
        "code": code,
    }
    return httpx.Response(
        status, content=json.dumps(body), headers={"content-type": "application/problem+json"}
    )


class FakeServer:
    def __init__(
        self, timezone: str = "Europe/London", location_name: str = "Riverside Gym"
    ) -> None:
        self.tenant_id = uuid.uuid4()
        self.location_id = uuid.uuid4()
        self.device_id = uuid.uuid4()
        self.device_secret = "s3cret-" + uuid.uuid4().hex
        self.timezone = timezone
        self.location_name = location_name
        self.codes = {ENROL_CODE}
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.snapshot_requests = 0
        self.revoked = False
        self.down = False
        self.status_500 = False
        self.requests: list[tuple[str, str]] = []
        #: As the server holds them (argon2 PIN hashes); kiosks get keyed verifiers.
        self.staff: list[dict[str, Any]] = []
        self.add_staff("Ana Manager", "manager", MANAGER_PIN)
        self.add_staff("Ben Coach", "coach", COACH_PIN)
        self.add_staff("Cleo Desk", "front_desk", None)
        self.server_time: datetime | None = None  # None: the real clock
        self.plans: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []
        self.memberships: list[dict[str, Any]] = []
        #: Admitted check-ins of the current limit periods, as the server sends them.
        self.checkins: list[dict[str, Any]] = []
        self.pass_keys: list[dict[str, Any]] = []
        self.revoked_pass_ids: list[str] = []
        self.session_types: list[dict[str, Any]] = []
        self.class_sessions: list[dict[str, Any]] = []
        self.bookings: list[dict[str, Any]] = []
        #: The tenant's door rules (none: the kiosk keeps its defaults).
        self.checkin_policy: list[dict[str, Any]] = []
        self.member_alerts: list[dict[str, Any]] = []
        self.location_closures: list[dict[str, Any]] = []
        self.places: list[dict[str, Any]] = []
        #: Members' streak states and latest badge (``SnapshotEngagement`` rows).
        self.member_engagement: list[dict[str, Any]] = []
        #: Members' payer benefits as ZPS last answered (``SnapshotBenefit`` rows).
        self.benefit_snapshots: list[dict[str, Any]] = []
        #: Member id → the JPEG ``/members/{id}/thumbnail`` serves (absent: 404).
        self.thumbnails: dict[str, bytes] = {}
        self.review_items: list[dict[str, Any]] = []
        #: Resolutions asked for by the kiosk: (review item id, its JSON body).
        self.resolutions: list[tuple[str, dict[str, Any]]] = []
        self.opening_hours: dict[str, Any] = {
            day: [{"opens": "06:00", "closes": "22:00"}]
            for day in ("mon", "tue", "wed", "thu", "fri")
        } | {
            "sat": [{"opens": "08:00", "closes": "12:00"}, {"opens": "14:00", "closes": "18:00"}],
            "sun": [],
        }

    def client(self, base_url: str = "http://zmos.test") -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), base_url=base_url)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def add_staff(
        self, name: str, role: str, pin: str | None, *, indexed: bool = True
    ) -> dict[str, Any]:
        """A staff member as the server holds them: the PIN's argon2 hash and, unless the PIN
        predates indexes (``indexed=False``), its tenant-wide index."""
        pin_hash = HASHER.hash(pin) if pin else None
        index = pin_index(pin, self.tenant_id, like=pin_hash) if pin and pin_hash else None
        staff = {
            "id": str(uuid.uuid4()),
            "name": name,
            "role": role,
            "pin_hash": pin_hash,
            "pin_index": index if indexed else None,
        }
        self.staff.append(staff)
        return staff

    def staff_for_kiosk(self, staff: dict[str, Any]) -> dict[str, Any]:
        """A staff row as the real server sends it: a verifier keyed for this device."""
        key = pin_key_from_secret(self.device_secret)
        return {
            "id": staff["id"],
            "name": staff["name"],
            "role": staff["role"],
            "pin_verifier": keyed_verifier(staff["pin_hash"], key),
            "pin_lookup": keyed_verifier(staff.get("pin_index"), key),
        }

    def snapshot(self) -> dict[str, Any]:
        return {
            "tenant": {"id": str(self.tenant_id), "name": "Zimasa Fitness"},
            "location": {
                "id": str(self.location_id),
                "name": self.location_name,
                "timezone": self.timezone,
                "capacity": 80,
                "address": "1 River Road",
                "contact_email": "desk@example.com",
                "contact_phone": None,
                "opening_hours": self.opening_hours,
            },
            "staff": [self.staff_for_kiosk(s) for s in self.staff],
            "server_time": (self.server_time or datetime.now(UTC)).isoformat(),
            "plans": self.plans,
            "members": self.members,
            "memberships": self.memberships,
            "pass_keys": self.pass_keys,
            "revoked_pass_ids": self.revoked_pass_ids,
            "checkins": self.checkins,
            "session_types": self.session_types,
            "class_sessions": self.class_sessions,
            "bookings": self.bookings,
            "checkin_policy": self.checkin_policy,
            "member_alerts": self.member_alerts,
            "location_closures": self.location_closures,
            "places": self.places,
            "member_engagement": self.member_engagement,
            "benefit_snapshots": self.benefit_snapshots,
            "review_items": [r for r in self.review_items if r["status"] == "open"],
        }

    # -- data the snapshot serves (see also seed_desk_data) ------------------------------

    def add_review_item(self, summary: str, member_id: uuid.UUID | None = None) -> str:
        item_id = str(uuid.uuid4())
        self.review_items.append(
            {
                "id": item_id,
                "location_id": str(self.location_id),
                "kind": "ineligible_admission",
                "member_id": None if member_id is None else str(member_id),
                "summary": summary,
                "status": "open",
                "created_at": (self.server_time or datetime.now(UTC)).isoformat(),
            }
        )
        return item_id

    def add_plan(self, name: str, kind: str, price: str = "0", **fields: Any) -> uuid.UUID:
        plan_id = uuid.uuid4()
        self.plans.append(
            {"id": str(plan_id), "name": name, "kind": kind, "price": price, "currency": "GBP"}
            | {"location_rule": "all"}
            | fields
        )
        return plan_id

    def add_session(
        self, name: str, starts_at: datetime, *, capacity: int, minutes: int = 45, **fields: Any
    ) -> uuid.UUID:
        type_id, session_id = uuid.uuid4(), uuid.uuid4()
        self.session_types.append(
            {
                "id": str(type_id),
                "name": name,
                "kind": "class",
                "category": "cardio",
                "duration_minutes": minutes,
                "default_capacity": capacity,
            }
        )
        self.class_sessions.append(
            {
                "id": str(session_id),
                "location_id": str(self.location_id),
                "session_type_id": str(type_id),
                "name": name,
                "instructor_name": "Ben Coach",
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(),
                "capacity": capacity,
                "room": "Studio 1",
            }
            | fields
        )
        return session_id

    def add_booking(
        self, session_id: uuid.UUID, member_id: uuid.UUID, position: int, **fields: Any
    ) -> uuid.UUID:
        booking_id = uuid.uuid4()
        self.bookings.append(
            {
                "id": str(booking_id),
                "session_id": str(session_id),
                "member_id": str(member_id),
                "status": "confirmed",
                "position": position,
            }
            | fields
        )
        return booking_id

    def add_member(self, first: str, last: str, **fields: Any) -> uuid.UUID:
        member_id = uuid.uuid4()
        self.members.append({"id": str(member_id), "first_name": first, "last_name": last} | fields)
        return member_id

    def add_membership(
        self, member_id: uuid.UUID, plan_id: uuid.UUID, starts_on: date, **fields: Any
    ) -> uuid.UUID:
        membership_id = uuid.uuid4()
        self.memberships.append(
            {
                "id": str(membership_id),
                "member_id": str(member_id),
                "plan_id": str(plan_id),
                "status": "active",
                "starts_on": starts_on.isoformat(),
            }
            | {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}
        )
        return membership_id

    def add_checkin(
        self, member_id: uuid.UUID, membership_id: uuid.UUID, occurred_at: datetime
    ) -> None:
        self.checkins.append(
            {
                "id": str(uuid.uuid4()),
                "member_id": str(member_id),
                "location_id": str(self.location_id),
                "membership_id": str(membership_id),
                "admitted": True,
                "occurred_at": occurred_at.isoformat(),
            }
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        if self.down:
            raise httpx.ConnectError("Connection refused", request=request)
        if self.status_500:
            return httpx.Response(500, text="Internal Server Error")
        path = request.url.path
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if path == "/devices/enrol" and request.method == "POST":
            body = json.loads(request.content)
            if body.get("code") not in self.codes:
                return problem(
                    400,
                    "This enrolment code is not valid or has expired.",
                    "invalid_enrolment_code",
                )
            self.codes.discard(body["code"])
            return httpx.Response(
                201,
                json={
                    "device_id": str(self.device_id),
                    "device_secret": self.device_secret,
                    "tenant_id": str(self.tenant_id),
                    "location_id": str(self.location_id),
                },
            )
        if path == "/devices/token" and request.method == "POST":
            self.token_requests += 1
            body = json.loads(request.content)
            if self.revoked:
                return problem(401, "The device was revoked.", "device_revoked")
            if body != {"device_id": str(self.device_id), "device_secret": self.device_secret}:
                return problem(401, "Unknown device or wrong secret.", "invalid_credentials")
            token = uuid.uuid4().hex
            self.tokens.add(token)
            return httpx.Response(
                200, json={"access_token": token, "token_type": "bearer", "expires_in": 900}
            )
        if path == "/sync/snapshot" and request.method == "GET":
            self.snapshot_requests += 1
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
                return problem(401, "The access token has expired.", "token_expired")
            return httpx.Response(200, json=self.snapshot())
        return self._member_and_review_routes(request, path)

    def _member_and_review_routes(self, request: httpx.Request, path: str) -> httpx.Response:
        if path.startswith("/members/") and path.endswith("/thumbnail"):
            return self._thumbnail(request, path.split("/")[2])
        if path.startswith("/sync/review-items/") and path.endswith("/resolve"):
            return self._resolve_review_item(request, path.split("/")[3])
        return problem(404, "Not found.", "not_found")

    def _thumbnail(self, request: httpx.Request, member_id: str) -> httpx.Response:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return problem(401, "The access token has expired.", "token_expired")
        photo = self.thumbnails.get(member_id)
        if photo is None:
            return problem(404, "This member has no photo.", "no_photo")
        return httpx.Response(200, content=photo, headers={"content-type": "image/jpeg"})

    def _resolve_review_item(self, request: httpx.Request, item_id: str) -> httpx.Response:
        found = [r for r in self.review_items if r["id"] == item_id]
        if not found:
            return problem(404, "Not found.", "not_found")
        if found[0]["status"] == "resolved":
            return problem(409, "This review item was resolved already.", "already_resolved")
        body = json.loads(request.content)
        self.resolutions.append((item_id, body))
        found[0] |= {"status": "resolved", "resolution_note": body["note"]}
        return httpx.Response(200, json=found[0])
