"""Screening (PAR-Q+ style), staff clearances, risk flags, and the booking gate."""
