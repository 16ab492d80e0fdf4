"""Imports every domain's models so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from server.audit import models as audit_models
from server.benefits import models as benefits_models
from server.bookings import models as bookings_models
from server.challenges import models as challenges_models
from server.checkin import models as checkin_models
from server.circles import models as circles_models
from server.coaching import models as coaching_models
from server.corporate import models as corporate_models
from server.db.base import Base
from server.devices import models as devices_models
from server.engagement import models as engagement_models
from server.journeys import models as journeys_models
from server.members import models as members_models
from server.migration_in import models as migration_in_models
from server.notices import models as notices_models
from server.nudges import models as nudges_models
from server.outbox import models as outbox_models
from server.passes import models as passes_models
from server.payments import models as payments_models
from server.plans import models as plans_models
from server.prescriptions import models as prescriptions_models
from server.privacy import models as privacy_models
from server.sales import models as sales_models
from server.scheduling import models as scheduling_models
from server.screening import models as screening_models
from server.signins import models as signins_models
from server.staff import models as staff_models
from server.sync import models as sync_models
from server.tenants import models as tenants_models
from server.tiles import models as tiles_models
from server.wearables import models as wearables_models

__all__ = [
    "Base",
    "audit_models",
    "benefits_models",
    "bookings_models",
    "challenges_models",
    "checkin_models",
    "circles_models",
    "coaching_models",
    "corporate_models",
    "devices_models",
    "engagement_models",
    "journeys_models",
    "members_models",
    "migration_in_models",
    "notices_models",
    "nudges_models",
    "outbox_models",
    "passes_models",
    "payments_models",
    "plans_models",
    "prescriptions_models",
    "privacy_models",
    "sales_models",
    "scheduling_models",
    "screening_models",
    "signins_models",
    "staff_models",
    "sync_models",
    "tenants_models",
    "tiles_models",
    "wearables_models",
]
