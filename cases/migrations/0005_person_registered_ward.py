import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    Person.objects.filter(registered_ward__isnull=True).update(registered_ward=models.F("ward"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_person_order_by_folded_name"),
        ("wards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="registered_ward",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wards.adminunit",
                verbose_name="xã, phường nơi đăng ký",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="registered_ward",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wards.adminunit",
                verbose_name="xã, phường nơi đăng ký",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["registered_ward", "registered_on"], name="cases_person_reg_ward_idx"
            ),
        ),
    ]
