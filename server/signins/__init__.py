"""Signing in, for staff and members alike: refresh tokens and the sign-in throttle."""
