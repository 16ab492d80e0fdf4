"""Bookings with waitlists, booking policies and penalties, attendance and no-shows."""
