"""Frame → decision: decode, debounce, and verify ZMOS passes offline."""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

import numpy as np

from shared.clock import utcnow
from shared.qr import PassClaims, PassVerdict, PublicKeyLike, looks_like_pass, verify_pass

from .debounce import ScanDebouncer
from .decoder import DecodedCode, FrameDecoder, Symbology

log = logging.getLogger(__name__)


class PassKeyring(Protocol):
    """What the scanner needs from the kiosk's cache: signing keys and the revocation list."""

    def public_keys(self, tenant_id: uuid.UUID) -> Mapping[int, PublicKeyLike]: ...

    def is_revoked(self, pass_id: uuid.UUID) -> bool: ...


class ScanKind(enum.StrEnum):
    PASS_OK = "pass_ok"
    PASS_REFUSED = "pass_refused"
    BARCODE = "barcode"
    """Some other code (a printed member card, a card number): the caller looks it up."""
    NOTHING = "nothing"


@dataclass(frozen=True)
class ScanResult:
    kind: ScanKind
    text: str = ""
    symbology: Symbology | None = None
    reason: str = ""
    verdict: PassVerdict | None = None

    @property
    def claims(self) -> PassClaims | None:
        return self.verdict.claims if self.verdict is not None else None


NOTHING = ScanResult(ScanKind.NOTHING)


class _Revoked:
    """Adapts ``PassKeyring.is_revoked`` to the container ``verify_pass`` expects."""

    def __init__(self, keyring: PassKeyring) -> None:
        self._keyring = keyring

    def __contains__(self, pass_id: object) -> bool:
        return isinstance(pass_id, uuid.UUID) and self._keyring.is_revoked(pass_id)


class PassScanner:
    """Turns camera frames into at most one new decision each. Pure Python; never raises.

    When a frame holds several codes, ZMOS passes come first; codes not reported now are
    reported on a later frame (the debouncer only records the code it reports).
    """

    def __init__(
        self,
        keyring: PassKeyring,
        tenant_id: uuid.UUID,
        *,
        decoder: FrameDecoder | None = None,
        debouncer: ScanDebouncer | None = None,
        now: Callable[[], datetime] = utcnow,
        tz: tzinfo = UTC,
    ) -> None:
        self._keyring = keyring
        self._tenant_id = tenant_id
        self._decoder = decoder or FrameDecoder()
        self._debouncer = debouncer if debouncer is not None else ScanDebouncer()
        self._now = now
        self._tz = tz

    def scan(self, frame: np.ndarray) -> ScanResult:
        codes = sorted(self._decoder.decode(frame), key=lambda c: not looks_like_pass(c.text))
        for code in codes:
            if self._debouncer.accept(code.text):
                return self.decide(code)
        return NOTHING

    def decide(self, code: DecodedCode) -> ScanResult:
        """The decision for one decoded code (no debouncing)."""
        if not looks_like_pass(code.text):
            return ScanResult(ScanKind.BARCODE, code.text, code.symbology)
        try:
            verdict = self._verify(code.text)
        except Exception:  # a failing keyring must not crash the camera loop
            log.exception("Verifying a scanned pass failed")
            return ScanResult(
                ScanKind.PASS_REFUSED, code.text, code.symbology, "This pass cannot be checked now"
            )
        kind = ScanKind.PASS_OK if verdict.ok else ScanKind.PASS_REFUSED
        return ScanResult(kind, code.text, code.symbology, verdict.reason, verdict)

    def _verify(self, text: str) -> PassVerdict:
        return verify_pass(
            text,
            self._keyring.public_keys(self._tenant_id),
            tenant_id=self._tenant_id,
            now=self._now(),
            revoked_pass_ids=_Revoked(self._keyring),
            tz=self._tz,
        )
