"""Writes for persons and their casework. Each is atomic (`wards.atomic.service`), validated
and audited; one module per concern:

- `persons`: registering, correcting, closing and reopening a file;
- `groups`: the person's dated group history, which `persons` writes;
- `enrollments`: programme enrolments;
- `assignments`: who follows a person, reassignments and hand-overs;
- `casework`: contacts, milestones and assessments;
- `clubs`: a ward's clubs (founding, correcting, closing one).

Audit rows carry ids, dates and codes (kind, reason, status) only. Names, aliases, phone
numbers, notes, the person's group, substances and test results are sensitive personal data:
they never enter the audit trail, where a change to them shows as "changed".

Services check the rules of the domain (who may be assigned, which dates make sense; the checks
themselves are in `cases.rules`); whether the actor may touch the person at all is the caller's
business, through `Person.objects.editable_by(user)` and `visible_to(user)`.

The names below are the package's interface: callers import them from `cases.services`.
"""

from cases.duplicates import Duplicates, find_duplicates, local_duplicates
from cases.rules import (
    add_months,
    check_member_active_on,
    contact_due_days,
    refuse_future,
    refuse_outside_file,
    ward_on,
)
from cases.services._common import AUDITED_VALUES, ENROLLMENT_FIELDS, PERSON_FIELDS
from cases.services.assignments import (
    assignment_assign,
    assignment_end,
    assignment_handover,
    assignment_reassign_many,
)
from cases.services.casework import assessment_record, contact_record, milestone_record
from cases.services.clubs import CLUB_FIELDS, club_close, club_create, club_update
from cases.services.enrollments import enrollment_end, enrollment_start, enrollment_update
from cases.services.persons import (
    CLOSING_ENDS_ENROLMENTS,
    person_check,
    person_close,
    person_register,
    person_reopen,
    person_update,
)

__all__ = [
    "AUDITED_VALUES",
    "CLOSING_ENDS_ENROLMENTS",
    "CLUB_FIELDS",
    "Duplicates",
    "ENROLLMENT_FIELDS",
    "PERSON_FIELDS",
    "add_months",
    "assessment_record",
    "assignment_assign",
    "assignment_end",
    "assignment_handover",
    "assignment_reassign_many",
    "check_member_active_on",
    "club_close",
    "club_create",
    "club_update",
    "contact_due_days",
    "contact_record",
    "enrollment_end",
    "enrollment_start",
    "enrollment_update",
    "find_duplicates",
    "local_duplicates",
    "milestone_record",
    "person_check",
    "person_close",
    "person_register",
    "person_reopen",
    "person_update",
    "refuse_future",
    "refuse_outside_file",
    "ward_on",
]
