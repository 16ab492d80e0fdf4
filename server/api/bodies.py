"""Request bodies for the two ways of changing a resource: ``PUT`` replaces it and takes
every field; ``PATCH`` changes the fields sent and keeps the others.

A settings body whose fields have defaults (so that a new tenant's settings read as them)
would otherwise let a ``PUT`` that leaves a field out silently reset it to its default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _require_all(schema: dict[str, Any], model: type[BaseModel]) -> None:
    schema["required"] = [field.alias or name for name, field in model.model_fields.items()]
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


def _no_defaults(schema: dict[str, Any], _model: type[BaseModel]) -> None:
    schema.pop("required", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class Replacing(BaseModel):
    """Mixed into a body for a ``PUT`` (``class XReplace(Replacing, XBody)``): a body that
    leaves out a field is a 422 naming it, and the schema marks every field required."""

    model_config = ConfigDict(json_schema_extra=_require_all)

    @model_validator(mode="before")
    @classmethod
    def _every_field(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [
                field.alias or name
                for name, field in cls.model_fields.items()
                if (field.alias or name) not in data
            ]
            if missing:
                raise ValueError(
                    f"PUT replaces all of it: send {', '.join(missing)} too "
                    "(or PATCH to change only some fields)"
                )
        return data


class Patching(BaseModel):
    """Mixed into a body for a ``PATCH`` (``class XPatch(Patching, XBody)``): read
    ``model_dump(exclude_unset=True)`` for the fields sent. The schema shows no defaults
    and requires nothing: a field left out keeps its value, it does not take one."""

    model_config = ConfigDict(json_schema_extra=_no_defaults)


class Accepted(BaseModel):
    """The answer of a request whose work happens out of sight (an email sent, or not)."""

    detail: str
