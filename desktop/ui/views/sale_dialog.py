"""Sell a day pass or a guest pass at the desk, then check the member in with it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import CheckinError, CheckinOutcome, MemberHit, Sale
from desktop.core.kiosk import KioskCore
from desktop.core.staff_pins import StaffMember
from desktop.ui.dialogs import KioskDialog
from desktop.ui.views.member_picker import MemberPicker
from shared.enums import PaymentMethod, PlanKind

NO_PLANS = "No day pass or guest pass plans are set up for this location"


class SaleDialog(KioskDialog):
    """Accepted with :attr:`sale` and :attr:`outcome` (the check-in that followed); the sale
    records ``staff`` as who took the money. Enter takes the payment (after the same checks
    as the button), never cancels."""

    def __init__(
        self,
        core: KioskCore,
        member: MemberHit | None = None,
        parent: QWidget | None = None,
        *,
        staff: StaffMember | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Day pass / Guest pass")
        self.setModal(True)
        self._core = core
        self.staff = staff
        self.member = member
        self.guest_of: MemberHit | None = None
        self.sale: Sale | None = None
        self.outcome: CheckinOutcome | None = None
        self.plans = core.checkin.pass_plans()

        self.member_label = QLabel("")
        self.member_picker = MemberPicker(core, "Who is the pass for? Search")
        self.member_picker.picked.connect(self._set_member)
        self.plan_combo = QComboBox()
        for plan in self.plans:
            self.plan_combo.addItem(f"{plan.name} — {plan.currency} {plan.price}", str(plan.id))
        self.plan_combo.currentIndexChanged.connect(self._plan_changed)
        self.guest_label = QLabel("")
        self.guest_picker = MemberPicker(core, "Member bringing the guest: search")
        self.guest_picker.picked.connect(self._set_guest_of)
        self.cash_radio = QRadioButton("Cash")
        self.card_radio = QRadioButton("Card terminal")
        self.method_group = QButtonGroup(self)
        self.method_group.addButton(self.cash_radio)
        self.method_group.addButton(self.card_radio)
        methods = QHBoxLayout()
        methods.addWidget(self.cash_radio)
        methods.addWidget(self.card_radio)
        form = QFormLayout()
        form.addRow("For", self.member_label)
        form.addRow("", self.member_picker)
        form.addRow("Plan", self.plan_combo)
        form.addRow("Brought by", self.guest_label)
        form.addRow("", self.guest_picker)
        form.addRow("Payment", methods)
        self.error_label = QLabel(NO_PLANS if not self.plans else "")
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.sell_button = QPushButton("Take payment and check in")
        self.sell_button.clicked.connect(self.submit)
        self.sell_button.setEnabled(bool(self.plans))
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(self.sell_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self._set_member(member)
        self._plan_changed()

    def select_plan(self, kind: PlanKind) -> None:
        for index, plan in enumerate(self.plans):
            if plan.kind is kind:
                self.plan_combo.setCurrentIndex(index)
                return

    def _is_guest_pass(self) -> bool:
        index = self.plan_combo.currentIndex()
        return 0 <= index < len(self.plans) and self.plans[index].kind is PlanKind.GUEST_PASS

    def _plan_changed(self) -> None:
        guest = self._is_guest_pass()
        self.guest_label.setVisible(guest)
        self.guest_picker.setVisible(guest)

    def _set_member(self, hit: MemberHit | None) -> None:
        self.member = hit
        self.member_label.setText(hit.name if hit else "Search for the member below")
        self.member_picker.setVisible(hit is None)

    def _set_guest_of(self, hit: MemberHit | None) -> None:
        self.guest_of = hit
        self.guest_label.setText(hit.name if hit else "")
        self.guest_picker.setVisible(hit is None)

    def primary_action(self) -> None:
        self.submit()

    def submit(self) -> None:
        index = self.plan_combo.currentIndex()
        if self.member is None:
            self.error_label.setText("Choose who the pass is for")
            return
        if index < 0:
            self.error_label.setText(NO_PLANS)
            return
        if self._is_guest_pass() and self.guest_of is None:
            self.error_label.setText("Choose the member who brings the guest")
            return
        if self.method_group.checkedButton() is None:
            self.error_label.setText("Choose how they paid: cash or card terminal")
            return
        method = PaymentMethod.CASH if self.cash_radio.isChecked() else PaymentMethod.CARD_TERMINAL
        guest_of = self.guest_of if self._is_guest_pass() else None
        try:
            self.sale, self.outcome = self._core.checkin.sell_pass(
                self.plans[index].id,
                self.member.member_id,
                method,
                guest_of_id=guest_of.member_id if guest_of else None,
                staff_id=self.staff.id if self.staff else None,
            )
        except CheckinError as exc:
            self.error_label.setText(str(exc))
            return
        self.accept()
