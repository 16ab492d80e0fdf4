"""The check-in operations of :class:`~desktop.core.kiosk.KioskCore` (a mixin, to keep the
facade's file small). Every method works offline: only the cache and the outbox are used."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from desktop.core.checkin import sales, walkin
from desktop.core.checkin.keyring import StorePassKeyring
from desktop.core.checkin.model import (
    CheckinError,
    CheckinOutcome,
    Decider,
    MemberHit,
    Override,
)
from desktop.core.checkin.outbox import OutboxWriter
from desktop.core.checkin.periods import zone
from desktop.core.checkin.search import MAX_RESULTS, MemberSearch, unknown_code_message
from desktop.core.checkin.service import CheckinService
from desktop.core.store import (
    CachedPlan,
    DeviceRepository,
    LocationRef,
    MemberRepository,
    OutboxRepository,
    ScopeRepository,
    Store,
)
from shared.enums import CheckinMethod, PaymentMethod

if TYPE_CHECKING:
    from desktop.core.scanning import ScanResult

OverrideArg = Override | tuple[uuid.UUID, str] | None


class CheckinOperations:
    store: Store
    _now: Callable[[], datetime]

    def _init_checkin(self, decider: Decider | None) -> None:
        self.decider = decider
        self._outbox_lock = threading.Lock()
        self._outbox_writer: OutboxWriter | None = None
        self.search = MemberSearch(self.store.connection, self._local_today)
        self.checkins = CheckinService(
            store=self.store, decider=lambda: self.decider, outbox=self._outbox, now=self._now
        )

    # -- queries ---------------------------------------------------------------------------

    def search_members(self, query: str, limit: int = MAX_RESULTS) -> list[MemberHit]:
        """Members by name (any order, prefixes), phone digits or email; best first."""
        return self.search.search(query, limit)

    def member_hit(self, member_id: uuid.UUID) -> MemberHit | None:
        member = MemberRepository(self.store.connection()).get(member_id)
        return self.search.hits([member])[0] if member else None

    def lookup_code(self, code: str) -> MemberHit | None:
        """The member a scanned barcode or card number belongs to, if any."""
        member = self.search.by_code(code)
        return self.search.hits([member])[0] if member else None

    def pass_plans(self) -> list[CachedPlan]:
        return sales.pass_plans(self.store)

    def pass_keyring(self) -> StorePassKeyring:
        return StorePassKeyring(self.store)

    def pending_count(self) -> int:
        return OutboxRepository(self.store.connection()).pending_count()

    def oldest_pending_at(self) -> datetime | None:
        return OutboxRepository(self.store.connection()).oldest_pending_at()

    # -- commands --------------------------------------------------------------------------

    def check_in(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: OverrideArg = None,
        pass_id: uuid.UUID | None = None,
    ) -> CheckinOutcome:
        """Decide and durably record one check-in (admitted or refused)."""
        if isinstance(override, tuple):
            override = Override(*override)
        return self.checkins.check_in(member_id, method, override=override, pass_id=pass_id)

    def check_in_code(self, code: str) -> CheckinOutcome:
        """A code typed by a USB barcode scanner or card reader."""
        member = self.search.by_barcode(code)
        method = CheckinMethod.BARCODE
        if member is None:
            member, method = self.search.by_card(code), CheckinMethod.CARD
        if member is None:
            return CheckinOutcome(False, unknown_code_message(code), CheckinMethod.CARD)
        return self.check_in(member.id, method)

    def check_in_scan(self, result: ScanResult) -> CheckinOutcome | None:
        """A camera scan: a valid pass checks its member in; a refused pass records nothing."""
        kind = str(result.kind)
        if kind == "pass_ok" and result.claims is not None:
            claims = result.claims
            return self.check_in(claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id)
        if kind == "pass_refused":
            reason = result.reason or "This pass is not valid"
            return CheckinOutcome(False, reason, CheckinMethod.QR)
        if kind == "barcode":
            return self.check_in_code(result.text)
        return None

    def register_walkin(
        self,
        first_name: str,
        last_name: str,
        phone: str = "",
        email: str = "",
        *,
        allow_duplicates: bool = False,
    ) -> walkin.WalkinResult:
        """A new member from the desk; with possible duplicates and no ``allow_duplicates``
        nothing is written and the candidates are returned."""
        return walkin.register_walkin(
            store=self.store,
            outbox=self._outbox(),
            search=self.search,
            now=self._now,
            form=walkin.WalkinForm(first_name, last_name, phone, email),
            home_location_id=self._location_ref().id,
            allow_duplicates=allow_duplicates,
        )

    def sell_pass(
        self,
        plan_id: uuid.UUID,
        member_id: uuid.UUID,
        method: PaymentMethod,
        *,
        guest_of_id: uuid.UUID | None = None,
        staff_id: uuid.UUID | None = None,
    ) -> tuple[sales.Sale, CheckinOutcome]:
        """Sell a day or guest pass (one transaction), then check the member in with it."""
        sale = sales.sell_pass(
            store=self.store,
            outbox=self._outbox(),
            now=self._now,
            location=self._location_ref(),
            plan_id=plan_id,
            member_id=member_id,
            method=method,
            guest_of_id=guest_of_id,
            staff_id=staff_id,
        )
        self.checkins.forget(member_id)
        return sale, self.check_in(member_id, CheckinMethod.MANUAL)

    # -- internals -------------------------------------------------------------------------

    def _location_ref(self) -> LocationRef:
        ref = ScopeRepository(self.store.connection()).location_ref()
        if ref is None:
            raise CheckinError("This kiosk has no location data yet; enrol it and sync")
        return ref

    def _local_today(self) -> date:
        ref = ScopeRepository(self.store.connection()).location_ref()
        return self._now().astimezone(zone(ref.timezone if ref else "UTC")).date()

    def _outbox(self) -> OutboxWriter:
        with self._outbox_lock:
            if self._outbox_writer is None:
                device = DeviceRepository(self.store.connection()).get()
                node = str(device.device_id) if device else self.store.instance_id
                self._outbox_writer = OutboxWriter(self.store, node, self._now)
            return self._outbox_writer

    def _reset_outbox_writer(self) -> None:
        """After enrolment: the clock's node becomes the new device id."""
        with self._outbox_lock:
            self._outbox_writer = None
