"""Print the current second-factor code of a demo login, so a reviewer can sign in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from wards import demo, twofactor


class Command(BaseCommand):
    help = (
        "Print the current 6-digit TOTP code of a demo login (the supervisors and the "
        "administrator of seed_demo). Refused unless DEBUG is on, and for any account whose "
        "device does not hold the published demo key: it never reveals a real account's code."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="A demo login, e.g. giamsat.dongda or admin.")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Lệnh demo_otp chỉ dùng với dữ liệu mẫu khi chạy thử (DEBUG=1); "
                "máy chủ thật không bao giờ in mã xác thực."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{username}».")
        device = twofactor.confirmed_device(user)
        if device is None:
            raise CommandError(f"Tài khoản «{username}» chưa đăng ký xác thực 2 lớp.")
        if device.key != demo.DEMO_TOTP_KEY:
            raise CommandError(
                f"Tài khoản «{username}» không dùng khóa mẫu; lệnh chỉ in mã của tài khoản mẫu."
            )
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
