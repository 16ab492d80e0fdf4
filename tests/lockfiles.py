"""Reading the lock files (``requirements/*.lock``) and ``pyproject.toml``'s dependencies."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK_DIR = ROOT / "requirements"
SIDES = ("server", "kiosk", "dev")
FIRST_PARTY = frozenset({"server", "desktop", "shared", "zmos", "tests"})

_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
# "name==version \" or "name==version ; marker \", then its hashes, one a line.
_PINNED = re.compile(rf"^(?P<name>{_NAME_PATTERN})==(?P<version>[^\s;]+)(?: ;[^\\]*)? \\$")
_HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}(?: \\)?$")
_NAME = re.compile(rf"^{_NAME_PATTERN}")


def normalize(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    version: str
    hashes: list[str] = field(default_factory=list)


@dataclass
class Lock:
    name: str
    pins: dict[str, Pin]
    problems: list[str]  # lines that are neither a pinned requirement nor its hash


@cache
def read_lock(side: str) -> Lock:
    pins: dict[str, Pin] = {}
    problems: list[str] = []
    current: Pin | None = None
    for number, line in enumerate((LOCK_DIR / f"{side}.lock").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _HASH.match(line):
            if current is None:
                problems.append(f"{side}.lock:{number}: a hash before any requirement")
            else:
                current.hashes.append(line.split("=", 1)[1].rstrip(" \\"))
            continue
        match = _PINNED.match(line)
        if match is None:
            problems.append(f"{side}.lock:{number}: not 'name==version \\': {line!r}")
            current = None
            continue
        current = pins.setdefault(normalize(match["name"]), Pin(match["version"]))
    return Lock(side, pins, problems)


@cache
def pyproject_requirements() -> dict[str, frozenset[str]]:
    """Distribution names required by the base install ("base") and by each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"base": project["dependencies"], **project["optional-dependencies"]}
    return {
        group: frozenset(normalize(_requirement_name(requirement)) for requirement in names)
        for group, names in groups.items()
    }


def _requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement.strip())
    assert match is not None, f"cannot read a name in {requirement!r}"
    return match.group(0)


@cache
def module_distributions() -> dict[str, frozenset[str]]:
    """Top-level importable module -> the installed distributions that provide it."""
    return {
        module: frozenset(normalize(name) for name in names)
        for module, names in packages_distributions().items()
        if module not in FIRST_PARTY
    }


def modules_outside(side: str) -> frozenset[str]:
    """Modules installed from the dev lock that no distribution of ``side``'s lock provides:
    what code of that side must never import."""
    allowed = set(read_lock(side).pins)
    everything = set(read_lock("dev").pins)
    return frozenset(
        module
        for module, distributions in module_distributions().items()
        if distributions & everything and not distributions & allowed
    )
