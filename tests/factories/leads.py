"""Helpers for the leads app: a product line dealers serve in 杭州, and spreadsheets of leads to import."""

import csv
import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import region
from tests.factories.orders import ProductLineFactory, authorize

HEADER = ["联系人", "电话", "邮箱", "公司", "省", "市", "区县", "产品线", "预计金额"]


def hangzhou_line(*dealers, code: str = "ac"):
    """A product line the dealers are authorised for, each serving 杭州."""
    line = ProductLineFactory(code=code, name="空调", name_en="Air conditioning")
    for dealer in dealers:
        authorize(dealer, line)
        dealer.served_regions.set([region("330100")])
    return line


def csv_upload(rows: list[list], header: list[str] = HEADER, name: str = "leads.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows: list[list], header: list[str] = HEADER, name: str = "leads.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def company_phone(company: str) -> str:
    """A landline of the customer's own: the same company always gets the same number."""
    return f"0571-8{zlib.crc32(company.encode()) % 10**7:07d}"
