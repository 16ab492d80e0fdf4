"""Challenges: individual and team contests scored from the movement ledger."""
