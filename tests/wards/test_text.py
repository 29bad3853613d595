"""Input hygiene (issue 19): one cleaning function (wards.text.clean_text), applied by the base
model of every record people write into and by the forms' text fields; every free-text field
bounded; no date before 1900."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from wards.forms import DateField, NotesField, TextField
from wards.models import AuditEvent, Timestamped, UsedFormToken
from wards.text import clean_text

APPS = ("wards", "cases", "outreach", "imports", "reports")
# Written by the system alone, never from what people type.
SYSTEM_MODELS = {AuditEvent, UsedFormToken}


def _models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model not in SYSTEM_MODELS:
                yield model


@pytest.mark.parametrize(
    ("typed", "single", "multi"),
    [
        ("\u202eNguyễn Văn A\u202c", "Nguyễn Văn A", "Nguyễn Văn A"),  # right-to-left override
        ("\u2066Lê\u2069 \u200eThị\u200f \u061cHoa", "Lê Thị Hoa", "Lê Thị Hoa"),  # bidi
        ("Ng\u200buy\u200cễn\u200d\u2060\ufeff", "Nguyễn", "Nguyễn"),  # zero-width
        ("Nguye\u0302\u0303n", "Nguyễn", "Nguyễn"),  # NFD → NFC
        ("\u0301\u0300An", "An", "An"),  # combining marks with no letter
        ("a" + "\u0301" * 8, "á\u0301", "á\u0301"),  # at most two marks on a letter
        ("ệ\u0301\u0301", "ệ", "ệ"),  # a Vietnamese letter carries its two already
        ("  Trần \t\n Văn  B\x00\x1b ", "Trần Văn B", "Trần\n Văn  B"),
        ("một\r\nhai\rba\u2028bốn  \n\n", "một hai ba bốn", "một\nhai\nba\nbốn"),
        ("\ud800x\ufffe", "x", "x"),  # a lone surrogate, a noncharacter
        # invisible, yet neither format characters nor combining marks with a class: the
        # grapheme joiner, variation selectors, Hangul fillers, a tag
        (
            "Nguy\u034fễn\ufe0f Văn\u3164 A\u115f\u1160\uffa0\U000e0041",
            "Nguyễn Văn A",
            "Nguyễn Văn A",
        ),
        ("👩‍👩‍👧 🇻🇳", "👩👩👧 🇻🇳", "👩👩👧 🇻🇳"),
        ("", "", ""),
    ],
)
def test_clean_text(typed, single, multi):
    assert clean_text(typed) == single
    assert clean_text(typed, multiline=True) == multi
    assert clean_text(clean_text(typed)) == clean_text(typed)  # idempotent


def test_every_model_people_write_into_is_cleaned_by_the_base_model():
    for model in _models():
        texts = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField)]
        texts += [f for f in model._meta.concrete_fields if isinstance(f, models.TextField)]
        dates = [f for f in model._meta.concrete_fields if isinstance(f, models.DateField)]
        if texts or dates:
            assert issubclass(model, Timestamped), model


def test_every_free_text_field_has_a_maximum_length():
    for model in _models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField):
                assert field.max_length and field.max_length <= 10_000, (model, field.name)


def _bare(model):
    """An instance with every date at 01/01/0001 and every text field one character too long."""
    instance = model()
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            setattr(instance, field.attname, datetime.date(1, 1, 1))
        elif isinstance(field, models.TextField | models.CharField) and not field.choices:
            setattr(instance, field.attname, "x" * (field.max_length + 1))
    return instance


def test_every_date_field_refuses_a_day_before_1900_and_every_text_its_excess():
    for model in _models():
        with pytest.raises(ValidationError) as error:
            _bare(model).full_clean(validate_constraints=False, validate_unique=False)
        for field in model._meta.concrete_fields:
            if not field.editable:
                continue
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                assert "01/01/1900" in str(error.value.message_dict[field.name]), (model, field)
            elif isinstance(field, models.TextField | models.CharField) and not field.choices:
                assert field.name in error.value.message_dict, (model, field)


def test_a_text_field_of_a_form_is_cleaned_before_it_is_checked():
    with pytest.raises(ValidationError) as error:
        TextField(max_length=5).clean("Nguyễn")
    assert error.value.messages == ["Tối đa 5 ký tự (đang có 6 ký tự)."]
    assert TextField(max_length=5).clean("\u202eAn\u200b\u200b B\u202c") == "An B"
    assert NotesField(max_length=20).clean("một\r\n\u200bhai ") == "một\nhai"
    assert NotesField().widget.__class__.__name__ == "Textarea"


def test_a_date_field_of_a_form_refuses_a_day_before_1900():
    for typed in ("0001-01-01", "01/01/0001", "31/12/1899"):
        with pytest.raises(ValidationError) as error:
            DateField().clean(typed)
        assert error.value.messages == ["Ngày không hợp lệ: chỉ nhận ngày từ 01/01/1900 trở đi."]
    assert DateField().clean("01/01/1900") == datetime.date(1900, 1, 1)
