"""Public numbers people read and quote, such as ``SO-20261203-0042``: unique, from the database, never
``count()+1``."""

from django.db import connection
from django.utils import timezone

from dms.models import DocumentCounter


def next_number(prefix: str, day=None) -> str:
    """``PREFIX-YYYYMMDD-NNNN``: one counter row per prefix and day, incremented atomically by the
    database (an upsert), so concurrent callers never get the same number."""
    day = day or timezone.localdate()
    key = f"{prefix}-{day:%Y%m%d}"
    table = DocumentCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [key],
        )
        value = cursor.fetchone()[0]
    return f"{key}-{value:04d}"
