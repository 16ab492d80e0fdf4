"""A valid prescription profile body, for the tests that need one."""

from __future__ import annotations

from typing import Any

PROFILE: dict[str, Any] = {
    "name": "Knee-friendly strength",
    "summary": "Strength work that spares sore knees.",
    "indications": ["joint_pain", "strength"],
    "contraindications": ["recent_injury"],
    "intensity_ceiling": "moderate",
    "frequency_min": 2,
    "frequency_max": 3,
    "intensity": "moderate",
    "minutes_per_session": 30,
    "minutes_per_week": 60,
    "types": ["strength"],
    "notes": "No deep squats.",
    "sources": "ACSM Guidelines 11th ed. 2021",
}
