"""Query and path parameters every route shares, with bounds: a value out of them is a 422,
never a number the database cannot hold.

Dates and text in parameters follow the rules of :mod:`shared.inputs`, as in request bodies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from shared.inputs import Day, Text

#: The largest ``offset`` of a paged list: far beyond any list, and a 32-bit integer, which
#: every database takes.
MAX_OFFSET = 2**31 - 1
#: The largest sync cursor: the sequences behind it are 64-bit integers.
MAX_CURSOR = 2**63 - 1

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="How many items of the list to skip")
]
Cursor = Annotated[
    int, Query(ge=0, le=MAX_CURSOR, description="The cursor of the last page applied; 0 at first")
]
#: A tenant's public name in a path.
TenantSlug = Annotated[Text, Path(max_length=100)]

__all__ = ["MAX_CURSOR", "MAX_OFFSET", "Cursor", "Day", "Offset", "TenantSlug", "Text"]
