"""Referrals: the status rules of the services, and the pages that refer a person, follow a
referral to its outcome and list the ward's referrals still waiting for one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from outreach import services
from outreach.forms.referrals import AmountField, ReferralForm
from outreach.models import Referral
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent

TODAY = timezone.localdate()
LIST = reverse("outreach:referral_list")
S = Referral.Status


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _assigned(world, name: str, member=None, **fields):
    person = f.person(ward=world.ward_a, full_name=name, registered_on=ago(400), **fields)
    f.assignment(person=person, member=member or world.volunteer_member)
    return person


@pytest.fixture
def person(world):
    """Someone of ward A assigned to the volunteer."""
    return _assigned(world, "Nguyễn Văn Được Giới Thiệu")


@pytest.fixture
def stranger(world):
    """Someone of ward A assigned to another member: not the volunteer's."""
    other = world.team_a.members.filter(user__isnull=True).first()
    return _assigned(world, "Hoàng Văn Người Khác", member=other)


@pytest.fixture
def elsewhere(world):
    person = f.person(ward=world.ward_b, full_name="Đinh Văn Phường B", registered_on=ago(400))
    f.assignment(person=person, member=world.outsider_member)
    return person


def refer(world, person, **fields) -> Referral:
    fields.setdefault("kind", Referral.Kind.LOAN)
    fields.setdefault("referred_on", ago(60))
    return services.referral_create(actor=world.leader, person=person, **fields)


def advance(world, referral, status, **fields) -> Referral:
    fields.setdefault("changed_on", referral.status_on)
    return services.referral_advance(actor=world.leader, referral=referral, status=status, **fields)


def _updates(referral) -> int:
    return AuditEvent.objects.filter(
        object_type="outreach.referral", object_id=str(referral.pk), action="update"
    ).count()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


# The status rules (services) ----------------------------------------------------------------


def test_referring_writes_the_first_step_and_an_audit_event_without_the_name(world, person):
    referral = refer(world, person, amount=50_000_000, member=world.volunteer_member)
    assert (referral.status, referral.status_on, referral.ward) == (
        S.REFERRED,
        ago(60),
        world.ward_a,
    )
    step = referral.changes.get()
    assert (step.status, step.changed_on, step.changed_by) == (S.REFERRED, ago(60), world.leader)
    event = AuditEvent.objects.get(object_type="outreach.referral", action="create")
    assert event.changes["person"] == person.pk
    assert person.full_name not in str(event.changes)


@pytest.mark.parametrize(
    "path",
    [
        [S.APPROVED, S.COMPLETED],
        [S.DECLINED],
        [S.WITHDRAWN],
        [S.APPROVED, S.DECLINED],
        [S.APPROVED, S.WITHDRAWN],
    ],
)
def test_each_legal_step_is_dated_kept_in_the_history_and_audited(world, person, path):
    referral = refer(world, person, amount=30_000_000)
    for days, status in zip([40, 20], path, strict=False):
        referral = advance(world, referral, status, changed_on=ago(days), note="Đã hỏi ngân hàng")
        assert (referral.status, referral.status_on) == (status, ago(days))
        step = referral.changes.get(status=status)
        assert (step.changed_on, step.changed_by, step.note) == (
            ago(days),
            world.leader,
            "Đã hỏi ngân hàng",
        )
    assert [c.status for c in referral.changes.all()] == [S.REFERRED, *path]
    events = AuditEvent.objects.filter(object_id=str(referral.pk), action="update")
    assert [e.changes["status"] for e in events.order_by("pk")] == [
        [old, new] for old, new in zip([S.REFERRED, *path], path, strict=False)
    ]


@pytest.mark.parametrize(
    "before, to",
    [
        ([], S.COMPLETED),
        ([], S.REFERRED),
        ([S.APPROVED], S.APPROVED),
        ([S.APPROVED], S.REFERRED),
        ([S.APPROVED, S.COMPLETED], S.REFERRED),
        ([S.APPROVED, S.COMPLETED], S.APPROVED),
        ([S.APPROVED, S.COMPLETED], S.DECLINED),
        ([S.APPROVED, S.COMPLETED], S.WITHDRAWN),
        ([S.DECLINED], S.APPROVED),
        ([S.DECLINED], S.COMPLETED),
        ([S.WITHDRAWN], S.APPROVED),
        ([], "paid"),
    ],
)
def test_an_illegal_step_is_refused_in_vietnamese_and_changes_nothing(world, person, before, to):
    referral = refer(world, person, amount=30_000_000)
    for status in before:
        referral = advance(world, referral, status)
    steps, updates = referral.changes.count(), _updates(referral)
    with pytest.raises(ValidationError) as error:
        advance(world, referral, to)
    assert "Không thể chuyển từ" in error.value.message_dict["status"][0]
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.status, fresh.status_on) == (referral.status, referral.status_on)
    assert (fresh.changes.count(), _updates(fresh)) == (steps, updates)


@pytest.mark.parametrize(
    "changed_on, message",
    [
        (ago(61), "Không được trước ngày của trạng thái hiện tại"),
        (TODAY + datetime.timedelta(days=1), "tương lai"),
    ],
)
def test_a_step_before_the_current_status_or_in_the_future_is_refused(
    world, person, changed_on, message
):
    referral = refer(world, person)
    with pytest.raises(ValidationError) as error:
        advance(world, referral, S.APPROVED, changed_on=changed_on)
    assert message in error.value.message_dict["changed_on"][0]
    assert Referral.objects.get(pk=referral.pk).status == S.REFERRED
    assert referral.changes.count() == 1


def test_an_amount_is_refused_on_a_kind_that_carries_no_money(world, person):
    with pytest.raises(ValidationError) as error:
        refer(world, person, kind=Referral.Kind.VOCATIONAL_TRAINING, amount=5_000_000)
    assert "Chỉ ghi số tiền" in error.value.message_dict["amount"][0]
    referral = refer(world, person, kind=Referral.Kind.JOB)
    with pytest.raises(ValidationError):
        advance(world, referral, S.APPROVED, amount=5_000_000)
    assert Referral.objects.get(pk=referral.pk).amount is None
    assert Referral.objects.count() == 1


def test_a_household_is_refused_on_a_kind_that_is_for_a_person(world, person):
    with pytest.raises(ValidationError) as error:
        refer(world, person, kind=Referral.Kind.HEALTH, for_household=True)
    assert "hộ gia đình" in error.value.message_dict["for_household"][0]
    assert not Referral.objects.exists()
    assert refer(world, person, kind=Referral.Kind.GIFT, for_household=True).for_household


def test_a_loan_is_completed_only_with_the_sum_lent(world, person):
    referral = advance(world, refer(world, person), S.APPROVED)
    with pytest.raises(ValidationError) as error:
        advance(world, referral, S.COMPLETED)
    assert "số tiền được vay" in error.value.message_dict["amount"][0]
    assert Referral.objects.get(pk=referral.pk).status == S.APPROVED
    referral = advance(world, referral, S.COMPLETED, amount=45_000_000)
    assert (referral.status, referral.amount) == (S.COMPLETED, 45_000_000)
    event = AuditEvent.objects.filter(object_id=str(referral.pk), action="update").latest("pk")
    assert event.changes["amount"] == [None, 45_000_000]


def test_a_step_from_a_status_that_changed_meanwhile_is_refused(world, person):
    referral = refer(world, person)
    advance(world, referral, S.APPROVED)
    with pytest.raises(ValidationError) as error:
        advance(world, referral, S.DECLINED, expected_status=S.REFERRED)
    assert "Người khác vừa cập nhật" in error.value.messages[0]
    assert Referral.objects.get(pk=referral.pk).status == S.APPROVED
    assert referral.changes.count() == 2


# Amounts as people type them ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, amount",
    [
        ("30.000.000", 30_000_000),
        ("30000000", 30_000_000),
        ("30 000 000", 30_000_000),
        ("30,000,000", 30_000_000),
        (" 1.500.000 đ ", 1_500_000),
        ("2.000.000 đồng", 2_000_000),
        ("", None),
    ],
)
def test_an_amount_is_read_as_people_type_it(typed, amount):
    assert AmountField().clean(typed) == amount


@pytest.mark.parametrize(
    "typed, message",
    [
        ("-5.000.000", "không được âm"),
        ("1,5", "chữ số"),
        ("30.00.000", "chữ số"),
        ("ba triệu", "chữ số"),
        ("0", "lớn hơn 0"),
    ],
)
def test_an_amount_that_cannot_be_read_is_refused_in_vietnamese(typed, message):
    with pytest.raises(ValidationError) as error:
        AmountField().clean(typed)
    assert message in error.value.messages[0]


# Referring a person -------------------------------------------------------------------------


def _add(pk: int) -> str:
    return reverse("outreach:referral_add", args=[pk])


def _data(**fields) -> dict:
    data = {
        "kind": "loan",
        "referred_on": ago(3).isoformat(),
        "partner": "",
        "amount": "",
        "note": "Cần vốn mở quán sửa xe",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_starts_on_today_with_kind_buttons_and_the_wards_partners(world, personas, person):
    mine = f.partner(unit=world.ward_a, name="Trung tâm dạy nghề phường A", kind="training")
    district = f.partner(unit=world.district_a, name="Phòng LĐ quận A", kind="office")
    f.partner(unit=world.ward_b, name="Doanh nghiệp phường B", kind="employer")
    f.partner(unit=world.ward_a, name="Đối tác đã ngừng", active=False)
    response = personas["volunteer"].get(_add(person.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="btn-check"' in html and "Học nghề" in html
    assert f'value="{TODAY.isoformat()}"' in html
    assert 'inputmode="numeric"' in html
    offered = set(response.context["form"].fields["partner"].queryset)
    assert {mine, district} <= offered
    assert {p.name for p in offered}.isdisjoint({"Doanh nghiệp phường B", "Đối tác đã ngừng"})
    assert "Ngân hàng Chính sách xã hội (NHCSXH)" in html  # national
    assert '<optgroup label="Cơ sở đào tạo nghề">' in html


def test_a_volunteer_refers_their_person_and_it_shows_on_the_timeline(world, personas, person):
    bank = f.partner(unit=world.ward_a, name="Phòng giao dịch NHCSXH phường A")
    client = personas["volunteer"]
    response = client.post(
        _add(person.pk), _data(partner=bank.pk, amount="30.000.000", for_household="on")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:person_detail", args=[person.pk])
    referral = Referral.objects.get()
    assert (referral.person, referral.ward, referral.member) == (
        person,
        world.ward_a,
        world.volunteer_member,
    )
    assert (referral.partner, referral.amount, referral.for_household) == (bank, 30_000_000, True)
    assert referral.created_by == world.volunteer
    page = client.get(response["Location"])
    assert f"Đã giới thiệu {person.full_name}: Vay vốn." in page.content.decode()
    html = page.content.decode()
    assert "Giới thiệu vay vốn" in html
    assert referral.get_absolute_url() in html
    assert "30.000.000 đồng" in html


@pytest.mark.parametrize("who", ["elsewhere", "stranger"])
def test_a_volunteer_cannot_refer_someone_not_assigned_to_them(world, personas, request, who):
    other = request.getfixturevalue(who)
    response = personas["volunteer"].post(_add(other.pk), _data())
    assert response.status_code == 404
    assert personas["volunteer"].get(_add(other.pk)).status_code == 404
    assert not Referral.objects.exists()


def test_a_leader_refers_anyone_of_the_ward_without_being_their_helper(world, personas, stranger):
    assert personas["leader"].post(_add(stranger.pk), _data()).status_code == 302
    assert Referral.objects.get().member == world.leader_member
    assert personas["officer"].post(_add(stranger.pk), _data(kind="job")).status_code == 302
    assert Referral.objects.get(kind="job").member is None


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "admin"])
def test_nobody_outside_the_ward_refers_its_persons(world, personas, person, persona):
    assert personas[persona].post(_add(person.pk), _data()).status_code == 404
    assert not Referral.objects.exists()


def test_a_closed_file_cannot_be_referred(world, personas):
    closed = _assigned(
        world, "Người Đã Đóng Hồ Sơ", status="closed", closed_on=ago(10), closed_reason="moved_away"
    )
    assert personas["leader"].post(_add(closed.pk), _data()).status_code == 403
    assert not Referral.objects.exists()
    html = personas["leader"].get(reverse("cases:person_detail", args=[closed.pk])).content
    assert _add(closed.pk) not in html.decode()


def test_the_person_page_offers_the_referral_button_to_helpers(world, personas, person):
    html = personas["volunteer"].get(reverse("cases:person_detail", args=[person.pk])).content
    assert _add(person.pk) in html.decode()
    assert "Giới thiệu hỗ trợ" in html.decode()


@pytest.mark.parametrize("unit", ["ward_b", "district_b"])
def test_a_crafted_partner_of_another_ward_is_refused(world, personas, person, unit):
    theirs = f.partner(unit=getattr(world, unit), name="Đối tác nơi khác")
    response = personas["volunteer"].post(_add(person.pk), _data(partner=theirs.pk))
    assert response.status_code == 200
    assert "Chỉ chọn được đối tác" in response.context["form"].errors["partner"][0]
    assert not Referral.objects.exists()


def test_the_services_refusal_is_shown_next_to_the_field_and_nothing_is_saved(
    world, personas, person
):
    response = personas["volunteer"].post(
        _add(person.pk), _data(kind="vocational_training", amount="5.000.000")
    )
    assert response.status_code == 200
    assert "Chỉ ghi số tiền" in response.context["form"].errors["amount"][0]
    response = personas["volunteer"].post(
        _add(person.pk), _data(referred_on=ago(500).isoformat(), amount="-3")
    )
    errors = response.context["form"].errors
    assert "không được âm" in errors["amount"][0]
    response = personas["volunteer"].post(_add(person.pk), _data(referred_on=ago(500).isoformat()))
    assert "danh sách" in response.context["form"].errors["referred_on"][0]
    response = personas["volunteer"].post(_add(person.pk), _data(kind=""))
    assert "Hãy chọn loại hỗ trợ" in response.context["form"].errors["kind"][0]
    assert not Referral.objects.exists()


def test_a_referral_in_the_future_is_refused(world, personas, person):
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = personas["volunteer"].post(_add(person.pk), _data(referred_on=tomorrow))
    assert "tương lai" in response.context["form"].errors["referred_on"][0]
    assert not Referral.objects.exists()


def test_the_form_narrows_partners_to_what_the_user_sees(world, person):
    theirs = f.partner(unit=world.ward_b, name="Đối tác phường B")
    form = ReferralForm(user=world.outsider, ward=world.ward_a)
    assert theirs not in form.fields["partner"].queryset  # serves ward B, not ward A
    form = ReferralForm(user=world.leader, ward=world.ward_b)
    assert theirs not in form.fields["partner"].queryset  # ward B's, not seen by ward A


# Following a referral -----------------------------------------------------------------------


def _detail(referral) -> str:
    return reverse("outreach:referral_detail", args=[referral.pk])


def _step(referral, **fields) -> dict:
    data = {
        "status": "approved",
        "changed_on": TODAY.isoformat(),
        "note": "",
        "expected_status": referral.status,
        "version": str(Referral.objects.get(pk=referral.pk).version),
    }
    data.update(fields)
    return data


def test_the_page_shows_the_referral_its_dated_history_and_who_moved_it(world, personas, person):
    bank = f.partner(unit=None, name="Quỹ hỗ trợ thử nghiệm", kind="fund")
    referral = refer(world, person, partner=bank, amount=30_000_000, for_household=True)
    services.referral_advance(
        actor=world.volunteer, referral=referral, status=S.APPROVED, changed_on=ago(30)
    )
    response = personas["leader"].get(_detail(referral))
    html = response.content.decode()
    assert person.full_name in html and person.get_absolute_url() in html
    assert "Vay vốn" in html and "Quỹ hỗ trợ thử nghiệm" in html
    assert "30.000.000 đồng" in html
    assert "cho cả hộ gia đình" in html
    assert ago(60).strftime("%d/%m/%Y") in html and ago(30).strftime("%d/%m/%Y") in html
    assert "Người cập nhật: Lê Văn Hùng" in html  # the leader referred
    assert "Người cập nhật: Trần Thị Lan" in html  # the volunteer moved it on
    form = response.context["form"]
    assert [v for v, _label in form.fields["status"].widget.choices] == [
        S.COMPLETED,
        S.DECLINED,
        S.WITHDRAWN,
    ]
    assert "Đã giải ngân" in html and "Số tiền được vay (đồng)" in html
    assert 'value="30.000.000"' in html  # the amount, prefilled
    assert AuditEvent.objects.filter(
        action="view", object_type="outreach.referral", object_id=str(referral.pk)
    ).exists()


def test_a_user_names_the_updater_by_username_when_there_is_no_full_name(world, personas, person):
    referral = services.referral_create(
        actor=world.officer, person=person, kind="job", referred_on=ago(5)
    )
    html = personas["leader"].get(_detail(referral)).content.decode()
    assert "Người cập nhật: canbo_a" in html
    assert "Số tiền" not in html  # a job carries no money


def test_a_step_posted_on_the_page_is_saved_and_the_page_says_so(world, personas, person):
    referral = refer(world, person)
    client = personas["volunteer"]
    response = client.post(_detail(referral), _step(referral, note="Ngân hàng đã duyệt"))
    assert response.status_code == 302 and response["Location"] == _detail(referral)
    referral.refresh_from_db()
    assert (referral.status, referral.status_on) == (S.APPROVED, TODAY)
    step = referral.changes.get(status=S.APPROVED)
    assert (step.changed_by, step.note) == (world.volunteer, "Ngân hàng đã duyệt")
    assert "Đã cập nhật: Đã được chấp thuận." in client.get(_detail(referral)).content.decode()
    response = client.post(
        _detail(referral), _step(referral, status="completed", amount="45.000.000")
    )
    referral.refresh_from_db()
    assert (referral.status, referral.amount) == (S.COMPLETED, 45_000_000)
    html = client.get(_detail(referral)).content.decode()
    assert "Giới thiệu này đã kết thúc." in html and 'name="status"' not in html


def test_a_step_from_a_page_that_went_stale_is_refused_and_changes_nothing(world, personas, person):
    referral = refer(world, person)
    seen = _step(referral, status="declined")  # the leader's page showed «Đã giới thiệu»
    advance(world, referral, S.APPROVED)  # meanwhile someone else approved it
    response = personas["leader"].post(_detail(referral), seen)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Người khác vừa cập nhật giới thiệu này sang «Đã được chấp thuận»" in html
    assert response.context["form"].non_field_errors()
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.status == S.APPROVED and fresh.changes.count() == 2
    # the page now carries the status it shows, so the next try goes through
    assert 'name="expected_status" value="approved"' in html
    response = personas["leader"].post(_detail(referral), _step(fresh, status="declined"))
    assert response.status_code == 302


def test_a_stale_page_on_a_referral_that_ended_says_so_without_offering_steps(
    world, personas, person
):
    referral = refer(world, person)
    seen = _step(referral, status="approved")
    advance(world, referral, S.WITHDRAWN)
    response = personas["leader"].post(_detail(referral), seen)
    html = response.content.decode()
    assert "Người khác vừa cập nhật giới thiệu này sang «Đã rút»" in html
    assert 'name="status"' not in html
    assert Referral.objects.get(pk=referral.pk).changes.count() == 2


@pytest.mark.parametrize(
    "status, message",
    [
        ("completed", "Không thể chuyển từ «Đã giới thiệu» sang «Đã hoàn thành»"),
        ("referred", "Không thể chuyển từ «Đã giới thiệu» sang «Đã giới thiệu»"),
        ("paid", "Hãy chọn một trong các kết quả được đưa ra."),
    ],
)
def test_a_crafted_illegal_step_is_refused_on_the_page(world, personas, person, status, message):
    referral = refer(world, person)
    response = personas["leader"].post(_detail(referral), _step(referral, status=status))
    assert response.status_code == 200
    assert message in response.context["form"].errors["status"][0]
    assert Referral.objects.get(pk=referral.pk).status == S.REFERRED
    assert referral.changes.count() == 1


def test_a_crafted_step_on_an_ended_referral_is_refused_in_sight(world, personas, person):
    referral = advance(world, refer(world, person), S.DECLINED)
    response = personas["leader"].post(_detail(referral), _step(referral, status="approved"))
    html = response.content.decode()
    assert "Không thể chuyển từ «Bị từ chối» sang «Đã được chấp thuận»" in html
    assert Referral.objects.get(pk=referral.pk).status == S.DECLINED


def test_a_completed_loan_without_its_sum_is_refused_on_the_page(world, personas, person):
    referral = advance(world, refer(world, person), S.APPROVED)
    response = personas["leader"].post(_detail(referral), _step(referral, status="completed"))
    assert "số tiền được vay" in response.context["form"].errors["amount"][0]
    assert Referral.objects.get(pk=referral.pk).status == S.APPROVED


def test_a_step_dated_before_the_current_one_is_refused_on_the_page(world, personas, person):
    referral = advance(world, refer(world, person), S.APPROVED, changed_on=ago(10))
    data = _step(referral, status="declined", changed_on=ago(11).isoformat())
    response = personas["leader"].post(_detail(referral), data)
    assert "Không được trước ngày" in response.context["form"].errors["changed_on"][0]
    assert Referral.objects.get(pk=referral.pk).status == S.APPROVED


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "admin"])
def test_a_referral_outside_ones_scope_is_404(world, personas, person, persona):
    referral = refer(world, person)
    assert personas[persona].get(_detail(referral)).status_code == 404
    assert personas[persona].post(_detail(referral), _step(referral)).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == S.REFERRED


def test_a_volunteer_sees_only_the_referrals_of_their_persons(world, personas, person, stranger):
    mine, theirs = refer(world, person), refer(world, stranger)
    assert personas["volunteer"].get(_detail(mine)).status_code == 200
    assert personas["volunteer"].get(_detail(theirs)).status_code == 404
    assert personas["volunteer"].post(_detail(theirs), _step(theirs)).status_code == 404
    assert Referral.objects.get(pk=theirs.pk).status == S.REFERRED


def test_the_referral_page_costs_the_same_however_long_its_history(
    world, person, django_assert_num_queries
):
    client = login(world.leader)
    short = refer(world, person)
    long = refer(world, person, partner=f.partner(unit=world.ward_a), amount=1_000_000)
    advance(world, long, S.APPROVED)
    advance(world, long, S.COMPLETED)
    baseline = _count(client, _detail(short))
    with django_assert_num_queries(baseline):
        client.get(_detail(long))


# The ward's list ----------------------------------------------------------------------------


def test_the_list_shows_open_referrals_oldest_first_with_their_age(
    world, personas, person, stranger, elsewhere
):
    old = refer(world, person, referred_on=ago(45))
    recent = refer(world, stranger, kind=Referral.Kind.JOB, referred_on=ago(5))
    done = advance(world, refer(world, person, referred_on=ago(90)), S.DECLINED)
    refer(world, elsewhere)
    response = personas["leader"].get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.referral for r in rows] == [old, recent]
    assert [(r.age, r.stale) for r in rows] == [(45, True), (5, False)]
    html = response.content.decode()
    assert "đã 45 ngày" in html and "đã 5 ngày" in html
    assert "Chờ quá 30 ngày" in html and html.count("list-group-item-warning") == 1
    assert person.full_name in html and stranger.full_name in html
    assert elsewhere.full_name not in html
    assert _detail(old) in html and _detail(done) not in html


def test_the_list_counts_each_status_and_filters_by_status_and_kind(world, personas, person):
    refer(world, person)
    advance(world, refer(world, person), S.APPROVED)
    refer(world, person, kind=Referral.Kind.JOB)
    done = advance(
        world, advance(world, refer(world, person), S.APPROVED), S.COMPLETED, amount=10_000_000
    )
    advance(world, refer(world, person), S.WITHDRAWN)
    client = personas["officer"]
    tabs = client.get(LIST).context["tabs"]
    assert [(t.value, t.count, t.current) for t in tabs] == [
        ("", 3, True),
        ("hoan_thanh", 1, False),
        ("tu_choi", 0, False),
        ("da_rut", 1, False),
        ("tat_ca", 5, False),
    ]
    assert [r.referral for r in client.get(tabs[1].url).context["rows"]] == [done]
    assert len(client.get(LIST + "?trang_thai=tat_ca").context["rows"]) == 5
    response = client.get(LIST + "?loai=job")
    assert [r.referral.kind for r in response.context["rows"]] == ["job"]
    assert [t.count for t in response.context["tabs"]] == [1, 0, 0, 0, 1]
    assert "loai=job" in response.context["tabs"][4].url
    # a value nobody offered is ignored, not an error
    assert len(client.get(LIST + "?trang_thai=xyz&loai=abc").context["rows"]) == 3


def test_the_list_pages_by_25(world, personas, person):
    for i in range(30):
        f.referral(person=person, referred_on=ago(100 - i))
    first = personas["leader"].get(LIST)
    assert len(first.context["rows"]) == 25
    second = personas["leader"].get(LIST + "?page=2")
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("persona", ["volunteer", "supervisor", "admin"])
def test_the_list_is_for_leaders_and_officers_only(world, personas, persona):
    assert personas[persona].get(LIST).status_code == 404


def test_another_wards_leader_gets_their_own_list_and_404_for_ward_a(
    world, personas, person, elsewhere
):
    refer(world, person)
    theirs = refer(world, elsewhere)
    response = personas["outsider"].get(LIST)
    assert [r.referral for r in response.context["rows"]] == [theirs]
    assert personas["outsider"].get(LIST + f"?xa={world.ward_a.code}").status_code == 404


def test_the_list_costs_the_same_at_1_and_at_50_referrals(
    world, person, stranger, django_assert_num_queries
):
    client = login(world.leader)
    partner = f.partner(unit=world.ward_a)
    member = world.volunteer_member
    f.referral(person=person, partner=partner, member=member, referred_on=ago(70))
    baseline = _count(client, LIST)
    for i in range(49):
        who = person if i % 2 else stranger
        f.referral(person=who, partner=partner, member=member, referred_on=ago(i), kind="gift")
    with django_assert_num_queries(baseline):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25
    assert response.context["page"].paginator.count == 50


def test_a_step_after_the_file_was_closed_is_refused(world, person):
    referral = refer(world, person, referred_on=ago(30))
    Person.objects.filter(pk=person.pk).update(
        status="closed", closed_on=ago(10), closed_reason="moved_away"
    )
    with pytest.raises(ValidationError) as caught:
        advance(world, referral, S.APPROVED, changed_on=ago(5))
    assert "Hồ sơ đã đóng" in str(caught.value)
    # on the day of closing it can still be withdrawn
    assert advance(world, referral, S.WITHDRAWN, changed_on=ago(10)).status == S.WITHDRAWN


def test_an_empty_list_says_where_referrals_are_made(world, personas):
    html = personas["leader"].get(reverse("outreach:referral_list")).content.decode()
    assert "Không có giới thiệu nào ở mục này." in html
    assert "mở trang của người đó và bấm «Giới thiệu hỗ trợ»" in html
