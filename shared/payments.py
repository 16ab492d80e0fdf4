"""How money may be taken where: what the kiosk and the server's desk routes accept."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from shared.enums import PaymentMethod

#: Money taken in person: cash, or the location's own card terminal.
DESK_METHODS = frozenset({PaymentMethod.CASH, PaymentMethod.CARD_TERMINAL})


def _taken_at_the_desk(method: PaymentMethod) -> PaymentMethod:
    if method not in DESK_METHODS:
        raise ValueError(
            f"{method.value} is for renewals the server charges; at the desk use cash or "
            "card_terminal"
        )
    return method


#: A sale's payment method at the desk (a kiosk's or staff member's sale).
DeskPaymentMethod = Annotated[PaymentMethod, AfterValidator(_taken_at_the_desk)]


#: Money staff take at the server's desk routes: in person, from the member's card on file,
#: or by mobile money approved on the member's phone (pending until the PSP confirms).
STAFF_METHODS = DESK_METHODS | {PaymentMethod.CARD_ON_FILE, PaymentMethod.MOBILE_MONEY}


def _taken_by_staff(method: PaymentMethod) -> PaymentMethod:
    if method not in STAFF_METHODS:
        raise ValueError(f"{method.value} is not a way staff take money")
    return method


#: A staff member's sale: the desk's methods, the card on file or mobile money.
StaffPaymentMethod = Annotated[PaymentMethod, AfterValidator(_taken_by_staff)]
