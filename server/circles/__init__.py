"""Circles: a tenant's interest groups (runners, back-care, stress-reset) that members join
and leave, with announcements by staff."""
