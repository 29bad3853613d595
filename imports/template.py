"""The XLSX template of a kind: Vietnamese headers, one example row, the allowed values as
drop-down lists and on a sheet of their own, and a guide sheet."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from .kinds.base import WARD, Kind

DATA_SHEET = "Danh sách"
VALUES_SHEET = "Giá trị cho phép"
GUIDE_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 20_000  # the drop-down lists reach as far as an import may


def header(column) -> str:
    return f"{column.header} *" if column.required else str(column.header)


def build(kind: Kind) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    example = book.add_format({"italic": True, "font_color": "#595959"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})
    text_cells = book.add_format({"num_format": "@"})

    columns = (*kind.columns, WARD)
    sheet = book.add_worksheet(DATA_SHEET)
    values = book.add_worksheet(VALUES_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)

    list_column = 0
    for index, column in enumerate(columns):
        # Text format keeps a phone's leading 0 and stops Excel turning codes into numbers.
        sheet.set_column(index, index, 24, text_cells)
        sheet.write(0, index, header(column), head)
        if column.hint:
            sheet.write_comment(0, index, str(column.hint), {"x_scale": 2})
        if column.example:
            sheet.write_string(1, index, column.example, example)
        if column.choices:
            values.write(0, list_column, str(column.header), bold)
            for row, (_code, label) in enumerate(column.choices, start=1):
                values.write(row, list_column, str(label))
            values.set_column(list_column, list_column, 40)
            letter = xlsxwriter.utility.xl_col_to_name(list_column)
            sheet.data_validation(
                1,
                index,
                TEMPLATE_ROWS,
                index,
                {
                    "validate": "list",
                    "source": f"='{VALUES_SHEET}'!${letter}$2:${letter}${len(column.choices) + 1}",
                    "error_title": str(column.header),
                    "error_message": _("Chọn một giá trị trong danh sách."),
                },
            )
            list_column += 1
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 36)

    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 12)
    guide.set_column(2, 2, 90)
    guide.write(0, 0, _("Mẫu nhập: %(kind)s") % {"kind": kind.label}, bold)
    guide.write(1, 0, str(kind.intro))
    guide.write(
        2,
        0,
        _(
            "Điền từ dòng 3 của trang «%(sheet)s»; xóa dòng ví dụ (dòng 2) hoặc để nguyên, "
            "dòng ví dụ không được nhập. Ngày ghi theo dạng ngày/tháng/năm. Tối đa 20.000 dòng, "
            "tệp không quá 5 MB."
        )
        % {"sheet": DATA_SHEET},
    )
    guide.write_row(4, 0, [_("Cột"), _("Bắt buộc"), _("Cách ghi")], head)
    for row, column in enumerate(columns, start=5):
        how = str(column.hint)
        if column.choices:
            allowed = "; ".join(str(label) for _code, label in column.choices)
            how = (how + " " if how else "") + _("Một trong: %(allowed)s") % {"allowed": allowed}
        guide.write(row, 0, str(column.header))
        guide.write(row, 1, _("có") if column.required else "")
        guide.write(row, 2, how, wrap)
    sheet.activate()
    book.close()
    return out.getvalue()
