"""Migration 5: member emails are matched in the normal form the server stores them in
(trimmed and lower-cased, where this kiosk used to case-fold them: "ß" stays "ß" rather than
becoming "ss"). The stored normal forms of pulled and local members are recomputed.

The function is the program's own normaliser: should that ever change, the migration that
comes with the change recomputes the column again.
"""

from shared.normalise import normalise_email

FUNCTIONS = {"zmos_normalise_email": normalise_email}

SCRIPT = """
UPDATE cached_member SET email_norm = zmos_normalise_email(email);
UPDATE local_member SET email_norm = zmos_normalise_email(email);
"""
