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
#: The most items one page of a list holds, on every list.
MAX_LIMIT = 500
#: The items one page of a list holds when the caller does not say.
DEFAULT_LIMIT = 50
#: The largest sync cursor: the sequences behind it are 64-bit integers.
MAX_CURSOR = 2**63 - 1

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="How many items of the list to skip")
]
#: How many items a page of a list holds: the same bounds on every list.
Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"How many items a page holds (at most {MAX_LIMIT})")
]
Cursor = Annotated[
    int, Query(ge=0, le=MAX_CURSOR, description="The cursor of the last page applied; 0 at first")
]
#: A tenant's public name in a path.
TenantSlug = Annotated[Text, Path(max_length=100)]

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_CURSOR",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Cursor",
    "Day",
    "Limit",
    "Offset",
    "TenantSlug",
    "Text",
]
