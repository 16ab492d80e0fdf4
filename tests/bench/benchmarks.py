"""Importing this module registers every benchmark; add new benchmark modules here."""

from . import (
    api_read,
    bookings,
    coaching,
    corporate,
    engagement,
    frame_decode,
    journeys,
    kiosk_checkin,
    kiosk_download,
    kiosk_start,
    leaderboard,
    renewals,
    sales,
    sync,
    web_engagement,
    web_pages,
)

__all__ = [
    "api_read",
    "bookings",
    "coaching",
    "corporate",
    "engagement",
    "frame_decode",
    "journeys",
    "kiosk_checkin",
    "kiosk_download",
    "kiosk_start",
    "leaderboard",
    "renewals",
    "sales",
    "sync",
    "web_engagement",
    "web_pages",
]
