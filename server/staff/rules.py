"""Staff role rules, as plain functions."""

from __future__ import annotations

from shared.enums import StaffRole


def may_manage(actor: StaffRole, target_role: StaffRole) -> bool:
    """Owners manage everyone; managers manage everyone but owners; others nobody."""
    if actor is StaffRole.OWNER:
        return True
    return actor is StaffRole.MANAGER and target_role is not StaffRole.OWNER


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
