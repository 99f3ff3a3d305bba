"""The counters behind public numbers move to the project package (``dms.numbers``): the table is renamed and
the model leaves this app's state; ``dms`` 0001 takes it over without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [
        migrations.AlterModelTable(name="documentcounter", table="dms_documentcounter"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="DocumentCounter")]),
    ]
