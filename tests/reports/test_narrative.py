"""The published paragraph (INDICATORS.md, Narrative): one clause per channel and per published
figure, each declared beside its indicator in reports/indicators.py; Vietnamese number
formatting, money in triệu đồng, zero figures skipped, Vietnamese whatever the interface
language."""

from __future__ import annotations

import inspect
import re

import pytest
from django.utils import translation

from reports import indicators
from reports.indicators import build
from reports.narrative import million, number, shared, write
from reports.periods import parse

PROGRAMMES = [("b93", "Câu lạc bộ B93"), ("mmt", "MMT tại cộng đồng")]
CATALOGUE = build(PROGRAMMES)
H1 = parse("2024-H1")


def values(**given) -> dict[str, int]:
    """Every code at zero but those given (dots in codes written as __)."""
    out = dict.fromkeys(CATALOGUE.codes, 0)
    for name, value in given.items():
        code = name.replace("__", ".")
        assert code in out, code
        out[code] = value
    return out


def say(period=H1, **given) -> str:
    return write(values(**given), period, CATALOGUE)


# -- the declarations ----------------------------------------------------------------------


def named_in_also(catalogue) -> set[str]:
    return {code for i in catalogue.indicators if i.says for code, _text in i.says.also}


def test_every_figure_is_written_named_in_a_clause_or_declared_quiet():
    """A new indicator cannot be missing from the paragraph by oversight: it declares a
    clause, or is part of another's clause, or is quiet on purpose."""
    also = named_in_also(CATALOGUE)
    for i in CATALOGUE.indicators:
        ways = [i.says is not None, i.code in also, i.quiet]
        assert sum(ways) == 1, (i.code, ways)


def test_every_also_names_a_known_figure():
    for code in named_in_also(CATALOGUE):
        assert code in CATALOGUE.by_code, code


def test_every_clause_has_one_place_for_its_figure():
    for i in CATALOGUE.indicators:
        if i.says is None:
            continue
        texts = [i.says.text, *(t for _code, t in i.says.also)]
        for text in texts:
            assert text.count("{}") == 1, (i.code, text)
            assert text == text.strip(), (i.code, text)
            assert "{" not in text.replace("{}", ""), (i.code, text)


def test_a_joining_clause_shares_its_opening_words_with_the_clause_before_it():
    said = [i for i in CATALOGUE.indicators if i.says and not i.sub]
    joining = 0
    for before, i in zip(said, said[1:], strict=False):
        if i.says.joins:
            joining += 1
            assert shared(before.says.text, i.says.text), i.code
    assert joining >= 7  # counselling, its topics, the persuaded, the loans
    assert not any(i.says.joins for i in CATALOGUE.indicators if i.says and i.sub)


def declaration(code: str) -> re.Match:
    """Where `code` is declared in reports/indicators.py (a pattern code by its f-string)."""
    source = inspect.getsource(indicators)
    literal = re.escape(f'"{code}"')
    stem = code.rpartition(".")[0]
    pattern = re.escape(f'f"{stem}.{{')
    found = re.search(rf"_i\(\s*(?:{literal}|{pattern})", source)
    assert found, code
    return found


def test_every_quiet_figure_says_why_in_a_comment_above_its_declaration():
    source = inspect.getsource(indicators)
    for i in CATALOGUE.indicators:
        if not i.quiet:
            continue
        before = source[: declaration(i.code).start()].splitlines()[:-1]
        comments = []
        for line in reversed(before):
            line = line.strip()
            if line.startswith("#"):
                comments.append(line)
            elif line not in ("*(", ""):
                break
        assert comments, f"{i.code} is quiet: say why in a comment above its declaration"


# -- every figure, written ----------------------------------------------------------------


def said_figures(catalogue) -> list[str]:
    """The codes the paragraph writes when every figure is non-zero."""
    return [
        code
        for i in catalogue.indicators
        if i.says
        for code in (i.code, *(c for c, _t in i.says.also))
    ]


def test_a_world_where_every_figure_is_two_writes_every_said_figure():
    """Each code with a distinct value, so that each figure can be found in the paragraph."""
    codes = said_figures(CATALOGUE)
    money = {c for c in codes if CATALOGUE.by_code[c].kind == indicators.MONEY}
    given = {
        c: (n + 1) * 1_000_000 + 500_000 if c in money else 1000 + n for n, c in enumerate(codes)
    }
    figures = dict.fromkeys(CATALOGUE.codes, 2) | given
    text = write(figures, parse("2024-Q1"), CATALOGUE)
    assert text.startswith("Trong quý I năm 2024, ")
    for code in codes:
        written = million if CATALOGUE.by_code[code].kind == indicators.MONEY else number
        assert written(given[code]) in text, code
    assert " 0 " not in text and " 2 " not in text  # the quiet figures are not written
    assert "  " not in text and " ," not in text and "( " not in text


def test_every_figure_at_two_writes_without_error():
    text = write(dict.fromkeys(CATALOGUE.codes, 2), parse("2024-Q1"), CATALOGUE)
    assert text.startswith("Trong quý I năm 2024, ") and text.endswith(".")


@pytest.mark.parametrize("code", said_figures(CATALOGUE))
def test_a_figure_alone_is_written(code):
    """Any said figure non-zero on its own writes a paragraph with it (an `also` part needs
    its clause's figure: alone it is not written)."""
    text = say(**{code.replace(".", "__"): 7})
    owner = CATALOGUE.by_code[code]
    if owner.says is None:
        assert text == ""
        return
    written = million(7) if owner.kind == indicators.MONEY else "7"
    assert written in text, code
    assert text.startswith("Trong 6 tháng đầu năm 2024, ") and text.endswith(".")
    assert "(trong đó" not in text  # a sub-row whose row is zero stands alone


def test_all_zero_writes_nothing():
    assert say() == ""


# -- numbers ------------------------------------------------------------------------------


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


def test_large_figures_are_grouped_with_dots_and_money_in_millions():
    text = say(parse("2024"), outreach__sessions=1500, outreach__participants=123456)
    assert (
        text == "Trong năm 2024, đã tổ chức 1.500 cuộc tuyên truyền với 123.456 lượt người tham dự."
    )
    text = say(support__gifts=10, support__gift_amount=112_500_000)
    assert text == "Trong 6 tháng đầu năm 2024, trao 10 phần quà trị giá 112,5 triệu đồng."


# -- the example of INDICATORS.md and the published clauses ------------------------------

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
    support__loan_amount__persons=40_000_000,
    support__loan_amount__households=70_000_000,
)


def test_the_example_of_indicators_md():
    """As published, but each loan with its own amount (INDICATORS.md: «loans to persons and to
    households each with its own amount»), where the example gives their total."""
    assert write(EXAMPLE, H1, CATALOGUE) == (
        "Trong 6 tháng đầu năm 2024, đã tổ chức 176 cuộc tuyên truyền với 6.421 lượt người "
        "tham dự; phát 773 tờ rơi; tiếp cận, giúp đỡ 143 người (trong đó 49 người có nguy cơ "
        "cao; 94 người sử dụng trái phép chất ma túy, người nghiện ma túy và người sau cai "
        "nghiện); hỗ trợ vay vốn cho 4 người sau cai nghiện với số tiền 40 triệu đồng và 6 hộ "
        "gia đình với số tiền 70 triệu đồng."
    )


def test_one_clause_per_channel_within_the_sessions():
    text = say(
        outreach__sessions=60,
        outreach__participants=3000,
        outreach__sessions__community_meeting=20,
        outreach__participants__community_meeting=1200,
        outreach__sessions__school_talk=8,
        outreach__participants__school_talk=1800,
        outreach__sessions__radio=30,
        outreach__minutes__radio=450,
        outreach__participants__radio=1535,
        outreach__sessions__loudspeaker=2,
        outreach__minutes__loudspeaker=90,
    )
    assert text == (
        "Trong 6 tháng đầu năm 2024, đã tổ chức 60 cuộc tuyên truyền với 3.000 lượt người "
        "tham dự (trong đó 20 cuộc tại họp tổ dân phố, lồng ghép sinh hoạt đoàn thể với 1.200 "
        "lượt người tham dự; 8 buổi tại trường học với 1.800 lượt học sinh tham dự; 30 lần "
        "phát thanh trên đài truyền thanh, thời lượng 450 phút, khoảng 1.535 lượt người nghe; "
        "2 lần tuyên truyền bằng loa lưu động, thời lượng 90 phút)."
    )


def test_a_radio_clause_with_its_audience_but_no_minutes():
    text = say(
        outreach__sessions=3, outreach__sessions__radio=3, outreach__participants__radio=1535
    )
    assert "(trong đó 3 lần phát thanh trên đài truyền thanh, khoảng 1.535 lượt người nghe)" in text


def test_loans_to_persons_and_households_each_with_its_own_amount():
    text = say(
        support__loan_persons=2,
        support__loan_amount__persons=55_000_000,
        support__loan_households=2,
        support__loan_amount__households=200_000_000,
        support__loan_amount=255_000_000,
    )
    assert text == (
        "Trong 6 tháng đầu năm 2024, hỗ trợ vay vốn cho 2 người sau cai nghiện với số tiền "
        "55 triệu đồng và 2 hộ gia đình với số tiền 200 triệu đồng."
    )
    assert say(support__loan_households=6) == (
        "Trong 6 tháng đầu năm 2024, hỗ trợ vay vốn cho 6 hộ gia đình."
    )
    text = say(support__loan_persons=1, support__loan_amount__persons=112_500_000)
    assert text == (
        "Trong 6 tháng đầu năm 2024, hỗ trợ vay vốn cho 1 người sau cai nghiện với số tiền "
        "112,5 triệu đồng."
    )


def test_loans_join_only_when_said_one_after_the_other():
    """A clause between them (or the first one zero) keeps them apart."""
    text = say(support__loan_households=6, support__referrals=3)
    assert text == (
        "Trong 6 tháng đầu năm 2024, giới thiệu, chuyển gửi 3 lượt; hỗ trợ vay vốn cho 6 hộ "
        "gia đình."
    )


def test_training_and_jobs_as_one_figure():
    text = say(support__vocational_training=3, support__jobs=2, support__training_or_job=4)
    assert text == "Trong 6 tháng đầu năm 2024, hỗ trợ học nghề, tạo việc làm cho 4 người."


def test_counselling_direct_and_indirect_in_one_clause():
    text = say(casework__counselling_direct=548, casework__counselling_indirect=300)
    assert text == "Trong 6 tháng đầu năm 2024, tư vấn trực tiếp 548 lượt và gián tiếp 300 lượt."
    text = say(casework__counselling_indirect=300)
    assert text == "Trong 6 tháng đầu năm 2024, tư vấn gián tiếp 300 lượt."


def test_counselling_by_topic():
    text = say(
        casework__persons_met_direct=12,
        casework__counselled__psychological=5,
        casework__counselled__career=3,
        casework__counselled__family=2,
    )
    assert text == (
        "Trong 6 tháng đầu năm 2024, gặp gỡ, tư vấn trực tiếp cho 12 người; tư vấn tâm lý cho "
        "5 người, hướng nghiệp cho 3 người và về gia đình cho 2 người."
    )
    text = say(casework__counselled__career=3, casework__counselled__health=1)
    assert text == (
        "Trong 6 tháng đầu năm 2024, tư vấn hướng nghiệp cho 3 người và sức khỏe cho 1 người."
    )


def test_a_joining_clause_after_a_zero_row_stands_alone():
    text = say(casework__counselling_indirect=4, casework__counselled__legal=2)
    assert text == (
        "Trong 6 tháng đầu năm 2024, tư vấn gián tiếp 4 lượt; tư vấn pháp luật cho 2 người."
    )
    text = say(casework__to_voluntary_rehab=1, casework__to_methadone=5)
    assert text == (
        "Trong 6 tháng đầu năm 2024, vận động 1 người cai nghiện tự nguyện và 5 người điều trị "
        "methadone."
    )


@pytest.mark.parametrize(
    ("first", "then", "words"),
    [
        ("tư vấn trực tiếp {} lượt", "tư vấn gián tiếp {} lượt", "tư vấn "),
        ("hỗ trợ vay vốn cho {} người", "hỗ trợ vay vốn cho {} hộ gia đình", "hỗ trợ vay vốn cho "),
        ("vận động {} người a", "vận động {} người b", "vận động "),
        ("phát {} tờ rơi", "treo {} băng rôn", ""),
    ],
)
def test_shared_words(first, then, words):
    assert shared(first, then) == words


def test_clubs_with_their_members_and_the_classification():
    text = say(
        programmes__clubs=2,
        programmes__club_members=31,
        casework__assessed=20,
        casework__assessed__progressing=15,
        casework__assessed__relapsed=1,
    )
    assert "duy trì hoạt động 2 câu lạc bộ với 31 thành viên" in text
    assert "đánh giá, phân loại 20 người (trong đó 15 người tiến bộ; 1 người tái nghiện)" in text


def test_teams_with_their_members_not_by_role():
    text = say(team__teams=3, team__members=27, team__members__leader=3, team__members__member=24)
    assert text == (
        "Trong 6 tháng đầu năm 2024, duy trì hoạt động của 3 Đội công tác xã hội tình nguyện "
        "với 27 thành viên."
    )


def test_programmes_by_name_with_the_enrolled_and_the_new_among_those_who_took_part():
    text = say(programmes__enrolled__b93=12, programmes__new__b93=3, programmes__took_part__b93=14)
    assert text == (
        "Trong 6 tháng đầu năm 2024, 14 người tham gia câu lạc bộ B93 (trong đó 12 người đang "
        "tham gia đến cuối kỳ; 3 người mới tham gia)."
    )
    # joined and left within the period: new, no longer enrolled, never more than took part
    text = say(programmes__new__mmt=2, programmes__took_part__mmt=2)
    assert text == (
        "Trong 6 tháng đầu năm 2024, 2 người tham gia MMT tại cộng đồng (trong đó 2 người mới "
        "tham gia)."
    )


def test_zero_parts_of_a_clause_are_skipped():
    period = parse("2024-Q2")
    assert say(period, outreach__sessions=12) == (
        "Trong quý II năm 2024, đã tổ chức 12 cuộc tuyên truyền."
    )
    assert say(period, casework__persons_reached=3) == (
        "Trong quý II năm 2024, tiếp cận, giúp đỡ 3 người."
    )
    assert say(period, outreach__leaflets=773, outreach__participants=40) == (
        "Trong quý II năm 2024, phát 773 tờ rơi."
    )


# -- periods and language -----------------------------------------------------------------


def test_a_month_a_multi_year_and_a_custom_period():
    assert (
        say(parse("2024-03"), outreach__leaflets=773) == "Trong tháng 3 năm 2024, phát 773 tờ rơi."
    )
    assert say(parse("2012..2022"), outreach__leaflets=5) == (
        "Trong giai đoạn 2012 - 2022, phát 5 tờ rơi."
    )
    text = say(parse("2024-01-15..2024-06-14"), outreach__leaflets=5)
    assert text.startswith("Từ ngày 15/01/2024 đến ngày 14/06/2024, phát 5 tờ rơi")


@pytest.mark.parametrize("language", ["en", "vi"])
def test_vietnamese_whatever_the_interface_language(language):
    with translation.override("vi"):
        expected = write(EXAMPLE, H1, CATALOGUE)
    with translation.override(language):
        assert write(EXAMPLE, H1, CATALOGUE) == expected
        assert write(EXAMPLE, parse("2024-H1", "official"), CATALOGUE).startswith(
            "Trong 6 tháng đầu năm"
        )


@pytest.mark.django_db
def test_without_a_catalogue_it_reads_the_programmes_once(django_assert_num_queries):
    """The programmes of the reference data have their clause; a code the values do not
    carry is zero."""
    catalogue = indicators.catalogue()
    assert catalogue.programmes, "the reference data has programmes (cases/0002)"
    code = catalogue.programmes[0]
    figures = {f"programmes.took_part.{code}": 5, "outreach.leaflets": 9}
    with django_assert_num_queries(1):
        text = write(figures, H1)
    assert text == write(figures, H1, catalogue)
    assert text.startswith("Trong 6 tháng đầu năm 2024, phát 9 tờ rơi; 5 người tham gia ")
