"""Use cases refuse a caller before they open a transaction or ask a port (fakes only)."""

from __future__ import annotations

import uuid

import pytest

from server.bookings import booking_service
from server.checkin import service as checkin_service
from server.checkin.schemas import CheckinCreate
from server.errors import Forbidden
from server.ports import (
    EligibilityService,
    EventPublisher,
    IdentityService,
    NotificationService,
    PaymentService,
)
from server.ports.identity import AccessClaims, InvalidToken
from server.ports.notifications import Notification
from server.sync import push as push_service
from shared.enums import CheckinMethod, PrincipalKind
from shared.sync.messages import PushRequest
from tests.fakes import (
    FakeEligibility,
    FakeIdentity,
    FakeNotifications,
    FakePayments,
    FakeUnitOfWork,
    RecordingEvents,
)


def _member() -> AccessClaims:
    return AccessClaims(kind=PrincipalKind.MEMBER, subject_id=uuid.uuid4(), tenant_id=uuid.uuid4())


def test_only_staff_override_a_refusal_at_the_door() -> None:
    uow, eligibility = FakeUnitOfWork(), FakeEligibility()
    cmd = CheckinCreate(
        member_id=uuid.uuid4(), method=CheckinMethod.SEARCH, override_reason="known regular"
    )
    with pytest.raises(Forbidden):
        checkin_service.check_in(uow=uow, eligibility=eligibility, claims=_member(), cmd=cmd)
    assert (uow.entered, eligibility.asked) == (0, [])


def test_only_staff_waive_a_late_cancellation() -> None:
    uow, payments = FakeUnitOfWork(), FakePayments()
    with pytest.raises(Forbidden):
        booking_service.cancel(
            uow=uow,
            payments=payments,
            claims=_member(),
            booking_id=uuid.uuid4(),
            waiver_reason="it rained",
        )
    assert (uow.entered, payments.asked) == (0, [])


def test_a_push_for_another_device_is_refused_before_anything_is_read() -> None:
    from server.sync.registry import SyncRegistry

    uow = FakeUnitOfWork()
    device = AccessClaims(
        kind=PrincipalKind.DEVICE, subject_id=uuid.uuid4(), tenant_id=uuid.uuid4()
    )
    with pytest.raises(Forbidden):
        push_service.push(
            uow=uow,
            registry=SyncRegistry(),
            eligibility=FakeEligibility(),
            payments=FakePayments(),
            claims=device,
            cmd=PushRequest(device_id=uuid.uuid4(), schema_version=1, mutations=[]),
        )
    assert uow.entered == 0


def test_the_fakes_are_the_ports() -> None:
    ports: tuple[
        IdentityService, EligibilityService, PaymentService, NotificationService, EventPublisher
    ] = (FakeIdentity(), FakeEligibility(), FakePayments(), FakeNotifications(), RecordingEvents())
    identity, _, _, notifications, _ = ports
    claims = _member()
    token, _expires = identity.issue_access_token(claims, 60)
    assert identity.read_access_token(token).subject_id == claims.subject_id
    with pytest.raises(InvalidToken):
        identity.read_access_token("forged")
    assert identity.verify_password(identity.hash_password("s3cret!"), "s3cret!")
    notifications.send(Notification("a@example.com", "Hello", "Hi"))
    assert (
        isinstance(notifications, FakeNotifications) and len(notifications.to("a@example.com")) == 1
    )
