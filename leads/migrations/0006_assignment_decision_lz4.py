"""An assignment's routing explanation (about 2 kB of JSON) is compressed with lz4 instead of pglz: the same
values, written in less time by the assignment sweep. PostgreSQL built with lz4 only; elsewhere the column is
left as it is."""

from django.db import migrations


def _lz4_available(schema_editor) -> bool:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row and row[0])


def _set_compression(method: str):
    def operation(apps, schema_editor):
        if _lz4_available(schema_editor):
            table = schema_editor.quote_name(apps.get_model("leads", "Assignment")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN decision SET COMPRESSION {method}")

    return operation


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_list_sort_indexes")]

    operations = [migrations.RunPython(_set_compression("lz4"), _set_compression("DEFAULT"))]
