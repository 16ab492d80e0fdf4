"""Wiring: the one place where the server's ports meet their adapters and its domains are
plugged together. Nothing in ``server`` registers or listens on import: what a
process needs is built here, once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial

import httpx
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.adapters.channel_router import ChannelAdapter, ChannelRouter, PhoneProvider, PlainEmail
from server.adapters.chat_webhooks import SlackWebhook, TeamsWebhook
from server.adapters.cloudevents_webhooks import CloudEventsWebhooks
from server.adapters.http_messaging import HttpMessaging
from server.adapters.in_person_payments import IN_PERSON_METHODS, InPersonPayments
from server.adapters.local_eligibility import LocalEligibility
from server.adapters.local_identity import LocalIdentity
from server.adapters.location_scope import SqlLocationScope
from server.adapters.log_events import LogEventPublisher
from server.adapters.oidc_keys import ProviderKeys
from server.adapters.paystack_payments import PaystackPayments
from server.adapters.routed_payments import RoutedPayments
from server.adapters.smtp_notifications import LogNotifications, SmtpNotifications
from server.adapters.stripe_payments import StripePayments
from server.adapters.twilio_messaging import TwilioMessaging
from server.adapters.zhep_eligibility import ZhepEligibility
from server.adapters.zhep_health_score import ZhepHealthScore
from server.adapters.zhep_http import ZhepEndpoint
from server.adapters.zhep_identity import SignInClient, ZhepIdentity, ZhepSignIn
from server.adapters.zhep_messaging import ZhepMessaging
from server.adapters.zhep_payments import ZhepPayments
from server.adapters.zps_benefits import ZpsBenefits
from server.audit import service as audit_service
from server.audit.recorder import AuditRecorder
from server.benefits import service as benefits_service
from server.benefits import sync as benefits_sync
from server.bookings import jobs as booking_jobs
from server.bookings import sync as bookings_sync
from server.bookings.door import BookingsAtTheDoor
from server.bookings.queue import BookingQueue
from server.bookings.session_changes import BookingsFollowSessions
from server.challenges.projection import ChallengeProjection
from server.checkin import sync as checkin_sync
from server.checkin.booked_classes import BookedClasses
from server.coaching.service import CoachesMembers
from server.config import Settings
from server.corporate import admins as corporate_admins
from server.corporate import invitations as corporate_invitations
from server.db.sealed import FieldSealer
from server.db.session import SESSION_OPTIONS, make_engine
from server.db.uow import SqlAlchemyUnitOfWork, UnitOfWork
from server.devices import sync as devices_sync
from server.engagement import projection as engagement_projection
from server.engagement import sync as engagement_sync
from server.jobs import Job
from server.journeys import adherence as journey_adherence
from server.members import parties as member_parties
from server.members import sync as members_sync
from server.members import tokens as member_tokens
from server.notices import service as notices
from server.notices import staff_events
from server.nudges import service as nudges
from server.outbox.relay import Relay
from server.passes import sync as passes_sync
from server.payments import service as payments_service
from server.payments.accounts import SqlPaymentAccounts
from server.plans import renewals as plan_renewals
from server.plans import sync as plans_sync
from server.ports import (
    AccessGrants,
    EligibilityService,
    EventPublisher,
    IdentityService,
    NotificationService,
    PaymentService,
)
from server.ports.benefits import BenefitsService
from server.ports.identity import AccessClaims, ProviderSignIn
from server.ports.location_scope import LocationScope
from server.ports.notifications import Messaging
from server.ports.payments import PaymentAccounts, PaymentGateway
from server.ports.risk import CoachedMembers, EnrolmentGate, NoRiskCategories, RiskReader
from server.ports.webhooks import WebhookSender
from server.prescriptions.service import ProfileFollower
from server.sales import refunding
from server.scheduling import sync as scheduling_sync
from server.scheduling.models import keep_local_times_in_step
from server.scheduling.profiles import SessionTypesFollow
from server.scheduling.session_bookings import SessionBookings
from server.screening.enrolment_gate import ScreeningEnrolmentGate
from server.screening.risk import ScreeningRiskCategories
from server.signins import throttle as signin_throttle
from server.signins.grants import CachedGrants
from server.staff import parties as staff_parties
from server.staff import service as staff_service
from server.staff import sync as staff_sync
from server.sync import pull as sync_pull
from server.sync import review as sync_review
from server.sync.changes import capturing_session_factory
from server.sync.registry import SyncRegistry
from server.tenants import sync as tenants_sync
from server.tiles.profiles import TilesFollow
from shared.clock import utcnow
from shared.enums import PaymentMethod, PrincipalKind


@dataclass
class Container:
    settings: Settings
    engine: Engine
    read_engine: Engine
    session_factory: sessionmaker[Session]
    read_session_factory: sessionmaker[Session]
    identity: IdentityService
    #: Whether a signed token's account still stands as the token says (its generation).
    grants: AccessGrants
    eligibility: EligibilityService
    payments: PaymentService
    #: The tenants' PSP accounts (sealed keys) and members' cards on file.
    payment_accounts: PaymentAccounts
    notifications: NotificationService
    #: Every channel's adapter (email, SMS, WhatsApp, Slack, Teams) for the delivery log.
    messaging: Messaging
    events: EventPublisher
    #: Seals health data at rest (screening, risk flags, coach notes) under the secret.
    sealer: FieldSealer
    #: Whether a member may join a journey (their screening and risk flags decide).
    enrolment_gate: EnrolmentGate
    #: The mutations kiosks push and the tables they pull.
    sync: SyncRegistry
    #: The process's booking queue (group commit of bookings).
    booking_queue: BookingQueue
    #: What bookings do when their class session changes (scheduling asks).
    session_bookings: SessionBookings
    #: A check-in at the door during a booked class attends that booking.
    booked_classes: BookedClasses = field(default_factory=BookingsAtTheDoor)
    #: Where the resources a request names belong, for staff limited to some locations.
    location_scope: LocationScope = field(default_factory=SqlLocationScope)
    #: What else the movement ledger feeds (challenges, …), called by the engagement projector.
    ledger_observers: list[engagement_projection.LedgerObserver] = field(default_factory=list)
    #: Decoded engagement states the projector keeps between its batches and runs.
    engagement_states: engagement_projection.StateCache = field(
        default_factory=engagement_projection.StateCache
    )
    #: The rows that follow prescription profiles (session types, Tiles), moved onto a
    #: profile's new version by the edit that writes it.
    profile_followers: list[ProfileFollower] = field(default_factory=list)
    #: The PSPs' webhooks and records by provider name (none unless ``payment_providers``
    #: names them).
    payment_gateways: dict[str, PaymentGateway] = field(default_factory=dict)
    #: Members' risk categories for the coach's list (none until risk flags are read).
    risk_reader: RiskReader = field(default_factory=NoRiskCategories)
    #: Whom each coach looks after (who may read those members' health data).
    coached_members: CoachedMembers = field(default_factory=CoachesMembers)
    #: A payer's benefits (integrated mode with ZPS configured); None standalone.
    benefits: BenefitsService | None = None
    #: Integrated mode: signing in to the console and the member app with ZHEP's identity
    #: provider; None: password sign-ins only.
    provider_sign_in: ProviderSignIn | None = None
    #: HTTP clients of the adapters, closed with the container.
    http_clients: list[httpx.Client] = field(default_factory=list)
    #: Sends outbox events to tenants' webhook subscriptions (None: not built yet).
    webhooks: WebhookSender | None = None
    #: Integrated mode: ZHEP's health-score engine, an outbox sink of its own beside
    #: ``events`` (each retried on its own); None standalone.
    health_score: EventPublisher | None = None
    _relay: Relay | None = None

    def relay(self) -> Relay:
        """The outbox relay: events to the sinks (``events``, the analytics port, and the
        health-score engine where there is one) and to the tenants' webhook subscriptions.
        Built on first use, with the sinks of then."""
        if self._relay is None:
            settings = self.settings
            sinks = {"analytics": self.events}
            if self.health_score is not None:
                sinks["health-score"] = self.health_score
            self._relay = Relay(
                make_uow=self.uow,
                sender=self.webhooks or CloudEventsWebhooks(_webhook_client(settings)),
                sinks=sinks,
                sealer=self.sealer,
                concurrency=settings.webhook_concurrency,
                on_dead_letter=staff_events.webhook_dead_lettered,
            )
        return self._relay

    def projector(self) -> engagement_projection.Projector:
        return engagement_projection.Projector(self.ledger_observers, cache=self.engagement_states)

    def dispose(self) -> None:
        if self._relay is not None:
            self._relay.close()
        self.engine.dispose()
        self.read_engine.dispose()
        for client in self.http_clients:
            client.close()

    def uow(self) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(self.session_factory)

    def read_uow(self) -> UnitOfWork:
        """For use cases that read with one statement: no BEGIN/ROLLBACK round trips."""
        return SqlAlchemyUnitOfWork(self.read_session_factory)


def build_sync_registry(booked: BookedClasses | None = None) -> SyncRegistry:
    """Each domain plugs in what it brings to kiosk sync. The order is the snapshot's:
    check-ins count visits on the plans' memberships. ``booked``: how a pushed check-in
    attends a booked class (default: the tenant's bookings)."""
    registry = SyncRegistry()
    devices_sync.register(registry)
    for domain in (tenants_sync, staff_sync, plans_sync):
        domain.register(registry)
    checkin_sync.register(registry, booked if booked is not None else BookingsAtTheDoor())
    for domain in (scheduling_sync, bookings_sync, members_sync, passes_sync):
        domain.register(registry)
    engagement_sync.register(registry)
    benefits_sync.register(registry)
    sync_review.register(registry.tables)
    return registry


@dataclass(frozen=True)
class Ports:
    """Adapters that replace the standalone ones (tests pass fakes; ZHEP mode, its own)."""

    identity: IdentityService | None = None
    eligibility: EligibilityService | None = None
    payments: PaymentService | None = None
    notifications: NotificationService | None = None
    messaging: Messaging | None = None
    events: EventPublisher | None = None
    health_score: EventPublisher | None = None
    benefits: BenefitsService | None = None
    webhooks: WebhookSender | None = None


def _webhook_client(settings: Settings) -> httpx.Client:
    """No redirects (a subscription names its endpoint), bounded time per attempt."""
    return httpx.Client(
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        limits=httpx.Limits(max_connections=settings.webhook_concurrency * 2),
        follow_redirects=False,
        headers={"user-agent": "zmos-webhooks/1"},
    )


def _benefits(
    settings: Settings, ports: Ports, clients: list[httpx.Client]
) -> BenefitsService | None:
    """ZPS when integrated mode has its address and key (tests may pass their own)."""
    if ports.benefits is not None:
        return ports.benefits
    if not settings.zps_enabled:
        return None
    assert settings.zps_url is not None and settings.zps_api_key is not None
    http = httpx.Client(timeout=httpx.Timeout(settings.zps_timeout_seconds))
    clients.append(http)
    key = settings.zps_api_key.get_secret_value()
    return ZpsBenefits(http, base_url=settings.zps_url, api_key=key)


def _notifications(settings: Settings) -> SmtpNotifications | LogNotifications:
    if settings.smtp_host:
        return SmtpNotifications(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    return LogNotifications()


def _zhep_endpoint(
    settings: Settings, service: str, url: str | None, clients: list[httpx.Client]
) -> ZhepEndpoint | None:
    """ZHEP's ``service`` when the server runs integrated and it is configured (its HTTP
    client added to ``clients``, closed with the container)."""
    token = settings.zhep_service_token
    if settings.mode != "integrated" or not url or token is None:
        return None
    client = httpx.Client()
    clients.append(client)
    return ZhepEndpoint(
        service=service,
        base_url=url,
        token=token.get_secret_value(),
        client=client,
        timeout=settings.zhep_timeout_seconds,
        retries=settings.zhep_retries,
    )


def zhep_ports(
    settings: Settings,
    ports: Ports,
    clients: list[httpx.Client],
    party_of: Callable[[uuid.UUID, uuid.UUID], str | None],
) -> Ports:
    """``ports`` with ZHEP's adapters where the server runs integrated and each is configured
    (a port a caller gave stays as given); standalone, ``ports`` unchanged. ZHEP knows
    members by their party (``party_of``)."""
    payments = _zhep_endpoint(settings, "payments", settings.zhep_payments_url, clients)
    messaging = _zhep_endpoint(settings, "messaging", settings.zhep_messaging_url, clients)
    health = _zhep_endpoint(settings, "health-score", settings.zhep_health_score_url, clients)
    if payments is not None and ports.payments is None:
        ports = replace(
            ports, payments=ZhepPayments(payments, desk=InPersonPayments(), party_of=party_of)
        )
    if messaging is not None and ports.notifications is None:
        fallback = _notifications(settings)  # staff channels ZHEP does not carry
        ports = replace(ports, notifications=ZhepMessaging(messaging, fallback=fallback))
    if health is not None and ports.health_score is None:
        ports = replace(ports, health_score=ZhepHealthScore(health, party_of=party_of))
    return ports


def _phone_provider(settings: Settings, client: httpx.Client) -> PhoneProvider | None:
    if settings.sms_provider == "twilio":
        if not (settings.twilio_account_sid and settings.twilio_auth_token):
            raise ValueError(
                "ZMOS_SMS_PROVIDER=twilio needs ZMOS_TWILIO_ACCOUNT_SID and _AUTH_TOKEN"
            )
        return TwilioMessaging(
            client,
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            sms_from=settings.sms_from,
            whatsapp_from=settings.whatsapp_from,
            base_url=settings.twilio_base_url,
        )
    if settings.sms_provider == "http":
        if not (settings.sms_http_url and settings.sms_http_token):
            raise ValueError("ZMOS_SMS_PROVIDER=http needs ZMOS_SMS_HTTP_URL and _TOKEN")
        return HttpMessaging(
            client,
            url=settings.sms_http_url,
            token=settings.sms_http_token,
            sms_from=settings.sms_from,
            whatsapp_from=settings.whatsapp_from,
        )
    return None


def build_messaging(
    settings: Settings, notifications: NotificationService | None, client: httpx.Client
) -> Messaging:
    """Email through the SMTP adapter (or a replacement's plain ``send``), SMS and WhatsApp
    through the configured provider, staff channels through their webhooks."""
    phone = _phone_provider(settings, client)
    email: ChannelAdapter
    if isinstance(notifications, ZhepMessaging):
        # Integrated: ZHEP sends email with its HTML and unsubscribe link, and SMS and
        # WhatsApp unless a provider of the server's own is configured.
        email, phone = notifications, phone or notifications
    elif notifications is not None:
        email = PlainEmail(notifications)
    else:
        email = _notifications(settings)
    return ChannelRouter(
        email=email,
        phone=phone,
        slack=SlackWebhook(client),
        teams=TeamsWebhook(client),
    )


def _local_identity(settings: Settings) -> LocalIdentity:
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    return LocalIdentity(settings.resolved_secret_key, hasher=hasher)


@dataclass(frozen=True)
class _PartyAccounts:
    """The account a ZHEP party is linked to, read with a short unit of work."""

    make_uow: Callable[[], UnitOfWork]

    def __call__(self, tenant: str, party_id: str, kind: PrincipalKind) -> AccessClaims | None:
        if kind is PrincipalKind.STAFF:
            return staff_parties.claims_of_party(self.make_uow(), tenant, party_id)
        return member_parties.claims_of_party(self.make_uow(), tenant, party_id)


@dataclass(frozen=True)
class _Identity:
    identity: IdentityService
    sign_in: ProviderSignIn | None = None
    http: httpx.Client | None = None


def _identity(settings: Settings, make_uow: Callable[[], UnitOfWork]) -> _Identity:
    """Local accounts; in integrated mode with an issuer, ZHEP's provider besides."""
    local = _local_identity(settings)
    if not settings.oidc_enabled or settings.oidc_issuer is None:
        return _Identity(local)
    http = httpx.Client(timeout=settings.oidc_timeout_seconds)
    keys = ProviderKeys(
        http,
        settings.oidc_issuer,
        ttl=settings.oidc_jwks_ttl_seconds,
        refetch_interval=settings.oidc_jwks_refetch_seconds,
    )
    console = SignInClient(settings.oidc_client_id, settings.oidc_client_secret)
    member = (
        SignInClient(settings.oidc_member_client_id) if settings.oidc_member_client_id else console
    )
    identity = ZhepIdentity(
        local,
        keys,
        _PartyAccounts(make_uow),
        audience=settings.oidc_audience,
        staff_client_id=settings.oidc_client_id,
        leeway=settings.oidc_leeway_seconds,
        remember_seconds=settings.access_grant_ttl_seconds,
    )
    sign_in = ZhepSignIn(
        http,
        keys,
        {"console": console, "member": member},
        audience=settings.oidc_audience,
        leeway=settings.oidc_leeway_seconds,
    )
    return _Identity(identity, sign_in, http)


def _payments(
    settings: Settings, accounts: PaymentAccounts, clients: list[httpx.Client]
) -> tuple[PaymentService, dict[str, PaymentGateway]]:
    """The desk, plus each PSP the settings name, routed by payment method."""
    desk = InPersonPayments()
    routes: dict[str, PaymentService] = dict.fromkeys(IN_PERSON_METHODS, desk)
    gateways: dict[str, PaymentGateway] = {}
    names = {name for name in settings.payment_providers.split(",") if name}
    if not names:
        return desk, gateways
    http = httpx.Client(timeout=settings.psp_timeout_seconds)
    clients.append(http)
    if "stripe" in names:
        stripe = StripePayments(
            http=http,
            accounts=accounts,
            base_url=settings.stripe_api_url,
            retries=settings.psp_retries,
        )
        routes[PaymentMethod.CARD_ON_FILE.value] = stripe
        gateways[stripe.provider] = stripe
    if "paystack" in names:
        paystack = PaystackPayments(
            http=http,
            accounts=accounts,
            base_url=settings.paystack_api_url,
            retries=settings.psp_retries,
        )
        routes[PaymentMethod.MOBILE_MONEY.value] = paystack
        gateways[paystack.provider] = paystack
    return RoutedPayments(routes), gateways


def build_container(
    settings: Settings, *, engine: Engine | None = None, ports: Ports = Ports()
) -> Container:
    keep_local_times_in_step()
    url = settings.resolved_database_url
    engine = engine or make_engine(url, pool_size=settings.db_pool_size)
    read_engine = make_engine(url, pool_size=settings.db_pool_size, autocommit=True)
    sync = build_sync_registry()
    session_factory = capturing_session_factory(engine, sync.tables, **SESSION_OPTIONS)
    read_session_factory = capturing_session_factory(read_engine, sync.tables, **SESSION_OPTIONS)
    # Every change written through these sessions goes to the audit log in its transaction.
    recorder = AuditRecorder()
    recorder.attach(session_factory)
    recorder.attach(read_session_factory)
    clients: list[httpx.Client] = []
    reads = partial(SqlAlchemyUnitOfWork, read_session_factory)
    ports = zhep_ports(
        settings,
        ports,
        clients,
        lambda tenant, member: member_parties.party_of(reads(), tenant, member),
    )
    benefits = _benefits(settings, ports, clients)
    # Integrated with ZPS: local memberships, then the member's payer benefit.
    eligibility = ports.eligibility or (
        ZhepEligibility(benefits) if benefits is not None else LocalEligibility()
    )
    # Seals and opens health data: the booking gate and the coach's list read flags.
    sealer = FieldSealer(settings.resolved_secret_key)
    http = httpx.Client(timeout=settings.messaging_timeout_seconds, follow_redirects=False)
    clients.append(http)
    identity = _identity(settings, partial(SqlAlchemyUnitOfWork, read_session_factory))
    if identity.http is not None:
        clients.append(identity.http)
    accounts = SqlPaymentAccounts(partial(SqlAlchemyUnitOfWork, read_session_factory), sealer)
    payments, gateways = _payments(settings, accounts, clients)
    return Container(
        settings=settings,
        engine=engine,
        read_engine=read_engine,
        session_factory=session_factory,
        read_session_factory=read_session_factory,
        identity=ports.identity or identity.identity,
        provider_sign_in=identity.sign_in,
        grants=CachedGrants(
            partial(SqlAlchemyUnitOfWork, read_session_factory),
            {
                PrincipalKind.STAFF: staff_service.token_generation_of,
                PrincipalKind.MEMBER: member_tokens.token_generation_of,
                PrincipalKind.CORPORATE_ADMIN: corporate_admins.token_generation_of,
            },
            ttl_seconds=settings.access_grant_ttl_seconds,
        ),
        eligibility=eligibility,
        payments=ports.payments or payments,
        payment_accounts=accounts,
        payment_gateways=gateways,
        notifications=ports.notifications or _notifications(settings),
        messaging=ports.messaging or build_messaging(settings, ports.notifications, http),
        events=ports.events or LogEventPublisher(),
        health_score=ports.health_score,
        sync=sync,
        booking_queue=BookingQueue(
            partial(SqlAlchemyUnitOfWork, session_factory),
            eligibility,
            # The gate reads members' risk flags to warn of contra-indicated classes.
            sealer=sealer,
        ),
        session_bookings=BookingsFollowSessions(),
        ledger_observers=[ChallengeProjection()],
        profile_followers=[SessionTypesFollow(), TilesFollow()],
        risk_reader=ScreeningRiskCategories(sealer),
        enrolment_gate=ScreeningEnrolmentGate(sealer),
        sealer=sealer,
        benefits=benefits,
        http_clients=clients,
        webhooks=ports.webhooks,
    )


def outlets(container: Container) -> notices.Outlets:
    """What the notices job sends through."""
    settings = container.settings
    return notices.Outlets(
        messaging=container.messaging,
        sealer=container.sealer,
        secret_key=settings.resolved_secret_key,
        public_url=settings.public_url,
    )


def _benefit_jobs(container: Container) -> list[Job]:
    benefits = container.benefits
    if benefits is None:
        return []
    max_age = timedelta(hours=container.settings.zps_snapshot_max_age_hours)
    return [
        Job(
            "benefits.report",
            10.0,
            partial(benefits_service.report_due, make_uow=container.uow, benefits=benefits),
        ),
        Job(
            "benefits.refresh",
            900.0,
            partial(
                benefits_service.refresh_snapshots,
                make_uow=container.uow,
                benefits=benefits,
                older_than=max_age,
            ),
        ),
    ]


def background_jobs(container: Container) -> list[Job]:
    """The periodic jobs every server process runs (see ``server.jobs``), each given the
    collaborators it uses."""
    if not container.settings.background_jobs:
        return []
    make_uow, payments = container.uow, container.payments
    keep_changes = timedelta(days=container.settings.sync_change_retention_days)
    jobs = [
        Job(
            "notices.send",
            5.0,
            partial(
                notices.deliver,
                make_uow=make_uow,
                notifications=container.notifications,
                outlets=outlets(container),
            ),
        ),
        Job(
            "nudges.run",
            300.0,
            partial(
                nudges.run_nudges,
                make_uow,
                streaks_at_risk=engagement_projection.streaks_at_risk,
            ),
        ),
        Job(
            "bookings.close_ended",
            60.0,
            partial(booking_jobs.close_ended_sessions, make_uow=make_uow, payments=payments),
        ),
        Job(
            "bookings.charge_fees",
            300.0,
            partial(booking_jobs.charge_unpaid_fees, make_uow=make_uow, payments=payments),
        ),
        Job(
            "engagement.project",
            3.0,
            partial(
                engagement_projection.project_all_job,
                make_uow=make_uow,
                projector=container.projector(),
            ),
        ),
        Job(
            "journeys.rollup",
            600.0,
            partial(journey_adherence.rollup_all, make_uow),
        ),
        Job(
            "sync.prune_changes",
            3600.0,
            partial(sync_pull.prune_job, make_uow=make_uow, keep=keep_changes),
        ),
        Job("outbox.relay", container.settings.outbox_relay_seconds, container.relay().run),
        Job(
            "outbox.prune",
            3600.0,
            partial(
                _prune_outbox,
                container,
                timedelta(days=container.settings.outbox_retention_days),
            ),
        ),
        Job(
            "audit.purge",
            3600.0,
            partial(
                audit_service.purge_job,
                make_uow=make_uow,
                retention_days=container.settings.audit_retention_days,
            ),
        ),
        Job(
            "corporate.remind",
            3600.0,
            partial(
                corporate_invitations.send_reminders,
                make_uow=make_uow,
                notifications=container.notifications,
                public_url=container.settings.public_url,
            ),
        ),
        Job(
            "signins.prune_throttle",
            3600.0,
            partial(
                signin_throttle.prune_job,
                make_uow=make_uow,
                lockout_seconds=container.settings.login_lockout_seconds,
            ),
        ),
    ]
    jobs += _benefit_jobs(container)
    jobs.append(
        Job(
            "payments.settle_refunds",
            60.0,
            partial(refunding.settle_refunds, make_uow=make_uow, payments=payments),
        )
    )
    if container.payment_gateways:
        jobs.append(
            Job(
                "payments.verify_pending",
                120.0,
                partial(
                    payments_service.verify_pending,
                    make_uow=make_uow,
                    accounts=container.payment_accounts,
                    gateways=container.payment_gateways,
                ),
            )
        )
    if container.settings.recurring_billing:
        jobs.append(
            Job(
                "plans.renew",
                900.0,
                partial(plan_renewals.renew_due, make_uow=make_uow, payments=payments),
            )
        )
    return jobs


def _prune_outbox(container: Container, keep: timedelta) -> int:
    return container.relay().prune(utcnow(), keep)
