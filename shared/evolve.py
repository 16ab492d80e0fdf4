"""A faster ``dataclasses.replace`` for the small frozen states hot loops rebuild."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_NAMES: dict[type, tuple[str, ...]] = {}


def evolve(obj: T, **changes: Any) -> T:
    """A copy of the frozen dataclass ``obj`` with ``changes``, about twice as fast as
    ``dataclasses.replace`` (no keyword ``__init__``). Only for classes with no
    ``__post_init__`` and no ``init=False`` field: nothing is validated again."""
    cls = type(obj)
    names = _NAMES.get(cls)
    if names is None:
        if hasattr(cls, "__post_init__") or any(not f.init for f in fields(cls)):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__} validates itself: use dataclasses.replace")
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    for name in changes:
        if name not in names:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
    new = object.__new__(cls)
    set_field = object.__setattr__
    for name in names:
        set_field(new, name, changes[name] if name in changes else getattr(obj, name))
    return new
