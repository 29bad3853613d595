"""The indicator catalogue: every figure a report shows, declared once (INDICATORS.md).

The page, JSON, CSV, XLSX, PDF and the narrative all read `catalogue()`; `reports.rollup`
computes the values. An indicator's kind says how it adds up: events (E), attendances (A),
items (I) and money (M) are sums; distinct persons (P) and stock at the period's end (S) are
counted once per person, so a parent's figure is never the sum of its children's.

Most codes are fixed; the `programmes.*.<programme>` codes are one per programme of the
reference data (an administrator adds programmes), so the whole catalogue is
`catalogue()`, read from the database once per report.

Each indicator also declares how the narrative writes it (`says`, a `Clause`), or that the
narrative leaves it out (`quiet`) or writes it inside another figure's clause (another clause's
`also`): `reports.narrative` writes the paragraph from these declarations alone, so a new
figure cannot be missing from the paragraph by oversight (tests/reports/test_narrative.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Assessment, Contact, Person, Programme
from outreach.models import Activity
from wards.models import Member

EVENTS, ATTENDANCES, PERSONS, STOCK, MONEY, ITEMS = "E", "A", "P", "S", "M", "I"
# Whether a rise of the figure against the comparison period is good news (more persons helped,
# more sessions, loans), bad news (relapses, persons newly on the list, persons using drugs) or
# neither (the standing counts of teams and members, the persons on the list): the page colours
# a change by it (reports/templatetags/report_tags.py).
GOOD, BAD, NEUTRAL = "good", "bad", "neutral"
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
    "outreach.minutes": "phút",
    "outreach.leaflets": "tờ",
    "outreach.banners": "cái",
    "outreach.articles": "tin, bài",
    "outreach.pledges": "bản",
    "enforcement.police_tips": "tin",
    "enforcement.patrols": "buổi",
    "casework.group_sessions": "buổi",
    "support.loan_households": "hộ",
    "programmes.clubs": "câu lạc bộ",
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
class Clause:
    """How the narrative writes a figure: `text` with «{}» where the figure goes («đã tổ chức {}
    cuộc tuyên truyền»), then each of `also` — (code, text) — whose figure is not zero, after a
    space («với {} lượt người tham dự») or straight after the text when it starts with a comma
    («, thời lượng {} phút»). Money is written in triệu đồng, other figures with dots.
    The sub-rows ("of which") that have a clause follow their row's clause in brackets
    («(trong đó …; …)»); a sub-row whose row is silent or zero is said alone. A clause that
    `joins` continues the clause of the row declared before it (the joining rows between them
    being zero), without the opening words it shares with that clause's first: «hỗ trợ vay vốn
    cho 4 người … và 6 hộ gia đình …», «tư vấn tâm lý cho 5 người, hướng nghiệp cho 3 người
    và pháp luật cho 2 người»."""

    text: str
    also: tuple[tuple[str, str], ...] = ()
    joins: bool = False


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    kind: str
    sub: bool = False  # an "of which" row under the indicator before it
    says: Clause | None = None  # how the narrative writes it
    quiet: bool = False  # the narrative leaves it out on purpose (said elsewhere, or a detail)
    rise: str = NEUTRAL  # GOOD, BAD or NEUTRAL: what a rise of the figure means

    @property
    def section(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True)
class Section:
    code: str
    label: str | Promise
    indicators: tuple[Indicator, ...]


def _i(code, label, kind, sub=False, says=None, quiet=False, rise=NEUTRAL) -> Indicator:
    if isinstance(says, str):
        says = Clause(says)
    return Indicator(code, label, kind, sub, says, quiet, rise)


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
# One clause per channel, as offices write them (INDICATORS.md, Narrative).
CHANNEL_CLAUSES = {
    A.COMMUNITY_MEETING: Clause(
        "{} cuộc tại họp tổ dân phố, lồng ghép sinh hoạt đoàn thể",
        (("outreach.participants.community_meeting", "với {} lượt người tham dự"),),
    ),
    A.SCHOOL_TALK: Clause(
        "{} buổi tại trường học",
        (("outreach.participants.school_talk", "với {} lượt học sinh tham dự"),),
    ),
    A.RADIO: Clause(
        "{} lần phát thanh trên đài truyền thanh",
        (
            ("outreach.minutes.radio", ", thời lượng {} phút"),
            ("outreach.participants.radio", ", khoảng {} lượt người nghe"),
        ),
    ),
    A.LOUDSPEAKER: Clause(
        "{} lần tuyên truyền bằng loa lưu động",
        (
            ("outreach.minutes.loudspeaker", ", thời lượng {} phút"),
            ("outreach.participants.loudspeaker", ", khoảng {} lượt người nghe"),
        ),
    ),
    A.SEMINAR: Clause(
        "{} buổi tọa đàm, đối thoại",
        (("outreach.participants.seminar", "với {} lượt người tham dự"),),
    ),
    A.FILM: Clause(
        "{} buổi chiếu phim, phóng sự",
        (("outreach.participants.film", "với {} lượt người xem"),),
    ),
}
GROUP_LABELS = {
    Person.Group.HIGH_RISK: _("— người có nguy cơ cao"),
    Person.Group.DRUG_USER: _("— người sử dụng trái phép chất ma túy"),
    Person.Group.ADDICTED: _("— người nghiện ma túy"),
    Person.Group.POST_REHAB: _("— người sau cai nghiện"),
    Person.Group.SEX_WORK: _("— người bán dâm"),
    Person.Group.TRAFFICKING: _("— nạn nhân bị mua bán"),
    Person.Group.OTHER: _("— khác"),
}
GROUP_WORDS = {
    Person.Group.HIGH_RISK: "{} người có nguy cơ cao",
    Person.Group.DRUG_USER: "{} người sử dụng trái phép chất ma túy",
    Person.Group.ADDICTED: "{} người nghiện ma túy",
    Person.Group.POST_REHAB: "{} người sau cai nghiện",
    Person.Group.SEX_WORK: "{} người bán dâm",
    Person.Group.TRAFFICKING: "{} nạn nhân bị mua bán",
    Person.Group.OTHER: "{} người thuộc nhóm khác",
}
# More persons using drugs or addicted on the list is bad news; the other groups are neither.
GROUP_RISES = {
    g: BAD if g in (Person.Group.DRUG_USER, Person.Group.ADDICTED) else NEUTRAL
    for g in GROUP_LABELS
}
ROLE_LABELS = {
    Member.Role.LEADER: _("— đội trưởng"),
    Member.Role.DEPUTY: _("— đội phó"),
    Member.Role.MEMBER: _("— thành viên"),
}
T = Contact.Topic
TOPICS = tuple(T)
TOPIC_LABELS = {
    T.PSYCHOLOGICAL: _("Số người được tư vấn tâm lý"),
    T.CAREER: _("Số người được tư vấn hướng nghiệp"),
    T.LEGAL: _("Số người được tư vấn pháp luật"),
    T.HEALTH: _("Số người được tư vấn sức khỏe"),
    T.FAMILY: _("Số người được tư vấn về gia đình"),
}
TOPIC_CLAUSES = {
    T.PSYCHOLOGICAL: Clause("tư vấn tâm lý cho {} người"),
    T.CAREER: Clause("tư vấn hướng nghiệp cho {} người", joins=True),
    T.LEGAL: Clause("tư vấn pháp luật cho {} người", joins=True),
    T.HEALTH: Clause("tư vấn sức khỏe cho {} người", joins=True),
    T.FAMILY: Clause("tư vấn về gia đình cho {} người", joins=True),
}
R = Assessment.Result
RESULTS = tuple(R)
RESULT_LABELS = {
    R.PROGRESSING: _("— tiến bộ"),
    R.NOT_PROGRESSING: _("— không tiến bộ"),
    R.RELAPSED: _("— tái nghiện"),
}
RESULT_RISES = {R.PROGRESSING: GOOD, R.NOT_PROGRESSING: BAD, R.RELAPSED: BAD}
RESULT_CLAUSES = {
    R.PROGRESSING: "{} người tiến bộ",
    R.NOT_PROGRESSING: "{} người không tiến bộ",
    R.RELAPSED: "{} người tái nghiện",
}

_OUTREACH = Section(
    "outreach",
    _("Tuyên truyền, phòng ngừa"),
    (
        _i(
            "outreach.sessions",
            _("Số cuộc tuyên truyền"),
            EVENTS,
            says=Clause(
                "đã tổ chức {} cuộc tuyên truyền",
                (("outreach.participants", "với {} lượt người tham dự"),),
            ),
            rise=GOOD,
        ),
        *(
            _i(f"outreach.sessions.{k}", label, EVENTS, True, says=CHANNEL_CLAUSES[k], rise=GOOD)
            for k, label in COMMUNICATION_LABELS.items()
        ),
        _i("outreach.participants", _("Số lượt người tham dự"), ATTENDANCES, rise=GOOD),
        *(
            _i(f"outreach.participants.{k}", label, ATTENDANCES, True, rise=GOOD)
            for k, label in COMMUNICATION_LABELS.items()
        ),
        # Said in the radio and loudspeaker clauses, each with its own length.
        _i(
            "outreach.radio_minutes",
            _("Thời lượng phát thanh, loa lưu động (phút)"),
            EVENTS,
            quiet=True,
            rise=GOOD,
        ),
        _i("outreach.minutes.radio", _("— trên đài truyền thanh (phút)"), EVENTS, True, rise=GOOD),
        _i("outreach.minutes.loudspeaker", _("— loa lưu động (phút)"), EVENTS, True, rise=GOOD),
        _i("outreach.leaflets", _("Số tờ rơi phát"), ITEMS, says="phát {} tờ rơi", rise=GOOD),
        _i(
            "outreach.banners",
            _("Số băng rôn, áp phích, pano"),
            ITEMS,
            says="treo {} băng rôn, áp phích, pano",
            rise=GOOD,
        ),
        _i("outreach.articles", _("Số tin, bài viết"), ITEMS, says="viết {} tin, bài", rise=GOOD),
        _i(
            "outreach.pledges",
            _("Số bản cam kết được ký"),
            ITEMS,
            says="vận động ký {} bản cam kết",
            rise=GOOD,
        ),
    ),
)

_ENFORCEMENT = Section(
    "enforcement",
    _("Phát hiện, phối hợp"),
    (
        _i(
            "enforcement.police_tips",
            _("Số tin báo cung cấp cho công an"),
            EVENTS,
            says="cung cấp {} tin báo cho công an",
            rise=GOOD,
        ),
        _i(
            "enforcement.inspections",
            _("Số lượt kiểm tra cơ sở kinh doanh dịch vụ"),
            EVENTS,
            says="phối hợp kiểm tra {} lượt cơ sở kinh doanh dịch vụ",
            rise=GOOD,
        ),
        _i(
            "enforcement.patrols",
            _("Số buổi tuần tra, rà soát địa bàn"),
            EVENTS,
            says="tuần tra, rà soát địa bàn {} buổi",
            rise=GOOD,
        ),
    ),
)

_CASEWORK = Section(
    "casework",
    _("Tiếp cận, tư vấn, giúp đỡ"),
    (
        _i(
            "casework.on_list",
            _("Số người trong danh sách theo dõi (cuối kỳ)"),
            STOCK,
            says="đang theo dõi {} người trong danh sách",
        ),
        *(
            _i(
                f"casework.on_list.{g}",
                label,
                STOCK,
                True,
                says=GROUP_WORDS[g],
                rise=GROUP_RISES[g],
            )
            for g, label in GROUP_LABELS.items()
        ),
        _i(
            "casework.new_persons",
            _("Số người mới đưa vào danh sách"),
            PERSONS,
            says="đưa {} người mới vào danh sách theo dõi",
            rise=BAD,
        ),
        _i(
            "casework.persons_reached",
            _("Số người được tiếp cận, giúp đỡ"),
            PERSONS,
            says="tiếp cận, giúp đỡ {} người",
            rise=GOOD,
        ),
        _i(
            "casework.persons_reached.high_risk",
            _("— người có nguy cơ cao"),
            PERSONS,
            True,
            says="{} người có nguy cơ cao",
            rise=GOOD,
        ),
        _i(
            "casework.persons_reached.using",
            _("— người sử dụng trái phép, người nghiện và người sau cai"),
            PERSONS,
            True,
            says="{} người sử dụng trái phép chất ma túy, người nghiện ma túy và người sau "
            "cai nghiện",
            rise=GOOD,
        ),
        _i(
            "casework.persons_reached.sex_work",
            _("— người bán dâm"),
            PERSONS,
            True,
            says="{} người bán dâm",
            rise=GOOD,
        ),
        _i(
            "casework.persons_reached.trafficking",
            _("— nạn nhân bị mua bán"),
            PERSONS,
            True,
            says="{} nạn nhân bị mua bán",
            rise=GOOD,
        ),
        _i(
            "casework.counselling_direct",
            _("Số lượt tư vấn trực tiếp"),
            EVENTS,
            says="tư vấn trực tiếp {} lượt",
            rise=GOOD,
        ),
        _i(
            "casework.counselling_indirect",
            _("Số lượt tư vấn gián tiếp"),
            EVENTS,
            says=Clause("tư vấn gián tiếp {} lượt", joins=True),
            rise=GOOD,
        ),
        _i(
            "casework.persons_met_direct",
            _("Số người được gặp, tư vấn trực tiếp"),
            PERSONS,
            says="gặp gỡ, tư vấn trực tiếp cho {} người",
            rise=GOOD,
        ),
        *(
            _i(f"casework.counselled.{t}", label, PERSONS, says=TOPIC_CLAUSES[t], rise=GOOD)
            for t, label in TOPIC_LABELS.items()
        ),
        _i(
            "casework.group_sessions",
            _("Số buổi sinh hoạt nhóm, câu lạc bộ"),
            EVENTS,
            says=Clause(
                "tổ chức {} buổi sinh hoạt nhóm, câu lạc bộ",
                (("casework.group_participants", "với {} lượt người tham gia"),),
            ),
            rise=GOOD,
        ),
        _i(
            "casework.group_participants",
            _("Số lượt người tham gia sinh hoạt nhóm"),
            ATTENDANCES,
            rise=GOOD,
        ),
        _i(
            "casework.drug_tests",
            _("Số lượt phối hợp xét nghiệm"),
            EVENTS,
            says="phối hợp xét nghiệm {} lượt",
            rise=GOOD,
        ),
        _i(
            "casework.positive_change",
            _("Số người có chuyển biến tích cực"),
            PERSONS,
            says="{} người có chuyển biến tích cực",
            rise=GOOD,
        ),
        _i(
            "casework.to_voluntary_rehab",
            _("Số người được vận động cai nghiện tự nguyện"),
            PERSONS,
            says="vận động {} người cai nghiện tự nguyện",
            rise=GOOD,
        ),
        _i(
            "casework.to_methadone",
            _("Số người được vận động điều trị methadone"),
            PERSONS,
            says=Clause("vận động {} người điều trị methadone", joins=True),
            rise=GOOD,
        ),
        _i(
            "casework.to_compulsory_rehab",
            _("Số người được phối hợp lập hồ sơ cai nghiện bắt buộc"),
            PERSONS,
            says="phối hợp lập hồ sơ cai nghiện bắt buộc cho {} người",
        ),
        _i(
            "casework.self_declared",
            _("Số người tự giác khai báo"),
            PERSONS,
            says="{} người tự giác khai báo",
            rise=GOOD,
        ),
        _i(
            "casework.assessed",
            _("Số người được đánh giá, phân loại"),
            PERSONS,
            says="đánh giá, phân loại {} người",
            rise=GOOD,
        ),
        *(
            _i(
                f"casework.assessed.{r}",
                label,
                PERSONS,
                True,
                says=RESULT_CLAUSES[r],
                rise=RESULT_RISES[r],
            )
            for r, label in RESULT_LABELS.items()
        ),
    ),
)

# The fixed part of the programmes section; the per-programme rows come first (see
# `programme_indicators`).
_CLUBS = (
    _i(
        "programmes.clubs",
        _("Số câu lạc bộ đang hoạt động (cuối kỳ)"),
        STOCK,
        says=Clause(
            "duy trì hoạt động {} câu lạc bộ",
            (("programmes.club_members", "với {} thành viên"),),
        ),
        rise=GOOD,
    ),
    _i("programmes.club_members", _("Số thành viên câu lạc bộ (cuối kỳ)"), STOCK, rise=GOOD),
    _i(
        "programmes.club_members_in_period",
        _("Số người đã sinh hoạt câu lạc bộ trong kỳ"),
        PERSONS,
        says="{} người đã tham gia sinh hoạt câu lạc bộ trong kỳ",
        rise=GOOD,
    ),
)

_POST_REHAB = Section(
    "post_rehab",
    _("Quản lý sau cai nghiện"),
    (
        _i(
            "post_rehab.managed",
            _("Số người sau cai đang được quản lý (cuối kỳ)"),
            STOCK,
            says="đang quản lý {} người sau cai nghiện",
        ),
        _i(
            "post_rehab.new",
            _("Số người mới tiếp nhận quản lý sau cai"),
            PERSONS,
            says="tiếp nhận quản lý sau cai nghiện {} người",
        ),
        _i(
            "post_rehab.completed",
            _("Số người hoàn thành thời hạn quản lý"),
            PERSONS,
            says="{} người hoàn thành thời hạn quản lý sau cai nghiện",
            rise=GOOD,
        ),
        _i(
            "post_rehab.contacts",
            _("Số lượt quản lý, giúp đỡ người sau cai"),
            EVENTS,
            says="{} lượt quản lý, giúp đỡ người sau cai nghiện",
            rise=GOOD,
        ),
        _i(
            "post_rehab.relapsed",
            _("Số người tái nghiện"),
            PERSONS,
            says="{} người tái nghiện",
            rise=BAD,
        ),
        _i(
            "post_rehab.no_relapse_1y",
            _("Số người không tái nghiện sau 1 năm"),
            PERSONS,
            says="{} người không tái nghiện sau 1 năm",
            rise=GOOD,
        ),
    ),
)

_SUPPORT = Section(
    "support",
    _("Hỗ trợ vay vốn, học nghề, việc làm"),
    (
        _i(
            "support.referrals",
            _("Số lượt giới thiệu, chuyển gửi"),
            EVENTS,
            says="giới thiệu, chuyển gửi {} lượt",
            rise=GOOD,
        ),
        _i(
            "support.loan_persons",
            _("Số người được vay vốn"),
            PERSONS,
            says=Clause(
                "hỗ trợ vay vốn cho {} người sau cai nghiện",
                (("support.loan_amount.persons", "với số tiền {}"),),
            ),
            rise=GOOD,
        ),
        _i(
            "support.loan_households",
            _("Số hộ gia đình được vay vốn"),
            EVENTS,
            says=Clause(
                "hỗ trợ vay vốn cho {} hộ gia đình",
                (("support.loan_amount.households", "với số tiền {}"),),
                joins=True,
            ),
            rise=GOOD,
        ),
        # Said as the persons' and the households' amounts, each in its own clause.
        _i("support.loan_amount", _("Tổng số tiền vay (đồng)"), MONEY, quiet=True, rise=GOOD),
        _i(
            "support.loan_amount.persons",
            _("— cho người sau cai nghiện (đồng)"),
            MONEY,
            True,
            rise=GOOD,
        ),
        _i("support.loan_amount.households", _("— cho hộ gia đình (đồng)"), MONEY, True, rise=GOOD),
        # Offices publish training and jobs as one figure of persons (support.training_or_job).
        _i(
            "support.vocational_training",
            _("Số người được hỗ trợ học nghề"),
            PERSONS,
            quiet=True,
            rise=GOOD,
        ),
        # Likewise said within support.training_or_job.
        _i(
            "support.jobs",
            _("Số người được giới thiệu, tạo việc làm"),
            PERSONS,
            quiet=True,
            rise=GOOD,
        ),
        _i(
            "support.training_or_job",
            _("Số người được hỗ trợ học nghề, tạo việc làm"),
            PERSONS,
            says="hỗ trợ học nghề, tạo việc làm cho {} người",
            rise=GOOD,
        ),
        _i(
            "support.education",
            _("Số người được hỗ trợ học văn hóa"),
            PERSONS,
            says="hỗ trợ học văn hóa cho {} người",
            rise=GOOD,
        ),
        _i(
            "support.hardship",
            _("Số người được hỗ trợ khó khăn đột xuất"),
            PERSONS,
            says="hỗ trợ khó khăn đột xuất cho {} người",
            rise=GOOD,
        ),
        _i(
            "support.gifts",
            _("Số phần quà"),
            EVENTS,
            says=Clause("trao {} phần quà", (("support.gift_amount", "trị giá {}"),)),
            rise=GOOD,
        ),
        _i("support.gift_amount", _("Giá trị quà (đồng)"), MONEY, rise=GOOD),
    ),
)

_TEAM = Section(
    "team",
    _("Hoạt động của Đội"),
    (
        _i(
            "team.teams",
            _("Số Đội (cuối kỳ)"),
            STOCK,
            says=Clause(
                "duy trì hoạt động của {} Đội công tác xã hội tình nguyện",
                (("team.members", "với {} thành viên"),),
            ),
        ),
        _i("team.members", _("Số thành viên (cuối kỳ)"), STOCK),
        # The members by role are a detail of the table; the paragraph says the members.
        *(
            _i(f"team.members.{r}", label, STOCK, True, quiet=True)
            for r, label in ROLE_LABELS.items()
        ),
        _i(
            "team.meetings",
            _("Số buổi sinh hoạt, giao ban Đội"),
            EVENTS,
            says="Đội sinh hoạt, giao ban {} buổi",
            rise=GOOD,
        ),
        _i(
            "team.trainings",
            _("Số lớp tập huấn"),
            EVENTS,
            says=Clause(
                "tổ chức {} lớp tập huấn", (("team.trainees", "với {} lượt người tham dự"),)
            ),
            rise=GOOD,
        ),
        _i("team.trainees", _("Số lượt người được tập huấn"), ATTENDANCES, rise=GOOD),
        _i(
            "team.caseload",
            _("Số người được phân công giúp đỡ (cuối kỳ)"),
            STOCK,
            says="phân công thành viên giúp đỡ {} người",
        ),
    ),
)


def _in_sentence(name: str) -> str:
    """A programme's name inside a sentence: «Câu lạc bộ B93» → «câu lạc bộ B93» (a name
    that opens with an abbreviation, «MMT …», is kept as it is)."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def programme_indicators(programmes) -> tuple[Indicator, ...]:
    """The rows of each programme, `programmes` being (code, name) pairs: the persons who took
    part in it during the period, and of them, those still in it at the period's end and those
    who joined during the period (both are among the ones who took part, so the narrative
    writes them «trong đó»; a person who joined and left within the period is new but no
    longer enrolled, so the new are not among the enrolled)."""
    rows: list[Indicator] = []
    for code, name in programmes:
        rows += [
            _i(
                f"programmes.took_part.{code}",
                _("Số người đã tham gia trong kỳ: %(name)s") % {"name": name},
                PERSONS,
                says=f"{{}} người tham gia {_in_sentence(name)}",
                rise=GOOD,
            ),
            _i(
                f"programmes.enrolled.{code}",
                _("— đang tham gia (cuối kỳ): %(name)s") % {"name": name},
                STOCK,
                True,
                says="{} người đang tham gia đến cuối kỳ",
                rise=GOOD,
            ),
            _i(
                f"programmes.new.{code}",
                _("— mới tham gia trong kỳ: %(name)s") % {"name": name},
                PERSONS,
                True,
                says="{} người mới tham gia",
                rise=GOOD,
            ),
        ]
    return tuple(rows)


@dataclass(frozen=True)
class Catalogue:
    """Every indicator of a report, in the order the report shows them."""

    sections: tuple[Section, ...]
    programmes: tuple[str, ...] = ()  # the codes of the programmes it has rows for

    # Derived once per catalogue: the rollup reads `codes` for the unit and each child unit.
    @cached_property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for s in self.sections for i in s.indicators)

    @cached_property
    def by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)


def build(programmes=()) -> Catalogue:
    """The catalogue for `programmes`, (code, name) pairs in the order to show them."""
    programmes = tuple(programmes)
    return Catalogue(
        (
            _OUTREACH,
            _ENFORCEMENT,
            _CASEWORK,
            Section(
                "programmes",
                _("Chương trình, câu lạc bộ"),
                (*programme_indicators(programmes), *_CLUBS),
            ),
            _POST_REHAB,
            _SUPPORT,
            _TEAM,
        ),
        tuple(code for code, _name in programmes),
    )


def catalogue() -> Catalogue:
    """The catalogue of the programmes in the reference data (one query)."""
    programmes = Programme.objects.order_by("category", "code").values_list("code", "name")
    return build(list(programmes))


# The codes that do not depend on the reference data.
FIXED = build()
