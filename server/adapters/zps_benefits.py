"""ZPS over HTTP (docs/zhep/zps.openapi.yaml): eligibility checks and utilisation reports.

The client is injected (its timeout is the door's budget: a slow ZPS must not hold the door);
every failure to get the contract's answer is :class:`BenefitsUnavailable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from server.ports.benefits import (
    BenefitAnswer,
    BenefitCheck,
    BenefitsUnavailable,
    UtilisationReport,
)

#: The contract's most checks in one batch request.
BATCH_LIMIT = 500


class _Result(BaseModel):
    party_id: str = Field(min_length=1, max_length=64)
    eligible: bool
    reason: str = Field(max_length=300)
    benefit_id: str | None = Field(None, max_length=64)
    wallet_balance: str | None = Field(None, max_length=40)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    visits_left: int | None = Field(None, ge=0)
    valid_until: datetime
    checked_at: datetime

    def answer(self) -> BenefitAnswer:
        if self.valid_until.tzinfo is None or self.checked_at.tzinfo is None:
            raise BenefitsUnavailable("ZPS answered times without an offset")
        return BenefitAnswer(**self.model_dump())


class _Results(BaseModel):
    results: list[_Result]


class _Receipt(BaseModel):
    utilisation_id: str = Field(min_length=1, max_length=64)
    duplicate: bool


def _check_body(check: BenefitCheck) -> dict[str, Any]:
    body: dict[str, Any] = {
        "party_id": check.party_id,
        "provider_location_id": str(check.location_id),
        "purpose": check.purpose.value,
        "at": check.at.isoformat(),
    }
    if check.member_id is not None:
        body["member_ref"] = str(check.member_id)
    return body


class ZpsBenefits:
    """``http``'s own timeout bounds a door check. A batch (a kiosk's push, a refresh) gets
    ``batch_timeout``: a push holds its transaction while it waits. Utilisation reports,
    which nothing waits for, get ``report_timeout``."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        api_key: str,
        batch_timeout: float = 2.0,
        report_timeout: float = 10.0,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._batch = httpx.Timeout(batch_timeout)
        self._report = httpx.Timeout(report_timeout)

    def _post(
        self,
        path: str,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Response:
        try:
            response = self._http.post(
                self._base + path,
                json=body,
                headers={**self._headers, **(headers or {})},
                timeout=timeout or httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise BenefitsUnavailable(f"ZPS did not answer ({type(exc).__name__})") from exc
        if response.status_code >= 300:
            raise BenefitsUnavailable(f"ZPS answered {response.status_code}")
        return response

    def check(self, check: BenefitCheck) -> BenefitAnswer:
        response = self._post("/eligibility/check", _check_body(check))
        try:
            result = _Result.model_validate_json(response.content)
        except ValidationError as exc:
            raise BenefitsUnavailable("ZPS answered a body that is not the contract's") from exc
        if result.party_id != check.party_id:
            raise BenefitsUnavailable("ZPS answered for another party")
        return result.answer()

    def check_many(self, checks: Sequence[BenefitCheck]) -> list[BenefitAnswer]:
        answers: list[BenefitAnswer] = []
        for start in range(0, len(checks), BATCH_LIMIT):
            chunk = checks[start : start + BATCH_LIMIT]
            response = self._post(
                "/eligibility/batch",
                {"checks": [_check_body(c) for c in chunk]},
                timeout=self._batch,
            )
            try:
                results = _Results.model_validate_json(response.content).results
            except ValidationError as exc:
                raise BenefitsUnavailable("ZPS answered a body that is not the contract's") from exc
            if [r.party_id for r in results] != [c.party_id for c in chunk]:
                raise BenefitsUnavailable("ZPS's batch answer does not match the checks asked")
            answers += [r.answer() for r in results]
        return answers

    def report_utilisation(self, report: UtilisationReport) -> str:
        body: dict[str, Any] = {
            "party_id": report.party_id,
            "benefit_id": report.benefit_id,
            "provider_location_id": str(report.location_id),
            "purpose": report.purpose.value,
            "at": report.at.isoformat(),
        }
        if report.visit_ref is not None:
            body["visit_ref"] = str(report.visit_ref)
        response = self._post(
            "/utilisation", body, {"Idempotency-Key": str(report.key)}, timeout=self._report
        )
        try:
            return _Receipt.model_validate_json(response.content).utilisation_id
        except ValidationError as exc:
            raise BenefitsUnavailable("ZPS answered a body that is not the contract's") from exc
