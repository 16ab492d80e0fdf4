"""Self-contained screens shown in the main window's central stack."""
