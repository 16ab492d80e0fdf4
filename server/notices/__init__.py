"""Messages to people, queued in the writing transaction and sent after it commits."""
