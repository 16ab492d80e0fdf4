"""In-memory stand-ins for the server's five ports and its unit of work, for tests.

Each records what it was asked, so that a test can check a path went through the port.
"""

from tests.fakes.eligibility import FakeEligibility
from tests.fakes.events import RecordingEvents
from tests.fakes.identity import FakeIdentity
from tests.fakes.notifications import FakeNotifications
from tests.fakes.payments import FakePayments
from tests.fakes.uow import FakeUnitOfWork

__all__ = [
    "FakeEligibility",
    "FakeIdentity",
    "FakeNotifications",
    "FakePayments",
    "FakeUnitOfWork",
    "RecordingEvents",
]
