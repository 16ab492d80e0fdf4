"""HTTP routes of bookings. Thin: parse, call, return."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["bookings"])
