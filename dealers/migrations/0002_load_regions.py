from django.db import migrations


def forwards(apps, schema_editor):
    from dealers.regions import load_regions

    load_regions(apps.get_model("dealers", "Region"))


class Migration(migrations.Migration):
    dependencies = [("dealers", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
