"""Imports from other systems: counted stock (warehouse system) and payments received (bank or ERP).

Files are read as dealer imports are (``dms.spreadsheets.read_rows``); every row is checked without writing
(the dry run), then all rows are applied through the services in one transaction, or none.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealers import selectors as dealer_selectors
from dealers.importing import ImportReport, RowError
from dms.accounts.models import User
from dms.errors import PermissionDeniedError
from dms.spreadsheets import Layout, cell_problems, choice_aliases, norm, parse_date
from orders import selectors, services
from orders.models import Payment

MAX_COUNT = 10**9
MAX_AMOUNT = Decimal("999999999999.99")
PREVIEW_ROWS = 20

STOCK_LAYOUT = Layout(
    columns=[
        ("warehouse", gettext_lazy("Warehouse code")),
        ("sku", gettext_lazy("SKU")),
        ("on_hand", gettext_lazy("On hand")),
        ("product_name", gettext_lazy("Product name")),
    ],
    required=("warehouse", "sku", "on_hand"),
    # Warehouse systems export the name beside the SKU; it helps people read the sheet and is not imported.
    ignored=frozenset({"product_name"}),
    aliases=(
        ("warehouse", ("仓库编码", "仓库代码", "仓库编号", "仓库")),
        ("sku", ("物料编码", "商品编码", "产品编码", "货号")),
        ("on_hand", ("库存", "库存数量", "盘点数量", "实盘数量", "在库数量", "数量")),
        ("product_name", ("产品名称", "商品名称", "物料名称", "品名", "名称")),
    ),
    no_rows_message=gettext_lazy("The file has no stock counts below its header row."),
)

PAYMENT_LAYOUT = Layout(
    columns=[
        ("dealer", gettext_lazy("Dealer code")),
        ("dealer_name", gettext_lazy("Dealer")),
        ("amount", gettext_lazy("Amount")),
        ("received_on", gettext_lazy("Received on")),
        ("reference", gettext_lazy("Reference")),
        ("method", gettext_lazy("Method")),
        ("note", gettext_lazy("Note")),
    ],
    required=("dealer", "amount", "received_on", "reference"),
    ignored=frozenset({"dealer_name"}),
    aliases=(
        ("dealer", ("经销商编码", "经销商代码", "客户编码", "客户代码", "客户编号")),
        ("dealer_name", ("经销商", "经销商名称", "客户名称", "付款方", "付款人")),
        ("amount", ("金额", "回款金额", "收款金额", "到账金额")),
        ("received_on", ("到账日期", "收款日期", "回款日期", "交易日期", "日期")),
        ("reference", ("流水号", "交易流水号", "银行流水号", "参考号", "凭证号", "单据号")),
        ("method", ("方式", "付款方式", "收款方式", "回款方式")),
        ("note", ("备注", "摘要", "附言", "用途")),
    ),
    no_rows_message=gettext_lazy("The file has no payments below its header row."),
)

# Words banks and ERPs use for the methods, besides the methods' own codes and labels.
METHOD_WORDS = {
    Payment.Method.BANK_TRANSFER: ("银行转账", "转账", "电汇", "网银"),
    Payment.Method.BANK_ACCEPTANCE: ("银行承兑汇票", "银行承兑", "承兑汇票", "承兑", "银承"),
    Payment.Method.CASH: ("现金",),
    Payment.Method.OTHER: ("其他", "其它"),
}


def _template_header(layout: Layout) -> list[str]:
    """The Chinese column titles of a blank sheet: the first title people's own systems use for each column."""
    titles = dict(layout.aliases)
    return [titles[key][0] for key, _label in layout.columns if key not in layout.ignored]


STOCK_TEMPLATE = _template_header(STOCK_LAYOUT)
PAYMENT_TEMPLATE = _template_header(PAYMENT_LAYOUT)


class StockRowError(RowError):
    __slots__ = ()

    @property
    def label(self) -> str:
        return str(dict(STOCK_LAYOUT.columns).get(self.column, ""))


class PaymentRowError(RowError):
    __slots__ = ()

    @property
    def label(self) -> str:
        return str(dict(PAYMENT_LAYOUT.columns).get(self.column, ""))


@dataclass
class StockCountReport(ImportReport):
    """A stock-count dry run or import; ``changed`` counts the levels whose on-hand quantity moved."""

    changed: int = 0


@dataclass
class PaymentReport(ImportReport):
    """A payment dry run or import, with the sum of the amounts it records."""

    amount: Decimal = Decimal("0.00")


def _text(row: dict, key: str) -> str:
    return unicodedata.normalize("NFKC", row.get(key) or "").strip()


def _whole_count(raw: str) -> int:
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value() or not 0 <= number <= MAX_COUNT:
        raise ValueError(_("Enter a whole number of units, 0 or more."))
    return int(number)


def _amount(raw: str) -> Decimal:
    text = raw.replace(",", "").replace("¥", "").replace("元", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount <= 0
        or amount > MAX_AMOUNT
        or -amount.as_tuple().exponent > 2
    ):
        raise ValueError(_("Enter an amount above zero with at most two decimals, such as 12800.50."))
    return amount


def _received_on(raw: str) -> date:
    day = parse_date(raw)
    if day > timezone.localdate():
        raise ValueError(_("A payment cannot be received in the future."))
    return day


# --- Stock counts -------------------------------------------------------------------------------------------------


def plan_stock_counts(*, actor: User, rows: list[dict]) -> StockCountReport:
    """Check every counted row against the warehouses, products and reservations, without writing."""
    if not services.can(actor, "adjust_stock"):
        raise PermissionDeniedError()
    warehouses = {w.code.upper(): w for w in selectors.warehouse_list(user=actor)}
    skus = {_text(row, "sku").upper() for row in rows if row.get("sku")}
    products = {
        product.sku.upper(): product
        for product in selectors.product_list(user=actor).annotate(sku_upper=Upper("sku")).filter(sku_upper__in=skus)
    }
    levels = {
        (level.warehouse_id, level.product_id): level
        for level in selectors.stock_list(user=actor).filter(product__in=list(products.values()))
    }
    report = StockCountReport(rows_total=len(rows))
    seen: dict[tuple[int, int], int] = {}
    for index, row in enumerate(rows):
        number = row.get("_row") or index + 2
        problems = cell_problems(row)
        warehouse = product = count = None
        for key in STOCK_LAYOUT.required:
            if not _text(row, key):
                problems.append((key, _("This column is required.")))
        code = _text(row, "warehouse")
        if code:
            warehouse = warehouses.get(code.upper())
            if warehouse is None:
                problems.append(("warehouse", _("No warehouse has the code “%(code)s”.") % {"code": code}))
        sku = _text(row, "sku")
        if sku:
            product = products.get(sku.upper())
            if product is None:
                problems.append(("sku", _("No product has the SKU “%(sku)s”.") % {"sku": sku}))
        if _text(row, "on_hand"):
            try:
                count = _whole_count(_text(row, "on_hand"))
            except ValueError as exc:
                problems.append(("on_hand", str(exc)))
        level = None
        if warehouse and product:
            key = (warehouse.pk, product.pk)
            level = levels.get(key)
            if key in seen:
                problems.append(("sku", _("Same warehouse and SKU as row %(row)d of this file.") % {"row": seen[key]}))
            else:
                seen[key] = number
        current = level.on_hand if level else 0
        reserved = level.reserved if level else 0
        if count is not None and count < reserved:
            problems.append(
                (
                    "on_hand",
                    _("%(reserved)d units are reserved for orders, more than the count %(count)d.")
                    % {"reserved": reserved, "count": count},
                )
            )
        if problems:
            report.errors.extend(StockRowError(number, column, str(message)) for column, message in problems)
            continue
        report.valid += 1
        report.planned.append((number, {"warehouse": warehouse, "product": product, "on_hand": count}))
        if count != current:
            report.changed += 1
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": number,
                    "warehouse": warehouse,
                    "product": product,
                    "current": current,
                    "reserved": reserved,
                    "count": count,
                    "change": count - current,
                }
            )
    return report


def apply_stock_counts(*, actor: User, rows: list[dict], reason: str) -> StockCountReport:
    """Check again (stock may have moved since the dry run), then set every count or none. A rule the service
    refuses (a reservation made in between) raises its DomainError and nothing is written."""
    report = plan_stock_counts(actor=actor, rows=rows)
    if not report.ok:
        return report
    counts = [(values["warehouse"], values["product"], values["on_hand"]) for _number, values in report.planned]
    report.changed = services.stock_set_counts(actor=actor, counts=counts, reason=reason)
    report.created = len(counts)
    return report


# --- Payments -----------------------------------------------------------------------------------------------------


def _method_aliases() -> dict[str, str]:
    aliases = choice_aliases(Payment.RECEIVED_METHODS)
    for method, words in METHOD_WORDS.items():
        aliases.update((norm(word), method) for word in words)
    return aliases


def plan_payments(*, actor: User, rows: list[dict]) -> PaymentReport:
    """Check every payment as ``services.payment_record`` would, without writing; a few queries for the file."""
    if not services.can(actor, "record_payment"):
        raise PermissionDeniedError()
    codes = {_text(row, "dealer").upper() for row in rows if row.get("dealer")}
    dealers = {
        dealer.code.upper(): dealer
        for dealer in dealer_selectors.dealer_list(user=actor)
        .annotate(code_upper=Upper("code"))
        .filter(code_upper__in=codes)
    }
    references = {_text(row, "reference") for row in rows if row.get("reference")}
    taken = set(
        selectors.payment_list(user=actor)
        .filter(dealer__in=list(dealers.values()), reference__in=references)
        .values_list("dealer_id", "reference")
    )
    methods = _method_aliases()
    report = PaymentReport(rows_total=len(rows))
    seen: dict[tuple[int, str], int] = {}
    for index, row in enumerate(rows):
        number = row.get("_row") or index + 2
        problems = cell_problems(row)
        for key in PAYMENT_LAYOUT.required:
            if not _text(row, key):
                problems.append((key, _("This column is required.")))
        values = {"method": Payment.Method.BANK_TRANSFER, "note": _text(row, "note")}
        code = _text(row, "dealer")
        if code:
            values["dealer"] = dealers.get(code.upper())
            if values["dealer"] is None:
                problems.append(("dealer", _("No dealer you can see has the code “%(code)s”.") % {"code": code}))
        for key, parse in (("amount", _amount), ("received_on", _received_on)):
            if _text(row, key):
                try:
                    values[key] = parse(_text(row, key))
                except ValueError as exc:
                    problems.append((key, str(exc)))
        reference = values["reference"] = _text(row, "reference")
        if len(reference) > 100:
            problems.append(("reference", _("At most %(max)d characters.") % {"max": 100}))
        if len(values["note"]) > 500:
            problems.append(("note", _("At most %(max)d characters.") % {"max": 500}))
        if _text(row, "method"):
            values["method"] = methods.get(norm(_text(row, "method")))
            if values["method"] is None:
                problems.append(("method", _("Unknown payment method “%(method)s”.") % {"method": row["method"]}))
        if values.get("dealer") and reference:
            key = (values["dealer"].pk, reference)
            if key in taken:
                problems.append(("reference", str(services.PaymentReferenceTaken.message)))
            elif key in seen:
                problems.append(
                    ("reference", _("Same dealer and reference as row %(row)d of this file.") % {"row": seen[key]})
                )
            else:
                seen[key] = number
        if problems:
            report.errors.extend(PaymentRowError(number, column, str(message)) for column, message in problems)
            continue
        report.valid += 1
        report.amount += values["amount"]
        report.planned.append((number, values))
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append({"row": number, **values, "method_label": Payment.Method(values["method"]).label})
    return report


def apply_payments(*, actor: User, rows: list[dict]) -> PaymentReport:
    """Check again, then record every payment through ``services.payment_record`` in one transaction, or none."""
    report = plan_payments(actor=actor, rows=rows)
    if not report.ok:
        return report
    # Every row is tried, so people see every problem at once; with any refusal nothing is kept.
    recorded, refused = services.payments_record(actor=actor, payments=[values for _number, values in report.planned])
    for position, exc in refused:
        report.errors.append(PaymentRowError(report.planned[position][0], exc.field or "", str(exc.message)))
    if refused:
        report.valid -= report.rows_with_errors
    else:
        report.created = len(recorded)
    return report
