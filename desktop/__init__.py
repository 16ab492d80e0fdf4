"""ZMOS front-desk kiosk: core/ has no Qt, ui/ runs no SQL, workers/ own the threads."""
