"""The partner directory: national partners shared, a ward's own kept by its leaders."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from outreach import services
from outreach.models import Partner
from wards.models import AuditEvent

ADD = "outreach:partner_add"


def test_national_partners_are_there_from_the_start_and_shared(world, personas):
    # The data migration's own function: a flushed test database (after a transactional test)
    # no longer holds what the migration wrote.
    migration = importlib.import_module("outreach.migrations.0002_national_partners")
    migration.add(django_apps, None)
    migration.add(django_apps, None)  # idempotent
    national = list(Partner.objects.filter(unit=None).values_list("name", flat=True))
    assert len(national) == len(set(national)) == len(migration.NATIONAL)
    assert any("Chính sách xã hội" in name for name in national)
    for who in ("volunteer", "leader", "outsider"):
        page = personas[who].get(reverse("outreach:partner_list"))
        assert "Ngân hàng Chính sách xã hội" in page.content.decode()


def test_a_leader_adds_a_partner_for_the_ward_and_it_is_audited(world, personas):
    data = {
        "name": "  Công ty   May Đức Giang ",
        "kind": "employer",
        "phone": "0912 345 678",
        "active": "on",
    }
    response = personas["leader"].post(reverse(ADD), data)
    assert response.status_code == 302
    partner = Partner.objects.get(name="Công ty May Đức Giang")
    assert partner.unit == world.ward_a and partner.phone == "0912345678"
    assert AuditEvent.objects.filter(action="create", object_type="outreach.partner").exists()
    assert (
        "Công ty May Đức Giang"
        in personas["volunteer"].get(reverse("outreach:partner_list")).content.decode()
    )
    assert (
        "Công ty May Đức Giang"
        not in personas["outsider"].get(reverse("outreach:partner_list")).content.decode()
    )


def test_a_partner_of_the_district_serves_its_wards(world, personas):
    services.partner_create(
        actor=None, unit=world.district_a, name="Trung tâm dịch vụ việc làm quận A", kind="office"
    )
    assert (
        "Trung tâm dịch vụ việc làm quận A"
        in personas["leader"].get(reverse("outreach:partner_list")).content.decode()
    )
    assert (
        "Trung tâm dịch vụ việc làm quận A"
        not in personas["outsider"].get(reverse("outreach:partner_list")).content.decode()
    )


def test_a_duplicate_name_in_the_ward_gets_a_message(world, personas):
    services.partner_create(actor=world.leader, unit=world.ward_a, name="Trạm y tế", kind="health")
    response = personas["leader"].post(reverse(ADD), {"name": "Trạm y tế", "kind": "health"})
    assert response.status_code == 200
    assert "trùng tên" in response.content.decode()
    assert Partner.objects.filter(name="Trạm y tế").count() == 1


def test_bad_input_is_refused_in_vietnamese(world, personas):
    response = personas["leader"].post(reverse(ADD), {"name": "x", "kind": "", "phone": "12ab"})
    errors = response.context["form"].errors
    assert set(errors) == {"name", "kind", "phone"}
    assert not Partner.objects.filter(unit=world.ward_a).exists()


def test_only_the_wards_own_partners_are_edited_there(world, personas):
    national = Partner.objects.filter(unit=None).first()
    theirs = services.partner_create(
        actor=world.outsider, unit=world.ward_b, name="Công ty B", kind="employer"
    )
    ours = services.partner_create(
        actor=world.leader, unit=world.ward_a, name="Công ty A", kind="employer"
    )
    leader = personas["leader"]
    assert leader.get(reverse("outreach:partner_edit", args=[national.pk])).status_code == 403
    assert leader.get(reverse("outreach:partner_edit", args=[theirs.pk])).status_code == 404
    url = reverse("outreach:partner_edit", args=[ours.pk])
    data = {"name": "Công ty A", "kind": "employer", "note": "Nhận 3 người sau cai"}
    assert leader.post(url, {**data, "version": ours.version}).status_code == 302
    ours.refresh_from_db()
    assert ours.note == "Nhận 3 người sau cai" and not ours.active
    event = AuditEvent.objects.get(action="update", object_type="outreach.partner")
    assert event.changes["active"] == [True, False]


def test_an_empty_list_tells_the_leader_what_to_press(world, personas):
    Partner.objects.all().delete()
    leader = personas["leader"].get(reverse("outreach:partner_list")).content.decode()
    assert "Chưa có đối tác nào — bấm «Thêm đối tác»" in leader
