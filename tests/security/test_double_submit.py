"""A form sent twice saves once; a form saved over somebody else's change is refused (issue 19,
«Double submit saves twice»).

Create forms carry the one-time token (wards.once): the same form posted twice — a second tap,
a reload — saves nothing the second time and says «đã được lưu». Edit forms carry the version
they were built on (wards.versions): two tabs open the same record, the first saves, the
second is refused with a message and what it typed kept on the form, and the first's change
stays.

Every form is read as a browser reads it: its hidden fields come from the page itself.
"""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from wards.models import Member, Team

SAVED = "đã được lưu ở lần gửi trước"
STALE = "Hãy tải lại trang để xem thay đổi"


class _Hidden(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.values.setdefault(a["name"], a.get("value") or "")


def hidden(client: Client, url: str) -> dict[str, str]:
    """The hidden fields of the page's forms, as a browser would send them (no CSRF in tests)."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _Hidden()
    parser.feed(response.content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def posted_twice(client: Client, url: str, data: dict) -> tuple:
    """Post one form (one page's hidden fields) twice, following the second answer."""
    form = {**hidden(client, url), **data}
    first = client.post(url, form)
    second = client.post(url, form, follow=True)
    return first, second


def two_tabs(client: Client, url: str, first: dict, second: dict):
    """Open the form in two tabs, save the first, then the second: the second's answer."""
    tab1, tab2 = hidden(client, url), hidden(client, url)
    assert client.post(url, {**tab1, **first}).status_code == 302
    return client.post(url, {**tab2, **second})


def refused_and_kept(response, typed: str) -> None:
    """The stale form is shown again (200), with the message and what the user typed."""
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page
    assert typed in page


# Wards: the team and its members -------------------------------------------------------------

MEMBER = {
    "full_name": "Hoàng Thị Mai",
    "sex": "female",
    "birth_year": "1975",
    "phone": "0912345678",
    "role": "member",
    "organisation": "women",
    "joined_on": "2025-09-01",
}


def test_the_add_member_form_sent_twice_adds_one_member(world, personas):
    url = reverse("wards:member_add", args=[world.team_a.pk])
    first, second = posted_twice(personas["leader"], url, MEMBER)
    assert first.status_code == 302
    assert SAVED in second.content.decode()
    assert Member.objects.filter(team=world.team_a, full_name="Hoàng Thị Mai").count() == 1


def _member_data(member: Member, **changes) -> dict:
    return {
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_year": str(member.birth_year),
        "phone": member.phone,
        "role": member.role,
        "organisation": member.organisation,
        "joined_on": member.joined_on.isoformat(),
        **changes,
    }


def test_a_member_edited_in_two_tabs_keeps_the_first_save(world, personas):
    member = world.volunteer_member
    url = reverse("wards:member_edit", args=[member.pk])
    response = two_tabs(
        personas["leader"],
        url,
        _member_data(member, phone="0911111111"),
        _member_data(member, phone="0922222222"),
    )
    refused_and_kept(response, "0922222222")
    member.refresh_from_db()
    assert member.phone == "0911111111"
    assert member.version == 2


def test_a_member_cannot_be_marked_as_left_from_a_page_that_went_stale(world, personas):
    member = world.volunteer_member
    client = personas["leader"]
    leave_url = reverse("wards:member_leave", args=[member.pk])
    stale = hidden(client, leave_url)
    edit_url = reverse("wards:member_edit", args=[member.pk])
    edited = {**hidden(client, edit_url), **_member_data(member, role="deputy")}
    assert client.post(edit_url, edited).status_code == 302
    response = client.post(leave_url, {**stale, "left_on": "2025-10-01", "reason": "Nghỉ ốm"})
    refused_and_kept(response, "Nghỉ ốm")
    member.refresh_from_db()
    assert member.left_on is None
    assert member.role == "deputy"


def test_a_team_edited_in_two_tabs_keeps_the_first_save(world, personas):
    url = reverse("wards:team_edit", args=[world.team_a.pk])
    data = {"name": "Đội CTXHTN phường A", "established_on": "2013-01-15", "decision_no": "12"}
    response = two_tabs(
        personas["leader"],
        url,
        {**data, "contact_due_days": "14"},
        {**data, "decision_no": "99/QĐ-UBND", "contact_due_days": ""},
    )
    refused_and_kept(response, "99/QĐ-UBND")
    team = Team.objects.get(pk=world.team_a.pk)
    assert (team.contact_due_days, team.decision_no, team.version) == (14, "12", 2)


def test_a_form_without_its_version_saves_nothing_and_says_why(world, personas):
    member = world.volunteer_member
    url = reverse("wards:member_edit", args=[member.pk])
    response = personas["leader"].post(url, _member_data(member, phone="0933333333"))
    assert response.status_code == 200
    assert "Biểu mẫu này đã cũ" in response.content.decode()
    member.refresh_from_db()
    assert member.phone != "0933333333"
