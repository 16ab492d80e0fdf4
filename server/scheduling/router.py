"""HTTP routes of scheduling. Thin: parse, call, return."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["scheduling"])
