"""Wiring: the one place where the server's ports meet their adapters (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.adapters.desk_payments import DeskPayments
from server.adapters.local_eligibility import LocalEligibility
from server.adapters.local_identity import LocalIdentity
from server.adapters.log_events import LogEventPublisher
from server.adapters.smtp_notifications import LogNotifications, SmtpNotifications
from server.config import Settings
from server.db.session import make_engine, make_session_factory
from server.db.uow import UnitOfWork
from server.ports import (
    EligibilityService,
    EventPublisher,
    IdentityService,
    NotificationService,
    PaymentService,
)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    identity: IdentityService
    eligibility: EligibilityService
    payments: PaymentService
    notifications: NotificationService
    events: EventPublisher

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


def build_container(settings: Settings, *, engine: Engine | None = None) -> Container:
    engine = engine or make_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
    notifications: NotificationService
    if settings.smtp_host:
        notifications = SmtpNotifications(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender
        )
    else:
        notifications = LogNotifications()
    return Container(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        identity=LocalIdentity(settings.resolved_secret_key),
        eligibility=LocalEligibility(),
        payments=DeskPayments(),
        notifications=notifications,
        events=LogEventPublisher(),
    )
