"""The backup round trip's comparison (bench/backup_roundtrip.py): it sees every report of every
unit with data, finds nothing when the data agree, and finds a changed figure, a changed row
and a missing trigger. The dump and restore themselves need PostgreSQL's tools and are run by
the script (bench/README.md)."""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from cases.models import Contact
from tests import factories as f

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "backup_roundtrip.py"


@pytest.fixture(scope="module")
def roundtrip():
    spec = importlib.util.spec_from_file_location("backup_roundtrip", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def contact(world) -> Contact:
    """One home visit in ward A's predecessor, in March 2024."""
    person = f.person(ward=world.ward_a_old)
    return f.contact(person=person, member=world.volunteer_member)


def test_every_unit_with_data_and_every_period_is_reported(roundtrip, world, contact):
    codes = {u.code for u in roundtrip.units_with_data()}
    # Ward B has a team; ward A's predecessor the contact; ward A took it in; then the parents.
    assert codes == {"99", "991", "992", "99001", "99002", "99003-2025"}
    specs = {(p.spec, p.cutoff) for p in roundtrip.periods()}
    assert ("2024", "official") in specs and ("2024-Q2", "calendar") in specs
    assert ("2024-H2", "official") in specs and ("2024..2024", "calendar") in specs
    assert ("2024-01-10..2024-03-01", "calendar") in specs  # the registration to the contact
    assert len(specs) == 19  # 9 periods with each cut-off, and the range of days


@pytest.fixture
def fewer(roundtrip, world, monkeypatch):
    """Two units and two periods instead of six and nineteen: what is tested below is the
    comparison, and each report costs some thirty queries."""
    from reports.periods import OFFICIAL, parse

    units = [world.district_a, world.ward_a]
    monkeypatch.setattr(roundtrip, "units_with_data", lambda: units)
    monkeypatch.setattr(roundtrip, "periods", lambda: [parse("2024", OFFICIAL), parse("2024-Q1")])


def test_the_same_data_compare_equal(roundtrip, contact, fewer):
    figures = roundtrip.collect()
    reports = figures["reports"]
    assert reports["99001 2024-Q1 calendar/indicators/casework.counselling_direct"] == 1
    assert reports["991 2024 official/children/99003-2025/casework.persons_reached"] == 1
    assert reports["99001 2024-Q1 calendar/trend/casework.persons_reached"] == [0, 0, 1]
    assert figures["tables"]["public.cases_contact/rows"] == 1
    assert "trigger wards_auditevent.wards_auditevent_append_only" in figures["schema"]
    assert roundtrip.compare(figures, roundtrip.collect()) == []


def test_a_changed_figure_and_row_are_found(roundtrip, contact, fewer):
    before = roundtrip.collect()
    Contact.objects.filter(pk=contact.pk).update(kind=Contact.Kind.PHONE)
    text = "\n".join(roundtrip.compare(before, roundtrip.collect()))
    counselling = "reports: 99001 2024-Q1 calendar/indicators/casework.counselling_"
    assert f"{counselling}direct: 1 in the source, 0 after restore" in text
    assert f"{counselling}indirect: 0 in the source, 1 after restore" in text
    assert "tables: public.cases_contact/checksum" in text
    assert "tables: public.cases_contact/rows" not in text  # same count, other content


def test_a_lost_row_and_a_lost_trigger_are_found(roundtrip, contact, fewer):
    extra = f.contact(person=contact.person, occurred_on=datetime.date(2024, 3, 20))
    source = roundtrip.collect()
    extra.delete()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER wards_auditevent_append_only ON wards_auditevent")
    differences = roundtrip.compare(source, roundtrip.collect())
    assert "tables: public.cases_contact/rows: 2 in the source, 1 after restore" in differences
    counselling = "reports: 99001 2024-Q1 calendar/indicators/casework.counselling_direct"
    assert f"{counselling}: 2 in the source, 1 after restore" in differences
    trigger = "schema: trigger wards_auditevent.wards_auditevent_append_only: "
    assert any(
        line.startswith(trigger) and line.endswith("missing after restore") for line in differences
    )
