"""Member rules as plain functions: phones, birth dates, goals, preferences, photos, tokens."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

from shared.normalise import PHONE_CHARS
from shared.normalise import looks_like_phone as looks_like_phone
from shared.one_time_tokens import new_one_time_token as new_one_time_token
from shared.one_time_tokens import parse_one_time_token as parse_one_time_token
from shared.one_time_tokens import sha256 as sha256

#: E.164 allows at most 15 digits; fewer than 3 is not a phone number anywhere.
_PHONE_DIGITS = (3, 15)
MAX_AGE_YEARS = 120
MAX_GOALS, MAX_GOAL_LENGTH = 20, 80
MAX_PREFERENCES_BYTES = 4096
MAX_PHOTO_BYTES = 2 * 1024 * 1024
#: Barcodes and card numbers: printable ASCII without spaces, as USB scanners type them.
CODE_PATTERN = r"^[!-~]{1,64}$"
IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def normalise_phone(raw: str) -> str:
    """Digits only, with a leading + kept: "+233 (20) 000-0000" becomes "+233200000000"."""
    text = raw.strip()
    if not PHONE_CHARS.match(text):
        raise ValueError(
            f"{raw!r} is not a phone number: use digits, spaces, dashes and a leading +"
        )
    digits = re.sub(r"\D", "", text)
    low, high = _PHONE_DIGITS
    if not low <= len(digits) <= high:
        raise ValueError(f"{raw!r} is not a phone number: it needs {low} to {high} digits")
    return ("+" if text.startswith("+") else "") + digits


def phone_patterns(query: str) -> list[str]:
    """SQL LIKE patterns that find a stored (normalised) phone from part of a number.

    "+44 7700" is the start of an international number. Bare digits match the start or the
    end of a number ("0912" finds "+2330912..." and "...0912"); a national number with its
    trunk 0 ("020 000 0000") also matches the end of the international form ("+23320...").
    """
    text = query.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return [f"+{digits}%"]
    patterns = [f"%{digits}", f"{digits}%", f"+{digits}%"]
    if digits.startswith("0") and len(digits) >= 5:
        patterns.append(f"%{digits.lstrip('0')}")
    return patterns


def check_date_of_birth(value: date, today: date) -> date:
    if value > today:
        raise ValueError("date of birth cannot be in the future")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValueError(f"date of birth is more than {MAX_AGE_YEARS} years ago")
    return value


def clean_goals(goals: list[str]) -> list[str]:
    """Trimmed, de-duplicated, short goals such as "run 5k" or "mobility"."""
    cleaned: list[str] = []
    for goal in goals:
        text = " ".join(goal.split())
        if not text:
            raise ValueError("a fitness goal cannot be empty")
        if len(text) > MAX_GOAL_LENGTH:
            raise ValueError(f"a fitness goal has at most {MAX_GOAL_LENGTH} characters")
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_GOALS:
        raise ValueError(f"at most {MAX_GOALS} fitness goals")
    return cleaned


def check_preferences(value: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(value, separators=(",", ":")).encode()) > MAX_PREFERENCES_BYTES:
        raise ValueError(f"preferences take at most {MAX_PREFERENCES_BYTES} bytes as JSON")
    return value


def check_photo(data: bytes, content_type: str) -> str:
    """The photo's content type, when the bytes really are that kind of image."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in IMAGE_MAGIC:
        raise ValueError("send the photo as image/png or image/jpeg")
    if not data:
        raise ValueError("the photo is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValueError(f"the photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB")
    if not data.startswith(IMAGE_MAGIC[kind]):
        raise ValueError(f"the body is not a {kind.removeprefix('image/').upper()} image")
    return kind


def new_verification_token(tenant_id: uuid.UUID, verification_id: uuid.UUID) -> tuple[str, str]:
    return new_one_time_token("ev", tenant_id, verification_id)


def parse_verification_token(token: str) -> tuple[uuid.UUID, uuid.UUID, str]:
    return parse_one_time_token("ev", token)


#: What a coach does not see of a member: contact details, birth date and the door
#: credentials (barcode, key card). Front desk staff and above do.
PERSONAL_FIELDS = ("email", "phone", "date_of_birth", "barcode", "card_number")
COACH_MEMBERS_ONLY = "coaches see only the members booked into the classes they lead"
