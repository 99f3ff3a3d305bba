"""``DocumentCounter``, taken over from ``orders`` (whose 0002 renamed its table): state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("orders", "0002_documentcounter_to_dms")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=40, unique=True)),
                        ("value", models.PositiveIntegerField(default=0)),
                    ],
                    options={"verbose_name": "number counter", "verbose_name_plural": "number counters"},
                ),
            ]
        )
    ]
