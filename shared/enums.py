"""Enumerations used by both the kiosk and the server."""

from __future__ import annotations

from enum import StrEnum


class StaffRole(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    FRONT_DESK = "front_desk"
    COACH = "coach"


#: Roles allowed to administer a tenant's locations, staff and devices.
ADMIN_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER})
#: Staff whose PIN lets them leave the kiosk's full-screen mode.
KIOSK_EXIT_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK})


class PrincipalKind(StrEnum):
    """Who is calling the API."""

    STAFF = "staff"
    DEVICE = "device"
    MEMBER = "member"
    CORPORATE_ADMIN = "corporate_admin"


class MutationStatus(StrEnum):
    """The server's verdict on one pushed mutation."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class CheckinMethod(StrEnum):
    QR = "qr"
    BARCODE = "barcode"
    CARD = "card"
    SEARCH = "search"
    MANUAL = "manual"


class MemberSource(StrEnum):
    DESK = "desk"
    ONLINE = "online"
    CORPORATE = "corporate"
    IMPORT = "import"


class PlanKind(StrEnum):
    RECURRING = "recurring"
    CLASS_PACK = "class_pack"
    DAY_PASS = "day_pass"
    GUEST_PASS = "guest_pass"
    CORPORATE = "corporate"


class LocationRule(StrEnum):
    HOME = "home"
    LISTED = "listed"
    ALL = "all"


class MembershipStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FROZEN = "frozen"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    #: A renewal charge failed; retried on days 1, 3 and 7 after the failure.
    PAST_DUE = "past_due"
    #: Every retry failed: no access until the member pays.
    SUSPENDED = "suspended"
    #: Sold by mobile money the payer has not approved yet: no access until the PSP confirms.
    AWAITING_PAYMENT = "awaiting"


class LimitPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"


class LimitMode(StrEnum):
    WARN = "warn"
    BLOCK = "block"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD_TERMINAL = "card_terminal"
    #: A recurring plan's renewal, charged by the server without anyone at the desk.
    CARD_ON_FILE = "card_on_file"
    #: Mobile money (Paystack): pending until the payer approves on their phone.
    MOBILE_MONEY = "mobile_money"


class PaymentStatus(StrEnum):
    """Where a sale's money stands: taken, awaiting the PSP (mobile money), or refused."""

    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"


class RefundState(StrEnum):
    """Where a refund stands: ``pending`` (reserved on the sale, the PSP's answer not known
    yet: it is asked again until it answers), ``done`` (the money went back), ``declined``
    (the PSP refused it; the amount is back on the sale to refund later)."""

    PENDING = "pending"
    DONE = "done"
    DECLINED = "declined"


class PaymentProvider(StrEnum):
    STRIPE = "stripe"
    PAYSTACK = "paystack"


class MovementKind(StrEnum):
    ATTENDANCE = "attendance"
    FLOOR_CHECKIN = "floor_checkin"
    OUTDOOR = "outdoor"
    TILE = "tile"
    STAFF_ENTRY = "staff_entry"
    SELF_REPORT = "self_report"


class SessionKind(StrEnum):
    """What a session type is."""

    CLASS = "class"
    PERSONAL_TRAINING = "personal_training"
    EVENT = "event"


class Intensity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    VIGOROUS = "vigorous"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    """Where a booking stands. Pending (manual approval) holds a place like confirmed."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"


class Attendance(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    NO_SHOW = "no_show"


class BookingSource(StrEnum):
    MEMBER = "member"
    STAFF = "staff"
    KIOSK = "kiosk"


class CancelKind(StrEnum):
    """Why a booking ended: in time, late (policy applies), by the provider, session gone."""

    IN_TIME = "in_time"
    LATE = "late"
    BY_STAFF = "by_staff"
    SESSION_CANCELLED = "session_cancelled"


class PenaltyKind(StrEnum):
    LATE_CANCEL = "late_cancel"
    NO_SHOW = "no_show"


class PenaltyOutcome(StrEnum):
    """What a policy did: charged a fee, forfeited a credit, used a grace, or was waived."""

    FEE = "fee"
    CREDIT_FORFEITED = "credit_forfeited"
    GRACE = "grace"
    WAIVED = "waived"
