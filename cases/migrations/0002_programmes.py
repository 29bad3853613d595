"""Load the programmes and legal measures in force (DOMAIN.md). Later changes are made in the
admin: a change in the law is a change in data, not in code."""

from django.db import migrations

LAW_2021 = "Luật Phòng, chống ma túy năm 2021"

PROGRAMMES = [
    {
        "code": "post_rehab_12",
        "name": "Quản lý sau cai nghiện 12 tháng",
        "category": "post_rehab",
        "default_months": 12,
        "min_months": 12,
        "max_months": 12,
        "legal_basis": (
            f"{LAW_2021}, Điều 40; Nghị định 116/2021/NĐ-CP. Sau cai nghiện tự nguyện, sau "
            "điều trị thay thế, hoặc sau cai nghiện bắt buộc của người chưa thành niên."
        ),
    },
    {
        "code": "post_rehab_24",
        "name": "Quản lý sau cai nghiện 24 tháng",
        "category": "post_rehab",
        "default_months": 24,
        "min_months": 24,
        "max_months": 24,
        "legal_basis": (
            f"{LAW_2021}, Điều 40; Nghị định 116/2021/NĐ-CP. Sau cai nghiện bắt buộc của người "
            "đã thành niên."
        ),
    },
    {
        "code": "illegal_use_12",
        "name": "Quản lý người sử dụng trái phép chất ma túy",
        "category": "illegal_use",
        "default_months": 12,
        "min_months": 12,
        "max_months": 12,
        "legal_basis": (
            f"{LAW_2021}, Điều 23; Nghị định 105/2021/NĐ-CP. Quyết định của Chủ tịch UBND cấp "
            "xã, thời hạn 01 năm."
        ),
    },
    {
        "code": "voluntary_home",
        "name": "Cai nghiện tự nguyện tại gia đình, cộng đồng",
        "category": "voluntary_treatment",
        "default_months": 6,
        "min_months": 6,
        "max_months": 12,
        "legal_basis": "Nghị định 116/2021/NĐ-CP: từ đủ 06 tháng đến 12 tháng.",
    },
    {
        "code": "methadone",
        "name": "Điều trị thay thế bằng methadone",
        "category": "methadone",
        "default_months": None,
        "min_months": None,
        "max_months": None,
        "legal_basis": (
            "Nghị định 90/2016/NĐ-CP về điều trị nghiện các chất dạng thuốc phiện bằng thuốc "
            "thay thế. Không có thời hạn."
        ),
    },
    {
        "code": "club_b93",
        "name": "Câu lạc bộ B93",
        "category": "club",
        "default_months": None,
        "min_months": None,
        "max_months": None,
        "legal_basis": "Mô hình câu lạc bộ người sau cai nghiện (Hà Nội); không có thời hạn.",
    },
    {
        "code": "club_early",
        "name": "Câu lạc bộ can thiệp sớm",
        "category": "club",
        "default_months": None,
        "min_months": None,
        "max_months": None,
        "legal_basis": "Mô hình câu lạc bộ người có nguy cơ cao (Đà Nẵng); không có thời hạn.",
    },
]


def load(apps, schema_editor):
    Programme = apps.get_model("cases", "Programme")
    for row in PROGRAMMES:
        code = row["code"]
        defaults = {k: v for k, v in row.items() if k != "code"}
        # get_or_create: never overwrite what an administrator has already changed.
        Programme.objects.get_or_create(code=code, defaults=defaults)


def unload(apps, schema_editor):
    Programme = apps.get_model("cases", "Programme")
    # Refuses (ProtectedError) while a programme has enrolments, which is what we want.
    Programme.objects.filter(code__in=[row["code"] for row in PROGRAMMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
