"""Movement prescription profiles as a kind of the console's Set-up: the list, a page per
profile (its form holds the current version; its history sits under it), a new profile,
an edit that writes the next version, and archiving. Risk flags and goals are ticked by
their labels. The set-up pages read their kinds from ``KINDS`` here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import model_validator
from starlette.responses import Response

from server.api.deps import Services
from server.ports.identity import AccessClaims
from server.prescriptions import service as prescriptions
from server.prescriptions.rules import GOAL_KEYS
from server.prescriptions.schemas import ProfileCreate, ProfileRead, ProfileUpdate
from server.tenants import service as tenants
from server.web import setup_tiles
from server.web.formatting import Formats
from server.web.pages import redirect
from server.web.sessions import checked_form, services
from server.web.setup_common import admin, call, parse_id
from server.web.setup_forms import CHOICES, LINES, NUMBER, SELECT, TEXTAREA, Field
from server.web.setup_kinds import Column, Context, Kind, visible_locations
from shared.carepath.vocabulary import RISK_FLAG_LABELS, Goal
from shared.enums import Intensity

router = APIRouter(include_in_schema=False)

#: What each goal is called on a page.
GOAL_LABELS: dict[Goal, str] = {
    Goal.GENERAL_FITNESS: "General fitness",
    Goal.WEIGHT: "Weight",
    Goal.STRENGTH: "Strength",
    Goal.MOBILITY: "Mobility",
    Goal.BALANCE: "Balance",
    Goal.STRESS_RELIEF: "Stress relief",
    Goal.SLEEP: "Sleep",
    Goal.ENDURANCE: "Endurance",
}
_FLAGS = [(flag.value, label) for flag, label in RISK_FLAG_LABELS.items()]
_GOALS = [(goal.value, label) for goal, label in GOAL_LABELS.items()]
_INTENSITIES = [(i.value, i.value.capitalize()) for i in Intensity]
LABELS: dict[str, str] = dict(_FLAGS) | dict(_GOALS)


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def _indications(data: Any) -> Any:
    """The form ticks goals and risks in two lists; a profile names both as indications."""
    if isinstance(data, dict) and ("goals" in data or "risks" in data):
        data = dict(data)
        data["indications"] = [*data.pop("goals", []), *data.pop("risks", [])]
    return data


class ProfileForm(ProfileCreate):
    _split = model_validator(mode="before")(_indications)


class ProfileEditForm(ProfileUpdate):
    _split = model_validator(mode="before")(_indications)


@dataclass(frozen=True)
class Shown:
    """A profile as the set-up list and form read a row: its name is its current one."""

    profile: ProfileRead

    @property
    def id(self) -> uuid.UUID:
        return self.profile.id

    @property
    def name(self) -> str:
        return self.profile.current.name


def _fields(_: Context) -> list[Field]:
    return [
        Field("name", "Name", required=True),
        Field("summary", "Summary", TEXTAREA, hint="One or two sentences"),
        Field("goals", "Goals it serves", CHOICES, _GOALS),
        Field("risks", "Risks it suits", CHOICES, _FLAGS),
        Field(
            "contraindications",
            "Not for people with",
            CHOICES,
            _FLAGS,
            hint="Members with these flags are never recommended it",
        ),
        Field("frequency_min", "Sessions a week, at least", NUMBER, required=True),
        Field("frequency_max", "Sessions a week, at most", NUMBER, required=True),
        Field("intensity", "Intensity", SELECT, _INTENSITIES, required=True),
        Field(
            "intensity_ceiling",
            "Intensity ceiling",
            SELECT,
            _INTENSITIES,
            required=True,
            hint="Nothing above it belongs in the profile",
        ),
        Field("minutes_per_session", "Minutes a session", NUMBER, required=True),
        Field("minutes_per_week", "Minutes a week", NUMBER, required=True),
        Field("types", "Types", LINES, hint="One a line: aerobic, strength, balance …"),
        Field("notes", "Notes", TEXTAREA),
        Field("sources", "Sources", TEXTAREA, hint="The guidelines the dose follows"),
    ]


def _values(row: Shown) -> dict[str, Any]:
    v = row.profile.current
    return {
        "name": v.name,
        "summary": v.summary,
        "goals": [key for key in v.indications if key in GOAL_KEYS],
        "risks": [key for key in v.indications if key not in GOAL_KEYS],
        "contraindications": list(v.contraindications),
        "frequency_min": str(v.frequency_min),
        "frequency_max": str(v.frequency_max),
        "intensity": v.intensity.value,
        "intensity_ceiling": v.intensity_ceiling.value,
        "minutes_per_session": str(v.minutes_per_session),
        "minutes_per_week": str(v.minutes_per_week),
        "types": "\n".join(v.types),
        "notes": v.notes,
        "sources": v.sources,
    }


def _rows(container: Services, claims: AccessClaims) -> list[Shown]:
    page = prescriptions.list_profiles(
        uow=container.uow(), claims=claims, include_archived=True, limit=200, offset=0
    )
    return [Shown(p) for p in page.items]


def _actions(row: Shown) -> list[tuple[str, str]]:
    if row.profile.archived_at is not None:
        return []
    return [("Archive", f"/manage/setup/profiles/{row.id}/archive")]


def _dose(row: Shown, _: Context) -> str:
    v = row.profile.current
    times = (
        f"{v.frequency_min}"
        if v.frequency_min == v.frequency_max
        else (f"{v.frequency_min}–{v.frequency_max}")
    )
    return f"{times}× a week, {v.minutes_per_week} min"


PROFILES = Kind(
    key="profiles",
    title="Prescription profiles",
    one="profile",
    blurb="Who an activity suits and must avoid, and its weekly dose; session types and "
    "Tiles follow them.",
    fields=_fields,
    columns=(
        Column("Dose", _dose),
        Column("Intensity", lambda r, _: r.profile.current.intensity.value.capitalize()),
        Column("Version", lambda r, _: str(r.profile.current_version)),
        Column("Status", lambda r, _: "Archived" if r.profile.archived_at else "In use"),
    ),
    create_model=ProfileForm,
    update_model=ProfileEditForm,
    rows=_rows,
    read=lambda c, claims, i: Shown(
        prescriptions.get_profile(uow=c.uow(), claims=claims, profile_id=i)
    ),
    create=lambda c, claims, cmd: prescriptions.create_profile(uow=c.uow(), claims=claims, cmd=cmd),
    update=lambda c, claims, i, cmd: prescriptions.update_profile(
        uow=c.uow(),
        followers=c.profile_followers,  # type: ignore[attr-defined]
        claims=claims,
        profile_id=i,
        cmd=cmd,
    ),
    values=_values,
    defaults=lambda _: {
        "frequency_min": "2",
        "frequency_max": "3",
        "intensity": Intensity.MODERATE.value,
        "intensity_ceiling": Intensity.MODERATE.value,
        "minutes_per_session": "30",
        "minutes_per_week": "60",
    },
    row_actions=_actions,
)

KINDS = {**setup_tiles.KINDS, PROFILES.key: PROFILES}


def choices(container: Services, claims: AccessClaims) -> tuple[tuple[str, str], ...]:
    """The profiles a session type or Tile form offers: (id, name), archived ones marked
    (what follows one keeps it; choosing one anew is refused)."""
    return tuple(
        (str(row.id), f"{row.name} (archived)" if row.profile.archived_at else row.name)
        for row in _rows(container, claims)
    )


def history(container: Services, claims: AccessClaims, profile_id: uuid.UUID) -> dict[str, Any]:
    """What the profile's page shows under its form: every version, newest first."""
    page = prescriptions.list_versions(
        uow=container.read_uow(), claims=claims, profile_id=profile_id, limit=200, offset=0
    )
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    locations = visible_locations(container, claims)
    fmt = Formats.of(locations[0], tenant.currency) if locations else Formats(currency=None)
    return {"versions": page.items, "label": label, "fmt": fmt}


@router.post("/manage/setup/profiles/{raw_id}/archive")
async def archive_profile(request: Request, raw_id: str) -> Response:
    await checked_form(request)
    claims = await admin(request)
    profile_id = parse_id(raw_id)
    container = services(request)
    await call(
        lambda: prescriptions.archive_profile(
            uow=container.uow(), claims=claims, profile_id=profile_id
        )
    )
    return redirect(request, "/manage/setup/profiles")
