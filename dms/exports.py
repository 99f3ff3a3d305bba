"""Downloads of lists as CSV or Excel, the same for every app's pages."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text starting with one of these is run as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def local_minute(moment) -> str:
    """A moment in the local time zone, to the minute (``2026-12-03 09:30``); empty for none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def safe_cell(value):
    """A cell value that a spreadsheet shows as written: control characters Excel cannot store are
    dropped (one stray character in a record must not break the whole download), and text that would
    start a formula (a company name, a bank remittance note) gets a leading apostrophe; numbers and
    dates are left alone."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def csv_response(filename: str, header: list, rows=()) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a byte-order mark
    writer = csv.writer(response)
    writer.writerow([str(label) for label in header])
    writer.writerows(safe_row(row) for row in rows)
    return response


def spreadsheet(kind: str, name: str, sheets: list[tuple[str, list, list[list]]]) -> HttpResponse:
    """A download of ``sheets`` ((title, header, rows)) as CSV (the first sheet) or Excel, named
    ``name`` plus the local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        _title, header, rows = sheets[0]
        return csv_response(f"{name}-{stamp}.csv", header, rows)
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        sheet.append([str(label) for label in header])
        for row in rows:
            sheet.append(safe_row(row))
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    workbook.save(response)
    return response


class ExportMixin:
    """``?export=csv`` or ``?export=xlsx`` on a list view: the filtered list, exactly as the page shows
    it. Views name the file, the sheet, the (lazily translated) columns and ``export_row(obj)``. A page
    whose download is more than one list overrides ``export_sheets`` (and ``export_kinds``)."""

    export_kinds = ("csv", "xlsx")
    export_name = ""
    export_title = ""
    export_columns: list = []

    def export_row(self, obj) -> list:
        raise NotImplementedError

    def export_sheets(self) -> list[tuple[str, list, list[list]]]:
        rows = [self.export_row(obj) for obj in self.get_queryset().iterator(chunk_size=500)]
        return [(self.export_title, self.export_columns, rows)]

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("export")
        if kind in self.export_kinds:
            return spreadsheet(kind, self.export_name, self.export_sheets())
        return super().get(request, *args, **kwargs)
