"""Child units in Vietnamese dictionary order, grouped by the district their wards came from,
and which of them have figures (reports.grouping, reports.report)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Activity
from reports.grouping import former_districts, vi_key
from reports.periods import parse
from reports.report import ChildGroup, build, in_millions
from tests import factories as f
from wards import demo

D = datetime.date
MERGED = D(2025, 6, 30)
NEW = D(2025, 7, 1)


# vi_key -------------------------------------------------------------------------------------


def test_hanoi_names_sort_as_in_a_vietnamese_dictionary():
    expected = [
        "Ba Đình",
        "Bạch Mai",
        "Cầu Giấy",
        "Đống Đa",
        "Hai Bà Trưng",
        "Ô Chợ Dừa",
        "Ứng Hòa",
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=vi_key) == expected
    # Plain code-point order gets it wrong: «Đ» after every Latin letter, «Ô», «Ứ» too.
    assert sorted(expected) != expected


def test_d_bar_comes_after_d_and_before_e():
    assert sorted(["Đông Anh", "Eo Gió", "Dương Nội"], key=vi_key) == [
        "Dương Nội",
        "Đông Anh",
        "Eo Gió",
    ]


def test_letters_with_marks_follow_their_base_letter():
    words = ["ư", "u", "ơ", "ô", "o", "ê", "e", "â", "ă", "a"]
    assert sorted(words, key=vi_key) == ["a", "ă", "â", "e", "ê", "o", "ô", "ơ", "u", "ư"]
    # «Ô» is a letter of its own after «o»: every «o…» word comes first.
    assert sorted(["Ô Chợ Dừa", "Ông Đình", "Ngọc Hà"], key=vi_key) == [
        "Ngọc Hà",
        "Ô Chợ Dừa",
        "Ông Đình",
    ]
    assert sorted(["Ô Chợ Dừa", "Ong"], key=vi_key) == ["Ong", "Ô Chợ Dừa"]


def test_the_letters_decide_before_the_tone_then_the_tones_in_dictionary_order():
    # ngang, huyền, hỏi, ngã, sắc, nặng
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=vi_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]
    # «Bà» has the tone but «Ba» is followed by a later letter: letters first.
    assert sorted(["Bác", "Bà"], key=vi_key) == ["Bà", "Bác"]
    # Syllable by syllable: the first syllable's tone decides before the second's letters.
    assert sorted(["Bà Triệu", "Ba Vì"], key=vi_key) == ["Ba Vì", "Bà Triệu"]


def test_numbers_compare_as_numbers():
    names = ["Phường 10", "Phường 2", "Phường 1", "Phường 9", "Phường Bến Thành"]
    assert sorted(names, key=vi_key) == [
        "Phường 1",
        "Phường 2",
        "Phường 9",
        "Phường 10",
        "Phường Bến Thành",
    ]


def test_a_shorter_name_comes_first_and_punctuation_is_ignored():
    assert sorted(
        ["Phường Văn Miếu - Quốc Tử Giám", "Phường Văn Miếu", "Phường Văn"], key=vi_key
    ) == [
        "Phường Văn",
        "Phường Văn Miếu",
        "Phường Văn Miếu - Quốc Tử Giám",
    ]


def test_capitals_sort_with_their_small_letters():
    assert vi_key("ĐỐNG ĐA")[0] == vi_key("Đống Đa")[0]
    assert sorted(["bạch mai", "Ba Đình"], key=vi_key) == ["Ba Đình", "bạch mai"]


# former_districts and the report's groups ---------------------------------------------------


@pytest.fixture
def hanoi(db):
    """The demo's shape (wards.demo): Hà Nội, Quận Đống Đa's 21 wards until 30/06/2025 each
    merged into one of five of today's wards, a sixth ward from Quận Ba Đình, three wards
    nothing was merged into (one named by a number), and a district that outlived nothing."""
    province = f.unit(code=demo.PROVINCE_CODE, level="province", name="Thành phố Hà Nội")
    today = {
        name: f.unit(code=f"N{n:04d}", parent=province, name=name, valid_from=NEW)
        for n, name in enumerate(
            [*demo.SUCCESSORS, "Phường Ba Đình", "Phường Ứng Hòa", "Phường 10", "Phường 2"]
        )
    }
    dong_da = f.unit(
        code=demo.DISTRICT_CODE,
        level="district",
        parent=province,
        name=demo.DISTRICT_NAME,
        valid_until=MERGED,
    )
    ba_dinh = f.unit(
        code="001", level="district", parent=province, name="Quận Ba Đình", valid_until=MERGED
    )
    for code, name, successor in demo.OLD_WARDS:
        f.unit(
            code=code + demo.OLD_CODE_SUFFIX,
            parent=dong_da,
            name=name,
            valid_until=MERGED,
            successor=today[successor],
        )
    # Phường Láng takes two Đống Đa wards and, here, three from Ba Đình: Ba Đình wins.
    for n in range(3):
        f.unit(
            code=f"0000{n}-2025",
            parent=ba_dinh,
            name=f"Phường Cống Vị {n}",
            valid_until=MERGED,
            successor=today[demo.LANG],
        )
    f.unit(
        code="00001X-2025",
        parent=ba_dinh,
        name="Phường Trúc Bạch",
        valid_until=MERGED,
        successor=today["Phường Ba Đình"],
    )
    return province, today, dong_da, ba_dinh


def test_each_commune_gets_the_district_most_of_its_wards_came_from(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    children = list(today.values())
    with CaptureQueriesContext(connection) as queries:
        former = former_districts(children, parse("2026-Q1"))
    assert len(queries) == 1
    assert former[today[demo.O_CHO_DUA].pk] == dong_da
    assert former[today[demo.KIM_LIEN].pk] == dong_da
    assert former[today[demo.LANG].pk] == ba_dinh  # 3 wards of Ba Đình, 2 of Đống Đa
    assert former[today["Phường Ba Đình"].pk] == ba_dinh
    assert former[today["Phường Ứng Hòa"].pk] is None
    assert set(former) == {c.pk for c in children}


def test_districts_as_children_have_no_former_district(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    with CaptureQueriesContext(connection) as queries:
        former = former_districts([dong_da, ba_dinh], parse("2024"))
    assert former == {dong_da.pk: None, ba_dinh.pk: None}
    assert len(queries) == 0


def test_the_province_report_sorts_and_groups_its_communes(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    report = build(province, parse("2026-Q1"))
    assert [c.name for c in report.children] == [
        "Phường 2",
        "Phường 10",
        "Phường Ba Đình",
        "Phường Đống Đa",
        "Phường Kim Liên",
        "Phường Láng",
        "Phường Ô Chợ Dừa",
        "Phường Ứng Hòa",
        "Phường Văn Miếu - Quốc Tử Giám",
    ]
    groups = report.child_groups
    assert [g.district for g in groups] == [ba_dinh, dong_da, None]
    assert [c.name for c in groups[0].children] == ["Phường Ba Đình", "Phường Láng"]
    assert [c.name for c in groups[1].children] == [
        "Phường Đống Đa",
        "Phường Kim Liên",
        "Phường Ô Chợ Dừa",
        "Phường Văn Miếu - Quốc Tử Giám",
    ]
    assert [c.name for c in groups[2].children] == ["Phường 2", "Phường 10", "Phường Ứng Hòa"]
    # The rows' child figures follow the sorted children.
    block = report.sections[0]
    assert len(block.rows[0].children) == len(report.children)


def test_one_group_without_a_district_when_nothing_was_merged(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    report = build(province, parse("2024"))  # the districts are the children
    assert [c.name for c in report.children] == ["Quận Ba Đình", "Quận Đống Đa"]
    assert report.child_groups == [ChildGroup(None, [ba_dinh, dong_da])]


def test_a_districts_wards_are_not_grouped_under_the_district_itself(world):
    # Phường A Cũ (Quận A) was merged into Phường A, still in Quận A: nothing to group by.
    report = build(world.district_a, parse("2026-Q1"))
    assert [c.name for c in report.children] == ["Phường A"]
    assert former_districts(report.children, report.period) == {world.ward_a.pk: None}
    assert report.child_groups == [ChildGroup(None, [world.ward_a])]


def test_the_report_page_groups_in_a_fixed_number_of_queries(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    report = build(province, parse("2026-Q1"))
    with CaptureQueriesContext(connection) as queries:
        report.child_groups  # noqa: B018
        report.child_groups  # noqa: B018 - read once
    assert len(queries) == 1


# has_data, previous_has_data ----------------------------------------------------------------


def test_a_unit_with_only_its_team_has_no_data_and_one_activity_has(hanoi):
    province, today, dong_da, ba_dinh = hanoi
    lang, kim_lien = today[demo.LANG], today[demo.KIM_LIEN]
    f.member(team=f.team(ward=lang, name="Đội Láng"), full_name="Nguyễn Văn A", role="leader")
    Activity.objects.create(
        unit=kim_lien, occurred_on=D(2026, 2, 3), kind="community_meeting", sessions=1
    )
    report = build(province, parse("2026-Q1"))
    assert report.child_values(lang)["team.teams"] == 1  # counted, but not a figure of the period
    assert not report.has_data(lang)
    assert report.has_data(kim_lien)
    assert not report.has_data(today["Phường Ứng Hòa"])
    # The comparison (Q1 2025) has nothing; a year later it has the 2026 activity.
    assert not report.previous_has_data
    assert build(province, parse("2027-Q1")).previous_has_data


def test_money_in_millions():
    assert in_millions(112_500_000) == Decimal("112.5")
    assert str(in_millions(112_500_000)) == "112.5"
    assert str(in_millions(2_000_000)) == "2"
    assert str(in_millions(100_000_000)) == "100"
    assert str(in_millions(1_234_567)) == "1.23"
    assert str(in_millions(0)) == "0"
