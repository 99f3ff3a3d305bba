"""Order lines from a spreadsheet, pasted or uploaded: one SKU and one quantity per line, checked against
the dealer's catalogue so that every bad line is listed before anything is added to the cart.

Files are read as dealer imports are (``dms.spreadsheets.read_rows``), with a header row naming the columns.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.spreadsheets import Layout, header_aliases, norm, read_rows
from orders import selectors
from orders.services import MAX_LINES, MAX_QUANTITY, line_problem

CART_LAYOUT = Layout(
    columns=[
        ("sku", gettext_lazy("SKU")),
        ("quantity", gettext_lazy("Quantity")),
        ("product_name", gettext_lazy("Product name")),
    ],
    required=("sku", "quantity"),
    # A sheet copied from an order or a price list names the product beside the SKU; it is not read.
    ignored=frozenset({"product_name"}),
    aliases=(
        ("sku", ("物料编码", "商品编码", "产品编码", "货号", "型号")),
        ("quantity", ("qty", "数量", "订货数量", "订购数量")),
        ("product_name", ("产品名称", "商品名称", "物料名称", "品名", "名称")),
    ),
    no_rows_message=gettext_lazy("The file has no order lines below its header row."),
)
_SEPARATORS = re.compile(r"[,;]")


@dataclass
class LineError:
    """A line that cannot be ordered: its number as the user counts (row in a file), what it said, why."""

    line: int
    text: str
    message: str


@dataclass
class CartImport:
    lines: list[dict] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.errors


def _plain(text: str) -> str:
    """Full-width digits, letters and punctuation (typed with a Chinese input method) as plain ASCII."""
    return unicodedata.normalize("NFKC", text).strip()


def text_rows(text: str) -> list[tuple[int, list[str]]]:
    """Pasted lines as (line number, cells): cells split on a tab (a spreadsheet copy), else on commas or
    semicolons, else on spaces. A header line copied along is left out."""
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _plain(raw)
        if not line:
            continue
        if "\t" in raw:
            cells = raw.split("\t")
        elif _SEPARATORS.search(line):
            cells = _SEPARATORS.split(line)
        else:
            cells = line.split()
        rows.append((number, [_plain(cell) for cell in cells]))
    if rows and _is_header(rows[0][1]):
        rows = rows[1:]
    return rows


def _is_header(cells: list[str]) -> bool:
    titles = header_aliases(CART_LAYOUT)
    return any(titles.get(norm(cell)) == "quantity" for cell in cells)


def file_rows(uploaded_file) -> list[tuple[int, list[str]]]:
    """The rows of a CSV or .xlsx file with SKU and quantity columns, as (spreadsheet row number, cells).
    Raises ImportFileError when the file cannot be read."""
    return [
        (row["_row"], [_plain(row.get("sku", "")), _plain(row.get("quantity", ""))])
        for row in read_rows(uploaded_file, CART_LAYOUT)
    ]


def _quantity(text: str) -> int | None:
    try:
        number = Decimal(text.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not 1 <= number <= MAX_QUANTITY:
        return None
    return int(number)


def check(*, user, rows: list[tuple[int, list[str]]]) -> CartImport:
    """Read each row as SKU and quantity and look the SKU up in the user's catalogue (one query)."""
    result = CartImport()
    rows = [(number, [cell for cell in cells if cell]) for number, cells in rows]
    rows = [(number, cells) for number, cells in rows if cells]
    if not rows:
        result.errors.append(LineError(0, "", _("There are no lines to add.")))
        return result
    if len(rows) > MAX_LINES:
        result.errors.append(
            LineError(0, "", _("An order can have at most %(n)s lines.") % {"n": MAX_LINES}),
        )
        return result
    skus = {cells[0].upper() for _number, cells in rows}
    catalogue = {
        product.sku_key: product
        for product in selectors.product_list(user=user).annotate(sku_key=Upper("sku")).filter(sku_key__in=skus)
    }
    for number, cells in rows:
        text = " ".join(cells)
        if len(cells) != 2:
            result.errors.append(LineError(number, text, _("Write one SKU and one quantity, such as “K-100 10”.")))
            continue
        sku, raw_quantity = cells
        product = catalogue.get(sku.upper())
        quantity = _quantity(raw_quantity)
        if product is None:
            message = _("%(sku)s is not in your catalogue.") % {"sku": sku}
        elif quantity is None:
            message = _("“%(quantity)s” is not a whole number of at least 1.") % {"quantity": raw_quantity}
        elif problem := line_problem(product, quantity, authorized=True):  # the catalogue holds only authorised lines
            message = problem.message
        else:
            result.lines.append({"product": product, "quantity": quantity})
            continue
        result.errors.append(LineError(number, text, message))
    return result
