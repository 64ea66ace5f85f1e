from django.urls import path

from enrolment.views import cards, contributions, registration, restrictions, results, workers
from enrolment.views import rosters as views

app_name = "enrolment"
urlpatterns = [
    path("unggah/", views.roster_upload, name="roster_upload"),
    path("unggah/templat/<str:fmt>/", views.roster_template, name="roster_template"),
    path("unggah/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("unggah/<int:pk>/progres/", views.roster_progress, name="roster_progress"),
    path("unggah/<int:pk>/terapkan/", views.roster_confirm, name="roster_confirm"),
    path("unggah/<int:pk>/batalkan/", views.roster_cancel, name="roster_cancel"),
    path("unggah/<int:pk>/tolak/", views.roster_reject, name="roster_reject"),
    path("unggah/<int:pk>/ulangi/", views.roster_retry, name="roster_retry"),
    path("unggah/<int:pk>/laporan.xlsx", views.roster_issue_report, name="roster_issue_report"),
    path("unggah/<int:pk>/baris-gagal.xlsx", views.roster_failed_rows, name="roster_failed_rows"),
    path("impor-bpjs/", results.result_upload, name="result_upload"),
    path("impor/ekspor/<str:fmt>/", results.import_export, name="import_export"),
    path("pekerja/", workers.worker_list, name="worker_list"),
    path("pekerja/ekspor/<str:fmt>/", workers.worker_export, name="worker_export"),
    path("pekerja/<int:pk>/", workers.worker_detail, name="worker_detail"),
    path("pekerja/<int:pk>/kartu.pdf", cards.worker_card, name="worker_card"),
    path("pekerja/<int:pk>/batasi/", restrictions.worker_restrict, name="worker_restrict"),
    path(
        "pekerja/<int:pk>/cabut-pembatasan/",
        restrictions.worker_restriction_lift,
        name="worker_restriction_lift",
    ),
    path(
        "pekerja/<int:pk>/hubungan-kerja/<int:employment_pk>/akhiri/",
        workers.employment_end,
        name="employment_end",
    ),
    path("kartu/<int:institution_pk>/", cards.institution_cards, name="institution_cards"),
    path(
        "iuran/<int:institution_pk>/",
        contributions.contribution_bill_view,
        name="contribution_bill",
    ),
    path(
        "iuran/<int:institution_pk>/ekspor.xlsx",
        contributions.contribution_bill_export,
        name="contribution_bill_export",
    ),
    path(
        "pendaftaran/<int:institution_pk>/ekspor.xlsx",
        registration.pending_registrations_export,
        name="pending_registrations_export",
    ),
    path(
        "pendaftaran/perjanjian/<int:agreement_pk>/ekspor.xlsx",
        registration.agreement_pending_registrations_export,
        name="agreement_pending_registrations_export",
    ),
]
