"""The paragraph offices publish, written from a report's figures (INDICATORS.md, Narrative).

Always Vietnamese, as filed, whatever the interface language: numbers grouped with dots
(6.421), money in triệu đồng (110 triệu đồng, 112,5 triệu đồng), and every clause whose
figures are zero left out.
"""

from __future__ import annotations

from decimal import Decimal

from reports.periods import Period


def number(n: int) -> str:
    """6421 → «6.421»."""
    return f"{n:,}".replace(",", ".")


def million(amount: int) -> str:
    """110000000 → «110 triệu đồng»; 112500000 → «112,5 triệu đồng»; under a million, đồng."""
    if amount < 1_000_000:
        return f"{number(amount)} đồng"
    value = (Decimal(amount) / Decimal(1_000_000)).quantize(Decimal("0.01")).normalize()
    whole, _dot, frac = f"{value:f}".partition(".")
    text = number(int(whole)) + ("," + frac if frac else "")
    return f"{text} triệu đồng"


def _when(period: Period) -> str:
    label = str(period.label_vi)
    if period.kind == "range":
        return label
    return "Trong " + label[0].lower() + label[1:]


def _join(parts: list[str]) -> str:
    return "; ".join(p for p in parts if p)


def write(values: dict[str, int], period: Period) -> str:
    """The narrative for `values` (a report's figures) over `period`; "" when all are zero."""
    v = values
    n = number
    clauses: list[str] = []

    if v["outreach.sessions"]:
        text = f"đã tổ chức {n(v['outreach.sessions'])} cuộc tuyên truyền"
        if v["outreach.participants"]:
            text += f" với {n(v['outreach.participants'])} lượt người tham dự"
        clauses.append(text)
    if v["outreach.radio_minutes"]:
        clauses.append(f"phát thanh, loa lưu động {n(v['outreach.radio_minutes'])} phút")
    for code, words in (
        ("outreach.leaflets", "phát {} tờ rơi"),
        ("outreach.banners", "treo {} băng rôn, áp phích, pano"),
        ("outreach.articles", "viết {} tin, bài"),
        ("outreach.pledges", "vận động ký {} bản cam kết"),
        ("enforcement.police_tips", "cung cấp {} tin báo cho công an"),
        ("enforcement.inspections", "phối hợp kiểm tra {} lượt cơ sở kinh doanh dịch vụ"),
        ("enforcement.patrols", "tuần tra, rà soát địa bàn {} buổi"),
    ):
        if v[code]:
            clauses.append(words.format(n(v[code])))

    if v["casework.persons_reached"]:
        text = f"tiếp cận, giúp đỡ {n(v['casework.persons_reached'])} người"
        of_which = [
            f"{n(v[code])} {words}"
            for code, words in (
                ("casework.persons_reached.high_risk", "người có nguy cơ cao"),
                (
                    "casework.persons_reached.using",
                    "người sử dụng trái phép chất ma túy, người nghiện ma túy và người sau "
                    "cai nghiện",
                ),
                ("casework.persons_reached.sex_work", "người bán dâm"),
                ("casework.persons_reached.trafficking", "nạn nhân bị mua bán"),
            )
            if v[code]
        ]
        if of_which:
            text += f" (trong đó {_join(of_which)})"
        clauses.append(text)
    direct, indirect = v["casework.counselling_direct"], v["casework.counselling_indirect"]
    if direct or indirect:
        parts = []
        if direct:
            parts.append(f"trực tiếp {n(direct)} lượt")
        if indirect:
            parts.append(f"gián tiếp {n(indirect)} lượt")
        clauses.append("tư vấn " + ", ".join(parts))
    if v["casework.group_sessions"]:
        text = f"tổ chức {n(v['casework.group_sessions'])} buổi sinh hoạt nhóm, câu lạc bộ"
        if v["casework.group_participants"]:
            text += f" với {n(v['casework.group_participants'])} lượt người tham gia"
        clauses.append(text)
    for code, words in (
        ("casework.drug_tests", "phối hợp xét nghiệm {} lượt"),
        ("casework.positive_change", "{} người có chuyển biến tích cực"),
        ("casework.to_voluntary_rehab", "vận động {} người cai nghiện tự nguyện"),
        ("casework.to_methadone", "vận động {} người điều trị methadone"),
        ("casework.to_compulsory_rehab", "phối hợp lập hồ sơ cai nghiện bắt buộc cho {} người"),
        ("casework.self_declared", "{} người tự giác khai báo"),
        ("post_rehab.new", "tiếp nhận quản lý sau cai nghiện {} người"),
        ("post_rehab.completed", "{} người hoàn thành thời hạn quản lý sau cai nghiện"),
        ("post_rehab.contacts", "{} lượt quản lý, giúp đỡ người sau cai nghiện"),
        ("post_rehab.relapsed", "{} người tái nghiện"),
    ):
        if v[code]:
            clauses.append(words.format(n(v[code])))

    persons, households = v["support.loan_persons"], v["support.loan_households"]
    if persons or households:
        who = " và ".join(
            part
            for part in (
                f"{n(persons)} người" if persons else "",
                f"{n(households)} hộ gia đình" if households else "",
            )
            if part
        )
        text = f"hỗ trợ vay vốn cho {who}"
        if v["support.loan_amount"]:
            text += f" với số tiền {million(v['support.loan_amount'])}"
        clauses.append(text)
    for code, words in (
        ("support.vocational_training", "hỗ trợ học nghề cho {} người"),
        ("support.jobs", "giới thiệu, tạo việc làm cho {} người"),
        ("support.education", "hỗ trợ học văn hóa cho {} người"),
        ("support.hardship", "hỗ trợ khó khăn đột xuất cho {} người"),
    ):
        if v[code]:
            clauses.append(words.format(n(v[code])))
    if v["support.gifts"]:
        text = f"trao {n(v['support.gifts'])} phần quà"
        if v["support.gift_amount"]:
            text += f" trị giá {million(v['support.gift_amount'])}"
        clauses.append(text)

    if v["team.meetings"]:
        clauses.append(f"Đội sinh hoạt, giao ban {n(v['team.meetings'])} buổi")
    if v["team.trainings"]:
        text = f"tổ chức {n(v['team.trainings'])} lớp tập huấn"
        if v["team.trainees"]:
            text += f" với {n(v['team.trainees'])} lượt người tham dự"
        clauses.append(text)

    if not clauses:
        return ""
    return f"{_when(period)}, {_join(clauses)}."
