"""Migration in: members, memberships, class types, sessions and bookings from another
system's CSV exports, with the source system's ids kept so re-runs change nothing."""
