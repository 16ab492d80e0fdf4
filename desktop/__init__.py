"""ZMOS front-desk kiosk (DESIGN.md §1): core/ has no Qt, ui/ runs no SQL."""
