"""Staff role rules, as plain functions."""

from __future__ import annotations

import uuid

from shared.enums import StaffRole


def may_manage(actor: StaffRole, target_role: StaffRole) -> bool:
    """Owners manage everyone; managers manage everyone but owners; others nobody."""
    if actor is StaffRole.OWNER:
        return True
    return actor is StaffRole.MANAGER and target_role is not StaffRole.OWNER


def works_at(
    home_location_id: uuid.UUID | None,
    location_scope: frozenset[uuid.UUID] | None,
    location_id: uuid.UUID,
) -> bool:
    """Whether a member of staff's PIN works at a kiosk of ``location_id``: at the locations
    their role is limited to, if it is; else at their home location, or everywhere when
    they have none."""
    if location_scope is not None:
        return location_id in location_scope
    return home_location_id is None or home_location_id == location_id


#: Roles whose PIN opens the most at a kiosk: a longer PIN for them.
SENIOR_PIN_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER})
SENIOR_PIN_DIGITS = 6


def senior_pin_rule(role: StaffRole) -> str:
    return f"the PIN of {_article(role)} must have at least {SENIOR_PIN_DIGITS} digits"


def pin_problem(role: StaffRole, pin: str) -> str | None:
    """Why ``pin`` cannot be the PIN of someone with ``role``, or None when it can."""
    if role in SENIOR_PIN_ROLES and len(pin) < SENIOR_PIN_DIGITS:
        return senior_pin_rule(role)
    return None


def _article(role: StaffRole) -> str:
    name = role.value.replace("_", " ")
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
