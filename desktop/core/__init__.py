"""The kiosk core: plain Python, no Qt."""
