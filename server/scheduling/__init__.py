"""Session types, instructors, recurring schedules and the session instances they produce."""
