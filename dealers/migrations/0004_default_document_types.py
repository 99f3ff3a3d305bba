from django.db import migrations


def forwards(apps, schema_editor):
    from dealers.documents import ensure_default_types

    ensure_default_types(apps.get_model("dealers", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("dealers", "0003_documents")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
