"""Imports every domain's models so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from server.checkin import models as checkin_models
from server.db.base import Base
from server.devices import models as devices_models
from server.engagement import models as engagement_models
from server.members import models as members_models
from server.passes import models as passes_models
from server.plans import models as plans_models
from server.staff import models as staff_models
from server.sync import models as sync_models
from server.sync import tables as sync_tables
from server.tenants import models as tenants_models

__all__ = [
    "Base",
    "checkin_models",
    "devices_models",
    "engagement_models",
    "members_models",
    "passes_models",
    "plans_models",
    "staff_models",
    "sync_models",
    "sync_tables",
    "tenants_models",
]
