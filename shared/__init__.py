"""What the kiosk and the server must agree on. No FastAPI, SQLAlchemy or Qt imports here."""
