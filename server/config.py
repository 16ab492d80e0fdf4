"""Server settings, read from ``ZMOS_*`` environment variables with laptop-friendly defaults."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zmos"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZMOS_", extra="ignore")

    mode: Literal["standalone", "integrated"] = Field(
        "standalone",
        description="standalone: the ports' own adapters (local accounts, local memberships, "
        "the desk and card/mobile-money providers, SMTP and SMS, webhooks); integrated: "
        "ZHEP's services where their settings are given (identity, eligibility, payments, "
        "messaging, the health-score engine)",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file zmos.db in the data directory"
    )
    secret_key: str | None = Field(
        None,
        description="Signs access tokens. Every server process of a deployment needs the same "
        "one; default: generated once into <data_dir>/secret-key",
    )
    access_token_ttl_seconds: int = Field(900, ge=30)
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, ge=60)
    access_grant_ttl_seconds: float = Field(
        1.0,
        ge=0,
        le=60,
        description="How long a server process trusts what it read of an account's token "
        "generation: another process's change of role, activation or a sign-out takes effect "
        "here within this time (this process's own at once)",
    )
    device_token_ttl_seconds: int = Field(900, ge=30)
    enrolment_code_ttl_minutes: int = Field(60, ge=1, le=7 * 24 * 60)
    login_max_failures: int = Field(5, ge=1, description="Failed logins before a lock-out")
    login_lockout_seconds: int = Field(900, ge=1)
    login_client_max_failures: int = Field(
        10,
        ge=1,
        description="Failed logins from one client address, over all accounts, before that "
        "address is locked out for login_lockout_seconds",
    )
    trusted_proxy_header: str = Field(
        "",
        description="Behind a reverse proxy: the header in which it puts the client's address "
        "(e.g. X-Forwarded-For; the last address in it counts). Empty: the connection's own "
        "address. Set it only when every request comes through that proxy, or clients can "
        "claim any address",
    )
    allow_tenant_signup: bool = True
    verification_emails_per_day: int = Field(
        5,
        ge=1,
        description="Confirmation emails, and password reset emails, one member account can "
        "be sent in 24 hours (each kind counted apart)",
    )
    auto_migrate: bool = Field(
        True, description="Run migrations when the server starts; turn off with several processes"
    )
    argon2_time_cost: int = Field(3, ge=1, description="argon2id passes (RFC 9106 default)")
    argon2_memory_kib: int = Field(65536, ge=1024, description="argon2id memory in KiB")
    argon2_parallelism: int = Field(4, ge=1)
    opentelemetry: bool = Field(
        False,
        description="FastAPI's native OpenTelemetry spans, metrics and logs, sent to the global "
        "providers you configure (e.g. FASTAPI_OTEL_AUTO_CONFIGURE=true)",
    )
    #: Few on purpose: every thread competes for the one interpreter lock with the event
    #: loop that parses requests. At 100 connections on 2 cores, 8 threads measured p95
    #: 125-135 ms for a one-row read; 1 to 3 threads, 63-76 ms and a third more requests.
    #: More help only when requests wait on slow queries; then raise it.
    worker_threads: int = Field(
        3, ge=1, description="Threads per server process running database work"
    )
    db_pool_size: int = Field(
        8,
        ge=1,
        description="Connections per server process: the worker threads, the booking writer "
        "and the background jobs",
    )
    background_jobs: bool = Field(
        True,
        description="Run periodic work in this process (notices, no-shows, pruning; "
        "see server/jobs.py)",
    )
    recurring_billing: bool = Field(
        False,
        description="Renew monthly and annual memberships by charging the card on file "
        "through the payments port (the background job 'plans.renew'). Off until a payments "
        "adapter that charges cards on file is configured: the standalone desk adapter "
        "declines such charges, which would make every renewal past due",
    )
    payment_providers: str = Field(
        "",
        pattern=r"^((stripe|paystack)(,(stripe|paystack))*)?$",
        description="PSPs this server charges through, comma-separated: 'stripe' (card on "
        "file), 'paystack' (mobile money). Each tenant's owner sets their own keys "
        "(PUT /payments/accounts/{provider}). Empty: only cash and card terminal at the desk",
    )
    stripe_api_url: str = Field("https://api.stripe.com", description="Stripe's API base URL")
    paystack_api_url: str = Field("https://api.paystack.co", description="Paystack's API base URL")
    psp_timeout_seconds: float = Field(
        15.0, gt=0, le=120, description="How long one request to a PSP may take"
    )
    psp_retries: int = Field(
        2, ge=0, le=5, description="Retries of a PSP request after a timeout, 5xx or 429"
    )
    sync_change_retention_days: float = Field(
        30,
        gt=0,
        description="Days the server keeps kiosks' pull changes; a kiosk offline longer "
        "downloads a fresh snapshot (its unsent actions are kept)",
    )
    outbox_retention_days: float = Field(
        7,
        gt=0,
        description="Days the event outbox keeps events after every delivery of them ended "
        "(delivered or dead-lettered): how far back a webhook subscription can be replayed. "
        "Events still pending are kept however old",
    )
    outbox_relay_seconds: float = Field(
        1.0,
        gt=0,
        description="How often the job 'outbox.relay' sends new events to the sinks and the "
        "tenants' webhook subscriptions",
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="How long one webhook delivery may take (connect, send, answer) before "
        "it counts as failed and is retried later",
    )
    webhook_concurrency: int = Field(
        8,
        ge=1,
        le=64,
        description="Webhook requests a server process has in flight at once (events of "
        "one member to one endpoint always go one after another)",
    )
    audit_retention_days: int = Field(
        400,
        ge=30,
        description="Days the audit log keeps its entries; the job 'audit.purge' and "
        "'zmos audit purge' delete older ones. The database itself refuses to delete an "
        "entry younger than 30 days",
    )
    activity_import_max_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        description="The largest activity file (Apple Health export, GPX, FIT, Google Fit "
        "JSON) a member may upload; larger ones are refused (413) unread",
    )
    zps_url: str | None = Field(
        None,
        description="Integrated mode: ZHEP's payer service (ZPS) base URL, e.g. "
        "https://zps.example.zhep/v1 (contract: docs/zhep/zps.openapi.yaml). With "
        "ZMOS_MODE=integrated and ZMOS_ZPS_API_KEY, members with a party id are admitted on "
        "their ZPS benefit when no membership of theirs admits them",
    )
    zps_api_key: SecretStr | None = Field(
        None, description="The bearer service key ZPS issued to this deployment"
    )
    zps_timeout_seconds: float = Field(
        0.12,
        gt=0,
        le=30,
        description="How long the door waits for ZPS before deciding from the member's "
        "last-known benefit (the door must decide within 150 ms)",
    )
    zps_snapshot_max_age_hours: float = Field(
        6,
        gt=0,
        description="Benefit snapshots older than this are asked again by the job "
        "'benefits.refresh', so kiosks hold a recent one for offline decisions",
    )
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = Field(
        "ZMOS <no-reply@zmos.local>",
        description="The From of email for tenants without their own sender (set under "
        "/notice-settings)",
    )
    sms_provider: Literal["none", "twilio", "http"] = Field(
        "none",
        description="How SMS and WhatsApp messages go: Twilio's Messages API, a provider "
        "speaking the generic HTTP contract (docs/notifications.md), or not at all",
    )
    twilio_base_url: str = "https://api.twilio.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    sms_from: str | None = Field(None, description="The sender number for SMS, as +E.164")
    whatsapp_from: str | None = Field(
        None, description="The WhatsApp sender number, as +E.164; unset: no WhatsApp"
    )
    sms_http_url: str | None = Field(None, description="The generic provider's send URL")
    sms_http_token: str | None = Field(
        None, description="The generic provider's bearer token (also signs its callbacks)"
    )
    messaging_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long a send to a provider or webhook may take"
    )
    public_url: str | None = Field(
        None,
        description="The address members reach this server at (e.g. https://gym.example.com): "
        "when set, the password reset, invitation and email confirmation messages carry a link "
        "to the member app's page, besides the code",
    )
    # ZHEP-integrated mode: each service is used when ZMOS_MODE=integrated and its URL is set.
    zhep_payments_url: str | None = Field(
        None, description="ZHEP payments (docs/zhep/payments.openapi.yaml), e.g. https://pay.zhep"
    )
    zhep_messaging_url: str | None = Field(
        None, description="ZHEP messaging (docs/zhep/messaging.openapi.yaml)"
    )
    zhep_health_score_url: str | None = Field(
        None,
        description="ZHEP's health-score engine (docs/zhep/health-score.openapi.yaml): movement "
        "events, adherence and journey milestones go there besides the standalone publisher",
    )
    zhep_service_token: SecretStr | None = Field(
        None, description="The bearer token ZHEP issued to this deployment, for all three"
    )
    zhep_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long one request to ZHEP may take"
    )
    zhep_retries: int = Field(
        2,
        ge=0,
        le=10,
        description="Requests sent again (same idempotency key) after a timeout, 5xx or 429",
    )

    oidc_issuer: str | None = Field(
        None,
        description="Integrated mode: ZHEP's OpenID Connect issuer (e.g. https://id.zhep.example). "
        "With it, the console and the member app offer 'Continue with Zimasa' and the API "
        "accepts ZHEP's access tokens (JWTs) besides its own",
    )
    oidc_client_id: str = Field("zmos-console", description="The console's client at ZHEP")
    oidc_client_secret: str | None = Field(
        None, description="The console client's secret; none: a public client (PKCE only)"
    )
    oidc_member_client_id: str | None = Field(
        None, description="The member app's (public) client at ZHEP; default: the console's"
    )
    oidc_audience: str = Field(
        "urn:zmos:api",
        description="The resource indicator and audience of ZHEP's access tokens for this API",
    )
    oidc_jwks_ttl_seconds: float = Field(
        300, ge=0, description="How long ZHEP's signing keys are trusted before they are read again"
    )
    oidc_jwks_refetch_seconds: float = Field(
        10,
        ge=0,
        description="A token signed by an unknown key reads the keys again at most this often",
    )
    oidc_leeway_seconds: int = Field(
        30, ge=0, le=300, description="Clock skew allowed on ZHEP tokens' exp, nbf and iat"
    )
    oidc_timeout_seconds: float = Field(5.0, gt=0, le=60)

    @property
    def oidc_enabled(self) -> bool:
        """Integrated identity: ZHEP's sign-in and tokens, when its issuer is given."""
        return self.mode == "integrated" and bool(self.oidc_issuer)

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        value = value.strip()  # compared as the provider writes it: a trailing / counts
        if not value.startswith(("http://", "https://")) or any(c in value for c in "?# "):
            raise ValueError(
                "ZMOS_OIDC_ISSUER must be the provider's issuer URL, such as "
                "https://id.zhep.example (no query or fragment)"
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or any(c in value for c in "?# "):
            raise ValueError(
                "ZMOS_PUBLIC_URL must be the server's web address, such as "
                "https://gym.example.com (no query or fragment)"
            )
        return value

    @field_validator("zhep_payments_url", "zhep_messaging_url", "zhep_health_score_url", "zps_url")
    @classmethod
    def _zhep_address(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or any(c in value for c in "?# "):
            raise ValueError("a ZHEP service URL must be an http(s) address without a query")
        return value

    @model_validator(mode="after")
    def _zhep_needs_a_token(self) -> Settings:
        urls = (self.zhep_payments_url, self.zhep_messaging_url, self.zhep_health_score_url)
        if self.mode == "integrated" and any(urls) and self.zhep_service_token is None:
            raise ValueError(
                "ZMOS_ZHEP_SERVICE_TOKEN is needed to use the ZHEP services whose URLs are set"
            )
        return self

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            driver = ""
        if not driver.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "ZMOS_DATABASE_URL must be a SQLite URL (sqlite:////path/zmos.db) or a "
                "PostgreSQL URL (postgresql+psycopg://user:password@host/database)"
            )
        return value

    @property
    def zps_enabled(self) -> bool:
        return self.mode == "integrated" and bool(self.zps_url) and bool(self.zps_api_key)

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'zmos.db'}"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret-key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()
