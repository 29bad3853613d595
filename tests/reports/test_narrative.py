"""The published paragraph (INDICATORS.md, Narrative): Vietnamese number formatting, money in
triệu đồng, zero figures skipped, Vietnamese whatever the interface language."""

from __future__ import annotations

import pytest
from django.utils import translation

from reports.indicators import CODES
from reports.narrative import million, number, write
from reports.periods import parse


def values(**given) -> dict[str, int]:
    """Every code at zero but those given (dots in codes written as __)."""
    out = dict.fromkeys(CODES, 0)
    for name, value in given.items():
        code = name.replace("__", ".")
        assert code in out, code
        out[code] = value
    return out


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (7, "7"), (999, "999"), (1500, "1.500"), (6421, "6.421"), (1234567, "1.234.567")],
)
def test_number(n, text):
    assert number(n) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (110_000_000, "110 triệu đồng"),
        (112_500_000, "112,5 triệu đồng"),
        (1_000_000, "1 triệu đồng"),
        (2_250_000, "2,25 triệu đồng"),
        (1_500_000_000, "1.500 triệu đồng"),
        (500_000, "500.000 đồng"),
    ],
)
def test_million(amount, text):
    assert million(amount) == text


EXAMPLE = values(
    outreach__sessions=176,
    outreach__participants=6421,
    outreach__leaflets=773,
    casework__persons_reached=143,
    casework__persons_reached__high_risk=49,
    casework__persons_reached__using=94,
    support__loan_persons=4,
    support__loan_households=6,
    support__loan_amount=110_000_000,
)


def test_the_example_of_indicators_md():
    text = write(EXAMPLE, parse("2024-H1"))
    assert text.startswith(
        "Trong 6 tháng đầu năm 2024, đã tổ chức 176 cuộc tuyên truyền với 6.421 lượt người "
        "tham dự; phát 773 tờ rơi;"
    )
    assert "tiếp cận, giúp đỡ 143 người (trong đó 49 người có nguy cơ cao; 94 người" in text
    assert "hỗ trợ vay vốn cho 4 người và 6 hộ gia đình với số tiền 110 triệu đồng" in text
    assert text.endswith(".")
    assert text.count(".") == 2  # 6.421 and the full stop: nothing else was written
    # figures that are zero leave no trace
    for words in ("tư vấn", "xét nghiệm", "phần quà", "tập huấn", " 0 "):
        assert words not in text


def test_all_zero_writes_nothing():
    assert write(values(), parse("2024-H1")) == ""


def test_zero_clauses_are_skipped():
    text = write(values(outreach__leaflets=773), parse("2024-03"))
    assert text == "Trong tháng 3 năm 2024, phát 773 tờ rơi."


def test_zero_parts_of_a_clause_are_skipped():
    period = parse("2024-Q2")
    text = write(values(outreach__sessions=12), period)
    assert text == "Trong quý II năm 2024, đã tổ chức 12 cuộc tuyên truyền."
    text = write(values(support__loan_households=6), period)
    assert text == "Trong quý II năm 2024, hỗ trợ vay vốn cho 6 hộ gia đình."
    text = write(values(support__loan_persons=1, support__loan_amount=112_500_000), period)
    assert "hỗ trợ vay vốn cho 1 người với số tiền 112,5 triệu đồng" in text
    text = write(values(casework__persons_reached=3), period)
    assert text == "Trong quý II năm 2024, tiếp cận, giúp đỡ 3 người."


def test_large_figures_are_grouped_with_dots():
    text = write(values(outreach__sessions=1500, outreach__participants=123456), parse("2024"))
    assert "1.500 cuộc tuyên truyền với 123.456 lượt người tham dự" in text
    assert text.startswith("Trong năm 2024, ")


def test_a_multi_year_and_a_custom_period():
    text = write(values(outreach__leaflets=5), parse("2012..2022"))
    assert text == "Trong giai đoạn 2012 - 2022, phát 5 tờ rơi."
    text = write(values(outreach__leaflets=5), parse("2024-01-15..2024-06-14"))
    assert text.startswith("Từ ngày 15/01/2024 đến ngày 14/06/2024, phát 5 tờ rơi")


@pytest.mark.parametrize("language", ["en", "vi"])
def test_vietnamese_whatever_the_interface_language(language):
    with translation.override("vi"):
        expected = write(EXAMPLE, parse("2024-H1"))
    with translation.override(language):
        assert write(EXAMPLE, parse("2024-H1")) == expected
        assert write(EXAMPLE, parse("2024-H1", "official")).startswith("Trong 6 tháng đầu năm")


def test_every_code_can_be_written():
    """A report with every figure non-zero writes a paragraph mentioning each figure the
    published style names (no KeyError for any code of the catalogue)."""
    text = write({code: 2 for code in CODES}, parse("2024-Q1"))
    assert text.startswith("Trong quý I năm 2024, ")
    assert " 0 " not in text
