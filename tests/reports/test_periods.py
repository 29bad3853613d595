"""Report periods: every spec form, both cut-offs, labels, the comparison period, the months of
a trend and the errors (INDICATORS.md, Periods; DESIGN.md, Commands)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from reports.periods import PeriodError, parse

D = datetime.date


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.mark.parametrize(
    ("spec", "cutoff", "kind", "start", "end", "label"),
    [
        ("2024-03", "calendar", "month", D(2024, 3, 1), D(2024, 3, 31), "Tháng 3 năm 2024"),
        ("2024-03", "official", "month", D(2024, 2, 15), D(2024, 3, 14), "Tháng 3 năm 2024"),
        ("2024-02", "calendar", "month", D(2024, 2, 1), D(2024, 2, 29), "Tháng 2 năm 2024"),
        ("2023-02", "calendar", "month", D(2023, 2, 1), D(2023, 2, 28), "Tháng 2 năm 2023"),
        ("2024-01", "official", "month", D(2023, 12, 15), D(2024, 1, 14), "Tháng 1 năm 2024"),
        ("2024-12", "official", "month", D(2024, 11, 15), D(2024, 12, 14), "Tháng 12 năm 2024"),
        ("2024-Q1", "calendar", "quarter", D(2024, 1, 1), D(2024, 3, 31), "Quý I năm 2024"),
        ("2024-Q1", "official", "quarter", D(2023, 12, 15), D(2024, 3, 14), "Quý I năm 2024"),
        ("2024-Q2", "calendar", "quarter", D(2024, 4, 1), D(2024, 6, 30), "Quý II năm 2024"),
        ("2024-Q2", "official", "quarter", D(2024, 3, 15), D(2024, 6, 14), "Quý II năm 2024"),
        ("2024-Q3", "official", "quarter", D(2024, 6, 15), D(2024, 9, 14), "Quý III năm 2024"),
        ("2024-Q4", "calendar", "quarter", D(2024, 10, 1), D(2024, 12, 31), "Quý IV năm 2024"),
        ("2024-Q4", "official", "quarter", D(2024, 9, 15), D(2024, 12, 14), "Quý IV năm 2024"),
        ("2024-H1", "calendar", "half", D(2024, 1, 1), D(2024, 6, 30), "6 tháng đầu năm 2024"),
        ("2024-H1", "official", "half", D(2023, 12, 15), D(2024, 6, 14), "6 tháng đầu năm 2024"),
        ("2024-H2", "calendar", "half", D(2024, 7, 1), D(2024, 12, 31), "6 tháng cuối năm 2024"),
        ("2024-H2", "official", "half", D(2024, 6, 15), D(2024, 12, 14), "6 tháng cuối năm 2024"),
        ("2024", "calendar", "year", D(2024, 1, 1), D(2024, 12, 31), "Năm 2024"),
        ("2024", "official", "year", D(2023, 12, 15), D(2024, 12, 14), "Năm 2024"),
        (
            "2012..2022",
            "calendar",
            "years",
            D(2012, 1, 1),
            D(2022, 12, 31),
            "Giai đoạn 2012 - 2022",
        ),
        (
            "2012..2022",
            "official",
            "years",
            D(2011, 12, 15),
            D(2022, 12, 14),
            "Giai đoạn 2012 - 2022",
        ),
        (
            "2024..2024",
            "calendar",
            "years",
            D(2024, 1, 1),
            D(2024, 12, 31),
            "Giai đoạn 2024 - 2024",
        ),
    ],
)
def test_every_form_and_cutoff(spec, cutoff, kind, start, end, label):
    period = parse(spec, cutoff)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.label == label
    assert period.label_vi == label
    assert period.cutoff == cutoff
    assert period.days == (end - start).days + 1


@pytest.mark.parametrize("cutoff", ["calendar", "official"])
def test_a_custom_range_is_what_it_says_whatever_the_cutoff(cutoff):
    period = parse("2024-01-15..2024-06-14", cutoff)
    assert (period.kind, period.start, period.end) == ("range", D(2024, 1, 15), D(2024, 6, 14))
    assert "15/01/2024" in period.label and "14/06/2024" in period.label
    assert parse("2024-05-07..2024-05-07", cutoff).days == 1


def test_specs_are_read_leniently():
    assert parse(" 2024-q2 ").spec == "2024-Q2"
    assert parse("2024-h1").kind == "half"
    assert parse("2024-03").cutoff == "calendar"


def test_labels_are_filed_in_vietnamese_whatever_the_interface_language():
    with translation.override("en"):
        assert parse("2024-H1").label_vi == "6 tháng đầu năm 2024"
        assert parse("2024-Q2").label_vi == "Quý II năm 2024"
        assert parse("2012..2022", "official").label_vi == "Giai đoạn 2012 - 2022"


@pytest.mark.parametrize(
    ("spec", "cutoff", "start", "end"),
    [
        ("2024-03", "calendar", D(2023, 3, 1), D(2023, 3, 31)),
        ("2024-03", "official", D(2023, 2, 15), D(2023, 3, 14)),
        ("2024-Q2", "official", D(2023, 3, 15), D(2023, 6, 14)),
        ("2024-H1", "calendar", D(2023, 1, 1), D(2023, 6, 30)),
        ("2024-H1", "official", D(2022, 12, 15), D(2023, 6, 14)),
        ("2024-H2", "calendar", D(2023, 7, 1), D(2023, 12, 31)),
        ("2024", "official", D(2022, 12, 15), D(2023, 12, 14)),
        ("2012..2022", "calendar", D(2001, 1, 1), D(2011, 12, 31)),
        ("2024..2025", "official", D(2021, 12, 15), D(2023, 12, 14)),
        # a range: the same number of days just before
        ("2024-01-15..2024-06-14", "calendar", D(2023, 8, 16), D(2024, 1, 14)),
        ("2024-03-01..2024-03-01", "official", D(2024, 2, 29), D(2024, 2, 29)),
    ],
)
def test_previous_comparable_period(spec, cutoff, start, end):
    period = parse(spec, cutoff)
    before = period.previous()
    assert (before.start, before.end) == (start, end)
    assert before.kind == period.kind
    assert before.cutoff == cutoff
    if period.kind == "range":
        assert before.days == period.days


def test_previous_keeps_the_labels_form():
    assert parse("2024-Q2").previous().label == "Quý II năm 2023"
    assert parse("2024-H1", "official").previous().label == "6 tháng đầu năm 2023"
    assert parse("2012..2022").previous().label == "Giai đoạn 2001 - 2011"


def test_months_of_a_calendar_quarter():
    assert parse("2024-Q2").months() == [
        (D(2024, 4, 1), D(2024, 4, 30), "04/2024"),
        (D(2024, 5, 1), D(2024, 5, 31), "05/2024"),
        (D(2024, 6, 1), D(2024, 6, 30), "06/2024"),
    ]


def test_months_of_an_official_quarter_run_15th_to_14th():
    assert parse("2024-Q2", "official").months() == [
        (D(2024, 3, 15), D(2024, 4, 14), "04/2024"),
        (D(2024, 4, 15), D(2024, 5, 14), "05/2024"),
        (D(2024, 5, 15), D(2024, 6, 14), "06/2024"),
    ]


def test_months_of_an_official_year():
    months = parse("2024", "official").months()
    assert len(months) == 12
    assert months[0] == (D(2023, 12, 15), D(2024, 1, 14), "01/2024")
    assert months[-1] == (D(2024, 11, 15), D(2024, 12, 14), "12/2024")


def test_months_of_a_range_are_calendar_months_clipped_to_it():
    assert parse("2024-01-15..2024-03-10", "official").months() == [
        (D(2024, 1, 15), D(2024, 1, 31), "01/2024"),
        (D(2024, 2, 1), D(2024, 2, 29), "02/2024"),
        (D(2024, 3, 1), D(2024, 3, 10), "03/2024"),
    ]


def test_months_of_a_multi_year_period():
    months = parse("2012..2022").months()
    assert len(months) == 132
    assert months[0][2] == "01/2012" and months[-1][2] == "12/2022"


# From 2000, so that the comparison period (at most ten years back) is still readable.
YEARS = st.integers(2000, 2100)
SPECS = st.one_of(
    st.builds(lambda y, m: f"{y}-{m:02d}", YEARS, st.integers(1, 12)),
    st.builds(lambda y, q: f"{y}-Q{q}", YEARS, st.integers(1, 4)),
    st.builds(lambda y, h: f"{y}-H{h}", YEARS, st.integers(1, 2)),
    st.builds(str, YEARS),
    st.builds(lambda y, n: f"{y}..{y + n}", st.integers(2000, 2090), st.integers(0, 9)),
    st.builds(
        lambda d, n: f"{d.isoformat()}..{(d + datetime.timedelta(days=n)).isoformat()}",
        st.dates(D(2000, 1, 1), D(2094, 1, 1)),
        st.integers(0, 2000),
    ),
)


@given(spec=SPECS, cutoff=st.sampled_from(["calendar", "official"]))
def test_months_tile_the_period_and_previous_ends_before_it(spec, cutoff):
    period = parse(spec, cutoff)
    months = period.months()
    assert months[0][0] == period.start
    assert months[-1][1] == period.end
    for (_s, end, _l), (start, _e, _l2) in zip(months, months[1:], strict=False):
        assert start == end + datetime.timedelta(days=1)
    assert all(s <= e for s, e, _ in months)
    before = period.previous()
    assert before.end < period.start
    assert before.cutoff == cutoff
    if period.kind in ("month", "quarter", "half", "year"):
        assert before.spec == f"{period.year - 1}{period.spec[4:]}"


@given(year=st.integers(1991, 2099), cutoff=st.sampled_from(["calendar", "official"]))
def test_months_quarters_and_halves_tile_their_year(year, cutoff):
    whole = parse(str(year), cutoff)
    for parts in (
        [parse(f"{year}-{m:02d}", cutoff) for m in range(1, 13)],
        [parse(f"{year}-Q{q}", cutoff) for q in range(1, 5)],
        [parse(f"{year}-H{h}", cutoff) for h in (1, 2)],
    ):
        assert parts[0].start == whole.start and parts[-1].end == whole.end
        for a, b in zip(parts, parts[1:], strict=False):
            assert b.start == a.end + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("spec", "cutoff", "words"),
    [
        ("2024-13", "calendar", "Tháng phải từ 01 đến 12"),
        ("2024-00", "calendar", "Tháng phải từ 01 đến 12"),
        ("1980", "calendar", "nằm ngoài khoảng"),
        ("2024-Q5", "calendar", "Không hiểu kỳ báo cáo «2024-Q5»"),
        ("2024-H3", "calendar", "Không hiểu kỳ báo cáo"),
        ("quý 2", "calendar", "Không hiểu kỳ báo cáo"),
        ("", "calendar", "Không hiểu kỳ báo cáo"),
        ("2022..2012", "calendar", "Năm cuối của giai đoạn không được trước năm đầu"),
        ("2024-06-14..2024-01-15", "calendar", "Ngày kết thúc không được trước ngày bắt đầu"),
        ("2024-02-30..2024-03-01", "calendar", "Ngày «2024-02-30» không hợp lệ"),
        ("2024-03", "weekly", "Cách tính kỳ phải là"),
    ],
)
def test_bad_specs_say_what_is_wrong_in_vietnamese(spec, cutoff, words):
    with pytest.raises(PeriodError) as error:
        parse(spec, cutoff)
    assert words in str(error.value)
    assert isinstance(error.value, ValueError)


def test_parse_accepts_none_as_an_empty_spec():
    with pytest.raises(PeriodError):
        parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "reportable"),
    [
        ("2024-03", True),
        ("2024-Q2", True),
        ("2024-H1", True),
        ("2024", True),
        ("2012..2022", False),
        ("2024-01-15..2024-06-14", False),
    ],
)
@pytest.mark.parametrize("cutoff", ["calendar", "official"])
def test_only_months_quarters_halves_and_years_are_reportable(spec, reportable, cutoff):
    assert parse(spec, cutoff).reportable is reportable
