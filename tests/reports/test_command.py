"""`python manage.py report`: the same figures as the report page's downloads."""

from __future__ import annotations

import io
import json
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.management.commands.report import Command
from tests.reports.test_exports import figures, get, pdf_text, url  # noqa: F401
from wards.models import AuditEvent


def run(*args: str) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_the_commands_json_is_the_downloaded_json(figures, personas):  # noqa: F811
    printed = run("--unit", "991", "--period", "2024-H1", "--format", "json")
    downloaded = get(personas["supervisor"], url("json", figures.district_a)).content.decode()
    assert printed == downloaded
    assert json.loads(printed)["indicators"]["outreach.sessions"] == 5


def test_the_json_lists_every_code_with_each_topic_result_and_programme(world):
    from cases.models import Assessment, Contact, Person, Programme
    from reports.indicators import catalogue
    from tests import factories as f

    f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)
    data = json.loads(run("--unit", "99001", "--period", "2024-H1", "--format", "json"))
    codes = list(data["indicators"])
    assert codes == list(catalogue().codes) == list(data["previous"]["indicators"])
    expected = {
        *(f"casework.counselled.{t}" for t in Contact.Topic),
        *(f"casework.assessed.{r}" for r in Assessment.Result),
        *(f"casework.on_list.{g}" for g in Person.Group),
        *(
            f"programmes.{figure}.{p}"
            for p in Programme.objects.values_list("code", flat=True)
            for figure in ("enrolled", "new", "took_part")
        ),
        "programmes.enrolled.b93",
        "programmes.clubs",
        "programmes.club_members",
        "programmes.club_members_in_period",
        "outreach.minutes.radio",
        "outreach.minutes.loudspeaker",
        "casework.persons_met_direct",
        "support.loan_amount.persons",
        "support.loan_amount.households",
        "support.training_or_job",
    }
    assert expected <= set(codes)


def test_the_commands_csv_is_the_downloaded_csv(figures, personas):  # noqa: F811
    printed = run("--unit", "991", "--period", "2024-H1", "--format", "csv")
    downloaded = get(personas["supervisor"], url("csv", figures.district_a)).content.decode()
    assert printed == downloaded


def test_the_official_cutoff_is_passed_on(figures, personas):  # noqa: F811
    args = ("--unit", "99001", "--period", "2024-H1", "--format", "json")
    data = json.loads(run(*args, "--cutoff", "official"))
    assert (data["period"]["start"], data["period"]["end"]) == ("2023-12-15", "2024-06-14")
    downloaded = get(personas["leader"], url("json", figures.ward_a, **{"cach-tinh": "official"}))
    assert json.loads(downloaded.content) == data


def test_xlsx_and_pdf_are_written_to_the_output_file_with_the_pages_figures(
    figures,  # noqa: F811
    personas,
    tmp_path,
):
    target = tmp_path / "q.xlsx"
    message = run(
        "--unit", "991", "--period", "2024-H1", "--format", "xlsx", "--output", str(target)
    )
    assert str(target) in message
    written = openpyxl.load_workbook(target).active
    downloaded = get(personas["supervisor"], url("xlsx", figures.district_a)).content
    page = openpyxl.load_workbook(io.BytesIO(downloaded)).active
    assert list(written.iter_rows(values_only=True)) == list(page.iter_rows(values_only=True))

    target = tmp_path / "q.pdf"
    run("--unit", "991", "--period", "2024-H1", "--format", "pdf", "--output", str(target))
    text = pdf_text(target.read_bytes())
    assert "Kết quả hoạt động 6 tháng đầu năm 2024" in text
    assert "Số lượt người tham dự lượt người 1.540 30 +1.510" in text


def test_running_it_twice_gives_the_same_file_and_writes_nothing(figures, tmp_path):  # noqa: F811
    before = AuditEvent.objects.count()
    first = run("--unit", "991", "--period", "2012..2022", "--format", "csv")
    assert run("--unit", "991", "--period", "2012..2022", "--format", "csv") == first
    target = tmp_path / "r.json"
    for _ in range(2):
        run("--unit", "991", "--period", "2024-Q2", "--format", "json", "--output", str(target))
    assert json.loads(target.read_text())["period"]["label"] == "Quý II năm 2024"
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_binary_formats_need_an_output_file(world, fmt):
    with pytest.raises(CommandError, match="--output"):
        run("--unit", "99001", "--period", "2024-H1", "--format", fmt)


def test_an_unknown_unit_is_an_error_that_names_it(world):
    with pytest.raises(CommandError, match="'12345'"):
        run("--unit", "12345", "--period", "2024-H1", "--format", "json")


def test_an_unreadable_period_is_an_error_that_says_how_to_write_one(world):
    with pytest.raises(CommandError, match="2024-H3.*2024-Q2"):
        run("--unit", "99001", "--period", "2024-H3", "--format", "json")


def test_the_help_states_the_rule():
    text = Command.help
    for words in ("--unit", "2012..2022", "Decree 09/2019", "xlsx, docx and pdf need --output"):
        assert words in text


def test_hide_empty_leaves_out_the_child_units_without_figures(figures):  # noqa: F811
    from tests import factories as f

    f.unit(code="99510", parent=figures.district_a, name="Phường Không Số Liệu")
    args = ("--unit", "991", "--period", "2024-H1", "--format", "csv")
    assert "Phường Không Số Liệu" in run(*args).splitlines()[0]
    header = run(*args, "--hide-empty").splitlines()[0]
    assert "Phường Không Số Liệu" not in header and "Phường A" in header
