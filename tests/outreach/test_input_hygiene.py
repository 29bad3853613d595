"""Input hygiene of the outreach records (issue 19): text cleaned on every path, notes bounded,
dates before 1900 refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import Activity, Partner

TODAY = timezone.localdate()


def test_a_partner_saved_through_the_service_is_cleaned(world):
    partner = services.partner_create(
        actor=world.leader,
        unit=world.ward_a,
        name="\u202eNgân\u200b hàng  Chính sách\u2066",
        kind="bank",
        note="Dòng một\r\n\u200bDòng hai",
    )
    partner.refresh_from_db()
    assert (partner.name, partner.note) == ("Ngân hàng Chính sách", "Dòng một\nDòng hai")


def test_even_a_direct_save_is_cleaned(world):
    partner = Partner.objects.create(name="Nhà\ufeff văn hóa", kind="other")
    partner.refresh_from_db()
    assert partner.name == "Nhà văn hóa"


def test_an_activity_note_over_its_limit_or_a_day_before_1900_is_refused(world):
    common = {"actor": world.leader, "unit": world.ward_a, "kind": Activity.Kind.PATROL}
    with pytest.raises(ValidationError) as error:
        services.activity_record(**common, occurred_on=TODAY, note="x" * 5_001)
    assert "Tối đa 5.000 ký tự" in str(error.value.message_dict["note"])
    with pytest.raises(ValidationError) as error:
        services.activity_record(**common, occurred_on=datetime.date(1, 1, 1))
    assert "occurred_on" in error.value.message_dict
    assert not Activity.objects.exists()


def test_the_activity_form_refuses_a_long_note_and_keeps_what_was_typed(world, personas):
    data = {
        "unit": world.ward_a.pk,
        "kind": Activity.Kind.PATROL,
        "occurred_on": TODAY.isoformat(),
        "sessions": "1",
        "place": "Chợ\u200b phường",
        "note": "y" * 5_001,
    }
    response = personas["leader"].post(reverse("outreach:activity_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tối đa 5.000 ký tự" in html
    assert "Chợ\u200b phường" in html and "y" * 5_001 in html  # shown again as typed
    assert not Activity.objects.exists()
