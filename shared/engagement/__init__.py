"""Engagement rules over the movement ledger, without a database: the dose of a day and a
week, daily and weekly streaks, the Movement Adherence Score, adaptive weekly goals,
challenge scoring, leaderboard ranking, and points and badges.

Shared so that the server (the ledger's consumer) and, later, the kiosk (offline) decide
alike. Dates here are already the member's local calendar dates (the tenant's day-start
hour applied): nothing in this package ever subtracts timestamps.
"""
