"""What only staff may do at the kiosk goes through :func:`require_staff`.

A PIN opens staff mode (``KioskCore.staff_mode``): until it times out for lack of use, the
next staff-only action goes ahead without asking again, as the same staff member.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from desktop.core.kiosk import KioskCore
from desktop.core.staff_pins import StaffMember
from desktop.ui.pin_dialog import PinDialog


def require_staff(
    parent: QWidget,
    core: KioskCore,
    purpose: str,
    then: Callable[[StaffMember], None],
    *,
    cancelled: Callable[[], None] | None = None,
) -> PinDialog | None:
    """Call ``then(staff)`` at once in staff mode; otherwise ask for a PIN first ("Enter a
    staff PIN to ``purpose``") and start staff mode with it. Returns the PIN dialog, if
    one was opened (``cancelled`` runs if it is dismissed)."""
    staff = core.staff_mode.use()
    if staff is not None:
        then(staff)
        return None
    dialog = PinDialog(core.pins, f"Enter a staff PIN to {purpose}", parent)

    def accepted() -> None:
        assert dialog.staff is not None
        core.staff_mode.begin(dialog.staff)
        then(dialog.staff)

    dialog.accepted.connect(accepted)
    if cancelled is not None:
        dialog.rejected.connect(cancelled)
    dialog.open()
    return dialog
