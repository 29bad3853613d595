"""The national partners every team refers people to; editable in the admin afterwards."""

from django.db import migrations

NATIONAL = [
    ("Ngân hàng Chính sách xã hội (NHCSXH)", "bank",
     "Cho vay người sau cai nghiện theo QĐ 08/2026/QĐ-TTg; hộ nghèo, cận nghèo; tạo việc làm."),
    ("Quỹ quốc gia về việc làm", "fund",
     "Cho vay hỗ trợ tạo việc làm, duy trì và mở rộng việc làm (qua NHCSXH)."),
]


def add(apps, schema_editor):
    Partner = apps.get_model("outreach", "Partner")
    for name, kind, note in NATIONAL:
        Partner.objects.get_or_create(unit=None, name=name, defaults={"kind": kind, "note": note})


def remove(apps, schema_editor):
    Partner = apps.get_model("outreach", "Partner")
    Partner.objects.filter(unit=None, name__in=[n for n, _k, _note in NATIONAL]).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
