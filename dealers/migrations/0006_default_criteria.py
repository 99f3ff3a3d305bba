from django.db import migrations


def forwards(apps, schema_editor):
    from dealers.scorecard import ensure_default_criteria

    ensure_default_criteria(apps.get_model("dealers", "SelectionCriterion"))


class Migration(migrations.Migration):
    dependencies = [("dealers", "0005_applications")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
