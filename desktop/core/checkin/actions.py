"""What staff and members do at the check-in screen: find members, check them in (by search,
scanned card or barcode, or QR pass), register walk-ins and sell passes. Every action works
offline: only the cache and the outbox are used."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core.checkin import sales, walkin
from desktop.core.checkin.card import AdmissionCard, MemberCards
from desktop.core.checkin.keyring import StorePassKeyring
from desktop.core.checkin.model import (
    BookedClassCheckin,
    CheckinError,
    CheckinOutcome,
    MemberHit,
    OverrideArg,
    as_override,
)
from desktop.core.checkin.outbox import MEMBER_CARD_ASSIGN, OutboxWriter
from desktop.core.checkin.search import MAX_RESULTS, MemberSearch, unknown_code_message
from desktop.core.checkin.service import CheckinService
from desktop.core.checkin.typed_pass import TypedPassReader
from desktop.core.store import (
    CachedPlan,
    LocalCardRepository,
    LocationRef,
    MemberRepository,
    ScopeRepository,
    Store,
)
from desktop.core.store.codec import opt_str
from shared.enums import CheckinMethod, PaymentMethod
from shared.normalise import code_norm

if TYPE_CHECKING:
    from desktop.core.scanning import ScanResult

PASS_INVALID = "This pass is not valid"
PASS_UNCHECKABLE = "This pass cannot be checked yet: the kiosk has no location data"


class CheckinActions:
    def __init__(
        self,
        *,
        store: Store,
        search: MemberSearch,
        checkins: CheckinService,
        into_booked_class: BookedClassCheckin,
        outbox: OutboxWriter,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self.search = search
        self._checkins = checkins
        self._into_booked_class = into_booked_class
        self._outbox = outbox
        self._now = now
        self.cards = MemberCards(store, now)
        self.passes = TypedPassReader(store, now)

    # -- queries ---------------------------------------------------------------------------

    def search_members(self, query: str, limit: int = MAX_RESULTS) -> list[MemberHit]:
        """Members by name (any order, prefixes), phone digits or email; best first."""
        return self.search.search(query, limit)

    def member_hit(self, member_id: uuid.UUID) -> MemberHit | None:
        member = MemberRepository(self._store.connection()).get(member_id)
        return self.search.hits([member])[0] if member else None

    def card_for(self, outcome: CheckinOutcome) -> AdmissionCard | None:
        """What the result screen says about the member of ``outcome`` (None: nobody)."""
        return self.cards.card_for(outcome)

    def pass_plans(self) -> list[CachedPlan]:
        return sales.pass_plans(self._store)

    def pass_keyring(self) -> StorePassKeyring:
        return StorePassKeyring(self._store)

    # -- commands --------------------------------------------------------------------------

    def check_in(
        self,
        member_id: uuid.UUID,
        method: CheckinMethod,
        *,
        override: OverrideArg = None,
        pass_id: uuid.UUID | None = None,
    ) -> CheckinOutcome:
        """Decide and durably record one check-in (admitted or refused). A member with a
        place in a class starting within half an hour (or running) is checked into that
        class, which marks the booking attended; anyone else is checked in to the floor."""
        override = as_override(override)
        into_class = self._into_booked_class(member_id, method, override=override, pass_id=pass_id)
        if into_class is not None:
            return into_class
        return self._checkins.check_in(member_id, method, override=override, pass_id=pass_id)

    def check_in_code(self, code: str) -> CheckinOutcome:
        """A code typed by a USB barcode scanner or card reader; a 2D scanner may type a pass."""
        if self.passes.is_pass(code):
            return self.check_in_typed_pass(code)
        member, method = self.search.by_scanned_code(code)
        if member is None:
            return CheckinOutcome(False, unknown_code_message(code), CheckinMethod.CARD)
        return self.check_in(member.id, method)

    def check_in_typed_pass(self, text: str) -> CheckinOutcome:
        """A pass's text typed by a 2D scanner: verified exactly as a camera-read pass."""
        verdict = self.passes.verify(text)
        if verdict is None:
            return CheckinOutcome(False, PASS_UNCHECKABLE, CheckinMethod.QR)
        if not verdict.ok or verdict.claims is None:
            return CheckinOutcome(False, verdict.reason or PASS_INVALID, CheckinMethod.QR)
        claims = verdict.claims
        return self.check_in(claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id)

    def check_in_scan(self, result: ScanResult) -> CheckinOutcome | None:
        """A camera scan: a valid pass checks its member in; a refused pass records nothing."""
        kind = str(result.kind)
        if kind == "pass_ok" and result.claims is not None:
            claims = result.claims
            return self.check_in(claims.member_id, CheckinMethod.QR, pass_id=claims.pass_id)
        if kind == "pass_refused":
            reason = result.reason or PASS_INVALID
            return CheckinOutcome(False, reason, CheckinMethod.QR)
        if kind == "barcode":
            return self.check_in_code(result.text)
        return None

    def forget(self, member_id: uuid.UUID) -> None:
        """Let the next check-in of this member be decided afresh (an override, a sale),
        not answered as a double scan."""
        self._checkins.forget(member_id)

    def member_for_code(self, code: str) -> MemberHit | None:
        """Who a scanned card, barcode or valid pass belongs to (nothing is recorded)."""
        if self.passes.is_pass(code):
            verdict = self.passes.verify(code)
            if verdict is None or not verdict.ok or verdict.claims is None:
                return None
            return self.member_hit(verdict.claims.member_id)
        member = self.search.by_code(code)
        return self.search.hits([member])[0] if member else None

    def assign_card(
        self, member_id: uuid.UUID, code: str, *, staff_id: uuid.UUID | None = None
    ) -> MemberHit:
        """Give an unknown card to a member: it works here at once (offline too), and the
        server hears of it (and of ``staff_id``, who gave it) through the outbox. Raises
        :class:`CheckinError` for a card that is someone's already or a member this kiosk
        does not know."""
        card = code.strip()
        value = code_norm(card)
        if value is None or self.passes.is_pass(card):
            raise CheckinError("That is not a card number")
        holder = self.search.by_code(card)
        if holder is not None:
            raise CheckinError(f"Card {card} is already {holder.display_name}'s card")
        hit = self.member_hit(member_id)
        if hit is None:
            raise CheckinError("That member is not known at this kiosk")
        at = self._now()
        args = {
            "member_id": str(member_id),
            "card_number": card,
            "assigned_at": at.isoformat(),
            "staff_id": opt_str(staff_id),
        }
        with self._store.transaction() as conn:
            mutation_id = self._outbox.append(conn, MEMBER_CARD_ASSIGN, args, at)
            LocalCardRepository(conn).assign(
                value, card, member_id, assigned_at=at, mutation_id=mutation_id
            )
        return hit

    def register_walkin(
        self,
        first_name: str,
        last_name: str,
        phone: str = "",
        email: str = "",
        *,
        date_of_birth: str = "",
        emergency_contact: str = "",
        card_number: str = "",
        waiver_accepted: bool = False,
        allow_duplicates: bool = False,
        staff_id: uuid.UUID | None = None,
    ) -> walkin.WalkinResult:
        """A new member from the desk, registered by ``staff_id``; with possible duplicates
        and no ``allow_duplicates`` nothing is written and the candidates are returned."""
        return walkin.register_walkin(
            store=self._store,
            outbox=self._outbox,
            search=self.search,
            now=self._now,
            form=walkin.WalkinForm(
                first_name,
                last_name,
                phone,
                email,
                date_of_birth=date_of_birth,
                emergency_contact=emergency_contact,
                card_number=card_number,
                waiver_accepted=waiver_accepted,
            ),
            home_location_id=self._location_ref().id,
            allow_duplicates=allow_duplicates,
            staff_id=staff_id,
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
            store=self._store,
            outbox=self._outbox,
            now=self._now,
            location=self._location_ref(),
            plan_id=plan_id,
            member_id=member_id,
            method=method,
            guest_of_id=guest_of_id,
            staff_id=staff_id,
        )
        self._checkins.forget(member_id)
        return sale, self.check_in(member_id, CheckinMethod.MANUAL)

    # -- internals -------------------------------------------------------------------------

    def _location_ref(self) -> LocationRef:
        ref = ScopeRepository(self._store.connection()).location_ref()
        if ref is None:
            raise CheckinError("This kiosk has no location data yet; enrol it and sync")
        return ref
