"""Nudges: reminders and encouragement sent to members by a background job."""
