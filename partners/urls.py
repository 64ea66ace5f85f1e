from django.urls import path

from partners.views import agreements, exports, institutions

app_name = "partners"
urlpatterns = [
    path("", institutions.institution_list, name="institution_list"),
    path("baru/", institutions.institution_create, name="institution_create"),
    path("ekspor/<str:fmt>/", exports.institution_export, name="institution_export"),
    path("<int:pk>/", institutions.institution_detail, name="institution_detail"),
    path("<int:pk>/ubah/", institutions.institution_update, name="institution_update"),
    path("perjanjian/", agreements.agreement_list, name="agreement_list"),
    path("perjanjian/ekspor/<str:fmt>/", exports.agreement_export, name="agreement_export"),
    path("perjanjian/baru/", agreements.agreement_create, name="agreement_create"),
    path("perjanjian/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("perjanjian/<int:pk>/ubah/", agreements.agreement_update, name="agreement_update"),
    path("perjanjian/<int:pk>/status/", agreements.agreement_status, name="agreement_status"),
    path("perjanjian/<int:pk>/turunkan/", agreements.agreement_derive, name="agreement_derive"),
    path("perjanjian/<int:pk>/pihak/", agreements.party_add, name="party_add"),
    path(
        "perjanjian/<int:pk>/pihak/<int:party_pk>/",
        agreements.party_update,
        name="party_update",
    ),
    path(
        "perjanjian/<int:pk>/pihak/<int:party_pk>/hapus/",
        agreements.party_remove,
        name="party_remove",
    ),
    path("perjanjian/<int:pk>/penandatangan/", agreements.signatory_add, name="signatory_add"),
    path(
        "perjanjian/<int:pk>/penandatangan/<int:signatory_pk>/hapus/",
        agreements.signatory_remove,
        name="signatory_remove",
    ),
    path("perjanjian/<int:pk>/target/", agreements.target_add, name="target_add"),
    path(
        "perjanjian/<int:pk>/target/<int:target_pk>/",
        agreements.target_update,
        name="target_update",
    ),
    path(
        "perjanjian/<int:pk>/target/<int:target_pk>/hapus/",
        agreements.target_remove,
        name="target_remove",
    ),
    path("perjanjian/<int:pk>/tindak-lanjut/", agreements.follow_up_add, name="follow_up_add"),
    path(
        "perjanjian/<int:pk>/tindak-lanjut/<int:follow_up_pk>/",
        agreements.follow_up_update,
        name="follow_up_update",
    ),
    path("perjanjian/<int:pk>/kegiatan/", agreements.event_add, name="event_add"),
    path("perjanjian/<int:pk>/lampiran/", agreements.attachment_add, name="attachment_add"),
    path("lampiran/<int:pk>/", agreements.attachment_download, name="attachment_download"),
]
