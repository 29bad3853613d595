"""Maximum lengths of the outreach notes (issue 19). State only: a text column has no length
in the database; `wards.models.Timestamped.full_clean` and the forms enforce it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activity",
                    name="note",
                    field=models.TextField(
                        blank=True, default="", max_length=5000, verbose_name="ghi chú"
                    ),
                ),
                migrations.AlterField(
                    model_name="partner",
                    name="note",
                    field=models.TextField(
                        blank=True, default="", max_length=2000, verbose_name="ghi chú"
                    ),
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="note",
                    field=models.TextField(
                        blank=True, default="", max_length=2000, verbose_name="ghi chú"
                    ),
                ),
            ]
        )
    ]
