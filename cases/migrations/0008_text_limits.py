"""Maximum lengths of the casework's free text (issue 19). State only: a text column has no
length in the database; `wards.models.Timestamped.full_clean` and the forms enforce it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_contact_report_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assessment",
                    name="note",
                    field=models.TextField(
                        blank=True, default="", max_length=2000, verbose_name="ghi chú"
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="summary",
                    field=models.TextField(
                        blank=True, default="", max_length=5000, verbose_name="nội dung"
                    ),
                ),
                migrations.AlterField(
                    model_name="milestone",
                    name="note",
                    field=models.TextField(
                        blank=True, default="", max_length=2000, verbose_name="ghi chú"
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="history_notes",
                    field=models.TextField(
                        blank=True, default="", max_length=10000, verbose_name="quá trình, tiền sử"
                    ),
                ),
                migrations.AlterField(
                    model_name="programme",
                    name="legal_basis",
                    field=models.TextField(
                        blank=True, default="", max_length=2000, verbose_name="căn cứ pháp lý"
                    ),
                ),
            ]
        )
    ]
