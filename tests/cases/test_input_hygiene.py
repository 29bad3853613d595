"""Input hygiene on the register (issue 19): names cleaned before saving and matching, dates
before 1900 and over-long notes refused with a message, nothing the user typed lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Contact, Person
from tests import factories as f
from tests.cases.test_register_pages import _person_data

TODAY = timezone.localdate()
ADD = reverse("cases:person_add")
RLO, PDF, ZWSP, ZWJ, BOM = "\u202e", "\u202c", "\u200b", "\u200d", "\ufeff"


def _register(world, **fields) -> Person:
    fields.setdefault("full_name", "Hoàng Văn Nam")
    fields.setdefault("sex", Person.Sex.MALE)
    fields.setdefault("birth_year", 1990)
    fields.setdefault("group", Person.Group.POST_REHAB)
    fields.setdefault("consent_on", TODAY)
    return services.person_register(actor=world.leader, ward=world.ward_a, **fields)


# Names: bidi controls, zero-width characters, stray combining marks --------------------------


def test_a_right_to_left_override_is_removed_from_a_name_typed_in_the_form(world, personas):
    data = _person_data(
        full_name=f"{RLO}Hoàng Văn Nam{PDF}",
        alias=f"Nam{ZWSP} Béo",
        phone="\u202a0912 345 678\u202c",  # as phones copy a number from the contacts
        address=f"Số 5{BOM} ngõ 12\u2066",
    )
    response = personas["leader"].post(ADD, data)
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.full_name, person.alias) == ("Hoàng Văn Nam", "Nam Béo")
    assert (person.phone, person.address) == ("0912345678", "Số 5 ngõ 12")
    assert person.search_key == "hoang van nam nam beo"


def test_decomposed_and_stacked_marks_are_composed_and_stray_ones_dropped(world):
    person = _register(
        world,
        full_name="\u0301Nguye\u0302\u0303n Va\u0306n A\u0301\u0301\u0301\u0301\u0301",
        history_notes="Dòng một\r\nDòng hai\u2028\x00\x1b[31m",
    )
    assert person.full_name == "Nguyễn Văn Á\u0301"  # at most two marks on one letter
    assert person.history_notes == "Dòng một\nDòng hai\n[31m"


def _refused_as_duplicate(personas, name: str) -> bool:
    """Whether the person form, valid in every other respect, holds `name` back as a possible
    duplicate (shown again, nothing saved) rather than registering it."""
    before = Person.objects.count()
    response = personas["leader"].post(ADD, _person_data(full_name=name))
    return response.status_code == 200 and Person.objects.count() == before


def test_a_zero_width_character_does_not_slip_past_the_duplicate_check(world, personas):
    existing = f.person(ward=world.ward_a, full_name="Hoàng Văn Nam", birth_year=1990)
    for name in (f"Ho{ZWSP}àng Văn Nam", f"Hoàng{ZWJ} Văn{RLO} Nam", "Hoa\u0300ng Văn Nam"):
        assert _refused_as_duplicate(personas, name), name
        with pytest.raises(ValidationError) as error:
            _register(world, full_name=name)
        assert error.value.code == "duplicate"
    assert list(Person.objects.all()) == [existing]
    assert not _refused_as_duplicate(personas, "Hoàng Văn Nguyên")  # the check tells apart


def test_a_zero_width_character_in_another_wards_name_is_still_a_match_elsewhere(world, personas):
    f.person(ward=world.ward_b, full_name=f"Lý{ZWSP} Thị Cúc", birth_year=1990)
    assert _refused_as_duplicate(personas, "Lý Thị Cúc")


def test_the_register_search_ignores_zero_width_and_bidi_characters(world, personas):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn An")
    registered = _register(world, full_name=f"Trần{ZWSP}{ZWSP} Thị{RLO} Bình")
    assert registered.search_key == "tran thi binh"
    assert list(Person.objects.search(f"ng{ZWSP}uyen van{BOM} an")) == [
        Person.objects.get(full_name="Nguyễn Văn An")
    ]
    client = personas["leader"]
    client.post(reverse("cases:register"), {"q": f"tr{ZWSP}an {RLO}binh"})
    page = client.get(reverse("cases:register"))
    assert {p.full_name for p in page.context["page"].object_list} == {"Trần Thị Bình"}


# Dates before 1900 --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0001-01-01", "01/01/0001", "1899-12-31"])
def test_a_birth_date_before_1900_is_refused_with_a_message(world, personas, typed):
    response = personas["leader"].post(ADD, _person_data(birth_date=typed, birth_year=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "chỉ nhận ngày từ 01/01/1900 trở đi" in html
    assert "Hoàng Văn Nam" in html and "Số 5 ngõ 12" in html  # nothing typed is lost
    assert not Person.objects.exists()


def test_the_services_refuse_a_date_before_1900(world):
    with pytest.raises(ValidationError) as error:
        _register(world, birth_date=datetime.date(1, 1, 1), birth_year=None)
    assert "birth_date" in error.value.message_dict
    assert not Person.objects.exists()
    assert (
        _register(world, birth_date=datetime.date(1900, 1, 1), birth_year=None).birth_year == 1900
    )


# Over-long free text --------------------------------------------------------------------------


def test_400_kb_of_notes_are_refused_with_a_message_and_nothing_typed_is_lost(world, personas):
    notes = "Ghi chú rất dài. " * 24_000  # ~400 KB
    data = _person_data(history_notes=notes, phone="0912345678", alias="Nam Béo")
    response = personas["leader"].post(ADD, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["history_notes"] == [
        f"Tối đa 10.000 ký tự (đang có {len(notes.strip()):,} ký tự).".replace(",", ".")
    ]
    html = response.content.decode()
    for typed in ("Hoàng Văn Nam", "Nam Béo", "0912345678", "Số 5 ngõ 12"):
        assert typed in html
    assert form["history_notes"].value() == notes  # shown again, to shorten
    assert 'maxlength="10000"' in html
    assert not Person.objects.exists()


def test_the_services_refuse_over_long_notes_on_every_path(world):
    with pytest.raises(ValidationError) as error:
        _register(world, history_notes="x" * 10_001)
    assert list(error.value.message_dict) == ["history_notes"]
    person = _register(world, history_notes="x" * 10_000)
    with pytest.raises(ValidationError) as error:
        services.contact_record(
            actor=world.leader,
            person=person,
            member=None,
            occurred_on=TODAY,
            kind=Contact.Kind.PHONE,
            summary="y" * 5_001,
        )
    assert "summary" in error.value.message_dict
    assert not Contact.objects.exists()


def test_the_contact_form_refuses_an_over_long_summary(world, personas):
    person = f.person(ward=world.ward_a)
    f.assignment(person=person, member=world.volunteer_member)
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        {"occurred_on": TODAY.isoformat(), "kind": "phone", "summary": "z" * 6_000},
    )
    assert response.status_code == 200
    assert "Tối đa 5.000 ký tự" in response.content.decode()
    assert not Contact.objects.exists()


def test_names_saved_before_the_fix_are_cleaned_by_the_migration(world, personas):
    from importlib import import_module

    from django.apps import apps

    legacy = f.person(ward=world.ward_a, full_name="Hoàng Văn Nam", birth_year=1990)
    typed = f"Ho{ZWSP}àng {RLO}Văn Nam"  # as the form saved it before issue 19
    Person.objects.filter(pk=legacy.pk).update(full_name=typed, search_key=f"ho{ZWSP}ang van nam")
    assert list(Person.objects.search("hoang van nam")) == []
    import_module("cases.migrations.0010_clean_names").clean_names(apps, None)
    legacy.refresh_from_db()
    assert (legacy.full_name, legacy.search_key) == ("Hoàng Văn Nam", "hoang van nam")
    assert list(Person.objects.search("hoang van nam")) == [legacy]
    assert _refused_as_duplicate(personas, "Hoàng Văn Nam")
