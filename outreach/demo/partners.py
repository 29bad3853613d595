"""The partners of the demo (`_Partners`): who they are, where, and which of them a ward's
team could call on a given day.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from outreach.demo.plans import PartnerKey, PartnerPlan
from outreach.demo.vocabulary import JOB_CENTRE, MERGED_ON, _lower
from outreach.models import Partner
from wards import demo as wards_demo

EMPLOYERS = (
    "Công ty TNHH Dịch vụ Vệ sinh Môi trường Thăng Long",
    "Công ty Cổ phần Giao nhận Vận tải Kim Liên",
    "Công ty TNHH Bảo vệ An Phát",
    "Xưởng may Hồng Hà",
    "Garage ô tô Hoàng Cầu",
    "Nhà hàng Bếp Việt Xã Đàn",
    "Công ty TNHH Xây dựng Thái Hà",
    "Hợp tác xã Dịch vụ Thương mại Khâm Thiên",
    "Siêu thị Hapro Láng Hạ",
    "Công ty Cổ phần Chuyển phát nhanh Trường Chinh",
    "Cơ sở sửa chữa xe máy Tây Sơn",
    "Công ty TNHH In bao bì Phương Mai",
    "Công ty TNHH Thời trang Nam Đồng",
    "Bếp ăn công nghiệp Hoàng Cầu",
    "Công ty Cổ phần Dịch vụ Bảo vệ Thăng Long",
    "Cửa hàng rửa xe, chăm sóc ô tô Đê La Thành",
    "Công ty TNHH Điện lạnh Tôn Thất Tùng",
    "Xưởng mộc Trung Phụng",
)
TRAINING_CENTRES = (
    "Trường Trung cấp Nấu ăn - Nghiệp vụ khách sạn Hà Nội",
    "Trung tâm Đào tạo nghề May Thăng Long",
    "Trường Trung cấp Công nghệ và Du lịch Hà Nội",
    "Trung tâm Dạy nghề Sửa chữa ô tô, xe máy Hoàng Cầu",
    "Trường Cao đẳng nghề Công nghệ cao Hà Nội",
)
CONTACT_NAMES = (
    "Nguyễn Thị Thu Hà", "Trần Văn Hùng", "Lê Thị Minh Hằng", "Phạm Quang Vinh",
    "Hoàng Thị Lan", "Vũ Đức Thắng", "Đỗ Thị Hồng Nhung", "Bùi Văn Tuấn",
    "Ngô Thị Phương", "Đặng Minh Khoa",
)  # fmt: skip
# Old wards whose teams kept their own list of partners; the others used the district's.
OLD_WARDS_WITH_PARTNERS = ("00187", "00190", "00202", "00214", "00229", "00238")


class _Partners:
    """Invents the partners and answers which of them a ward's team could call on a day."""

    def __init__(self, rng: random.Random, streets: dict[str, tuple[str, ...]]):
        self.rng = rng
        self.streets = streets
        self.plans: list[PartnerPlan] = []
        self.by_unit: dict[str, list[PartnerPlan]] = defaultdict(list)
        self.employers = list(EMPLOYERS)
        rng.shuffle(self.employers)
        self.phones: set[str] = set()

    def _phone(self, landline: bool) -> str:
        while True:
            n = self.rng.randrange(10**7 if landline else 10**8)
            phone = f"0243{n:07d}" if landline else f"09{n:08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def add(self, unit: str, name: str, kind: str, note: str = "", active: bool = True) -> None:
        rng = self.rng
        street = rng.choice(self.streets.get(unit) or self.streets["district"])
        contact = rng.choice(CONTACT_NAMES)
        p = PartnerPlan(
            unit=unit,
            name=name,
            kind=kind,
            phone=self._phone(kind not in (Partner.Kind.EMPLOYER,)),
            address=f"Số {rng.randint(1, 260)} {street}",
            contact_person=f"{'Bà' if ' Thị ' in contact else 'Ông'} {contact}",
            note=note,
            active=active,
        )
        self.plans.append(p)
        self.by_unit[unit].append(p)

    def build(self) -> None:
        K = Partner.Kind
        self.add(
            "province",
            JOB_CENTRE,
            K.OFFICE,
            "Tư vấn, giới thiệu việc làm; sàn giao dịch việc làm hằng tháng.",
        )
        self.add("province", "Trung tâm Trợ giúp pháp lý nhà nước thành phố Hà Nội", K.LEGAL)
        self.add("district", "Phòng Lao động - Thương binh và Xã hội quận Đống Đa", K.OFFICE)
        self.add("district", "Trung tâm Y tế quận Đống Đa", K.HEALTH)
        self.add("district", "Cơ sở điều trị Methadone quận Đống Đa", K.METHADONE)
        self.add(
            "district",
            "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên quận Đống Đa",
            K.TRAINING,
            "Học nghề ngắn hạn; bổ túc văn hóa.",
        )
        names = {code: name for code, name, _ in wards_demo.OLD_WARDS}
        for code in OLD_WARDS_WITH_PARTNERS:
            ward = _lower(names[code])
            self.add(code, f"Trạm Y tế {ward}", K.HEALTH)
            self.add(
                code,
                f"Công an {ward}",
                K.OFFICE,
                "Sáp nhập khi sắp xếp đơn vị hành chính từ 01/07/2025.",
                active=False,
            )
            self.add(code, self.employers.pop(), K.EMPLOYER)
        for n, ward in enumerate(wards_demo.SUCCESSORS):
            w = _lower(ward)
            self.add(ward, f"Trạm Y tế {w}", K.HEALTH)
            self.add(
                ward,
                f"Điểm điều trị Methadone {w}",
                K.METHADONE,
                "Cấp phát thuốc methadone hằng ngày; tư vấn, xét nghiệm HIV.",
            )
            self.add(ward, f"Công an {w}", K.OFFICE)
            self.add(ward, f"Câu lạc bộ Trợ giúp pháp lý {w}", K.LEGAL)
            self.add(ward, f"Hội Chữ thập đỏ {w}", K.NGO, "Quà Tết, hỗ trợ khó khăn đột xuất.")
            self.add(ward, TRAINING_CENTRES[n], K.TRAINING)
            for _ in range(2):
                self.add(ward, self.employers.pop(), K.EMPLOYER)

    def near(self, ward: str, day: datetime.date, kind: str) -> list[PartnerKey]:
        """The partners of `kind` a ward's team works with on `day`: its own first, else the
        district's (before the merger) and the province's."""
        own = [p.key for p in self.by_unit.get(ward, ()) if p.kind == kind]
        if own:
            return own
        above = ("district", "province") if day < MERGED_ON else ("province",)
        return [p.key for unit in above for p in self.by_unit[unit] if p.kind == kind]
