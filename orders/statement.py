"""The dealer statement (对账单): invoices (debit) and payments (credit) of a period with a running balance,
and the same as an Excel workbook. A positive balance is what the dealer owes."""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dms.exports import safe_row
from dms.money import ZERO
from orders import selectors

INVOICE = "invoice"
PAYMENT = "payment"
KIND_LABELS = {INVOICE: gettext_lazy("Invoice"), PAYMENT: gettext_lazy("Payment")}
COLUMNS = [
    gettext_lazy("Date"),
    gettext_lazy("Type"),
    gettext_lazy("Document"),
    gettext_lazy("Details"),
    # 借方 and 贷方 in an accounting statement, not the dealer's credit (信用).
    pgettext_lazy("statement column", "Debit"),
    pgettext_lazy("statement column", "Credit"),
    gettext_lazy("Balance"),
]


@dataclass
class StatementEntry:
    day: date
    kind: str
    number: str
    details: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO
    pk: int = 0

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Statement:
    dealer: object
    start: date
    end: date
    opening: Decimal
    entries: list[StatementEntry] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((e.debit for e in self.entries), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((e.credit for e in self.entries), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.opening + self.total_debit - self.total_credit


def dealer_statement(*, user, dealer, start: date, end: date) -> Statement:
    """The statement of ``dealer`` from ``start`` to ``end`` (both included), read through the user's
    scope: a dealer outside it has an empty statement. Four queries."""
    invoices = selectors.invoice_list(user=user).filter(dealer=dealer)
    payments = selectors.payment_list(user=user).filter(dealer=dealer)
    invoiced_before = invoices.filter(issued_on__lt=start).aggregate(s=Sum("gross_amount"))["s"] or ZERO
    paid_before = payments.filter(received_on__lt=start).aggregate(s=Sum("amount"))["s"] or ZERO
    entries = [
        StatementEntry(
            day=invoice.issued_on,
            kind=INVOICE,
            number=invoice.number,
            details=_("Order %(order)s, due %(due)s") % {"order": invoice.order.number, "due": invoice.due_on},
            debit=invoice.gross_amount,
            pk=invoice.pk,
        )
        for invoice in invoices.filter(issued_on__range=(start, end))
    ]
    entries += [
        StatementEntry(
            day=payment.received_on,
            kind=PAYMENT,
            number=payment.reference,
            details=payment.get_method_display(),
            credit=payment.amount,
            pk=payment.pk,
        )
        for payment in payments.filter(received_on__range=(start, end))
    ]
    # Date order; on one day the goods invoiced come before the money received, each in the order recorded.
    entries.sort(key=lambda e: (e.day, e.kind != INVOICE, e.pk))
    statement = Statement(dealer=dealer, start=start, end=end, opening=invoiced_before - paid_before)
    balance = statement.opening
    for entry in entries:
        balance += entry.debit - entry.credit
        entry.balance = balance
    statement.entries = entries
    return statement


def statement_xlsx(statement: Statement) -> bytes:
    """The statement as a one-sheet workbook: a title block, then one row per entry; amounts are numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    money = "#,##0.00"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Statement")
    sheet.append(safe_row([_("Statement"), statement.dealer.name]))
    sheet.append([_("Dealer code"), statement.dealer.code])
    sheet.append([_("Period"), statement.start, statement.end])
    sheet.append([])
    sheet.append([str(label) for label in COLUMNS])
    header_row = sheet.max_row
    sheet.append([statement.start, _("Opening balance"), None, None, None, None, statement.opening])
    for entry in statement.entries:
        debit = entry.debit if entry.kind == INVOICE else None
        credit = entry.credit if entry.kind == PAYMENT else None
        sheet.append(safe_row([entry.day, entry.kind_label, entry.number, entry.details, debit, credit, entry.balance]))
    sheet.append(
        [
            statement.end,
            _("Closing balance"),
            None,
            None,
            statement.total_debit,
            statement.total_credit,
            statement.closing,
        ]
    )
    for cell in [*sheet[1], *sheet[header_row], *sheet[sheet.max_row]]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = money
    for letter, width in zip("ABCDEFG", (12, 10, 22, 36, 14, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
