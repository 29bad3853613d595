"""The narrative's maximum length, as its form has it (issue 19). State only: a text column
has no length in the database; `wards.models.Timestamped.full_clean` enforces it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="submission",
                    name="narrative",
                    field=models.TextField(
                        blank=True, default="", max_length=10000, verbose_name="báo cáo tóm tắt"
                    ),
                ),
            ]
        )
    ]
