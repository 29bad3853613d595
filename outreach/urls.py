from django.urls import path

from outreach.views import activities, departments, eligibility, partners, referrals

app_name = "outreach"

urlpatterns = [
    # activities (outreach/views/activities.py)
    path("hoat-dong/", activities.activity_list, name="activity_list"),
    path("hoat-dong/ghi/", activities.activity_add, name="activity_add"),
    path("hoat-dong/nhap-so/", activities.activity_batch, name="activity_batch"),
    path("hoat-dong/<int:pk>/sua/", activities.activity_edit, name="activity_edit"),
    path("hoat-dong/<int:pk>/xoa/", activities.activity_delete, name="activity_delete"),
    # a district's or province's own trainings (outreach/views/departments.py)
    path("don-vi/hoat-dong/", departments.unit_activity_list, name="unit_activity_list"),
    path("don-vi/hoat-dong/ghi/", departments.unit_activity_add, name="unit_activity_add"),
    path(
        "don-vi/hoat-dong/<int:pk>/sua/",
        departments.unit_activity_edit,
        name="unit_activity_edit",
    ),
    path(
        "don-vi/hoat-dong/<int:pk>/xoa/",
        departments.unit_activity_delete,
        name="unit_activity_delete",
    ),
    # partners (outreach/views/partners.py)
    path("doi-tac/", partners.partner_list, name="partner_list"),
    path("doi-tac/them/", partners.partner_add, name="partner_add"),
    path("doi-tac/<int:pk>/sua/", partners.partner_edit, name="partner_edit"),
    # referrals (outreach/views/referrals.py)
    path("gioi-thieu/", referrals.referral_list, name="referral_list"),
    path("gioi-thieu/nguoi/<int:pk>/", referrals.referral_add, name="referral_add"),
    path("gioi-thieu/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    # loan eligibility (outreach/views/eligibility.py)
    path("vay-von/", eligibility.eligibility_list, name="eligibility_list"),
    path("vay-von/danh-sach.xlsx", eligibility.eligibility_export, name="eligibility_export"),
]
