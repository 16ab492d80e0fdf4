"""The starter library, shipped as data: profiles a new tenant gets and then edits as its
own. Read once per process; every profile is checked as a tenant's would be."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from server.prescriptions.schemas import ProfileCreate

LIBRARY = Path(__file__).with_name("starter_library.json")


@cache
def starter_profiles() -> dict[str, ProfileCreate]:
    """Keyed by a stable name, so loading again adds only what is missing."""
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    return {key: ProfileCreate.model_validate(item) for key, item in data["profiles"].items()}


def description() -> str:
    """Where the doses come from (the sources the library follows)."""
    return str(json.loads(LIBRARY.read_text(encoding="utf-8"))["description"])
