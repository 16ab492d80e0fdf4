"""Engagement rules built on the movement ledger: pure functions and value types, shared by
the server and the kiosk (no database, no I/O)."""
