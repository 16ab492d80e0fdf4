"""The kiosk core: plain Python, no Qt (DESIGN.md §3)."""
