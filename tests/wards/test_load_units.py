import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wards.models import AdminUnit, Team

COMMUNE = AdminUnit.Level.COMMUNE
PROVINCE = AdminUnit.Level.PROVINCE


def load_units(*provinces: str) -> str:
    out = StringIO()
    call_command("load_units", province=list(provinces), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loads_the_34_provinces_and_3321_communes_of_the_package():
    out = load_units()

    assert AdminUnit.objects.filter(level=PROVINCE).count() == 34
    assert AdminUnit.objects.filter(level=COMMUNE).count() == 3321
    assert "3355 created, 0 updated, 0 unchanged" in out
    hanoi = AdminUnit.objects.get(code="01")
    assert (hanoi.name, hanoi.division_type, hanoi.parent, hanoi.path) == (
        "Thành phố Hà Nội",
        AdminUnit.DivisionType.THANH_PHO_TW,
        None,
        "/01/",
    )
    assert AdminUnit.objects.get(code="04").division_type == AdminUnit.DivisionType.TINH
    lang = AdminUnit.objects.get(code="00187")
    assert lang.name == "Phường Láng"
    assert lang.division_type == AdminUnit.DivisionType.PHUONG
    assert lang.parent == hanoi
    assert lang.path == "/01/00187/"
    assert lang.valid_from == datetime.date(2025, 7, 1)
    assert set(AdminUnit.objects.filter(level=COMMUNE).values_list("division_type", flat=True)) == {
        AdminUnit.DivisionType.PHUONG,
        AdminUnit.DivisionType.XA,
        AdminUnit.DivisionType.DAC_KHU,
    }
    # Every commune hangs under its province, so a province's subtree is its communes.
    assert AdminUnit.objects.subtree(hanoi).filter(level=COMMUNE).count() == 126


@pytest.mark.django_db
def test_running_twice_creates_nothing_the_second_time_and_keeps_the_primary_keys():
    load_units("01", "79")
    before = dict(AdminUnit.objects.values_list("code", "pk"))

    out = load_units("01", "79")

    assert "0 created, 0 updated" in out
    assert dict(AdminUnit.objects.values_list("code", "pk")) == before


@pytest.mark.django_db
def test_a_rerun_with_nothing_to_change_takes_a_handful_of_queries(django_assert_max_num_queries):
    load_units()

    with django_assert_max_num_queries(6):
        out = load_units()

    assert "0 created, 0 updated, 3355 unchanged" in out


@pytest.mark.django_db
def test_a_rerun_restores_a_renamed_unit_and_a_team_keeps_pointing_at_it():
    load_units("01")
    lang = AdminUnit.objects.get(code="00187")
    team = Team.objects.create(ward=lang, name="Đội công tác xã hội tình nguyện phường Láng")
    AdminUnit.objects.filter(pk=lang.pk).update(name="Phường Láng Cũ", division_type="xa")
    count = AdminUnit.objects.count()

    out = load_units("01")

    assert "0 created, 1 updated" in out
    lang.refresh_from_db()
    assert (lang.name, lang.division_type) == ("Phường Láng", AdminUnit.DivisionType.PHUONG)
    team.refresh_from_db()
    assert team.ward_id == lang.pk
    assert AdminUnit.objects.count() == count


@pytest.mark.django_db
def test_a_rerun_moves_a_commune_back_under_its_province_with_its_path():
    load_units("01", "79")
    lang = AdminUnit.objects.get(code="00187")
    hcm = AdminUnit.objects.get(code="79")
    AdminUnit.objects.filter(pk=lang.pk).update(parent=hcm, path="/79/00187/")

    load_units("01")

    lang.refresh_from_db()
    assert lang.parent.code == "01"
    assert lang.path == "/01/00187/"


@pytest.mark.django_db
def test_units_missing_from_the_package_are_never_deleted():
    load_units("01")
    hanoi = AdminUnit.objects.get(code="01")
    district = AdminUnit.objects.create(
        code="006", name="Quận Đống Đa", level="district", division_type="quan", parent=hanoi
    )
    old = AdminUnit.objects.create(
        code="00178-2025", name="Phường Cát Linh", level=COMMUNE, division_type="phuong",
        parent=district, valid_until=datetime.date(2025, 6, 30),
    )  # fmt: skip

    load_units("01")

    old.refresh_from_db()
    assert old.name == "Phường Cát Linh"
    assert old.parent == district


@pytest.mark.django_db
def test_the_province_option_limits_the_load_to_those_provinces():
    out = load_units("1")

    assert list(AdminUnit.objects.filter(level=PROVINCE).values_list("code", flat=True)) == ["01"]
    communes = AdminUnit.objects.filter(level=COMMUNE)
    assert communes.count() == 126
    assert set(communes.values_list("parent__code", flat=True)) == {"01"}
    assert "1 provinces and 126 communes: 127 created" in out


@pytest.mark.django_db
def test_an_unknown_province_is_refused_and_nothing_is_loaded():
    with pytest.raises(CommandError, match="99"):
        load_units("01", "99")

    assert not AdminUnit.objects.exists()
