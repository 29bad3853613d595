import datetime

import pytest
from django.db import IntegrityError, transaction

from tests import factories as f
from wards.models import AdminUnit


def test_subtree_is_the_unit_and_everything_below_it(world):
    codes = set(AdminUnit.objects.subtree(world.district_a).values_list("code", flat=True))
    assert codes == {"991", "99001", "99003-2025"}


def test_subtree_does_not_match_a_sibling_whose_code_starts_the_same(world):
    f.unit(code="9911", level="district", parent=world.province)
    codes = set(AdminUnit.objects.subtree(world.district_a).values_list("code", flat=True))
    assert "9911" not in codes


def test_scope_of_a_merged_ward_includes_the_wards_merged_into_it(world):
    scope = set(AdminUnit.objects.scope(world.ward_a).values_list("code", flat=True))
    assert scope == {"99001", "99003-2025"}


def test_scope_follows_merges_of_merges_and_their_subtrees(world):
    older = f.unit(
        code="99004-2019",
        parent=world.district_b,
        valid_until=datetime.date(2019, 12, 31),
        successor=world.ward_a_old,
    )
    scope = set(AdminUnit.objects.scope(world.ward_a).values_list("pk", flat=True))
    assert older.pk in scope
    # and a district merged into another unit brings its wards with it
    gone = f.unit(code="993", level="district", parent=world.province, successor=world.district_a)
    child = f.unit(code="99005", parent=gone)
    scope = set(AdminUnit.objects.scope(world.district_a).values_list("pk", flat=True))
    assert {gone.pk, child.pk} <= scope


def test_scope_of_a_ward_excludes_other_wards(world):
    scope = set(AdminUnit.objects.scope(world.ward_a).values_list("pk", flat=True))
    assert world.ward_b.pk not in scope


def test_path_is_built_from_the_codes_of_the_ancestors(world):
    assert world.ward_a.path == "/99/991/99001/"


def test_current_units_leave_out_units_that_ended(world):
    on = datetime.date(2026, 1, 1)
    current = set(AdminUnit.objects.current(on).values_list("code", flat=True))
    assert "99003-2025" not in current and "99001" in current
    before = set(
        AdminUnit.objects.current(datetime.date(2025, 1, 1)).values_list("code", flat=True)
    )
    assert "99003-2025" in before


def test_a_unit_cannot_end_before_it_starts(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.unit(valid_from=datetime.date(2025, 7, 1), valid_until=datetime.date(2025, 1, 1))
