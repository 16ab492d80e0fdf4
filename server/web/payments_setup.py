"""The console's Set-up → Payments (``/manage/setup/payments``): each PSP the server knows,
whether this tenant's keys are set (only the key's last four characters are ever shown),
a form to set or replace them, and the webhook address to give the PSP. Owners only, as
``PUT /payments/accounts/{provider}``: the same service functions, the same rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.api.deps import Services
from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, NotFound
from server.payments import service
from server.payments.schemas import PaymentAccountRead, PaymentAccountSet
from server.ports.identity import AccessClaims
from server.tenants import service as tenants
from server.web.console import console_page
from server.web.formatting import Formats
from server.web.pages import redirect
from server.web.sessions import WebRefusal, checked_form, services
from server.web.setup_common import SECTION, admin
from shared.enums import PaymentProvider, StaffRole

router = APIRouter(include_in_schema=False)
PAGE = "/manage/setup/payments"
TEMPLATE = "manage/setup/payments.html"

_NAMES = {PaymentProvider.STRIPE: "Stripe", PaymentProvider.PAYSTACK: "Paystack"}
_WHAT = {
    PaymentProvider.STRIPE: "Cards: sales and renewals charged to a member's card on file.",
    PaymentProvider.PAYSTACK: "Mobile money: the member approves the payment on their phone.",
}
#: What a field must look like, said in words rather than as the pattern.
_SHAPES = {
    "secret_key": "The secret key starts sk_test_ or sk_live_, then at least 8 letters, "
    "digits or underscores (copy it from the provider's dashboard, API keys).",
    "webhook_secret": "The webhook signing secret starts whsec_, then at least 8 letters, "
    "digits or underscores (Stripe shows it on the webhook endpoint's page).",
}


@dataclass(frozen=True)
class ProviderShown:
    provider: PaymentProvider
    name: str
    what: str
    #: This server charges through it (``ZMOS_PAYMENT_PROVIDERS``).
    enabled: bool
    account: PaymentAccountRead | None
    webhook_url: str

    @property
    def key(self) -> str:
        return self.provider.value

    @property
    def needs_webhook_secret(self) -> bool:
        return self.provider is PaymentProvider.STRIPE


async def owner(request: Request) -> AccessClaims:
    """Owners only (``PUT``/``GET /payments/accounts/{provider}`` are the owner's)."""
    claims = await admin(request)
    if claims.role != StaffRole.OWNER:
        raise WebRefusal(
            403, "Not allowed", "Only an owner may see or change the payment providers' keys."
        )
    return claims


def _base_url(container: Services, request: Request) -> str:
    return (container.settings.public_url or str(request.base_url)).rstrip("/")


def _shown(container: Services, claims: AccessClaims, base: str) -> list[ProviderShown]:
    slug = _slug(container, claims)
    rows = []
    for provider in PaymentProvider:
        try:
            account = service.get_account(
                uow=container.read_uow(), claims=claims, provider=provider
            )
        except NotFound:
            account = None
        rows.append(
            ProviderShown(
                provider=provider,
                name=_NAMES.get(provider, provider.value.capitalize()),
                what=_WHAT.get(provider, ""),
                enabled=provider.value in container.payment_gateways,
                account=account,
                webhook_url=base + service.webhook_path(slug, provider),
            )
        )
    return rows


def _slug(container: Services, claims: AccessClaims) -> str:
    return tenants.get_tenant(uow=container.read_uow(), claims=claims).slug


async def _page(
    request: Request, claims: AccessClaims, status: int = 200, **extra: Any
) -> Response:
    container = services(request)
    rows = await run_in_worker_thread(_shown, container, claims, _base_url(container, request))
    values = {"errors": {}, "failed": None, "notice": None, **extra}
    return console_page(
        request, TEMPLATE, claims, SECTION, status, providers=rows, fmt=Formats(), **values
    )


@router.get(PAGE)
async def payments(request: Request) -> Response:
    claims = await owner(request)
    done = request.query_params.get("saved", "")
    names = {p.value: _NAMES[p] for p in PaymentProvider if p in _NAMES}
    notice = f"{names[done]}'s keys are saved." if done in names else None
    return await _page(request, claims, notice=notice)


def _provider(raw: str) -> PaymentProvider:
    try:
        return PaymentProvider(raw)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is no such payment provider.") from None


def _said(exc: ValidationError) -> dict[str, str]:
    said: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][-1]) if error["loc"] else "secret_key"
        said.setdefault(field, _SHAPES.get(field, error["msg"]))
    return said


@router.post(PAGE + "/{provider}")
async def save(request: Request, provider: str) -> Response:
    """Keys are replaced as a whole (as the API's PUT): a refused form changes nothing."""
    form = await checked_form(request)
    claims = await owner(request)
    chosen = _provider(provider)
    container = services(request)
    body: dict[str, Any] = {"secret_key": form.get("secret_key", "").strip()}
    webhook_secret = form.get("webhook_secret", "").strip()
    if chosen is PaymentProvider.STRIPE or webhook_secret:
        body["webhook_secret"] = webhook_secret or None
    try:
        cmd = PaymentAccountSet.model_validate(body)
        await run_in_worker_thread(
            lambda: service.set_account(
                uow=container.uow(),
                sealer=container.sealer,
                claims=claims,
                provider=chosen,
                cmd=cmd,
            )
        )
    except ValidationError as exc:
        return await _page(request, claims, 422, errors=_said(exc), failed=chosen.value)
    except DomainError as exc:
        return await _page(request, claims, 422, errors={"form": exc.detail}, failed=chosen.value)
    return redirect(request, f"{PAGE}?saved={chosen.value}")
