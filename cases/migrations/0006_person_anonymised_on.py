from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_person_registered_ward"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="anonymised_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="ngày ẩn danh"
            ),
        ),
    ]
