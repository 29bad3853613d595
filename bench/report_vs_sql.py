"""A report's figures two ways, side by side: `reports.report.build()` and one hand-written SQL
statement, compared figure by figure and timed against each other (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_scale_province DEBUG=1 \
        REPORT_CASES="01:2026-Q3,01:2024" .venv/bin/python manage.py shell \
        < bench/report_vs_sql.py

Settings (environment variables, defaults below):

- REPORT_CASES: "unit code:period spec" pairs, comma-separated; the units missing from the
  database are skipped. Default: the district and province cases of bench/README.md.
- REPORT_CUTOFF: "calendar" (default) or "official" (Decree 09/2019/NĐ-CP).
- REPORT_RUNS: warm runs of each side (default 5), after one first run of each.
- REPORT_SHOW_SQL=1: print the statement of the first case; REPORT_EXPLAIN=1: print its
  EXPLAIN (ANALYZE, BUFFERS) too.

The statement is written from INDICATORS.md's counting rules and the models, not from the ORM:
a scope CTE (every unit of the unit's scope with the child unit it counts for, 0 for none: the
one thing taken from `reports.rollup.layout()`), one CTE per source whose current-period branch
groups by `GROUPING SETS ((), (child))` and whose comparison-period branch is the unit's total,
and a final SELECT of (level, child, code, value) rows, level being "unit", "child" or
"previous". Figures made of two sources (casework.group_sessions, casework.group_participants)
are added up there, by code.

Both sides run on the same connection, interleaved (build, SQL, build, SQL…), so they see the
same cache state. "SQL ms" is the statement alone (execute and fetch); `layout()`, which it
needs for its parameters, is timed on its own. The session is made read-only first: nothing
here writes. Exits 1 when any figure differs.
"""

import os
import statistics
import sys
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.indicators import catalogue
from reports.periods import parse
from reports.report import build
from reports.rollup import layout
from wards.models import AdminUnit

CASES = os.getenv("REPORT_CASES", "006:2024-Q2,01:2026-Q3,01:2024-Q2,01:2024")
CUTOFF = os.getenv("REPORT_CUTOFF", "calendar")
RUNS = max(1, int(os.getenv("REPORT_RUNS", "5")))
SHOW_SQL = bool(os.getenv("REPORT_SHOW_SQL"))
EXPLAIN = bool(os.getenv("REPORT_EXPLAIN"))
# The catalogue of this database's programmes: the statement has their figures too.
CATALOGUE = catalogue()
CODES = CATALOGUE.codes

# ---------------------------------------------------------------------------------------------
# The statement. Each source is (rows, figures): `rows` is the FROM … WHERE of one period, with
# the scope joined as `s`; `figures` are (code, aggregate) pairs. {first} and {last} stand for
# the period's first and last day (both inclusive) and are filled in once per period.

COMMUNICATION = ("community_meeting", "school_talk", "radio", "loudspeaker", "seminar", "film")
IN_COMMUNICATION = "a.kind IN ('community_meeting', 'school_talk', 'radio', 'loudspeaker', "
IN_COMMUNICATION += "'seminar', 'film')"

ACTIVITIES = (
    """outreach_activity a
    JOIN scope s ON s.unit_id = a.unit_id
    WHERE a.occurred_on BETWEEN {first} AND {last}""",
    [
        ("outreach.sessions", f"sum(a.sessions) FILTER (WHERE {IN_COMMUNICATION})"),
        ("outreach.participants", f"sum(a.participants) FILTER (WHERE {IN_COMMUNICATION})"),
        *(
            (f"outreach.sessions.{k}", f"sum(a.sessions) FILTER (WHERE a.kind = '{k}')")
            for k in COMMUNICATION
        ),
        *(
            (f"outreach.participants.{k}", f"sum(a.participants) FILTER (WHERE a.kind = '{k}')")
            for k in COMMUNICATION
        ),
        (
            "outreach.radio_minutes",
            "sum(a.minutes) FILTER (WHERE a.kind IN ('radio', 'loudspeaker'))",
        ),
        *(
            (f"outreach.minutes.{k}", f"sum(a.minutes) FILTER (WHERE a.kind = '{k}')")
            for k in ("radio", "loudspeaker")
        ),
        ("outreach.leaflets", "sum(a.items) FILTER (WHERE a.kind = 'leaflets')"),
        ("outreach.banners", "sum(a.items) FILTER (WHERE a.kind = 'banner')"),
        ("outreach.articles", "sum(a.items) FILTER (WHERE a.kind = 'article')"),
        ("outreach.pledges", "sum(a.items) FILTER (WHERE a.kind = 'pledge')"),
        ("enforcement.police_tips", "sum(a.sessions) FILTER (WHERE a.kind = 'police_tip')"),
        ("enforcement.inspections", "sum(a.sessions) FILTER (WHERE a.kind = 'inspection')"),
        ("enforcement.patrols", "sum(a.sessions) FILTER (WHERE a.kind = 'patrol')"),
        ("team.meetings", "sum(a.sessions) FILTER (WHERE a.kind = 'team_meeting')"),
        ("team.trainings", "sum(a.sessions) FILTER (WHERE a.kind = 'training')"),
        ("team.trainees", "sum(a.participants) FILTER (WHERE a.kind = 'training')"),
        # the club sessions' part of the two group figures (the contacts' part below)
        ("casework.group_sessions", "sum(a.sessions) FILTER (WHERE a.kind = 'club_session')"),
        (
            "casework.group_participants",
            "sum(a.participants) FILTER (WHERE a.kind = 'club_session')",
        ),
    ],
)

# Contacts count where they happened (Contact.ward) as what the person was then (person_group).
CONTACTS = (
    """cases_contact c
    JOIN scope s ON s.unit_id = c.ward_id
    WHERE c.occurred_on BETWEEN {first} AND {last}""",
    [
        ("casework.persons_reached", "count(DISTINCT c.person_id)"),
        (
            "casework.persons_reached.high_risk",
            "count(DISTINCT c.person_id) FILTER (WHERE c.person_group = 'high_risk')",
        ),
        (
            "casework.persons_reached.using",
            "count(DISTINCT c.person_id)"
            " FILTER (WHERE c.person_group IN ('drug_user', 'addicted', 'post_rehab'))",
        ),
        (
            "casework.persons_reached.sex_work",
            "count(DISTINCT c.person_id) FILTER (WHERE c.person_group = 'sex_work')",
        ),
        (
            "casework.persons_reached.trafficking",
            "count(DISTINCT c.person_id) FILTER (WHERE c.person_group = 'trafficking')",
        ),
        (
            "casework.counselling_direct",
            "count(*) FILTER (WHERE c.kind IN ('home_visit', 'meeting'))",
        ),
        (
            "casework.counselling_indirect",
            "count(*) FILTER (WHERE c.kind IN ('phone', 'via_family'))",
        ),
        (
            "casework.persons_met_direct",
            "count(DISTINCT c.person_id) FILTER (WHERE c.kind IN ('home_visit', 'meeting'))",
        ),
        ("casework.drug_tests", "count(*) FILTER (WHERE c.kind = 'drug_test')"),
        # a group session is one (day, ward), however many persons it had
        (
            "casework.group_sessions",
            "count(DISTINCT (c.occurred_on, c.ward_id)) FILTER (WHERE c.kind = 'group_session')",
        ),
        ("casework.group_participants", "count(*) FILTER (WHERE c.kind = 'group_session')"),
    ],
)

# The topics a contact's counselling covered, counted as persons per topic.
TOPICS = (
    """cases_contacttopic ct
    JOIN cases_contact c ON c.id = ct.contact_id
    JOIN scope s ON s.unit_id = c.ward_id
    WHERE c.occurred_on BETWEEN {first} AND {last}""",
    [
        (
            f"casework.counselled.{t}",
            f"count(DISTINCT c.person_id) FILTER (WHERE ct.topic = '{t}')",
        )
        for t in ("psychological", "career", "legal", "health", "family")
    ],
)

# Each person's last assessment of the period (latest day, then highest id) within the level:
# `last_unit` over the whole scope, `last_child` within the person's child unit. The rows are a
# subquery named `s` (it carries `child`), and a figure is (code, grouped, previous): the
# grouped statement picks the child's or the unit's last by GROUPING(s.child).
RESULTS = ("progressing", "not_progressing", "relapsed")
ASSESSMENTS = (
    """(
        SELECT a.person_id, a.result, sc.child,
               row_number() OVER (PARTITION BY a.person_id
                                  ORDER BY a.assessed_on DESC, a.id DESC) = 1 AS last_unit,
               row_number() OVER (PARTITION BY a.person_id, sc.child
                                  ORDER BY a.assessed_on DESC, a.id DESC) = 1 AS last_child
        FROM cases_assessment a
        JOIN scope sc ON sc.unit_id = a.ward_id
        WHERE a.assessed_on BETWEEN {first} AND {last}
    ) s""",
    [
        ("casework.assessed", "count(DISTINCT s.person_id)"),
        *(
            (
                f"casework.assessed.{r}",
                f"CASE WHEN GROUPING(s.child) = 0"
                f" THEN count(*) FILTER (WHERE s.last_child AND s.result = '{r}')"
                f" ELSE count(*) FILTER (WHERE s.last_unit AND s.result = '{r}') END",
                f"count(*) FILTER (WHERE s.last_unit AND s.result = '{r}')",
            )
            for r in RESULTS
        ),
    ],
)

# Under post-rehab management on day D: a post-rehab enrolment started on or before D and not
# ended on or before D.
UNDER_POST_REHAB = """EXISTS (
        SELECT 1 FROM post_rehab e
        WHERE e.person_id = {person} AND e.started_on <= {day}
          AND (e.ended_on IS NULL OR e.ended_on >= {day}))"""

POST_REHAB_CONTACTS = (
    """cases_contact c
    JOIN scope s ON s.unit_id = c.ward_id
    WHERE c.occurred_on BETWEEN {first} AND {last}
      AND """
    + UNDER_POST_REHAB.format(person="c.person_id", day="c.occurred_on"),
    [("post_rehab.contacts", "count(*)")],
)

MILESTONES = (
    """cases_milestone m
    JOIN scope s ON s.unit_id = m.ward_id
    WHERE m.occurred_on BETWEEN {first} AND {last}""",
    [
        (
            "casework.positive_change",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind IN ('voluntary_rehab',"
            " 'methadone', 'job', 'training_done', 'no_relapse_1y'))",
        ),
        (
            "casework.to_voluntary_rehab",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'voluntary_rehab')",
        ),
        (
            "casework.to_methadone",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'methadone')",
        ),
        (
            "casework.to_compulsory_rehab",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'compulsory_rehab')",
        ),
        (
            "casework.self_declared",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'self_declared')",
        ),
        (
            "post_rehab.relapsed",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'relapsed' AND "
            + UNDER_POST_REHAB.format(person="m.person_id", day="m.occurred_on")
            + ")",
        ),
        (
            "post_rehab.no_relapse_1y",
            "count(DISTINCT m.person_id) FILTER (WHERE m.kind = 'no_relapse_1y')",
        ),
    ],
)

MANAGED = "e.started_on <= {last} AND (e.ended_on IS NULL OR e.ended_on >= {last})"
STARTED = "e.started_on BETWEEN {first} AND {last}"
COMPLETED = "e.ended_on BETWEEN {first} AND {last} AND e.end_reason = 'completed'"
ENROLMENTS = (
    f"""post_rehab e
    JOIN scope s ON s.unit_id = e.ward_id
    WHERE ({MANAGED}) OR ({STARTED}) OR ({COMPLETED})""",
    [
        ("post_rehab.managed", f"count(DISTINCT e.person_id) FILTER (WHERE {MANAGED})"),
        ("post_rehab.new", f"count(DISTINCT e.person_id) FILTER (WHERE {STARTED})"),
        ("post_rehab.completed", f"count(DISTINCT e.person_id) FILTER (WHERE {COMPLETED})"),
    ],
)

# Every programme's enrolments holding on a day of the period (scope by the enrolment's ward),
# and the clubs' members: a member during the period when a day of it has both the enrolment
# and its club holding (the latest start no later than the earliest end).
CLUB_HELD_END = "cl.founded_on <= {last} AND (cl.closed_on IS NULL OR cl.closed_on >= {last})"
CLUB_SHARED_DAY = """e.club_id IS NOT NULL AND greatest({first}, e.started_on, cl.founded_on)
    <= least({last}, coalesce(e.ended_on, {last}), coalesce(cl.closed_on, {last}))"""
PROGRAMMES = (
    """cases_enrollment e
    JOIN cases_programme pg ON pg.id = e.programme_id
    LEFT JOIN cases_club cl ON cl.id = e.club_id
    JOIN scope s ON s.unit_id = e.ward_id
    WHERE e.started_on <= {last} AND (e.ended_on IS NULL OR e.ended_on >= {first})""",
    [
        *(
            figure
            for code in CATALOGUE.programmes
            for figure in (
                (
                    f"programmes.enrolled.{code}",
                    f"count(DISTINCT e.person_id) FILTER (WHERE pg.code = '{code}' AND {MANAGED})",
                ),
                (
                    f"programmes.new.{code}",
                    f"count(DISTINCT e.person_id) FILTER (WHERE pg.code = '{code}' AND {STARTED})",
                ),
                (
                    f"programmes.took_part.{code}",
                    f"count(DISTINCT e.person_id) FILTER (WHERE pg.code = '{code}')",
                ),
            )
        ),
        (
            "programmes.club_members",
            f"count(DISTINCT e.person_id) FILTER (WHERE {MANAGED} AND {CLUB_HELD_END})",
        ),
        (
            "programmes.club_members_in_period",
            f"count(DISTINCT e.person_id) FILTER (WHERE {CLUB_SHARED_DAY})",
        ),
    ],
)

CLUBS = (
    """cases_club cl
    JOIN scope s ON s.unit_id = cl.ward_id
    WHERE """
    + CLUB_HELD_END,
    [("programmes.clubs", "count(*)")],
)

# Persons at the period's end, where they are then: Person.ward, or the ward they were
# registered in when Person.ward was formed (by a merger) after that day. Both the register
# (registered by then, not closed by then) and the caseload (an assignment held that day: started
# by then, not ended on or before it) count from here, each person once.
GROUP = 'pe."group"'  # a reserved word
ON_REGISTER = "pe.registered_on <= {last} AND (pe.closed_on IS NULL OR pe.closed_on >= {last})"
PERSONS_AT_END = (
    f"""cases_person pe
    JOIN wards_adminunit w ON w.id = pe.ward_id
    JOIN scope s
      ON s.unit_id = CASE WHEN w.valid_from > {{last}} THEN pe.registered_ward_id
                          ELSE pe.ward_id END
    LEFT JOIN (
        SELECT DISTINCT a.person_id FROM cases_assignment a
        WHERE a.started_on <= {{last}} AND (a.ended_on IS NULL OR a.ended_on >= {{last}})
    ) held ON held.person_id = pe.id
    WHERE ({ON_REGISTER}) OR held.person_id IS NOT NULL""",  # noqa: S608 (SQL text, no values)
    [
        ("casework.on_list", f"count(*) FILTER (WHERE {ON_REGISTER})"),
        *(
            (f"casework.on_list.{g}", f"count(*) FILTER (WHERE {ON_REGISTER} AND {GROUP} = '{g}')")
            for g in (
                "high_risk",
                "drug_user",
                "addicted",
                "post_rehab",
                "sex_work",
                "trafficking",
                "other",
            )
        ),
        ("team.caseload", "count(*) FILTER (WHERE held.person_id IS NOT NULL)"),
    ],
)

NEW_PERSONS = (
    """cases_person pe
    JOIN scope s ON s.unit_id = pe.registered_ward_id
    WHERE pe.registered_on BETWEEN {first} AND {last}""",
    [("casework.new_persons", "count(*)")],
)

# A referral is made on referred_on; it counts as support given when its status is completed,
# by that status's date.
MADE = "r.referred_on BETWEEN {first} AND {last}"
DONE = "r.status = 'completed' AND r.status_on BETWEEN {first} AND {last}"
REFERRALS = (
    f"""outreach_referral r
    JOIN scope s ON s.unit_id = r.ward_id
    WHERE ({MADE}) OR ({DONE})""",
    [
        ("support.referrals", f"count(*) FILTER (WHERE {MADE})"),
        (
            "support.loan_persons",
            f"count(DISTINCT r.person_id) FILTER (WHERE {DONE} AND r.kind = 'loan'"
            " AND NOT r.for_household)",
        ),
        (
            "support.loan_households",
            f"count(*) FILTER (WHERE {DONE} AND r.kind = 'loan' AND r.for_household)",
        ),
        ("support.loan_amount", f"sum(r.amount) FILTER (WHERE {DONE} AND r.kind = 'loan')"),
        (
            "support.loan_amount.persons",
            f"sum(r.amount) FILTER (WHERE {DONE} AND r.kind = 'loan' AND NOT r.for_household)",
        ),
        (
            "support.loan_amount.households",
            f"sum(r.amount) FILTER (WHERE {DONE} AND r.kind = 'loan' AND r.for_household)",
        ),
        (
            "support.training_or_job",
            f"count(DISTINCT r.person_id) FILTER (WHERE {DONE}"
            " AND r.kind IN ('vocational_training', 'job'))",
        ),
        *(
            (code, f"count(DISTINCT r.person_id) FILTER (WHERE {DONE} AND r.kind = '{kind}')")
            for code, kind in (
                ("support.vocational_training", "vocational_training"),
                ("support.jobs", "job"),
                ("support.education", "education"),
                ("support.hardship", "hardship_support"),
            )
        ),
        ("support.gifts", f"count(*) FILTER (WHERE {DONE} AND r.kind = 'gift')"),
        ("support.gift_amount", f"sum(r.amount) FILTER (WHERE {DONE} AND r.kind = 'gift')"),
    ],
)

TEAMS = (
    """wards_team t
    JOIN scope s ON s.unit_id = t.ward_id
    WHERE (t.established_on IS NULL OR t.established_on <= {last})
      AND (t.dissolved_on IS NULL OR t.dissolved_on >= {last})""",
    [("team.teams", "count(*)")],
)

MEMBERS = (
    """wards_member mb
    JOIN wards_team t ON t.id = mb.team_id
    JOIN scope s ON s.unit_id = t.ward_id
    WHERE mb.joined_on <= {last} AND (mb.left_on IS NULL OR mb.left_on >= {last})
      AND (t.established_on IS NULL OR t.established_on <= {last})
      AND (t.dissolved_on IS NULL OR t.dissolved_on >= {last})""",
    [
        ("team.members", "count(*)"),
        *(
            (f"team.members.{role}", f"count(*) FILTER (WHERE mb.role = '{role}')")
            for role in ("leader", "deputy", "member")
        ),
    ],
)

SOURCES = {
    "activities": ACTIVITIES,
    "contacts": CONTACTS,
    "topics": TOPICS,
    "assessments": ASSESSMENTS,
    "post_rehab_contacts": POST_REHAB_CONTACTS,
    "milestones": MILESTONES,
    "enrolments": ENROLMENTS,
    "persons_at_end": PERSONS_AT_END,
    "new_persons": NEW_PERSONS,
    "referrals": REFERRALS,
    "teams": TEAMS,
    "members": MEMBERS,
    "programmes": PROGRAMMES,
    "clubs": CLUBS,
}


def _source_cte(name: str, rows: str, figures: list[tuple[str, ...]]) -> str:
    """The source's CTE: the current period for the unit and each child, then the comparison
    period for the unit. One row per level and child: (level, child, codes[], vals[]). A figure
    is (code, aggregate) or (code, grouped aggregate, the comparison period's aggregate)."""
    codes = ", ".join(f"'{figure[0]}'" for figure in figures)

    def branch(first: str, last: str, grouped: bool) -> tuple[str, str]:
        values = ", ".join(
            f"coalesce({figure[1] if grouped else figure[-1]}, 0)::bigint".format(
                first=first, last=last
            )
            for figure in figures
        )
        return rows.format(first=first, last=last), values

    cur_rows, cur_values = branch("%(start)s", "%(end)s", grouped=True)
    prev_rows, prev_values = branch("%(prev_start)s", "%(prev_end)s", grouped=False)
    return f"""{name} AS (
    SELECT CASE WHEN GROUPING(s.child) = 0 THEN 'child' ELSE 'unit' END AS level, s.child,
           ARRAY[{codes}] AS codes,
           ARRAY[{cur_values}] AS vals
    FROM {cur_rows}
    GROUP BY GROUPING SETS ((), (s.child))
    UNION ALL
    SELECT 'previous', NULL,
           ARRAY[{codes}],
           ARRAY[{prev_values}]
    FROM {prev_rows}
)"""  # noqa: S608 (the statement's own text; every value is a bound parameter)


def statement() -> str:
    ctes = ",\n".join(_source_cte(name, *source) for name, source in SOURCES.items())
    union = "\n    UNION ALL ".join(f"SELECT * FROM {name}" for name in SOURCES)  # noqa: S608
    return f"""WITH
scope AS NOT MATERIALIZED (
    -- every unit of the scope once, with the child unit it counts for (0: none). Inlined and
    -- grouped by unit_id, the planner knows each unit is one row: as a CTE scan it guessed 200
    -- rows per unit and sorted the persons to disk for a merge join (twice as slow).
    SELECT u.unit_id, min(u.child) AS child
    FROM unnest(%(scope)s::bigint[], %(child)s::bigint[]) AS u (unit_id, child)
    GROUP BY u.unit_id
),
post_rehab AS NOT MATERIALIZED (
    SELECT e.* FROM cases_enrollment e
    JOIN cases_programme pg ON pg.id = e.programme_id
    WHERE pg.category = 'post_rehab'
),
{ctes}
SELECT f.level, f.child, x.code, sum(x.value)::bigint AS value
FROM (
    {union}
) f
CROSS JOIN LATERAL unnest(f.codes, f.vals) AS x (code, value)
WHERE f.level <> 'child' OR f.child <> 0
GROUP BY f.level, f.child, x.code"""  # noqa: S608 (as above)


SQL = statement()
SQL_CODES = {figure[0] for _rows, figures in SOURCES.values() for figure in figures}
assert set(CODES) == SQL_CODES, (SQL_CODES ^ set(CODES), "codes of the SQL vs the catalogue")


def params(lay, period) -> dict:
    previous = period.previous()
    return {
        "scope": list(lay.scope),
        "child": [lay.child_of.get(u, 0) for u in lay.scope],
        "start": period.start,
        "end": period.end,
        "prev_start": previous.start,
        "prev_end": previous.end,
    }


def run_sql(args: dict) -> dict:
    """{("unit", None) | ("child", pk) | ("previous", None): {code: value}}."""
    with connection.cursor() as cursor:
        cursor.execute(SQL, args)
        rows = cursor.fetchall()
    out: dict = {}
    for level, child, code, value in rows:
        out.setdefault((level, child if level == "child" else None), {})[code] = int(value)
    return out


# ---------------------------------------------------------------------------------------------


def compare(report, figures: dict) -> tuple[int, int, list[str]]:
    """(figures compared, how many of them are not 0, differences): the report against the
    statement's rows."""
    levels = [("unit", None, report.values), ("previous", None, report.previous)]
    levels += [("child", c.pk, report.child_values(c)) for c in report.children]
    known = {(level, pk) for level, pk, _v in levels}
    diffs = [f"  SQL returned a level the report has not: {k}" for k in figures if k not in known]
    compared = nonzero = 0
    names = {c.pk: f"{c.code} {c.name}" for c in report.children}
    for level, pk, values in levels:
        mine = figures.get((level, pk), {})
        for code in CODES:
            compared += 1
            nonzero += values[code] != 0
            if values[code] != mine.get(code, 0):
                where = level if pk is None else f"child {names[pk]}"
                diffs.append(f"  {where}: {code} build={values[code]} sql={mine.get(code, 0)}")
    return compared, nonzero, diffs


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


with connection.cursor() as _cursor:
    # Read-only from here on: the data sets are shared.
    _cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    _cursor.execute("SELECT version()")
    print(_cursor.fetchone()[0].split(",")[0], "| database", connection.settings_dict["NAME"])

results, failed, shown = [], False, False
for case in (c.strip() for c in CASES.split(",") if c.strip()):
    code, _sep, spec = case.partition(":")
    unit = AdminUnit.objects.filter(code=code).first()
    if unit is None:
        print(f"{code}: no such unit here, skipped")
        continue
    period = parse(spec, CUTOFF)
    previous = period.previous()
    print(
        f"\n== {unit.name} ({code}) {period.spec} [{period.start} .. {period.end}], "
        f"previous [{previous.start} .. {previous.end}], cut-off {CUTOFF}"
    )

    with CaptureQueriesContext(connection) as ctx:
        t_layout, lay = timed(lambda u=unit, p=period: layout(u, p))
    layout_queries = len(ctx)
    args = params(lay, period)
    if SHOW_SQL and not shown:
        with connection.cursor() as cursor:
            print(cursor.mogrify(SQL, args) if hasattr(cursor, "mogrify") else SQL)

    # First runs (build first: it meets the coldest cache), then interleaved warm runs.
    build_times, sql_times, layout_times = [], [], [t_layout]
    with CaptureQueriesContext(connection) as ctx:
        first_build, report = timed(lambda u=unit, p=period: build(u, p, CATALOGUE))
    queries = len(ctx)
    first_sql, figures = timed(lambda a=args: run_sql(a))
    compared, nonzero, diffs = compare(report, figures)
    in_queries = []  # the part of each warm build() spent in its queries (debug cursor)
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            t, report = timed(lambda u=unit, p=period: build(u, p, CATALOGUE))
        build_times.append(t)
        in_queries.append(sum(float(q["time"]) for q in ctx.captured_queries))
        t, _lay = timed(lambda u=unit, p=period: layout(u, p))
        layout_times.append(t)
        t, again = timed(lambda a=args: run_sql(a))
        sql_times.append(t)
        if again != figures:
            diffs.append("  the statement's figures changed between runs")

    if EXPLAIN and not shown:  # after the runs: the warm plan
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + SQL, args)
            print("\n".join(r[0] for r in cursor.fetchall()))
    shown = True

    b_best, b_med = min(build_times), statistics.median(build_times)
    s_best, s_med = min(sql_times), statistics.median(sql_times)
    l_med = statistics.median(layout_times)
    print(
        f"children {len(report.children)}, scope {len(lay.scope)} units; "
        f"build() {queries} queries, layout() {layout_queries} queries"
    )
    print(f"first run: build {ms(first_build):.0f} ms, SQL {ms(first_sql):.0f} ms")
    print(
        f"warm ×{RUNS}: build best {ms(b_best):.0f} / median {ms(b_med):.0f} ms; "
        f"SQL best {ms(s_best):.0f} / median {ms(s_med):.0f} ms; layout median {ms(l_med):.1f} ms"
    )
    print(
        f"build() median {ms(statistics.median(in_queries)):.0f} ms in its {queries} queries "
        "(their execute(), which receives the rows), the rest in Python"
    )
    print(
        f"ratio build/SQL: best {b_best / s_best:.2f}, median {b_med / s_med:.2f} "
        f"(with layout() on the SQL side: {b_med / (s_med + l_med):.2f})"
    )
    print(f"figures compared {compared} ({nonzero} not 0), differences {len(diffs)}")
    for line in diffs[:50]:
        print(line)
    if len(diffs) > 50:
        print(f"  … and {len(diffs) - 50} more")
    failed |= bool(diffs)
    results.append(
        (
            f"{unit.name} ({code}, {len(report.children)} children)",
            period.spec,
            f"{ms(first_build):.0f}",
            f"{ms(b_best):.0f} / {ms(b_med):.0f}",
            f"{ms(first_sql):.0f}",
            f"{ms(s_best):.0f} / {ms(s_med):.0f}",
            f"{b_best / s_best:.2f} / {b_med / s_med:.2f}",
            str(queries),
            f"{compared:,}",
            str(len(diffs)),
        )
    )

print(
    "\n| unit | period | build first ms | build ms best / median | SQL first ms "
    "| SQL ms best / median | ratio best / median | queries | figures compared | differences |"
)
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for row in results:
    print("| " + " | ".join(row) + " |")
if failed:
    print("\nDIFFERENCES FOUND")
    sys.exit(1)
print("\nall figures equal")
