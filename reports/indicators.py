"""The indicator catalogue: every figure a report shows, declared once (INDICATORS.md).

The page, JSON, CSV, XLSX, PDF and the narrative all read `CATALOGUE`; `reports.rollup`
computes the values. An indicator's kind says how it adds up: events (E), attendances (A),
items (I) and money (M) are sums; distinct persons (P) and stock at the period's end (S) are
counted once per person, so a parent's figure is never the sum of its children's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Person
from outreach.models import Activity
from wards.models import Member

EVENTS, ATTENDANCES, PERSONS, STOCK, MONEY, ITEMS = "E", "A", "P", "S", "M", "I"
# The unit of measure (đơn vị tính) of each figure: by kind, and by code where the label names
# something other than the kind's usual noun.
KIND_MEASURES = {
    EVENTS: "lượt",
    ATTENDANCES: "lượt người",
    PERSONS: "người",
    STOCK: "người",
    MONEY: "đồng",
    ITEMS: "cái",
}
CODE_MEASURES = {
    "outreach.sessions": "cuộc",
    "outreach.radio_minutes": "phút",
    "outreach.leaflets": "tờ",
    "outreach.banners": "cái",
    "outreach.articles": "tin, bài",
    "outreach.pledges": "bản",
    "enforcement.police_tips": "tin",
    "enforcement.patrols": "buổi",
    "casework.group_sessions": "buổi",
    "support.loan_households": "hộ",
    "support.gifts": "phần",
    "team.teams": "đội",
    "team.meetings": "buổi",
    "team.trainings": "lớp",
}


def measure(indicator: Indicator) -> str:
    """«cuộc», «lượt người», «người», «đồng»…: what the figure counts."""
    code = indicator.code
    while code:
        if code in CODE_MEASURES:
            return CODE_MEASURES[code]
        code = code.rpartition(".")[0]
    return KIND_MEASURES[indicator.kind]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    kind: str
    sub: bool = False  # an "of which" row under the indicator before it

    @property
    def section(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class Section:
    code: str
    label: str | Promise
    indicators: tuple[Indicator, ...]


def _i(code, label, kind, sub=False) -> Indicator:
    return Indicator(code, label, kind, sub)


A = Activity.Kind
COMMUNICATION_LABELS = {
    A.COMMUNITY_MEETING: _("— họp tổ dân phố, lồng ghép sinh hoạt đoàn thể"),
    A.SCHOOL_TALK: _("— tại trường học"),
    A.RADIO: _("— trên đài truyền thanh"),
    A.LOUDSPEAKER: _("— loa di động"),
    A.SEMINAR: _("— tọa đàm, đối thoại"),
    A.FILM: _("— chiếu phim, phóng sự"),
}
COMMUNICATION = tuple(COMMUNICATION_LABELS)
GROUP_LABELS = {
    Person.Group.HIGH_RISK: _("— người có nguy cơ cao"),
    Person.Group.DRUG_USER: _("— người sử dụng trái phép chất ma túy"),
    Person.Group.ADDICTED: _("— người nghiện ma túy"),
    Person.Group.POST_REHAB: _("— người sau cai nghiện"),
    Person.Group.SEX_WORK: _("— người bán dâm"),
    Person.Group.TRAFFICKING: _("— nạn nhân bị mua bán"),
    Person.Group.OTHER: _("— khác"),
}
ROLE_LABELS = {
    Member.Role.LEADER: _("— đội trưởng"),
    Member.Role.DEPUTY: _("— đội phó"),
    Member.Role.MEMBER: _("— thành viên"),
}

SECTIONS: tuple[Section, ...] = (
    Section(
        "outreach",
        _("Tuyên truyền, phòng ngừa"),
        (
            _i("outreach.sessions", _("Số cuộc tuyên truyền"), EVENTS),
            *(
                _i(f"outreach.sessions.{k}", label, EVENTS, True)
                for k, label in COMMUNICATION_LABELS.items()
            ),
            _i("outreach.participants", _("Số lượt người tham dự"), ATTENDANCES),
            *(
                _i(f"outreach.participants.{k}", label, ATTENDANCES, True)
                for k, label in COMMUNICATION_LABELS.items()
            ),
            _i("outreach.radio_minutes", _("Thời lượng phát thanh (phút)"), EVENTS),
            _i("outreach.leaflets", _("Số tờ rơi phát"), ITEMS),
            _i("outreach.banners", _("Số băng rôn, áp phích, pano"), ITEMS),
            _i("outreach.articles", _("Số tin, bài viết"), ITEMS),
            _i("outreach.pledges", _("Số bản cam kết được ký"), ITEMS),
        ),
    ),
    Section(
        "enforcement",
        _("Phát hiện, phối hợp"),
        (
            _i("enforcement.police_tips", _("Số tin báo cung cấp cho công an"), EVENTS),
            _i(
                "enforcement.inspections",
                _("Số lượt kiểm tra cơ sở kinh doanh dịch vụ"),
                EVENTS,
            ),
            _i("enforcement.patrols", _("Số buổi tuần tra, rà soát địa bàn"), EVENTS),
        ),
    ),
    Section(
        "casework",
        _("Tiếp cận, tư vấn, giúp đỡ"),
        (
            _i("casework.on_list", _("Số người trong danh sách theo dõi (cuối kỳ)"), STOCK),
            *(_i(f"casework.on_list.{g}", label, STOCK, True) for g, label in GROUP_LABELS.items()),
            _i("casework.new_persons", _("Số người mới đưa vào danh sách"), PERSONS),
            _i("casework.persons_reached", _("Số người được tiếp cận, giúp đỡ"), PERSONS),
            _i(
                "casework.persons_reached.high_risk",
                _("— người có nguy cơ cao"),
                PERSONS,
                True,
            ),
            _i(
                "casework.persons_reached.using",
                _("— người sử dụng trái phép, người nghiện và người sau cai"),
                PERSONS,
                True,
            ),
            _i("casework.persons_reached.sex_work", _("— người bán dâm"), PERSONS, True),
            _i(
                "casework.persons_reached.trafficking",
                _("— nạn nhân bị mua bán"),
                PERSONS,
                True,
            ),
            _i("casework.counselling_direct", _("Số lượt tư vấn trực tiếp"), EVENTS),
            _i("casework.counselling_indirect", _("Số lượt tư vấn gián tiếp"), EVENTS),
            _i("casework.group_sessions", _("Số buổi sinh hoạt nhóm, câu lạc bộ"), EVENTS),
            _i(
                "casework.group_participants",
                _("Số lượt người tham gia sinh hoạt nhóm"),
                ATTENDANCES,
            ),
            _i("casework.drug_tests", _("Số lượt phối hợp xét nghiệm"), EVENTS),
            _i("casework.positive_change", _("Số người có chuyển biến tích cực"), PERSONS),
            _i(
                "casework.to_voluntary_rehab",
                _("Số người được vận động cai nghiện tự nguyện"),
                PERSONS,
            ),
            _i(
                "casework.to_methadone",
                _("Số người được vận động điều trị methadone"),
                PERSONS,
            ),
            _i(
                "casework.to_compulsory_rehab",
                _("Số người được phối hợp lập hồ sơ cai nghiện bắt buộc"),
                PERSONS,
            ),
            _i("casework.self_declared", _("Số người tự giác khai báo"), PERSONS),
        ),
    ),
    Section(
        "post_rehab",
        _("Quản lý sau cai nghiện"),
        (
            _i(
                "post_rehab.managed",
                _("Số người sau cai đang được quản lý (cuối kỳ)"),
                STOCK,
            ),
            _i("post_rehab.new", _("Số người mới tiếp nhận quản lý sau cai"), PERSONS),
            _i("post_rehab.completed", _("Số người hoàn thành thời hạn quản lý"), PERSONS),
            _i("post_rehab.contacts", _("Số lượt quản lý, giúp đỡ người sau cai"), EVENTS),
            _i("post_rehab.relapsed", _("Số người tái nghiện"), PERSONS),
            _i("post_rehab.no_relapse_1y", _("Số người không tái nghiện sau 1 năm"), PERSONS),
        ),
    ),
    Section(
        "support",
        _("Hỗ trợ vay vốn, học nghề, việc làm"),
        (
            _i("support.referrals", _("Số lượt giới thiệu, chuyển gửi"), EVENTS),
            _i("support.loan_persons", _("Số người được vay vốn"), PERSONS),
            _i("support.loan_households", _("Số hộ gia đình được vay vốn"), EVENTS),
            _i("support.loan_amount", _("Tổng số tiền vay (đồng)"), MONEY),
            _i("support.vocational_training", _("Số người được hỗ trợ học nghề"), PERSONS),
            _i("support.jobs", _("Số người được giới thiệu, tạo việc làm"), PERSONS),
            _i("support.education", _("Số người được hỗ trợ học văn hóa"), PERSONS),
            _i("support.hardship", _("Số người được hỗ trợ khó khăn đột xuất"), PERSONS),
            _i("support.gifts", _("Số phần quà"), EVENTS),
            _i("support.gift_amount", _("Giá trị quà (đồng)"), MONEY),
        ),
    ),
    Section(
        "team",
        _("Hoạt động của Đội"),
        (
            _i("team.teams", _("Số Đội (cuối kỳ)"), STOCK),
            _i("team.members", _("Số thành viên (cuối kỳ)"), STOCK),
            *(_i(f"team.members.{r}", label, STOCK, True) for r, label in ROLE_LABELS.items()),
            _i("team.meetings", _("Số buổi sinh hoạt, giao ban Đội"), EVENTS),
            _i("team.trainings", _("Số lớp tập huấn"), EVENTS),
            _i("team.trainees", _("Số lượt người được tập huấn"), ATTENDANCES),
            _i("team.caseload", _("Số người được phân công giúp đỡ (cuối kỳ)"), STOCK),
        ),
    ),
)

CATALOGUE: tuple[Indicator, ...] = tuple(i for s in SECTIONS for i in s.indicators)
BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}
CODES: tuple[str, ...] = tuple(BY_CODE)
