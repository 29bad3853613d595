"""What every part of the demo outreach shares: its seed and dates, the kinds it writes,
the national partners, the days of Tết, and the small random and naming helpers.
"""

from __future__ import annotations

import datetime
import math
import random

from cases import demo as cases_demo
from cases.models import Person
from outreach.models import Activity, Referral
from wards import demo as wards_demo

SEED = 20130626  # 26 June: the International Day against Drug Abuse
until = cases_demo.until  # the day the history ends: the day of the run
MERGED_ON = cases_demo.MERGED_ON
FAR = datetime.date(9999, 12, 31)
QD_08_2026_ON = datetime.date(2026, 5, 1)  # post-rehab loans up to 200 million from here
BANK = "Ngân hàng Chính sách xã hội (NHCSXH)"  # national partners of migration 0002
FUND = "Quỹ quốc gia về việc làm"
JOB_CENTRE = "Trung tâm Dịch vụ việc làm Hà Nội"

AK = Activity.Kind
RK = Referral.Kind
RS = Referral.Status
G = Person.Group
CLUB_CODES = ("club_b93", "club_early")
USING = (G.DRUG_USER, G.ADDICTED, G.POST_REHAB)
# The first day of Tết Nguyên Đán; gifts are handed out in the fortnight before it.
TET = {
    2013: datetime.date(2013, 2, 10), 2014: datetime.date(2014, 1, 31),
    2015: datetime.date(2015, 2, 19), 2016: datetime.date(2016, 2, 8),
    2017: datetime.date(2017, 1, 28), 2018: datetime.date(2018, 2, 16),
    2019: datetime.date(2019, 2, 5), 2020: datetime.date(2020, 1, 25),
    2021: datetime.date(2021, 2, 12), 2022: datetime.date(2022, 2, 1),
    2023: datetime.date(2023, 1, 22), 2024: datetime.date(2024, 2, 10),
    2025: datetime.date(2025, 1, 29), 2026: datetime.date(2026, 2, 17),
}  # fmt: skip


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + _days(rng.randint(0, max(0, (last - first).days)))


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _lower(name: str) -> str:
    """A unit's name as it reads inside a sentence: «phường Láng»."""
    return name[0].lower() + name[1:]


def _merged_into(ward: str) -> list[str]:
    """The codes of the old wards merged into today's `ward`."""
    return [code for code, _, successor in wards_demo.OLD_WARDS if successor == ward]
