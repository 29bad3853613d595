import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """A contact's topics get created_at/updated_at like every model people write into (the
    rows written before this migration take the time it runs)."""

    dependencies = [
        ("cases", "0012_group_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="contacttopic",
            name="created_at",
            field=models.DateTimeField(
                auto_now_add=True, default=django.utils.timezone.now, verbose_name="tạo lúc"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="contacttopic",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc"),
        ),
    ]
