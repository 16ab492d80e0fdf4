"""Imports every domain's models so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from server.db.base import Base
from server.devices import models as devices_models
from server.staff import models as staff_models
from server.tenants import models as tenants_models

__all__ = ["Base", "devices_models", "staff_models", "tenants_models"]
