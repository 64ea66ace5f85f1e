from django.urls import path

from coverage import views

app_name = "coverage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("snapshot/", views.snapshot, name="snapshot"),
    path("<str:level>/<str:key>/", views.dashboard, name="area"),
    path("<str:level>/<str:key>/ekspor/<str:fmt>/", views.area_export, name="export"),
    path("<str:level>/<str:key>/pekerja/", views.workers, name="workers"),
    path(
        "<str:level>/<str:key>/pekerja/ekspor/<str:fmt>/",
        views.workers_export,
        name="workers_export",
    ),
    path("<str:level>/<str:key>/belum-mengirim/", views.missing, name="missing"),
    path(
        "<str:level>/<str:key>/belum-mengirim/ekspor/<str:fmt>/",
        views.missing_export,
        name="missing_export",
    ),
]
