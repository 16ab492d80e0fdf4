"""The member's profile and password forms: what was typed, turned into the members'
commands, and each refusal said next to the field it is about."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from server.members.schemas import MemberProfile, MemberProfileUpdate, PasswordChange
from server.web.forms import sentence

#: Profile fields a member edits as text, in the form's order.
TEXT_FIELDS = ("first_name", "last_name", "phone", "date_of_birth", "emergency_contact")
REMINDERS = "class_reminders"
#: What the schemas' bounds mean to a person; other refusals are said in the schema's words.
_WORDS = {
    "first_name": "Enter your first name (at most 100 characters).",
    "last_name": "Enter your last name (at most 100 characters).",
    "date_of_birth": "Enter a real date of birth, in the past.",
    "emergency_contact": "At most 200 characters.",
    "password": "Choose a password of at least 10 characters.",
    "current_password": "Enter the password you have now.",
}


class FieldErrors(Exception):
    """The form again (422), with a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _sentence(text: str) -> str:
    return sentence(text.removeprefix("Value error, "))


def field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, _WORDS.get(name) or _sentence(str(error["msg"])))
    return errors


def typed_profile(fields: dict[str, str]) -> dict[str, Any]:
    """The form's values as typed (to show again after a refusal)."""
    typed: dict[str, Any] = {name: fields.get(name, "").strip() for name in TEXT_FIELDS}
    typed["fitness_goals"] = fields.get("fitness_goals", "")
    typed[REMINDERS] = fields.get(REMINDERS) == "on"
    return typed


def profile_values(me: MemberProfile) -> dict[str, Any]:
    """The member's profile as the form shows it."""
    return {
        "first_name": me.first_name,
        "last_name": me.last_name,
        "phone": me.phone or "",
        "date_of_birth": me.date_of_birth.isoformat() if me.date_of_birth else "",
        "emergency_contact": me.emergency_contact or "",
        "fitness_goals": "\n".join(me.fitness_goals),
        REMINDERS: bool(me.preferences.get(REMINDERS)),
    }


def profile_command(typed: dict[str, Any], preferences: dict[str, Any]) -> MemberProfileUpdate:
    """Every field of the form is sent: an emptied optional one is cleared. Preferences the
    form does not show are kept as they are."""
    goals = [line.strip() for line in str(typed["fitness_goals"]).splitlines() if line.strip()]
    values: dict[str, Any] = {
        name: typed[name] or None for name in TEXT_FIELDS if name not in ("first_name", "last_name")
    }
    values.update(first_name=typed["first_name"], last_name=typed["last_name"])
    values["fitness_goals"] = goals
    values["preferences"] = {**preferences, REMINDERS: bool(typed[REMINDERS])}
    try:
        return MemberProfileUpdate.model_validate(values)
    except ValidationError as exc:
        raise FieldErrors(field_errors(exc)) from None


def password_command(fields: dict[str, str]) -> PasswordChange:
    current, new = fields.get("current_password", ""), fields.get("password", "")
    errors: dict[str, str] = {}
    try:
        cmd = PasswordChange.model_validate({"current_password": current, "password": new})
    except ValidationError as exc:
        errors = field_errors(exc)
    if "password" not in errors and new != fields.get("password_again", ""):
        errors["password_again"] = "The two new passwords are not the same: type it twice."
    if errors:
        raise FieldErrors(errors)
    return cmd
