"""What the set-up pages edit, kind by kind: each kind's form fields, its list's columns
and the service calls that read and change it (worker thread; the services check tenant,
role and location as they do for the API)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from server.api.deps import Services
from server.errors import NotFound
from server.plans import service as plans
from server.plans.schemas import PlanCreate, PlanRead, PlanUpdate
from server.ports.identity import AccessClaims
from server.scheduling import service as scheduling
from server.scheduling.schemas import SessionTypeCreate, SessionTypeRead, SessionTypeUpdate
from server.staff import service as staff
from server.staff.schemas import StaffCreate, StaffRead, StaffUpdate
from server.tenants import service as tenants
from server.tenants.schemas import LocationCreate, LocationRead, LocationUpdate
from server.web.formatting import Formats
from server.web.setup_forms import (
    CHECKBOX,
    CHOICES,
    EMAIL,
    HOURS,
    LINES,
    NUMBER,
    SECRET,
    SELECT,
    TEXTAREA,
    WINDOWS,
    Field,
    hours_text,
    windows_text,
)
from shared.enums import Intensity, LimitMode, LimitPeriod, LocationRule, PlanKind, SessionKind
from shared.enums import StaffRole as Role
from shared.opening_hours import WEEKDAYS

#: The locales a location's pages may be written in (dates, times, money).
LOCALES = (
    ("en_GB", "English (United Kingdom)"),
    ("en_GH", "English (Ghana)"),
    ("en_NG", "English (Nigeria)"),
    ("en_KE", "English (Kenya)"),
    ("en_ZA", "English (South Africa)"),
    ("en_US", "English (United States)"),
    ("en_IE", "English (Ireland)"),
    ("fr_CI", "French (Côte d’Ivoire)"),
    ("fr_SN", "French (Senegal)"),
    ("fr_FR", "French (France)"),
)
#: Reads pages of at most this many: a tenant's set-up lists are short.
PAGE = 200


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _options(values: Sequence[str], blank: str | None = None) -> list[tuple[str, str]]:
    first = [("", blank)] if blank is not None else []
    return first + [(v, _label(v)) for v in values]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Context:
    """What a form's choices depend on: the tenant's locations the account sees."""

    locations: list[LocationRead]
    currency: str
    #: Amounts and dates not tied to one location: the first location's way, or the default.
    fmt: Formats
    #: The prescription profiles a session type or Tile may follow: (id, name).
    profiles: tuple[tuple[str, str], ...] = ()

    def profile_name(self, profile_id: uuid.UUID | None) -> str:
        """What a list shows of the profile a row follows ("—": none)."""
        return dict(self.profiles).get(str(profile_id), "—") if profile_id else "—"

    def profile_field(self, what: str) -> Field:
        return Field(
            "profile_id",
            "Prescription profile",
            SELECT,
            [("", "None: the values below"), *self.profiles],
            hint=f"Its {what} replace the values below, now and when it changes",
        )

    @property
    def location_options(self) -> list[tuple[str, str]]:
        return [(str(loc.id), loc.name) for loc in self.locations]


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any, Context], str]


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    one: str
    blurb: str
    fields: Callable[[Context], list[Field]]
    columns: Sequence[Column]
    create_model: type[BaseModel]
    update_model: type[BaseModel]
    rows: Callable[[Services, AccessClaims], Sequence[Any]]
    read: Callable[[Services, AccessClaims, uuid.UUID], Any]
    create: Callable[[Services, AccessClaims, Any], Any]
    update: Callable[[Services, AccessClaims, uuid.UUID, Any], Any]
    values: Callable[[Any], dict[str, Any]]
    #: What a new one's form starts with.
    defaults: Callable[[Context], dict[str, Any]] = lambda _: {}
    #: Fields on the edit form only (what a new one always starts as).
    edit_only: frozenset[str] = frozenset()
    #: Buttons on a row of the list: (label, the address the button posts to).
    row_actions: Callable[[Any], Sequence[tuple[str, str]]] = lambda _: ()

    def form_fields(self, ctx: Context, editing: bool) -> list[Field]:
        return [
            f
            for f in self.fields(ctx)
            if not (editing and f.create_only) and (editing or f.name not in self.edit_only)
        ]


# --- locations -----------------------------------------------------------------------------


def _location_fields(ctx: Context) -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field(
            "timezone",
            "Time zone",
            required=True,
            hint="An IANA zone, such as Europe/London or Africa/Accra",
            attrs={"autocapitalize": "none"},
        ),
        Field("locale", "Language and formats", SELECT, LOCALES, required=True),
        Field("capacity", "Capacity (people at once)", NUMBER),
        Field("address", "Address", TEXTAREA),
        Field("contact_email", "Contact email", EMAIL),
        Field("contact_phone", "Contact phone", attrs={"inputmode": "tel"}),
        Field(
            "currency",
            "Currency",
            hint=f"Three letters (ISO 4217); blank: the tenant's ({ctx.currency})",
            attrs={"autocapitalize": "characters", "maxlength": "3"},
        ),
        Field(
            "opening_hours",
            "Opening hours",
            HOURS,
            hint="Per day, such as 06:00-12:00, 14:00-22:00; blank: closed that day",
        ),
    ]


def _location_values(loc: LocationRead) -> dict[str, Any]:
    return {
        "name": loc.name,
        "timezone": loc.timezone,
        "locale": loc.locale,
        "capacity": _text(loc.capacity),
        "address": _text(loc.address),
        "contact_email": _text(loc.contact_email),
        "contact_phone": _text(loc.contact_phone),
        "currency": _text(loc.currency),
        "opening_hours": {d: hours_text(loc.opening_hours.day(d)) for d in WEEKDAYS},
    }


def visible_locations(container: Services, claims: AccessClaims) -> list[LocationRead]:
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=PAGE, offset=0)
    return page.items


def location_in_scope(container: Services, claims: AccessClaims, location_id: uuid.UUID) -> Any:
    """A location the account may see: one outside its locations is as good as unknown."""
    if claims.location_ids is not None and location_id not in claims.location_ids:
        raise NotFound(f"location {location_id} was not found")
    return tenants.get_location(uow=container.read_uow(), claims=claims, location_id=location_id)


LOCATIONS = Kind(
    key="locations",
    title="Locations",
    one="location",
    blurb="Branches with their time zone, language, opening hours and closures.",
    fields=_location_fields,
    columns=(
        Column("Time zone", lambda r, _: r.timezone),
        Column("Language", lambda r, _: dict(LOCALES).get(r.locale, r.locale)),
        Column("Capacity", lambda r, _: _text(r.capacity)),
    ),
    create_model=LocationCreate,
    update_model=LocationUpdate,
    rows=visible_locations,
    read=location_in_scope,
    create=lambda c, claims, cmd: tenants.create_location(uow=c.uow(), claims=claims, cmd=cmd),
    update=lambda c, claims, i, cmd: (
        location_in_scope(c, claims, i),
        tenants.update_location(uow=c.uow(), claims=claims, location_id=i, cmd=cmd),
    )[1],
    values=_location_values,
    defaults=lambda _: {"locale": "en_GB"},
)


# --- plans ---------------------------------------------------------------------------------


def _plan_fields(ctx: Context) -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field("kind", "Kind", SELECT, _options(list(PlanKind)), required=True, create_only=True),
        Field("price", "Price", required=True, attrs={"inputmode": "decimal"}),
        Field(
            "currency",
            "Currency",
            required=True,
            attrs={"autocapitalize": "characters", "maxlength": "3"},
        ),
        Field(
            "billing_period",
            "Billing period",
            SELECT,
            _options(["month", "year"], "None (not recurring)"),
        ),
        Field("credits", "Credits (class packs)", NUMBER),
        Field("validity_days", "Valid for (days)", NUMBER),
        Field("location_rule", "Where it admits", SELECT, _options(list(LocationRule))),
        Field(
            "location_ids",
            "Listed locations",
            CHOICES,
            ctx.location_options,
            hint="Only when it admits at listed locations",
        ),
        Field("visit_limit", "Visit limit", NUMBER),
        Field("visit_limit_period", "Per", SELECT, _options(list(LimitPeriod), "No limit")),
        Field("visit_limit_mode", "Over the limit", SELECT, _options(list(LimitMode), "—")),
        Field(
            "time_windows",
            "Off-peak windows",
            WINDOWS,
            hint="One a line, such as mon tue wed 10:00-16:00; blank: any time",
        ),
        Field("active", "On sale", CHECKBOX, hint="Untick to archive the plan"),
    ]


def _plan_values(plan: PlanRead) -> dict[str, Any]:
    return {
        "name": plan.name,
        "kind": plan.kind.value,
        "price": str(plan.price),
        "currency": plan.currency,
        "billing_period": _text(plan.billing_period),
        "credits": _text(plan.credits),
        "validity_days": _text(plan.validity_days),
        "location_rule": plan.location_rule.value,
        "location_ids": [str(i) for i in plan.location_ids],
        "visit_limit": _text(plan.visit_limit),
        "visit_limit_period": _text(plan.visit_limit_period and plan.visit_limit_period.value),
        "visit_limit_mode": _text(plan.visit_limit_mode and plan.visit_limit_mode.value),
        "time_windows": windows_text(plan.time_windows),
        "active": plan.active,
    }


PLANS = Kind(
    key="plans",
    title="Plans",
    one="plan",
    blurb="What members buy: memberships, class packs, day and guest passes.",
    fields=_plan_fields,
    columns=(
        Column("Kind", lambda r, _: _label(r.kind.value)),
        Column("Price", lambda r, ctx: ctx.fmt.money(r.price, r.currency)),
        Column("On sale", lambda r, _: "Yes" if r.active else "Archived"),
    ),
    create_model=PlanCreate,
    update_model=PlanUpdate,
    rows=lambda c, claims: (
        plans.list_plans(
            uow=c.read_uow(), claims=claims, kind=None, active=None, limit=PAGE, offset=0
        ).items
    ),
    read=lambda c, claims, i: plans.get_plan(uow=c.read_uow(), claims=claims, plan_id=i),
    create=lambda c, claims, cmd: plans.create_plan(uow=c.uow(), claims=claims, cmd=cmd),
    update=lambda c, claims, i, cmd: plans.update_plan(
        uow=c.uow(), claims=claims, plan_id=i, cmd=cmd
    ),
    values=_plan_values,
    defaults=lambda ctx: {"currency": ctx.currency, "location_rule": "all", "active": True},
)


# --- session types -------------------------------------------------------------------------


def _type_fields(ctx: Context) -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field("kind", "Kind", SELECT, _options(list(SessionKind)), required=True),
        Field("category", "Category", required=True, hint="HIIT, yoga, strength …"),
        Field("description", "Description", TEXTAREA),
        Field("duration_minutes", "Duration (minutes)", NUMBER, required=True),
        Field("default_capacity", "Default capacity", NUMBER, required=True),
        Field("requires_approval", "Bookings need approval", CHECKBOX),
        ctx.profile_field("intensity, goal, contra-indications and times a week"),
        Field("intensity", "Intensity", SELECT, _options(list(Intensity)), required=True),
        Field("primary_goal", "Primary goal", hint="Such as mobility, endurance, strength"),
        Field(
            "contraindications",
            "Contra-indications",
            LINES,
            hint="One a line, such as pregnancy or recent knee surgery",
        ),
        Field("suggested_per_week", "Suggested times a week", NUMBER),
        Field("active", "In use", CHECKBOX, hint="Untick to archive the type"),
    ]


def _type_values(row: SessionTypeRead) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind.value,
        "category": row.category,
        "description": _text(row.description),
        "duration_minutes": str(row.duration_minutes),
        "default_capacity": str(row.default_capacity),
        "requires_approval": row.requires_approval,
        "intensity": row.intensity.value,
        "primary_goal": _text(row.primary_goal),
        "contraindications": "\n".join(row.contraindications),
        "suggested_per_week": _text(row.suggested_per_week),
        "profile_id": _text(row.profile_id),
        "active": row.active,
    }


SESSION_TYPES = Kind(
    key="session-types",
    title="Session types",
    one="session type",
    blurb="Classes, personal training and events, their prescription profile and instructors.",
    fields=_type_fields,
    columns=(
        Column("Kind", lambda r, _: _label(r.kind.value)),
        Column("Intensity", lambda r, _: _label(r.intensity.value)),
        Column("Profile", lambda r, ctx: ctx.profile_name(r.profile_id)),
        Column("Minutes", lambda r, _: str(r.duration_minutes)),
        Column("In use", lambda r, _: "Yes" if r.active else "Archived"),
    ),
    create_model=SessionTypeCreate,
    update_model=SessionTypeUpdate,
    rows=lambda c, claims: (
        scheduling.list_session_types(
            uow=c.read_uow(), claims=claims, active=None, kind=None, limit=PAGE, offset=0
        ).items
    ),
    read=lambda c, claims, i: scheduling.get_session_type(
        uow=c.read_uow(), claims=claims, session_type_id=i
    ),
    create=lambda c, claims, cmd: scheduling.create_session_type(
        uow=c.uow(), claims=claims, cmd=cmd
    ),
    update=lambda c, claims, i, cmd: scheduling.update_session_type(
        uow=c.uow(), claims=claims, session_type_id=i, cmd=cmd
    ),
    values=_type_values,
    defaults=lambda _: {"active": True, "intensity": "moderate", "duration_minutes": "60"},
)


# --- staff ---------------------------------------------------------------------------------


def _staff_fields(ctx: Context) -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field("email", "Email", EMAIL, required=True, create_only=True),
        Field("role", "Role", SELECT, _options(list(Role)), required=True),
        Field(
            "password",
            "First password",
            SECRET,
            create_only=True,
            keep_if_blank=True,
            hint="At least 10 characters; leave blank to email an invitation",
            attrs={"autocomplete": "new-password"},
        ),
        Field(
            "pin",
            "Kiosk PIN",
            SECRET,
            keep_if_blank=True,
            hint="Digits, for the kiosk; blank: no PIN, or keep the one set",
            attrs={"inputmode": "numeric", "autocomplete": "off"},
        ),
        Field(
            "home_location_id",
            "Home location",
            SELECT,
            [("", "None"), *ctx.location_options],
        ),
        Field(
            "location_ids",
            "Limited to",
            CHOICES,
            ctx.location_options,
            hint="None ticked: all locations (owners always have all)",
        ),
        Field("active", "Active", CHECKBOX, hint="Untick to deactivate: they cannot sign in"),
    ]


def _staff_values(row: StaffRead) -> dict[str, Any]:
    return {
        "name": row.name,
        "email": row.email,
        "role": row.role.value,
        "home_location_id": _text(row.home_location_id),
        "location_ids": [str(i) for i in row.location_ids],
        "active": row.active,
    }


def _staff_places(row: StaffRead, ctx: Context) -> str:
    if not row.location_ids:
        return "All locations"
    names = {loc.id: loc.name for loc in ctx.locations}
    return ", ".join(names.get(i, "another location") for i in row.location_ids)


def _staff_status(row: StaffRead) -> str:
    if not row.active:
        return "Deactivated"
    return "Active" if row.has_password else "Invited"


def _staff_actions(row: StaffRead) -> list[tuple[str, str]]:
    """An invited account that has not chosen its password may need the email again."""
    if row.active and not row.has_password:
        return [("Send the invitation again", f"/manage/setup/staff/{row.id}/invitation")]
    return []


STAFF = Kind(
    key="staff",
    title="Staff",
    one="staff member",
    blurb="Accounts with their role, locations and kiosk PIN.",
    fields=_staff_fields,
    columns=(
        Column("Role", lambda r, _: _label(r.role.value)),
        Column("Locations", _staff_places),
        Column("PIN", lambda r, _: "Set" if r.has_pin else "—"),
        Column("Status", lambda r, _: _staff_status(r)),
    ),
    create_model=StaffCreate,
    update_model=StaffUpdate,
    rows=lambda c, claims: (
        staff.list_staff(uow=c.read_uow(), claims=claims, limit=PAGE, offset=0).items
    ),
    read=lambda c, claims, i: staff.get_staff(uow=c.read_uow(), claims=claims, staff_id=i),
    create=lambda c, claims, cmd: staff.create_staff(
        uow=c.uow(),
        identity=c.identity,
        claims=claims,
        cmd=cmd,
        notifications=c.notifications,
        public_url=c.settings.public_url,
    ),
    update=lambda c, claims, i, cmd: staff.update_staff(
        uow=c.uow(), identity=c.identity, grants=c.grants, claims=claims, staff_id=i, cmd=cmd
    ),
    values=_staff_values,
    edit_only=frozenset({"active"}),
    row_actions=_staff_actions,
)

KINDS = {k.key: k for k in (LOCATIONS, PLANS, SESSION_TYPES, STAFF)}
