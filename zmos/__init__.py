"""The ``zmos`` command line: server, kiosk, demo and database tools."""
