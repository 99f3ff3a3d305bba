from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_notification_newest_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["dealer_id", "-created_at", "-id"], name="event_dealer_newest_idx"),
        ),
    ]
