"""An activity's unit may be a district or a province (its department's own trainings), so
its label says «đơn vị». Only the label changes; no data moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0005_activity_club"),
        ("wards", "0007_end_memberships_of_dissolved_teams"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="activities",
                to="wards.adminunit",
                verbose_name="đơn vị",
            ),
        ),
    ]
