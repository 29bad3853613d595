"""Import an XLSX or CSV file into a ward's lists from the command line, for a migration."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from imports import pipeline, reading
from imports.kinds import KINDS
from imports.kinds.base import Kind
from imports.matching import Match, columns_of, match, missing_required, norm
from imports.reading import HEADER_SCAN, Sheet
from wards.access import access_for
from wards.models import AdminUnit


def _label(column) -> str:
    return f"«{column.header}» ({column.key})"


class Command(BaseCommand):
    help = (
        "Import FILE (.xlsx or .csv) into the --kind list (people, members, activities, "
        "contacts) of the ward with official code --ward, as --user. The same checks as the "
        "web upload: at most 5 MB and 20,000 rows; zip bombs, macro-enabled workbooks, .xls "
        "and damaged files refused before parsing; CSV read as UTF-8 (with or without BOM) "
        "else Windows-1258; formulas read as text and reported, never evaluated. --user must "
        "exist, be active, and be a superuser or hold the kind's capability at the ward. "
        "Columns are matched by header as on the web; a required column not found is refused "
        'unless --map "Header in the file=field" supplies it (an empty field leaves a column '
        "out), and a guessed match needs --map or --accept-guesses. Every row goes through "
        "the app's services in one transaction: if any row has a problem, every problem row "
        "is printed, nothing is written and the command fails. Rows already on the list are "
        "skipped, so running it again adds nothing. One audit event (action import, source "
        "command) per import. --dry-run checks everything and writes nothing, not even the "
        "audit event."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument("--kind", help=f"What the file holds: {', '.join(KINDS)}.")
        parser.add_argument("--ward", help="The official code of the ward, e.g. 00190.")
        parser.add_argument("--user", help="The username the import is made and audited as.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help='Map a column by its header, e.g. --map "Tên đầy đủ=full_name"; repeatable. '
            "FIELD is a field code or its template header; empty to leave the column out.",
        )
        parser.add_argument(
            "--accept-guesses",
            action="store_true",
            help="Accept the columns matched only by likeness (they are printed).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )

    def handle(self, *args, **options) -> None:
        kind = self._kind(options["kind"])
        ward = self._ward(options["ward"])
        actor = self._actor(options["user"], kind, ward)
        path = Path(options["file"])
        sheet = self._read(path)
        found = self._match(kind, sheet, options["map"])
        self._show_columns(kind, sheet, found)
        if found.unsure and not options["accept_guesses"]:
            raise CommandError(
                _(
                    "Có cột chỉ được ghép theo tên gần giống (xem trên). Hãy kiểm tra rồi chạy "
                    'lại với --accept-guesses, hoặc ghép đúng bằng --map "Tiêu đề=mã cột".'
                )
            )
        missing = missing_required(kind, found.fields)
        if missing:
            raise CommandError(
                _(
                    "Không tìm thấy cột bắt buộc: %(columns)s. Hãy thêm cột vào tệp, hoặc chỉ ra "
                    'cột nào chứa thông tin đó bằng --map "Tiêu đề trong tệp=mã cột".'
                )
                % {"columns": ", ".join(_label(c) for c in missing)}
            )
        try:
            outcome = pipeline.run(
                kind=kind,
                ward=ward,
                actor=actor,
                rows=sheet.rows,
                numbers=sheet.numbers,
                match=found,
                commit=not options["dry_run"],
                file_name=path.name,
                source="command",
            )
        except reading.Refused as refusal:  # more data rows than allowed
            raise CommandError(refusal.message) from None
        self._report(outcome, kind, ward, path, options)

    # Arguments -----------------------------------------------------------------------------

    def _kind(self, code: str | None) -> Kind:
        known = ", ".join(f"{c} ({k.label})" for c, k in KINDS.items())
        if not code:
            raise CommandError(
                _("Hãy cho biết loại danh sách bằng --kind, một trong: %(known)s.")
                % {"known": known}
            )
        kind = KINDS.get(code.strip())
        if kind is None:
            raise CommandError(
                _("Không có loại danh sách «%(code)s». Dùng một trong: %(known)s.")
                % {"code": code, "known": known}
            )
        return kind

    def _ward(self, code: str | None) -> AdminUnit:
        if not code:
            raise CommandError(_("Hãy cho biết mã xã, phường bằng --ward (ví dụ --ward 00190)."))
        ward = AdminUnit.objects.filter(code=code.strip()).first()
        if ward is None:
            raise CommandError(_("Không có xã, phường nào có mã «%(code)s».") % {"code": code})
        if not ward.is_commune:
            raise CommandError(
                _(
                    "«%(name)s» (mã %(code)s) không phải là xã, phường: chỉ nhập được vào danh "
                    "sách của một xã, phường."
                )
                % {"name": ward.name, "code": ward.code}
            )
        return ward

    def _actor(self, username: str | None, kind: Kind, ward: AdminUnit):
        if not username:
            raise CommandError(
                _("Hãy cho biết tài khoản thực hiện việc nhập bằng --user TÊN_ĐĂNG_NHẬP.")
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Không có tài khoản «%(user)s».") % {"user": username})
        if not user.is_active:
            raise CommandError(
                _("Tài khoản «%(user)s» đã bị khóa; hãy chọn một tài khoản đang hoạt động.")
                % {"user": username}
            )
        if not (user.is_superuser or access_for(user).can(kind.capability, ward.pk)):
            raise CommandError(
                _(
                    "Tài khoản «%(user)s» không có quyền nhập «%(kind)s» vào %(ward)s: cần là "
                    "quản trị hệ thống, hoặc đội trưởng, cán bộ của xã, phường đó."
                )
                % {"user": username, "kind": kind.label, "ward": ward.name}
            )
        return user

    def _read(self, path: Path) -> Sheet:
        try:
            size = path.stat().st_size
            if size > reading.MAX_BYTES:  # refused before a byte is read
                raise reading.too_big(size)
            with path.open("rb") as file:
                content = file.read(reading.MAX_BYTES + 1)
            return reading.read(content, path.name)
        except reading.Refused as refusal:
            raise CommandError(refusal.message) from None
        except OSError as error:
            raise CommandError(
                _("Không mở được tệp «%(path)s»: %(error)s.")
                % {"path": path, "error": error.strerror or error}
            ) from None

    # Columns -------------------------------------------------------------------------------

    def _match(self, kind: Kind, sheet: Sheet, maps: list[str]) -> Match:
        """The matcher's mapping, with each --map applied over it."""
        wanted = [self._parse_map(kind, text) for text in maps]
        found = match(kind, sheet)
        if found is None:
            found = self._header_of(sheet, [header for header, _key in wanted])
        headers = sheet.rows[found.header_index]
        for header, key in wanted:
            positions = [i for i, h in enumerate(headers) if h and norm(h) == norm(header)]
            if not positions:
                raise CommandError(
                    _("Dòng tiêu đề (dòng %(row)s) không có cột «%(header)s». Các cột: %(all)s.")
                    % {
                        "row": sheet.numbers[found.header_index],
                        "header": header,
                        "all": ", ".join(f"«{h}»" for h in headers if h),
                    }
                )
            position = positions[0]
            if key:
                for other, other_key in list(found.fields.items()):
                    if other_key == key:
                        del found.fields[other]
                found.fields[position] = key
                found.unsure.discard(key)
            else:
                found.fields.pop(position, None)
        found.unsure &= set(found.fields.values())
        return found

    def _parse_map(self, kind: Kind, text: str) -> tuple[str, str]:
        header, sign, field = text.rpartition("=")
        if not sign or not header.strip():
            raise CommandError(
                _('--map «%(text)s» không đúng dạng "Tiêu đề trong tệp=mã cột".') % {"text": text}
            )
        field = field.strip()
        if not field:
            return header.strip(), ""
        for column in columns_of(kind):
            if field == column.key or norm(field) == norm(str(column.header)):
                return header.strip(), column.key
        raise CommandError(
            _("--map «%(text)s»: không có cột «%(field)s». Các mã cột: %(known)s.")
            % {
                "text": text,
                "field": field,
                "known": ", ".join(_label(c) for c in columns_of(kind)),
            }
        )

    def _header_of(self, sheet: Sheet, headers: list[str]) -> Match:
        """When no header is known to the matcher: the first row holding every mapped one."""
        wanted = {norm(h) for h in headers}
        for index, row in enumerate(sheet.rows[:HEADER_SCAN]):
            if wanted and wanted <= {norm(cell) for cell in row if cell}:
                return Match(header_index=index, fields={}, unsure=set())
        raise CommandError(
            _(
                "Không tìm thấy dòng tiêu đề: trong %(n)s dòng đầu không có cột nào nhận ra được. "
                "Hãy đặt tiêu đề như tệp mẫu, hoặc ghép cột bằng --map."
            )
            % {"n": HEADER_SCAN}
        )

    def _show_columns(self, kind: Kind, sheet: Sheet, found: Match) -> None:
        by_key = {c.key: c for c in columns_of(kind)}
        headers = sheet.rows[found.header_index]
        self.stdout.write(
            _("Dòng tiêu đề: dòng %(row)s.") % {"row": sheet.numbers[found.header_index]}
        )
        for index, header in enumerate(headers):
            key = found.fields.get(index)
            if key is None:
                if header:
                    self.stdout.write(_("  «%(header)s» → không nhập") % {"header": header})
                continue
            line = f"  «{header}» → {_label(by_key[key])}"
            if key in found.unsure:
                line += " " + _("(đoán theo tên gần giống, cần xác nhận)")
            self.stdout.write(line)

    # Result --------------------------------------------------------------------------------

    def _report(self, outcome: pipeline.Outcome, kind: Kind, ward: AdminUnit, path, options):
        for result in outcome.results:
            if result.status == pipeline.ERROR:
                self.stdout.write(
                    _("Dòng %(row)s: %(problems)s")
                    % {"row": result.number, "problems": "; ".join(result.problems)}
                )
            elif result.status == pipeline.SKIP and options["verbosity"] > 1:
                self.stdout.write(
                    _("Dòng %(row)s (bỏ qua): %(note)s")
                    % {"row": result.number, "note": result.note}
                )
        self.stdout.write(
            _(
                "Tệp %(file)s, «%(kind)s» của %(ward)s: %(rows)s dòng; %(new)s dòng mới, "
                "%(skipped)s dòng đã có nên bỏ qua, %(errors)s dòng có lỗi."
            )
            % {
                "file": path.name,
                "kind": kind.label,
                "ward": ward.name,
                "rows": len(outcome.results),
                "new": outcome.count(pipeline.NEW),
                "skipped": outcome.count(pipeline.SKIP),
                "errors": outcome.errors,
            }
        )
        if outcome.errors:
            raise CommandError(
                _(
                    "Không nhập dòng nào: %(errors)s dòng có lỗi (xem trên). Hãy sửa tệp rồi "
                    "chạy lại."
                )
                % {"errors": outcome.errors}
            )
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu, kể cả nhật ký. Chạy "
                    "lại không có --dry-run để nhập."
                )
            )
        else:
            self.stdout.write(
                _("Đã nhập %(new)s dòng mới; đã ghi vào nhật ký.")
                % {"new": outcome.count(pipeline.NEW)}
            )
