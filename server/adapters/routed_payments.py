"""One PaymentService that hands each charge and refund to the adapter of its method: the
desk's (cash, card terminal), Stripe (card on file), Paystack (mobile money). A method no
adapter is configured for is declined with a clear reason."""

from __future__ import annotations

from collections.abc import Mapping

from server.ports.payments import PaymentRequest, PaymentResult, PaymentService, RefundRequest


class RoutedPayments:
    def __init__(self, routes: Mapping[str, PaymentService]) -> None:
        self._routes = dict(routes)

    def _service(self, method: str) -> PaymentService | None:
        return self._routes.get(method)

    def charge(self, request: PaymentRequest) -> PaymentResult:
        service = self._service(request.method)
        if service is None:
            return PaymentResult(
                request.idempotency_key,
                False,
                f"payment method {request.method!r} is not enabled on this server",
            )
        return service.charge(request)

    def refund(self, request: RefundRequest) -> PaymentResult:
        service = self._service(request.method)
        if service is None:
            return PaymentResult(
                request.idempotency_key,
                False,
                f"payment method {request.method!r} is not enabled on this server",
            )
        return service.refund(request)
