"""Qt widgets. The UI calls the core; it never runs SQL."""
