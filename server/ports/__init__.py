"""The five ports of ZMOS. Domain code depends on these, never on adapters."""

from server.ports.analytics import EventPublisher, PublishedEvent
from server.ports.eligibility import EligibilityDecision, EligibilityRequest, EligibilityService
from server.ports.identity import AccessClaims, AccessGrants, IdentityService, InvalidToken
from server.ports.notifications import Notification, NotificationService
from server.ports.payments import PaymentRequest, PaymentResult, PaymentService

__all__ = [
    "AccessClaims",
    "AccessGrants",
    "EligibilityDecision",
    "EligibilityRequest",
    "EligibilityService",
    "EventPublisher",
    "IdentityService",
    "InvalidToken",
    "Notification",
    "NotificationService",
    "PaymentRequest",
    "PaymentResult",
    "PaymentService",
    "PublishedEvent",
]
