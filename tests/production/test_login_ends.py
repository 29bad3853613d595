"""The production tier (issue 22): a member's session ends the same day the leader records them
leaving, over real HTTP, on PostgreSQL, outside any test transaction
(wards.middleware.AccountMiddleware); and their login is refused from then on, with the reason,
until they rejoin.

Run: `DATABASE_URL=postgres://… .venv/bin/python -m pytest -q tests/production`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.production.conftest import USERNAMES, Site
from wards.models import AuditEvent, Member

NO_ACCESS = "Tài khoản này không còn dùng được vì bạn đã thôi tham gia Đội hoặc Đội đã giải thể."
# an officer or supervisor whose last post ended is sent to the supervisors above
POST_ENDED = "Tài khoản này không còn dùng được vì chức vụ của bạn đã kết thúc."


@pytest.mark.postgres
def test_a_members_session_ends_the_day_the_leader_records_them_leaving(site: Site):
    o = site.o
    member = o.w.volunteer_member
    volunteer = site.browser("volunteer")
    work = reverse("cases:my_work")
    assert volunteer.get(work, follow=False).status == 200

    # The leader records it in their own browser, through the form on the member's page.
    leader = site.browser("leader")
    action = reverse("wards:member_leave", args=[member.pk])
    page = leader.get(action)
    assert page.status == 200, page
    today = timezone.localdate()
    form = page.form(action=action).filled({"left_on": today.isoformat(), "reason": "Chuyển nơi ở"})
    answer = leader.submit(form)
    assert answer.status == 302, answer
    assert Member.objects.get(pk=member.pk).left_on == today

    # The volunteer's very next request, in the session that was open: logged out, told why.
    answer = volunteer.get(work, follow=False)
    assert answer.status == 302, answer
    assert answer.location.startswith(reverse("login"))
    page = volunteer.follow(answer)
    assert page.status == 200
    assert NO_ACCESS in page.text
    # the session is gone, not just this page
    assert volunteer.get(work, follow=False).location.startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        actor=o.w.volunteer, action=AuditEvent.Action.LOGOUT, changes__ended="no_access"
    ).exists()

    # Logging in again with the right password is refused with the same reason.
    again = site.anonymous()
    page = again.get(reverse("login"))
    form = page.form().filled({"username": USERNAMES["volunteer"], "password": f.PASSWORD})
    answer = again.submit(form)
    assert answer.status == 200
    assert NO_ACCESS in answer.text
    assert again.get(work, follow=False).status == 302

    # The leader is untouched.
    assert leader.get(work, follow=False).status == 200
