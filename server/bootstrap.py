"""Wiring: the one place where the server's ports meet their adapters (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
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
from server.jobs import Job
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
    read_engine: Engine
    session_factory: sessionmaker[Session]
    read_session_factory: sessionmaker[Session]
    identity: IdentityService
    eligibility: EligibilityService
    payments: PaymentService
    notifications: NotificationService
    events: EventPublisher

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def read_uow(self) -> UnitOfWork:
        """For use cases that read with one statement: no BEGIN/ROLLBACK round trips."""
        return UnitOfWork(self.read_session_factory)


def build_container(settings: Settings, *, engine: Engine | None = None) -> Container:
    url = settings.resolved_database_url
    engine = engine or make_engine(url, pool_size=settings.db_pool_size)
    read_engine = make_engine(url, pool_size=settings.db_pool_size, autocommit=True)
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
        read_engine=read_engine,
        session_factory=make_session_factory(engine),
        read_session_factory=make_session_factory(read_engine),
        identity=LocalIdentity(
            settings.resolved_secret_key,
            hasher=PasswordHasher(
                time_cost=settings.argon2_time_cost,
                memory_cost=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            ),
        ),
        eligibility=LocalEligibility(),
        payments=DeskPayments(),
        notifications=notifications,
        events=LogEventPublisher(),
    )


def background_jobs(container: Container) -> list[Job]:
    """The periodic jobs every server process runs (see ``server.jobs``). Domains add theirs."""
    if not container.settings.background_jobs:
        return []
    from server.bookings import jobs as booking_jobs
    from server.bookings import penalties
    from server.notices import service as notices
    from server.sync import pull as sync_pull

    jobs: list[Job] = [
        Job("notices.send", 5.0, notices.send_due_notices),
        Job("bookings.close_ended", 60.0, booking_jobs.close_ended_sessions),
        Job("bookings.charge_fees", 300.0, penalties.charge_unpaid_job),
        Job("sync.prune_changes", 3600.0, sync_pull.prune_job),
    ]
    return jobs
