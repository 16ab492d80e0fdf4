"""Identifiers: UUIDv7 everywhere, so ids sort by creation time and can be made offline."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A new UUIDv7 as a standard :class:`uuid.UUID`."""
    return uuid.UUID(int=uuid6.uuid7().int)


def parse_id(value: str | uuid.UUID) -> uuid.UUID:
    """Parse an id, raising ``ValueError`` with a readable message when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a valid id") from None
